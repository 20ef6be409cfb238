package raftudp.client;

import org.HdrHistogram.Histogram;
import raftudp.kv.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator behind {@code raft-client bench}: runs {@link BenchOptions#clients()}
 * logical clients against a {@link RaftClient}, each in its own thread and session, and
 * measures every operation's latency (call to answer) with HdrHistogram.
 *
 * <p>Bounded in count and time: no operation starts after {@code durationS} or once
 * {@code opsMax} have started; operations in flight then finish or fail within the
 * client's deadline, so a run lasts at most duration + deadline. Failed operations are
 * counted (timeouts: no leader within the deadline; errors: anything else) and not
 * retried; only successful operations enter the latency histogram.
 */
public final class Bench {
    /** Largest latency recorded, in microseconds (longer ones are recorded as this). */
    static final long LATENCY_US_MAX = TimeUnit.HOURS.toMicros(1);
    /** Extra time, after duration + deadline, before workers still running are interrupted. */
    private static final long JOIN_GRACE_MS = 5_000;

    private Bench() {
    }

    /** Counts and latencies of one worker; merged at the end. */
    private static final class Tally {
        final Histogram latencyUs = new Histogram(LATENCY_US_MAX, 3);
        long reads;
        long writes;
        long timeouts;
        long errors;
        String firstError;
    }

    /** Runs the load and returns what it measured. */
    public static BenchResult run(RaftClient client, BenchOptions o) throws InterruptedException {
        long startNanos = System.nanoTime();
        long endNanos = startNanos + (long) (o.durationS() * 1e9);
        AtomicLong started = new AtomicLong();
        List<Tally> tallies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < o.clients(); i++) {
            Tally t = new Tally();
            Random random = new Random(o.seed() * 1_000_003 + i);
            ClientSession session = client.newSession();
            Thread w = new Thread(() -> work(client, session, o, random, started, endNanos, t), "bench-" + i);
            w.setDaemon(true);
            tallies.add(t);
            workers.add(w);
        }
        workers.forEach(Thread::start);
        long joinBy = endNanos + TimeUnit.MILLISECONDS.toNanos(client.options().deadlineMs() + JOIN_GRACE_MS);
        for (Thread w : workers) {
            w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinBy - System.nanoTime())));
        }
        for (Thread w : workers) {
            if (w.isAlive()) {
                w.interrupt();
                w.join();
            }
        }
        double elapsedS = (System.nanoTime() - startNanos) / 1e9;
        return merge(o, elapsedS, tallies);
    }

    private static void work(RaftClient client, ClientSession session, BenchOptions o, Random random,
                             AtomicLong started, long endNanos, Tally t) {
        while (started.getAndIncrement() < o.opsMax() && System.nanoTime() - endNanos < 0) {
            boolean read = random.nextDouble() < o.readRatio();
            String key = "bench-" + random.nextInt(o.keys());
            Value value = null;
            if (!read) {
                byte[] bytes = new byte[o.valueBytes()];
                random.nextBytes(bytes);
                value = Value.of(bytes);
            }
            long t0 = System.nanoTime();
            try {
                if (read) {
                    client.get(key);
                    t.reads++;
                } else {
                    session.put(key, value);
                    t.writes++;
                }
                t.latencyUs.recordValue(Math.min(LATENCY_US_MAX, (System.nanoTime() - t0) / 1_000));
            } catch (RaftClientException e) {
                if (e.kind() == RaftClientException.Kind.NO_LEADER) {
                    t.timeouts++;
                } else {
                    t.errors++;
                }
                if (t.firstError == null) {
                    t.firstError = e.getMessage();
                }
                if (e.kind() == RaftClientException.Kind.CLOSED || e.kind() == RaftClientException.Kind.INTERRUPTED) {
                    return;
                }
            }
        }
    }

    private static BenchResult merge(BenchOptions o, double elapsedS, List<Tally> tallies) {
        Histogram all = new Histogram(LATENCY_US_MAX, 3);
        long reads = 0;
        long writes = 0;
        long timeouts = 0;
        long errors = 0;
        String firstError = null;
        for (Tally t : tallies) {
            all.add(t.latencyUs);
            reads += t.reads;
            writes += t.writes;
            timeouts += t.timeouts;
            errors += t.errors;
            if (firstError == null) {
                firstError = t.firstError;
            }
        }
        return new BenchResult(o, elapsedS, reads, writes, timeouts, errors, all, firstError);
    }
}
