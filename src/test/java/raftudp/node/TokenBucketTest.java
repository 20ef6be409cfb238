package raftudp.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private int burst(TokenBucket b) {
        int n = 0;
        while (b.take() && n < 1_000) {
            n++;
        }
        return n;
    }

    @Test
    void aFullBucketAllowsOneSecondsWorth_thenRefillsWithTime() {
        TokenBucket b = new TokenBucket(10, nanos::get);
        assertEquals(10, burst(b), "a burst of one second's rate");
        assertFalse(b.take());
        nanos.addAndGet(250_000_000L); // a quarter second: 2.5 tokens
        assertEquals(2, burst(b));
        nanos.addAndGet(60_000_000_000L); // a minute idle refills to the cap, not beyond
        assertEquals(10, burst(b));
    }

    @Test
    void aSteadyRateAtTheLimitIsNeverRefused() {
        TokenBucket b = new TokenBucket(200, nanos::get);
        burst(b);
        for (int i = 0; i < 1_000; i++) {
            nanos.addAndGet(5_000_000L); // one request every 5 ms = 200/s
            assertTrue(b.take(), "request " + i);
        }
    }

    @Test
    void aRateMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, nanos::get));
    }
}
