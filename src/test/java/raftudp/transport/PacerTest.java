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
            for (int i = 0; i < bursts; i++) { // one destination each: only the total bound applies
                p.send(s, 1, new InetSocketAddress("127.0.0.1", 1000 + i), burst(2, size));
            }
            assertTrue(p.dropped() >= 2, "dropped " + p.dropped());
            assertTrue(p.queuedBytes() <= Pacer.QUEUED_BYTES_MAX);
        }
    }

    @Test
    void aDestinationHoldsOneBurstBeingSentAndAtMostAMegabyteWaiting_moreIsDroppedWhole() {
        CountDownLatch held = new CountDownLatch(1);
        try (Pacer p = new Pacer(100_000, "test-pacer")) {
            try {
                Pacer.Sender s = (port, to, d) -> awaitQuietly(held); // the first datagram holds the lane: nothing drains
                List<byte[]> entry = burst(745, 1472); // a 1 MiB entry's AppendRequest, resent every heartbeat
                p.send(s, 1, TO, entry);
                p.send(s, 1, TO, entry);          // waits: the lane takes one whatever its size
                assertEquals(0, p.dropped());
                p.send(s, 1, TO, entry);          // would make 2 MiB wait: stale before it could leave
                p.send(s, 1, TO, burst(2, 100));  // anything more waits behind a full lane: dropped too
                assertEquals(747, p.dropped());
                p.send(s, 1, new InetSocketAddress("127.0.0.1", 10), entry); // another destination: its own lane
                assertEquals(747, p.dropped());
                assertEquals(3L * 745 * 1472, p.queuedBytes());
            } finally {
                held.countDown();
            }
        }
    }

    @Test
    void smallBurstsToOneDestinationWaitUpToTheBound() {
        CountDownLatch held = new CountDownLatch(1);
        try (Pacer p = new Pacer(100_000, "test-pacer")) {
            try {
                Pacer.Sender s = (port, to, d) -> awaitQuietly(held); // the first datagram holds the lane: nothing drains
                int n = (int) (Pacer.WAITING_BYTES_PER_DESTINATION_MAX / 2000);
                for (int i = 0; i <= n; i++) {    // the first is sent, n wait: exactly the bound
                    p.send(s, 1, TO, burst(2, 1000));
                }
                assertEquals(0, p.dropped());
                p.send(s, 1, TO, burst(2, 1000));
                assertEquals(2, p.dropped());
            } finally {
                held.countDown();
            }
        }
    }

    @Test
    void theLanesTakeTurns_aSmallAnswerIsNotQueuedBehindALargeBurstToAnotherDestination() throws Exception {
        InetSocketAddress follower = new InetSocketAddress("127.0.0.1", 20);
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 30);
        List<InetSocketAddress> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(60);
        try (Pacer p = new Pacer(1000, "test-pacer")) {
            Pacer.Sender s = (port, to, d) -> {
                order.add(to);
                done.countDown();
            };
            p.send(s, 1, follower, burst(50, 10));
            p.send(s, 1, client, burst(10, 10));
            assertTrue(done.await(30, TimeUnit.SECONDS));
        }
        int lastToClient = order.lastIndexOf(client);
        assertTrue(lastToClient < 30, "the client's 10 datagrams were done by slot " + lastToClient + ": " + order);
        assertEquals(50, Collections.frequency(order, follower));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aGapOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(-1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(100_001, "x"));
    }
}
