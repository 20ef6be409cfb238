package raftudp.storage;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same seeded random sequence of Raft-shaped operations against {@link FileStorage} and
 * {@link MemoryStorage}: {@code load()} must agree after every sync, after a crash
 * (memory: {@code crash()}; file: close without sync, reopen) and after a clean reopen.
 * Seeds: {@code -Dstorage.parity.seeds=N} (default 30). A failure names its seed.
 */
class FileStorageParityTest {
    private static final int STEPS = 400;

    private static Level savedLevel;

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        savedLevel = Fixtures.quietStorageLogs(); // the NEVER warning at every reopen
    }

    @AfterAll
    static void loud() {
        Fixtures.restoreStorageLogs(savedLevel);
    }

    static Stream<Arguments> seeds() {
        int n = Integer.getInteger("storage.parity.seeds", 30);
        return Stream.concat(
                IntStream.range(0, n).mapToObj(i -> Arguments.of(1000L + i, FsyncPolicy.NEVER)),
                IntStream.range(0, 3).mapToObj(i -> Arguments.of(5000L + i, FsyncPolicy.ALWAYS)));
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @MethodSource("seeds")
    void fileStorageAgreesWithMemoryStorage(long seed, FsyncPolicy policy) {
        new Run(seed, tmp.resolve("s" + seed), policy).go();
    }

    /** One seeded run: a logical model that keeps the operations Raft-shaped, and both storages. */
    private static final class Run {
        private final Random rnd;
        private final long seed;
        private final FileStorageOptions opts;
        private final MemoryStorage mem = new MemoryStorage();
        private FileStorage file;
        private final ArrayDeque<String> trace = new ArrayDeque<>();
        // logical model of what has been written
        private long snapIndex;
        private long snapTerm;
        private final List<Entry> log = new ArrayList<>();
        private long term = 1;
        private long commit;

        Run(long seed, Path dir, FsyncPolicy policy) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.opts = FileStorageOptions.builder(dir).segmentBytesMax(64 + rnd.nextInt(400))
                    .fsyncPolicy(policy).build();
            this.file = FileStorage.open(opts);
        }

        void go() {
            try {
                for (int step = 0; step < STEPS; step++) {
                    step(step);
                }
                sync("final");
                reopen("final");
            } finally {
                file.close();
            }
        }

        private long last() {
            return log.isEmpty() ? snapIndex : log.get(log.size() - 1).index();
        }

        private long termAt(long index) {
            return index == snapIndex ? snapTerm : log.get((int) (index - snapIndex - 1)).term();
        }

        private void step(int step) {
            int p = rnd.nextInt(100);
            if (p < 35) {
                appendAt(last() + 1, term);
            } else if (p < 40) {
                term++;
            } else if (p < 48 && last() > Math.max(commit, snapIndex)) {
                long lo = Math.max(commit, snapIndex) + 1;
                appendAt(lo + rnd.nextInt((int) (last() - lo + 1)), ++term);
            } else if (p < 62) {
                long c = commit + (last() > commit ? rnd.nextInt((int) (last() - commit + 1)) : 0);
                commit = c;
                HardState hs = new HardState(term, rnd.nextInt(4) - 1, c);
                record("hardState " + hs);
                mem.saveHardState(hs);
                file.saveHardState(hs);
            } else if (p < 67 && commit > snapIndex) {
                long i = snapIndex + 1 + rnd.nextInt((int) (commit - snapIndex));
                saveSnapshot(new Snapshot(i, termAt(i), new byte[] {(byte) i, (byte) step}));
            } else if (p < 70) {
                long i = Math.max(commit, snapIndex) + 1 + rnd.nextInt(6);
                saveSnapshot(new Snapshot(i, ++term, new byte[] {(byte) step}));
                commit = i;
            } else if (p < 93) {
                sync("step " + step);
            } else if (p < 97) {
                crash("step " + step);
            } else {
                sync("step " + step);
                reopen("step " + step);
            }
        }

        private void appendAt(long from, long t) {
            List<Entry> batch = Fixtures.entries(from, from + rnd.nextInt(8), t);
            record("append " + batch);
            mem.append(batch);
            file.append(batch);
            log.subList((int) (from - snapIndex - 1), log.size()).clear();
            log.addAll(batch);
        }

        private void saveSnapshot(Snapshot s) {
            record("saveSnapshot " + s);
            mem.saveSnapshot(s);
            file.saveSnapshot(s);
            if (s.index() <= last() && termAt(s.index()) == s.term()) {
                log.subList(0, (int) (s.index() - snapIndex)).clear();
            } else {
                log.clear();
            }
            snapIndex = s.index();
            snapTerm = s.term();
        }

        private void sync(String when) {
            record("sync");
            mem.sync();
            file.sync();
            compare("after sync at " + when);
        }

        private void crash(String when) {
            record("crash");
            mem.crash();
            file.close();
            file = FileStorage.open(opts);
            compare("after crash at " + when);
            RaftStorage.Recovered r = mem.load();
            snapIndex = r.snapshot() == null ? 0 : r.snapshot().index();
            snapTerm = r.snapshot() == null ? 0 : r.snapshot().term();
            log.clear();
            log.addAll(r.entries());
            commit = r.hardState().commit();
            term = Math.max(term, r.hardState().term());
        }

        private void reopen(String when) {
            record("reopen");
            file.close();
            file = FileStorage.open(opts);
            compare("after reopen at " + when);
        }

        private void compare(String when) {
            assertEquals(mem.load(), file.load(), () -> "seed " + seed + ", " + when + "; last operations:\n  "
                    + String.join("\n  ", trace));
        }

        private void record(String op) {
            trace.addLast(op);
            if (trace.size() > 25) {
                trace.removeFirst();
            }
        }
    }
}
