package raftudp.cluster;

import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process network without sockets: {@link MemoryTransport}s register their
 * (address, port) endpoints here, and a datagram sent to an endpoint is delivered to its
 * sink on the network's one delivery thread (as a transport's I/O thread would), in order.
 * Datagrams to nobody, or beyond {@link #QUEUED_DATAGRAMS_MAX} waiting, are dropped and
 * counted, as UDP would.
 */
public final class MemoryNetwork implements AutoCloseable {
    /** Datagrams waiting for delivery; more are dropped. */
    public static final int QUEUED_DATAGRAMS_MAX = 1 << 16;

    private record Endpoint(DatagramSink sink, int port) {
    }

    private final Map<InetSocketAddress, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final ThreadPoolExecutor delivery = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUED_DATAGRAMS_MAX), r -> {
                Thread t = new Thread(r, "memory-network");
                t.setDaemon(true);
                return t;
            });

    /** A transport for a host at {@code address}. */
    public MemoryTransport transport(InetAddress address) {
        return new MemoryTransport(this, address);
    }

    /** Datagrams dropped (no endpoint, or the delivery queue full). */
    public long dropped() {
        return dropped.sum();
    }

    void register(InetSocketAddress at, DatagramSink sink) throws TransportException {
        if (endpoints.putIfAbsent(at, new Endpoint(sink, at.getPort())) != null) {
            throw new TransportException("memory network: " + at + " is already in use");
        }
    }

    void unregister(InetSocketAddress at) {
        endpoints.remove(at);
    }

    void send(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        Endpoint e = endpoints.get(to);
        if (e == null) {
            dropped.increment();
            return;
        }
        try {
            delivery.execute(() -> {
                Endpoint now = endpoints.get(to);
                if (now != null) {
                    now.sink().received(from, now.port(), ByteBuffer.wrap(payload).asReadOnlyBuffer());
                } else {
                    dropped.increment();
                }
            });
        } catch (RejectedExecutionException full) {
            dropped.increment();
        }
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }

    /** One host's view of a {@link MemoryNetwork}. */
    public static final class MemoryTransport implements Transport {
        private final MemoryNetwork network;
        private final InetAddress address;
        private final Set<InetSocketAddress> bound = ConcurrentHashMap.newKeySet();

        MemoryTransport(MemoryNetwork network, InetAddress address) {
            this.network = network;
            this.address = address;
        }

        @Override
        public synchronized void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
            for (int p : ports) {
                InetSocketAddress at = new InetSocketAddress(address, p);
                try {
                    network.register(at, sink);
                } catch (TransportException e) {
                    close();
                    throw e;
                }
                bound.add(at);
            }
        }

        @Override
        public void send(int fromPort, InetSocketAddress to, byte[] payload) {
            network.send(new InetSocketAddress(address, fromPort), to, payload);
        }

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public synchronized void close() {
            for (InetSocketAddress at : bound) {
                network.unregister(at);
            }
            bound.clear();
        }
    }
}
