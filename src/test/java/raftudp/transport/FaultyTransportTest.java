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
    void withoutRulesSendingAllocatesNothing() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean sun) || !sun.isThreadAllocatedMemorySupported()) {
            return; // nothing to measure on this JVM
        }
        Transport nothing = new FaultyTransportBench.Sink();
        byte[] payload = new byte[64];
        try (FaultyTransport t = new FaultyTransport(nothing, 1)) {
            t.setRule(A.getAddress(), new FaultRule(0, 5, 0, 0));
            t.clearRules();
            for (int i = 0; i < 20_000; i++) {
                t.send(1, A, payload); // warm up
            }
            long tid = Thread.currentThread().getId();
            long before = sun.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                t.send(1, A, payload);
            }
            long bytes = sun.getThreadAllocatedBytes(tid) - before;
            assertTrue(bytes < 4096, "100000 sends without a rule allocated " + bytes + " bytes");
        }
    }

    @Test
    void countersCountWhatWasDoneToDatagrams() throws Exception {
        Recorder r = new Recorder();
        try (FaultyTransport t = new FaultyTransport(r, 5)) {
            t.setRule(A.getAddress(), new FaultRule(0, 1, 0, 1.0));
            t.send(1, A, new byte[]{1});
            assertNotNull(r.sent.poll(5, TimeUnit.SECONDS));
            assertNotNull(r.sent.poll(5, TimeUnit.SECONDS));
            assertEquals(2L, t.counters().get("fault.delayed"), "the copy is delayed too");
            assertEquals(1L, t.counters().get("fault.duplicated"));
            t.sendUnfaulted(1, A, new byte[]{2});
            assertEquals(2, r.sent.poll(5, TimeUnit.SECONDS)[0], "past the rule, at once");
        }
    }

    @Test
    void textFormRoundTrips() {
        FaultRule r = FaultRule.parse("delay:5ms,jitter:1ms,loss:5%,dup:0.0001%");
        assertEquals(new FaultRule(0.05, 5, 1, 1e-6), r);
        assertEquals("delay:5ms,jitter:1ms,loss:5%,dup:0.0001%", r.text());
        assertEquals(50_000, r.lossPpm());
        assertEquals(r, FaultRule.parse(" LOSS:5% , Duplicate:0.0001%,jitter:1ms, delay:5ms "));
        assertEquals(FaultRule.NONE, FaultRule.parse("none"));
        assertEquals("none", FaultRule.NONE.text());
        assertEquals("loss:100%", FaultRule.parse("loss:100%").text());
        assertEquals(r, FaultRule.of(r.toEntry("10.0.2.2")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "delay:5           | give whole milliseconds",
        "delay:5s          | give whole milliseconds",
        "delay:1.5ms       | whole milliseconds",
        "delay:-1ms        | whole milliseconds",
        "delay:10001ms     | at most 10000 ms",
        "delay:6000ms,jitter:5000ms | delay + jitter is at most 10000 ms",
        "loss:5            | give a percentage",
        "loss:101%         | 0..100 %",
        "loss:0.00001%     | steps of 0.0001 %",
        "loss:x%           | not a number",
        "lag:5ms           | unknown fault 'lag'",
        "delay:5ms,delay:6ms | given twice",
        "delay=5ms         | expected key:value",
        "delay:5ms,        | expected key:value",
    })
    void badTextSaysWhatIsWrong(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultRule.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
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
