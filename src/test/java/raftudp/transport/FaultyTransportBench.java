package raftudp.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * What wrapping a transport in {@link FaultyTransport} costs when no rule is set: ns per
 * send, direct and wrapped, over a transport that does nothing. Not a test; run with
 * {@code java -cp target/classes:target/test-classes raftudp.transport.FaultyTransportBench}.
 */
public final class FaultyTransportBench {
    private static final int ROUNDS = 7;
    private static final int SENDS = 20_000_000;

    private FaultyTransportBench() {
    }

    /** Counts, so that the JIT cannot drop the calls. */
    static final class Sink implements Transport {
        long sent;

        @Override
        public void start(Set<Integer> ports, DatagramSink sink) {
        }

        @Override
        public void send(int fromPort, InetSocketAddress to, byte[] payload) {
            sent += payload.length;
        }

        @Override
        public String name() {
            return "sink";
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9000);
        byte[] payload = new byte[100];
        Sink direct = new Sink();
        Sink wrappedInner = new Sink();
        try (FaultyTransport wrapped = new FaultyTransport(wrappedInner, 1)) {
            wrapped.setRule(InetAddress.getLoopbackAddress(), FaultRule.parse("delay:1ms"));
            wrapped.clearRules();
            for (int round = 0; round < ROUNDS; round++) {
                double d = nsPerSend(direct, to, payload);
                double w = nsPerSend(wrapped, to, payload);
                System.out.printf("round %d: direct %.2f ns/send, wrapped without rules %.2f ns/send (+%.2f)%n",
                        round, d, w, w - d);
            }
        }
        System.out.println("(checksum " + (direct.sent + wrappedInner.sent) + ")");
    }

    private static double nsPerSend(Transport t, InetSocketAddress to, byte[] payload) {
        long start = System.nanoTime();
        for (int i = 0; i < SENDS; i++) {
            t.send(1, to, payload);
        }
        return (System.nanoTime() - start) / (double) SENDS;
    }
}
