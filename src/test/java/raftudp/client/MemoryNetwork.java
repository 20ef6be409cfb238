package raftudp.client;

import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory datagram network for tests: every datagram is delivered asynchronously, on
 * one delivery thread, in the order it was sent (so a test can reason about order), or
 * dropped when nothing is bound at its destination. Port 0 binds an ephemeral port.
 */
final class MemoryNetwork implements AutoCloseable {
    private final Map<InetSocketAddress, DatagramSink> bound = new ConcurrentHashMap<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "memory-network");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger ephemeral = new AtomicInteger(50_000);
    private final AtomicLong undeliverable = new AtomicLong();

    /** A transport bound at {@code address} (a host of this network). */
    Transport transport(InetAddress address) {
        return new MemoryTransport(address);
    }

    long undeliverable() {
        return undeliverable.get();
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        if (delivery.isShutdown()) {
            return;
        }
        delivery.execute(() -> {
            DatagramSink sink = bound.get(to);
            if (sink == null) {
                undeliverable.incrementAndGet();
                return;
            }
            sink.received(from, to.getPort(), ByteBuffer.wrap(payload).asReadOnlyBuffer());
        });
    }

    private final class MemoryTransport implements Transport {
        private final InetAddress address;
        private final Map<Integer, Integer> actualPort = new ConcurrentHashMap<>();

        MemoryTransport(InetAddress address) {
            this.address = address;
        }

        @Override
        public void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
            for (int p : ports) {
                int actual = p == 0 ? ephemeral.getAndIncrement() : p;
                InetSocketAddress at = new InetSocketAddress(address, actual);
                if (bound.putIfAbsent(at, sink) != null) {
                    throw new TransportException("memory port " + at + " in use");
                }
                actualPort.put(p, actual);
            }
        }

        @Override
        public void send(int fromPort, InetSocketAddress to, byte[] payload) {
            Integer actual = actualPort.get(fromPort);
            if (actual == null) {
                undeliverable.incrementAndGet();
                return;
            }
            deliver(new InetSocketAddress(address, actual), to, payload.clone());
        }

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public void close() {
            for (int actual : actualPort.values()) {
                bound.remove(new InetSocketAddress(address, actual));
            }
            actualPort.clear();
        }
    }
}
