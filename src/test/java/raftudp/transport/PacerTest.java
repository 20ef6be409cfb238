package raftudp.transport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacerTest {
    private static final InetSocketAddress TO = new InetSocketAddress("127.0.0.1", 9);

    private record Sent(long nanos, Thread thread, byte[] datagram) {
    }

    private static List<byte[]> burst(int n, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] d = new byte[size];
            d[0] = (byte) i;
            out.add(d);
        }
        return out;
    }

    @Test
    void theDatagramsOfABurstLeaveInOrder_atLeastTheGapApart() throws Exception {
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(100);
        try (Pacer p = new Pacer(200, "test-pacer")) {
            Pacer.Sender s = (port, to, d) -> {
                sent.add(new Sent(System.nanoTime(), Thread.currentThread(), d));
                done.countDown();
            };
            p.send(s, 1, TO, burst(60, 10));
            p.send(s, 1, TO, burst(40, 10)); // a second burst shares the schedule
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertEquals(100, p.paced());
        }
        for (int i = 1; i < sent.size(); i++) {
            long gap = sent.get(i).nanos() - sent.get(i - 1).nanos();
            assertTrue(gap >= 200_000, "datagrams " + (i - 1) + " and " + i + " left " + gap + " ns apart");
        }
        for (int i = 0; i < 60; i++) {
            assertEquals((byte) i, sent.get(i).datagram()[0], "in order");
        }
    }

    @Test
    void aOneDatagramMessage_andEveryMessageWithoutAGap_goOutAtOnceOnTheCallersThread() {
        List<Sent> sent = new ArrayList<>();
        Pacer.Sender s = (port, to, d) -> sent.add(new Sent(System.nanoTime(), Thread.currentThread(), d));
        try (Pacer paced = new Pacer(500, "test-pacer"); Pacer none = new Pacer(0, "unused")) {
            paced.send(s, 1, TO, burst(1, 10));
            none.send(s, 1, TO, burst(5, 10));
        }
        assertEquals(6, sent.size());
        sent.forEach(x -> assertSame(Thread.currentThread(), x.thread()));
    }

    @Test
    void burstsBeyondTheQueueBoundAreDroppedWholeAndCounted() {
        try (Pacer p = new Pacer(100_000, "test-pacer")) { // 100 ms apart: the queue fills
            Pacer.Sender s = (port, to, d) -> { };
            int size = 1 << 20;
            int bursts = (int) (Pacer.QUEUED_BYTES_MAX / (2L * size)) + 2;
            for (int i = 0; i < bursts; i++) {
                p.send(s, 1, TO, burst(2, size));
            }
            assertTrue(p.dropped() >= 2, "dropped " + p.dropped());
            assertTrue(p.queuedBytes() <= Pacer.QUEUED_BYTES_MAX);
        }
    }

    @Test
    void aGapOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(-1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(100_001, "x"));
    }
}
