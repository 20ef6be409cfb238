package raftudp.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.FsyncPolicy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Storage benchmark (not a test): appends/s and fsyncs/s of {@link FileStorage} with policy
 * ALWAYS for 100-byte entries, at 1, 8 and 64 concurrent proposers. Proposers hand entries to
 * one writer thread that group-commits the way the node's event loop does: take everything
 * queued, append it, one {@code sync()}, then complete all those proposals. Each proposer
 * has one proposal in flight. Next to it, the raw rate of the disk: one 100-byte write plus
 * fdatasync per iteration, and the same with O_DSYNC (what {@code dd oflag=dsync} does).
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) raftudp.bench.StorageBench \
 *     [--dir target/storage-bench] [--seconds 5] [--warmup 1] [--threads 1,8,64] [--entry-bytes 100] \
 *     [--repeat 1]
 * </pre>
 * The disk of a shared machine drifts: each run is framed by two short raw measurements and
 * its ratios are to their mean; {@code --repeat N} runs every configuration N times (interleaved)
 * and prints per-column medians. Classpath file: {@code mvn -q dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt} after {@code mvn -q test-compile}.
 */
public final class StorageBench {
    private static final int BATCH_ENTRIES_MAX = 4096;

    private StorageBench() {
    }

    /** What each group commit writes besides the entries. */
    enum Mode {
        /** Entries only (a leader between elections whose commit index is not persisted). */
        APPEND("append"),
        /** Entries and a hard state with a new commit index, written at every sync (the default). */
        APPEND_HARDSTATE("append+hardstate"),
        /** The same with {@code commitPersistIntervalMs=100}: commit-only hard states wait. */
        APPEND_HARDSTATE_LAZY("append+hardstate, commitPersistIntervalMs=100");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** One configuration's figures; {@code rawPerSec}: write+fdatasync rate measured just before it. */
    record Row(String mode, int proposers, double appendsPerSec, double fsyncsPerSec, double syncsPerSec,
               double entriesPerSync, double p50Ms, double p99Ms, double rawPerSec, double appendsToRaw,
               double fsyncsToRaw) {
        Row withRaw(double raw) {
            return new Row(mode, proposers, appendsPerSec, fsyncsPerSec, syncsPerSec, entriesPerSync, p50Ms, p99Ms, raw,
                    appendsPerSec / raw, fsyncsPerSec / raw);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("target/storage-bench");
        double seconds = 5;
        double warmup = 1;
        int entryBytes = 100;
        int[] threads = {1, 8, 64};
        int repeat = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                case "--entry-bytes" -> entryBytes = Integer.parseInt(args[i + 1]);
                case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Stream.of(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "storage bench: dir %s, %d-byte entries, %.1f s per run after %.1f s warm-up%n",
                dir.toAbsolutePath(), entryBytes, seconds, warmup);
        double rawFdatasync = rawRate(dir.resolve("raw"), entryBytes, seconds, false);
        double rawDsync = rawRate(dir.resolve("raw"), entryBytes, seconds, true);
        List<List<Row>> reps = new ArrayList<>();
        for (int rep = 0; rep < repeat; rep++) {
            List<Row> rows = new ArrayList<>();
            for (Mode mode : Mode.values()) {
                for (int t : threads) {
                    double rawBefore = rawRate(dir.resolve("raw"), entryBytes, Math.min(seconds, 1), false);
                    Row r = run(dir.resolve("run-" + mode.ordinal() + "-" + t), t, entryBytes, warmup, seconds, mode);
                    double raw = (rawBefore + rawRate(dir.resolve("raw"), entryBytes, Math.min(seconds, 1), false)) / 2;
                    r = r.withRaw(raw); // the disk drifts: compare with what it did around this run
                    rows.add(r);
                    System.out.printf(Locale.ROOT, "  round %d: %s, %d proposers: %,.0f appends/s (raw %,.0f/s)%n",
                            rep + 1, r.mode(), t, r.appendsPerSec(), raw);
                }
            }
            reps.add(rows);
        }
        List<Row> rows = medians(reps);
        if (repeat > 1) {
            System.out.printf("%nmedians over %d rounds (each column separately)%n", repeat);
        }
        print(rows, rawFdatasync, rawDsync, entryBytes);
    }

    /** Writes of {@code bytes} then fdatasync (or with O_DSYNC), as many as fit in {@code seconds}. */
    static double rawRate(Path file, int bytes, double seconds, boolean dsync) throws IOException {
        Files.deleteIfExists(file);
        List<StandardOpenOption> o = new ArrayList<>(List.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        if (dsync) {
            o.add(StandardOpenOption.DSYNC);
        }
        long n = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        try (FileChannel ch = FileChannel.open(file, o.toArray(new StandardOpenOption[0]))) {
            ByteBuffer b = ByteBuffer.allocate(bytes);
            long pos = 0;
            while (System.nanoTime() < end) {
                b.clear();
                pos += ch.write(b, pos);
                if (!dsync) {
                    ch.force(false);
                }
                n++;
            }
        }
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        Files.delete(file);
        return rate;
    }

    private record Proposal(byte[] data, long startNanos, CompletableFuture<Void> done) {
    }

    static Row run(Path dir, int proposers, int entryBytes, double warmup, double seconds, Mode mode)
            throws Exception {
        deleteTree(dir);
        FileStorageOptions opts = FileStorageOptions.builder(dir).fsyncPolicy(FsyncPolicy.ALWAYS)
                .commitPersistIntervalMs(mode == Mode.APPEND_HARDSTATE_LAZY ? 100 : 0).build();
        BlockingQueue<Proposal> queue = new ArrayBlockingQueue<>(Math.max(1024, proposers * 2));
        Recorder latency = new Recorder(3);
        AtomicLong completed = new AtomicLong();
        try (FileStorage storage = FileStorage.open(opts)) {
            Writer writer = new Writer(storage, queue, mode != Mode.APPEND);
            writer.start();
            List<Thread> ps = new ArrayList<>();
            long stopAt = System.nanoTime() + (long) ((warmup + seconds) * 1e9);
            for (int i = 0; i < proposers; i++) {
                Thread p = new Thread(() -> propose(queue, entryBytes, stopAt, latency, completed), "proposer-" + i);
                p.start();
                ps.add(p);
            }
            TimeUnit.MILLISECONDS.sleep((long) (warmup * 1000)); // a benchmark phase, not synchronisation
            latency.getIntervalHistogram();
            long c0 = completed.get();
            long f0 = storage.fsyncCount();
            long s0 = storage.syncCount();
            long t0 = System.nanoTime();
            TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
            long c1 = completed.get();
            long f1 = storage.fsyncCount();
            long s1 = storage.syncCount();
            double dt = (System.nanoTime() - t0) / 1e9;
            Histogram h = latency.getIntervalHistogram();
            for (Thread p : ps) {
                p.join();
            }
            writer.stopAndJoin();
            return new Row(mode.label, proposers, (c1 - c0) / dt, (f1 - f0) / dt,
                    (s1 - s0) / dt, (c1 - c0) / (double) Math.max(1, s1 - s0),
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, Double.NaN, Double.NaN,
                    Double.NaN);
        }
    }

    private static void propose(BlockingQueue<Proposal> queue, int entryBytes, long stopAt, Recorder latency,
                                AtomicLong completed) {
        byte[] data = new byte[entryBytes];
        try {
            while (System.nanoTime() < stopAt) {
                Proposal p = new Proposal(data, System.nanoTime(), new CompletableFuture<>());
                queue.put(p);
                p.done().join();
                latency.recordValue(System.nanoTime() - p.startNanos());
                completed.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The group-committing writer: drain, append, one sync, complete. */
    private static final class Writer extends Thread {
        private final FileStorage storage;
        private final BlockingQueue<Proposal> queue;
        private final boolean withHardState;
        private volatile boolean running = true;

        Writer(FileStorage storage, BlockingQueue<Proposal> queue, boolean withHardState) {
            super("writer");
            this.storage = storage;
            this.queue = queue;
            this.withHardState = withHardState;
        }

        @Override
        public void run() {
            long index = storage.load().entries().size();
            List<Proposal> batch = new ArrayList<>();
            List<Entry> entries = new ArrayList<>();
            try {
                while (running || !queue.isEmpty()) {
                    Proposal first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH_ENTRIES_MAX - 1);
                    for (Proposal p : batch) {
                        entries.add(new Entry(++index, 1, Entry.Kind.NORMAL, p.data()));
                    }
                    storage.append(entries);
                    if (withHardState) {
                        storage.saveHardState(new HardState(1, 0, index)); // a follower's commit moving on
                    }
                    storage.sync();
                    batch.forEach(p -> p.done().complete(null));
                    batch.clear();
                    entries.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stopAndJoin() throws InterruptedException {
            running = false;
            join();
        }
    }

    /** Per configuration, the median of each column over the rounds (ratios: median of the per-round ratio). */
    private static List<Row> medians(List<List<Row>> reps) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < reps.get(0).size(); i++) {
            int k = i;
            List<Row> rs = reps.stream().map(r -> r.get(k)).toList();
            Row first = rs.get(0);
            double raw = median(rs, Row::rawPerSec);
            double appends = median(rs, Row::appendsPerSec);
            double fsyncs = median(rs, Row::fsyncsPerSec);
            out.add(new Row(first.mode(), first.proposers(), appends, fsyncs, median(rs, Row::syncsPerSec),
                    median(rs, Row::entriesPerSync), median(rs, Row::p50Ms), median(rs, Row::p99Ms), raw,
                    median(rs, r -> r.appendsPerSec() / r.rawPerSec()), median(rs, r -> r.fsyncsPerSec() / r.rawPerSec())));
        }
        return out;
    }

    private static double median(List<Row> rows, java.util.function.ToDoubleFunction<Row> f) {
        double[] v = rows.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void print(List<Row> rows, double rawFdatasync, double rawDsync, int entryBytes) {
        System.out.printf(Locale.ROOT, "%nraw disk at start, %d-byte write + fdatasync (FileChannel.force(false)): %,.0f /s%n",
                entryBytes, rawFdatasync);
        System.out.printf(Locale.ROOT, "raw disk at start, %d-byte write with O_DSYNC (as dd oflag=dsync):        %,.0f /s%n",
                entryBytes, rawDsync);
        System.out.println("(raw/s below: write+fdatasync, mean of 1 s just before and 1 s just after each run; ratios are to it)");
        System.out.println();
        System.out.println("| mode | proposers | appends/s | fsyncs/s | syncs/s | entries/sync | p50 ms | p99 ms "
                + "| raw/s | appends ÷ raw | fsyncs ÷ raw |");
        System.out.println("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,.0f | %.1f | %.2f | %.2f | %,.0f | %.2f | %.2f |%n",
                    r.mode(), r.proposers(), r.appendsPerSec(), r.fsyncsPerSec(), r.syncsPerSec(), r.entriesPerSync(),
                    r.p50Ms(), r.p99Ms(), r.rawPerSec(), r.appendsToRaw(), r.fsyncsToRaw());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
