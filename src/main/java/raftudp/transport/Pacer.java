package raftudp.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Spaces the datagrams of multi-datagram messages {@code gapMicros} apart, so that a
 * software switch that loses most of a back-to-back burst before its pipeline (BMv2
 * simple_switch: 32-108 of 745 datagrams got through a 1 MiB burst; all of them 0.2 ms
 * apart) carries them. One-datagram messages are sent at once, by the caller's thread;
 * bursts go to one pacing thread, in the order they were handed over, all sharing one
 * schedule (the switch's ingress sees one paced stream per sender). With a gap of 0 every
 * datagram is sent at once and no thread is started.
 *
 * <p>Bounded: at most {@link #QUEUED_BYTES_MAX} bytes wait; a burst beyond that is dropped
 * whole and counted ({@link #dropped()}), as a full socket buffer would drop it. Thread-safe.
 */
public final class Pacer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    /** Bytes of bursts waiting for their slots, at most. */
    public static final long QUEUED_BYTES_MAX = 64L << 20;

    /** How a datagram leaves: the transport's send (normal or past the fault rules). */
    @FunctionalInterface
    public interface Sender {
        void send(int fromPort, InetSocketAddress to, byte[] datagram);
    }

    private record Burst(Sender sender, int fromPort, InetSocketAddress to, List<byte[]> datagrams, long bytes) {
    }

    private final long gapNanos;
    private final LinkedBlockingQueue<Burst> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder paced = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private volatile boolean closed;

    /** @param gapMicros the least time between two datagrams of bursts, 0 .. 100,000 µs; 0 paces nothing */
    public Pacer(long gapMicros, String name) {
        if (gapMicros < 0 || gapMicros > 100_000) {
            throw new IllegalArgumentException("pacing gap " + gapMicros + " µs outside 0..100000");
        }
        this.gapNanos = TimeUnit.MICROSECONDS.toNanos(gapMicros);
        if (gapNanos == 0) {
            thread = null;
        } else {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The gap in microseconds (0: no pacing). */
    public long gapMicros() {
        return TimeUnit.NANOSECONDS.toMicros(gapNanos);
    }

    /** Sends {@code datagrams} (one message's chunks, in order) through {@code sender}, paced when more than one. */
    public void send(Sender sender, int fromPort, InetSocketAddress to, List<byte[]> datagrams) {
        if (thread == null || datagrams.size() <= 1) {
            for (byte[] d : datagrams) {
                sender.send(fromPort, to, d);
            }
            return;
        }
        long bytes = 0;
        for (byte[] d : datagrams) {
            bytes += d.length;
        }
        if (closed || queuedBytes.addAndGet(bytes) > QUEUED_BYTES_MAX) {
            queuedBytes.addAndGet(-bytes);
            dropped.add(datagrams.size());
            return;
        }
        queue.add(new Burst(sender, fromPort, to, List.copyOf(datagrams), bytes));
    }

    private void run() {
        long next = System.nanoTime();
        while (!closed) {
            Burst b;
            try {
                b = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (b == null) {
                continue;
            }
            for (byte[] d : b.datagrams()) {
                long now = System.nanoTime();
                while (next - now > 0 && !closed) { // parkNanos may return early: never send before the slot
                    LockSupport.parkNanos(next - now);
                    now = System.nanoTime();
                }
                try {
                    b.sender().send(b.fromPort(), b.to(), d);
                } catch (RuntimeException e) { // transports must not throw; keep pacing the rest
                    LOG.warn("pacer: a send failed: {}", e.toString());
                }
                paced.increment();
                next = Math.max(now, next) + gapNanos;
            }
            queuedBytes.addAndGet(-b.bytes());
        }
    }

    /** Datagrams sent by the pacing thread. */
    public long paced() {
        return paced.sum();
    }

    /** Datagrams of bursts dropped because {@link #QUEUED_BYTES_MAX} bytes were already waiting. */
    public long dropped() {
        return dropped.sum();
    }

    /** Bytes waiting now. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Stops the pacing thread; what still waits is not sent. */
    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
