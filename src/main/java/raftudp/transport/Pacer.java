package raftudp.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Spaces the datagrams of multi-datagram messages {@code gapMicros} apart, so that a
 * software switch that loses most of a back-to-back burst before its pipeline (BMv2
 * simple_switch: 32-108 of 745 datagrams got through a 1 MiB burst; all of them 0.2 ms
 * apart) carries them. One-datagram messages are sent at once, by the caller's thread;
 * bursts go to one pacing thread and share one schedule (the switch's ingress sees one
 * paced stream per sender).
 *
 * <p>Each destination has its own lane: a burst's datagrams leave in order, the bursts of one
 * destination in the order they were handed over, and the lanes take turns slot by slot, so
 * a small answer to a client is not queued behind megabytes of resends to a follower.
 *
 * <p>Bounded, so that the queue never holds seconds of stale traffic: a destination whose lane
 * already has a burst waiting to start takes another only while its waiting bytes stay within
 * {@link #WAITING_BYTES_PER_DESTINATION_MAX}, and all lanes together hold at most
 * {@link #QUEUED_BYTES_MAX}. A burst beyond either is dropped whole and counted
 * ({@link #dropped()}), as a full socket buffer would drop it: a Raft resend of the same
 * entries (the leader resends to a silent follower every heartbeat, faster than a paced 1 MiB
 * entry drains) is such a burst, and what it carried is already on its way. With a gap of 0
 * every datagram is sent at once and no thread is started. Thread-safe.
 */
public final class Pacer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    /** Bytes of bursts queued (sending or waiting) over all destinations, at most. */
    public static final long QUEUED_BYTES_MAX = 64L << 20;
    /** Bytes of bursts waiting to start for one destination, at most, unless none waits. */
    public static final long WAITING_BYTES_PER_DESTINATION_MAX = 1L << 20;

    /** How a datagram leaves: the transport's send (normal or past the fault rules). */
    @FunctionalInterface
    public interface Sender {
        void send(int fromPort, InetSocketAddress to, byte[] datagram);
    }

    private record Burst(Sender sender, int fromPort, List<byte[]> datagrams, long bytes) {
    }

    /** One destination's bursts; the first is being sent from {@code next}. */
    private static final class Lane {
        final InetSocketAddress to;
        final ArrayDeque<Burst> bursts = new ArrayDeque<>();
        int next;                 // index of the first burst's next datagram
        long waitingBytes;        // bytes of the bursts after the first one that has started

        Lane(InetSocketAddress to) {
            this.to = to;
        }
    }

    private final long gapNanos;
    private final Object lock = new Object();
    private final Map<InetSocketAddress, Lane> lanes = new HashMap<>();  // guarded by lock
    private final ArrayDeque<Lane> turns = new ArrayDeque<>();           // lanes with datagrams, in turn
    private long queuedBytes;                                            // guarded by lock
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
        synchronized (lock) {
            Lane lane = lanes.computeIfAbsent(to, Lane::new);
            boolean waits = !lane.bursts.isEmpty();
            if (closed || queuedBytes + bytes > QUEUED_BYTES_MAX
                    || (lane.waitingBytes > 0 && lane.waitingBytes + bytes > WAITING_BYTES_PER_DESTINATION_MAX)) {
                dropped.add(datagrams.size());
                if (lane.bursts.isEmpty()) {
                    lanes.remove(to);
                }
                return;
            }
            lane.bursts.addLast(new Burst(sender, fromPort, List.copyOf(datagrams), bytes));
            if (waits) {
                lane.waitingBytes += bytes;
            } else {
                turns.addLast(lane);
            }
            queuedBytes += bytes;
            lock.notifyAll();
        }
    }

    private void run() {
        long next = System.nanoTime();
        while (!closed) {
            Burst b;
            byte[] d;
            InetSocketAddress to;
            synchronized (lock) {
                while (turns.isEmpty() && !closed) {
                    try {
                        lock.wait(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                Lane lane = turns.pollFirst();
                b = lane.bursts.peekFirst();
                to = lane.to;
                d = b.datagrams().get(lane.next++);
                if (lane.next == b.datagrams().size()) {
                    lane.bursts.pollFirst();
                    lane.next = 0;
                    queuedBytes -= b.bytes();
                    Burst started = lane.bursts.peekFirst();
                    if (started != null) {
                        lane.waitingBytes -= started.bytes();
                    }
                }
                if (lane.bursts.isEmpty()) {
                    lanes.remove(to);
                } else {
                    turns.addLast(lane);
                }
            }
            long now = System.nanoTime();
            while (next - now > 0 && !closed) { // parkNanos may return early: never send before the slot
                LockSupport.parkNanos(next - now);
                now = System.nanoTime();
            }
            paced.increment(); // before the send: whoever sees the datagram leave sees it counted
            try {
                b.sender().send(b.fromPort(), to, d);
            } catch (RuntimeException e) { // transports must not throw; keep pacing the rest
                LOG.warn("pacer: a send failed: {}", e.toString());
            }
            next = System.nanoTime() + gapNanos; // from the end of this send: no two sends start closer
        }
    }

    /** Datagrams sent by the pacing thread. */
    public long paced() {
        return paced.sum();
    }

    /** Datagrams of bursts dropped by a bound ({@link #QUEUED_BYTES_MAX}, {@link #WAITING_BYTES_PER_DESTINATION_MAX}). */
    public long dropped() {
        return dropped.sum();
    }

    /** Bytes queued now (being sent or waiting). */
    public long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
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
