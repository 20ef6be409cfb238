package raftudp.client;

import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The history-recording workload behind {@code raft-client workload}, for consistency
 * checks under faults (Jepsen's list-append workload, on this store's {@code append}).
 *
 * <p>Each logical client (a thread with its own session) issues, back to back, appends of
 * values unique to the whole run ({@code PROCESS-CLIENT-OP}) and linearizable reads, on a
 * small set of keys that changes every {@link WorkloadOptions#keyPeriodS()} seconds. Every
 * operation is written to the history twice, as JSON lines: an {@code invoke} line when it
 * is called and, when it ends, an {@code ok}, {@code fail} (certainly not applied) or
 * {@code unknown} line (it may have been applied, at most once). Times are
 * {@link System#nanoTime()}, CLOCK_MONOTONIC, comparable between processes of one machine.
 *
 * <p>Once every process given the same start has stopped issuing operations and each of its
 * operations has ended (the client's deadline bounds that), every key of the run is read
 * once more; these reads carry {@code "final":true}.
 *
 * <p>Bounded in count and time: at most {@code opsMax} operations, none started after
 * {@code durationS}; each ends within the client's deadline.
 */
public final class Workload {
    /** Final reads of one key tried at most this many times (each within the client's deadline). */
    static final int FINAL_READ_TRIES = 5;
    /** After the last operation may have ended, this much more before the final reads. */
    static final long FINAL_MARGIN_MS = 1_000;

    private Workload() {
    }

    /** What a run did, by operation and outcome. */
    public record Counts(long appendsOk, long appendsUnknown, long appendsFailed, long readsOk, long readsFailed,
                         long finalReads, long finalReadsFailed) {
        /** One line for the terminal. */
        public String human() {
            return String.format("appends: %d ok, %d unknown, %d failed; reads: %d ok, %d failed; "
                            + "final reads: %d of %d keys%n", appendsOk, appendsUnknown, appendsFailed, readsOk,
                    readsFailed, finalReads - finalReadsFailed, finalReads);
        }
    }

    /** Writes history lines, one whole line at a time, flushed (a crash loses at most a line). */
    static final class History {
        private final Writer out;

        History(Writer out) {
            this.out = out;
        }

        synchronized void line(String json) {
            try {
                out.write(json);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the history", e);
            }
        }
    }

    /** Tallies of one worker. */
    private static final class Tally {
        long appendsOk;
        long appendsUnknown;
        long appendsFailed;
        long readsOk;
        long readsFailed;
    }

    /**
     * Runs the workload against {@code client}, writing the history to {@code out}.
     *
     * @throws UncheckedIOException when the history cannot be written
     */
    public static Counts run(RaftClient client, WorkloadOptions o, Writer out) throws InterruptedException {
        History history = new History(out);
        AtomicLong started = new AtomicLong();
        Pace pace = new Pace(o.rate(), System.nanoTime());
        List<Tally> tallies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < o.clients(); i++) {
            Tally t = new Tally();
            int clientNo = i;
            Random random = new Random(o.seed() * 1_000_003 + i);
            ClientSession session = client.newSession();
            Thread w = new Thread(() -> work(client, session, o, clientNo, random, started, pace, history, t),
                    "workload-" + i);
            w.setDaemon(true);
            tallies.add(t);
            workers.add(w);
        }
        workers.forEach(Thread::start);
        long deadlineNanos = TimeUnit.MILLISECONDS.toNanos(client.options().deadlineMs());
        for (Thread w : workers) {
            w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(o.endNanos() + 2 * deadlineNanos - System.nanoTime())));
        }
        for (Thread w : workers) {
            if (w.isAlive()) {
                w.interrupt();
                w.join();
            }
        }
        // Every process with this start issued its last operation before endNanos and it ended
        // within the deadline: from here on, nothing of this run is in flight but unknown writes.
        long finalAt = o.endNanos() + deadlineNanos + TimeUnit.MILLISECONDS.toNanos(FINAL_MARGIN_MS);
        long waitNanos = finalAt - System.nanoTime();
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
        long[] finals = finalReads(client, o, history);
        Tally sum = new Tally();
        for (Tally t : tallies) {
            sum.appendsOk += t.appendsOk;
            sum.appendsUnknown += t.appendsUnknown;
            sum.appendsFailed += t.appendsFailed;
            sum.readsOk += t.readsOk;
            sum.readsFailed += t.readsFailed;
        }
        return new Counts(sum.appendsOk, sum.appendsUnknown, sum.appendsFailed, sum.readsOk, sum.readsFailed,
                finals[0], finals[1]);
    }

    private static void work(RaftClient client, ClientSession session, WorkloadOptions o, int clientNo, Random random,
                             AtomicLong started, Pace pace, History history, Tally t) {
        long opNo = 0;
        while (started.getAndIncrement() < o.opsMax() && System.nanoTime() - o.endNanos() < 0
                && !Thread.currentThread().isInterrupted()) {
            if (!pace.awaitSlot(o.endNanos())) {
                break;
            }
            opNo++;
            String key = o.key(System.nanoTime(), random.nextInt(o.keys()));
            if (random.nextDouble() < o.readRatio()) {
                Outcome r = read(client, history, o.process(), clientNo, opNo, key, false);
                if (r == Outcome.OK) {
                    t.readsOk++;
                } else {
                    t.readsFailed++;
                }
            } else {
                String value = o.process() + "-" + clientNo + "-" + opNo;
                switch (append(session, history, o.process(), clientNo, opNo, key, value)) {
                    case OK -> t.appendsOk++;
                    case FAIL -> t.appendsFailed++;
                    case UNKNOWN -> t.appendsUnknown++;
                }
            }
        }
    }

    enum Outcome { OK, FAIL, UNKNOWN }

    /** Spaces the starts of the process's operations {@code 1 / rate} apart (no limit at rate 0). */
    static final class Pace {
        private final long intervalNanos;
        private final AtomicLong next;

        Pace(double rate, long startNanos) {
            this.intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
            this.next = new AtomicLong(startNanos);
        }

        /** Waits for this caller's start slot; false when it falls after {@code endNanos} or on interrupt. */
        boolean awaitSlot(long endNanos) {
            if (intervalNanos == 0) {
                return true;
            }
            // A slot missed while an operation was slow is not made up for later with a burst.
            long now = System.nanoTime();
            long slot = next.getAndUpdate(n -> Math.max(n, now - intervalNanos) + intervalNanos);
            slot = Math.max(slot, now - intervalNanos) + intervalNanos;
            if (slot - endNanos >= 0) {
                return false;
            }
            try {
                long wait = slot - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static Outcome append(ClientSession session, History history, String process, int clientNo, long opNo,
                                  String key, String value) {
        String id = ids(process, clientNo, opNo, "append", key) + ",\"value\":" + quote(value);
        history.line("{\"type\":\"invoke\"," + id + ",\"t\":" + System.nanoTime() + "}");
        try {
            Result r = session.write(new Command.Append(key, new Value.Str(value)));
            long now = System.nanoTime();
            if (r instanceof Result.Appended a) {
                history.line("{\"type\":\"ok\"," + id + ",\"t\":" + now + ",\"result\":" + a.size() + "}");
            } else if (r instanceof Result.WrongType) {
                history.line("{\"type\":\"ok\"," + id + ",\"t\":" + now + ",\"result\":\"wrong_type\"}");
            } else {
                history.line("{\"type\":\"unknown\"," + id + ",\"t\":" + now + ",\"error\":"
                        + quote("unexpected answer " + r) + "}");
                return Outcome.UNKNOWN;
            }
            return Outcome.OK;
        } catch (RaftClientException e) {
            // BUSY: nothing was sent. Everything else may have reached the leader.
            boolean sent = e.kind() != RaftClientException.Kind.BUSY;
            history.line("{\"type\":\"" + (sent ? "unknown" : "fail") + "\"," + id + ",\"t\":" + System.nanoTime()
                    + ",\"error\":" + quote(e.kind() + ": " + e.getMessage()) + "}");
            if (e.kind() == RaftClientException.Kind.INTERRUPTED) {
                Thread.currentThread().interrupt();
            }
            return sent ? Outcome.UNKNOWN : Outcome.FAIL;
        }
    }

    /** A linearizable read; any failure is FAIL (a read changes nothing). */
    private static Outcome read(RaftClient client, History history, String process, int clientNo, long opNo,
                                String key, boolean fin) {
        String id = ids(process, clientNo, opNo, "get", key);
        history.line("{\"type\":\"invoke\"," + id + ",\"t\":" + System.nanoTime() + "}");
        String mark = fin ? ",\"final\":true" : "";
        try {
            Result r = client.get(key);
            long now = System.nanoTime();
            if (r instanceof Result.NotFound) {
                history.line("{\"type\":\"ok\"," + id + ",\"t\":" + now + ",\"result\":null" + mark + "}");
            } else if (r instanceof Result.Found f && f.value() instanceof Value.ListValue list) {
                StringBuilder items = new StringBuilder("[");
                for (Value v : list.items()) {
                    items.append(items.length() > 1 ? "," : "")
                            .append(v instanceof Value.Str s ? quote(s.value()) : quote("unexpected item " + v));
                }
                history.line("{\"type\":\"ok\"," + id + ",\"t\":" + now + ",\"result\":" + items + "]" + mark + "}");
            } else {
                // Only lists are ever written to these keys: record it as it is, the checker refuses it.
                history.line("{\"type\":\"ok\"," + id + ",\"t\":" + now + ",\"result\":"
                        + quote("unexpected answer " + r) + mark + "}");
            }
            return Outcome.OK;
        } catch (RaftClientException e) {
            history.line("{\"type\":\"fail\"," + id + ",\"t\":" + System.nanoTime() + ",\"error\":"
                    + quote(e.kind() + ": " + e.getMessage()) + mark + "}");
            if (e.kind() == RaftClientException.Kind.INTERRUPTED) {
                Thread.currentThread().interrupt();
            }
            return Outcome.FAIL;
        }
    }

    /** Reads every key the run may have used; returns {keys read, keys never read}. */
    private static long[] finalReads(RaftClient client, WorkloadOptions o, History history) {
        long periods = 1 + Math.max(0, (long) ((o.endNanos() - o.startNanos()) / (o.keyPeriodS() * 1e9)));
        long keys = 0;
        long failed = 0;
        long opNo = 0;
        for (long p = 0; p < periods; p++) {
            for (int j = 0; j < o.keys(); j++) {
                String key = "k" + p + "-" + j;
                keys++;
                boolean ok = false;
                for (int attempt = 0; attempt < FINAL_READ_TRIES && !ok && !Thread.currentThread().isInterrupted();
                     attempt++) {
                    ok = read(client, history, o.process(), -1, ++opNo, key, true) == Outcome.OK;
                }
                if (!ok) {
                    failed++;
                }
            }
        }
        return new long[] {keys, failed};
    }

    private static String ids(String process, int clientNo, long opNo, String f, String key) {
        return "\"process\":" + quote(process) + ",\"client\":" + clientNo + ",\"op\":" + opNo + ",\"f\":\"" + f
                + "\",\"key\":" + quote(key);
    }

    /** {@code s} as a JSON string. */
    static String quote(String s) {
        return raftudp.wire.JsonText.quote(s);
    }
}
