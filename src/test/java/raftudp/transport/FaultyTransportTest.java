package raftudp.transport;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultyTransportTest {
    /** Records what it was asked to send, with the time. */
    static final class Recorder implements Transport {
        final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
        final List<Long> sentAtNanos = new CopyOnWriteArrayList<>();

        @Override
        public void start(Set<Integer> ports, DatagramSink sink) {
        }

        @Override
        public void send(int fromPort, InetSocketAddress to, byte[] payload) {
            sentAtNanos.add(System.nanoTime());
            sent.add(payload);
        }

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void close() {
        }
    }

    private static final InetSocketAddress A = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000);
    private static final InetSocketAddress B;

    static {
        try {
            B = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 1000);
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void withoutRulesEverythingPassesUntouched() {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 1)) {
            for (int i = 0; i < 100; i++) {
                t.send(1, A, new byte[]{(byte) i});
            }
            assertEquals(100, r.sent.size());
        }
    }

    @Test
    void lossRateDropsAboutThatShareOnlyForItsHost() {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 7)) {
            t.setRule(A.getAddress(), new FaultRule(0.3, 0, 0, 0));
            for (int i = 0; i < 10_000; i++) {
                t.send(1, A, new byte[]{1});
                t.send(1, B, new byte[]{2});
            }
            long toA = r.sent.stream().filter(b -> b[0] == 1).count();
            long toB = r.sent.stream().filter(b -> b[0] == 2).count();
            assertEquals(10_000, toB, "other hosts are untouched");
            assertTrue(toA > 6_500 && toA < 7_500, "about 70% of datagrams to A survive: " + toA);
            assertEquals(10_000 - toA, t.counters().get("fault.lost"));
        }
    }

    @Test
    void duplicationSendsCopies() {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 3)) {
            t.setDefaultRule(new FaultRule(0, 0, 0, 1.0));
            t.send(1, A, new byte[]{5});
            assertEquals(2, r.sent.size());
        }
    }

    @Test
    void delayHoldsDatagramsBackAtLeastThatLong() throws Exception {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 3)) {
            t.setRule(A.getAddress(), new FaultRule(0, 50, 0, 0));
            long t0 = System.nanoTime();
            t.send(1, A, new byte[]{9});
            assertNotNull(r.sent.poll(5, TimeUnit.SECONDS));
            assertTrue(r.sentAtNanos.get(0) - t0 >= TimeUnit.MILLISECONDS.toNanos(50), "sent after the delay");
        }
    }

    @Test
    void jitterReordersDatagrams() throws Exception {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 11)) {
            t.setRule(A.getAddress(), new FaultRule(0, 1, 30, 0));
            for (int i = 0; i < 200; i++) {
                t.send(1, A, new byte[]{(byte) i});
            }
            int inversions = 0;
            int last = -1;
            for (int i = 0; i < 200; i++) {
                byte[] b = r.sent.poll(5, TimeUnit.SECONDS);
                assertNotNull(b, "datagram " + i + " never sent");
                int v = b[0] & 0xff;
                if (v < last) {
                    inversions++;
                }
                last = v;
            }
            assertTrue(inversions > 0, "jitter larger than the spacing reorders");
        }
    }

    @Test
    void nonsenseRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FaultRule(1.5, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FaultRule(0, -1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FaultRule(0, 9_000, 2_000, 0));
    }

    @Test
    void clearingRulesRestoresDelivery() {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 3)) {
            t.setDefaultRule(new FaultRule(1.0, 0, 0, 0));
            t.send(1, A, new byte[]{1});
            assertEquals(0, r.sent.size());
            assertEquals("loss=1.000 delay=0ms jitter=0ms dup=0.000", t.rules().get("*").toString());
            t.clearRules();
            t.send(1, A, new byte[]{1});
            assertEquals(1, r.sent.size());
        }
    }
}
