package raftudp.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import raftudp.core.Entry;
import raftudp.core.Snapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash tests with a real process: a {@link StorageChild} appends (sometimes cutting an
 * unacknowledged-by-commit suffix, sometimes compacting) with fsync policy ALWAYS and prints
 * {@code ack} only after {@code sync()} returns; this test kills it with SIGKILL after a
 * seeded random number of lines, recovers the directory, and checks that every acknowledged
 * record is there with the right content and that the log is well-formed. Then the next
 * child continues from what was recovered.
 *
 * <p>SIGKILL loses no page cache: this checks process-crash consistency (interrupted writes,
 * truncations, deletions, renames). Power-cut damage (torn or lost sectors) is what
 * {@link CorruptionTest} makes by hand. {@code -Dstorage.crash.rounds=N} (default 20),
 * {@code -Dstorage.crash.seed=S}.
 */
class CrashRecoveryTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void when_killedAtRandomPoints_then_everyAcknowledgedRecordSurvives() {
        int rounds = Integer.getInteger("storage.crash.rounds", 20);
        long seed = Long.getLong("storage.crash.seed", 42);
        Random rnd = new Random(seed);
        Path data = tmp.resolve("node");
        long segmentBytes = 1024 + rnd.nextInt(3072);
        AckModel model = new AckModel();
        int killedMidOperation = 0;
        for (int round = 0; round < rounds; round++) {
            String where = "seed " + seed + " round " + round;
            int lines = 1 + rnd.nextInt(80);
            try (ChildProcess child = new ChildProcess(tmp.resolve("stderr-" + round + ".txt"), "work",
                    data.toString(), Long.toString(seed * 1000 + round), Long.toString(segmentBytes))) {
                String start = child.readLine();
                assertNotNull(start, where + ": child died at start: " + child.stderr());
                assertEquals("start " + model.last(), start, where + ": the child recovered something else");
                String line;
                for (int i = 0; i < lines && (line = child.readLine()) != null; i++) {
                    model.onLine(line);
                }
                child.kill();
                while ((line = child.readLine()) != null) {
                    model.onLine(line); // acks already in the pipe count
                }
            }
            killedMidOperation += model.pendingOp() ? 1 : 0;
            try (FileStorage s = FileStorage.open(FileStorageOptions.builder(data).segmentBytesMax(segmentBytes).build())) {
                RaftStorage.Recovered r = s.load();
                model.verify(r, where);
                model.reset(r);
            }
        }
        assertTrue(model.acks >= rounds, "too few acknowledgements to mean anything: " + model.acks);
        assertTrue(killedMidOperation > 0 || rounds < 10, "no kill landed between begin and ack");
    }

    /** What the child acknowledged, and the operation it had begun when it died. */
    static final class AckModel {
        long snapIndex;
        long snapTerm;
        final TreeMap<Long, Long> terms = new TreeMap<>();
        long hardTermMin;
        int acks;
        /** Pending: an append (first, count, term) or a snapshot (snapAt, snapAtTerm); first < 0 if none. */
        private long first = -1;
        private long count;
        private long term;
        private long snapAt = -1;
        private long snapAtTerm;

        long last() {
            return terms.isEmpty() ? snapIndex : terms.lastKey();
        }

        boolean pendingOp() {
            return first >= 0 || snapAt >= 0;
        }

        void onLine(String line) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "begin" -> {
                    first = Long.parseLong(w[1]);
                    count = Long.parseLong(w[2]);
                    term = Long.parseLong(w[3]);
                }
                case "snap" -> {
                    snapAt = Long.parseLong(w[1]);
                    snapAtTerm = Long.parseLong(w[2]);
                }
                case "ack" -> ack();
                default -> fail("unexpected child output: " + line);
            }
        }

        private void ack() {
            acks++;
            if (first >= 0) {
                terms.tailMap(first, true).clear();
                for (long i = first; i < first + count; i++) {
                    terms.put(i, term);
                }
                hardTermMin = Math.max(hardTermMin, term);
            } else if (snapAt >= 0) {
                terms.headMap(snapAt, true).clear();
                snapIndex = snapAt;
                snapTerm = snapAtTerm;
            } else {
                fail("ack without an operation");
            }
            first = -1;
            snapAt = -1;
        }

        void verify(RaftStorage.Recovered r, String where) {
            long rSnap = verifySnapshot(r.snapshot(), where);
            List<Entry> es = r.entries();
            long expect = rSnap + 1;
            long prevTerm = 0;
            for (Entry e : es) {
                assertEquals(expect++, e.index(), where + ": log not contiguous");
                assertTrue(e.term() >= prevTerm, where + ": terms decrease at " + e.index());
                assertTrue(Fixtures.wellFormed(e), where + ": wrong content in " + e);
                prevTerm = e.term();
            }
            long cut = first >= 0 ? first : Long.MAX_VALUE;
            for (Map.Entry<Long, Long> a : terms.tailMap(rSnap, false).entrySet()) {
                if (a.getKey() < cut) {
                    int at = (int) (a.getKey() - rSnap - 1);
                    assertTrue(at < es.size() && es.get(at).term() == a.getValue(),
                            where + ": acknowledged entry " + a.getKey() + "@" + a.getValue() + " lost; got " + es);
                }
            }
            boolean anyOld = false;
            boolean anyNew = false;
            for (Entry e : es) {
                Long acked = terms.get(e.index());
                if (e.index() < cut) {
                    assertEquals(acked, e.term(), where + ": entry " + e + " was never written");
                } else if (acked != null && acked == e.term() && !anyNew) {
                    anyOld = true;
                } else {
                    assertTrue(e.term() == term && e.index() < first + count && !anyOld,
                            where + ": entry " + e + " is neither acknowledged nor part of the pending append");
                    anyNew = true;
                }
            }
            assertTrue(r.hardState().term() >= hardTermMin, where + ": hard state term went back: " + r.hardState());
            assertTrue(r.hardState().commit() <= (es.isEmpty() ? rSnap : es.get(es.size() - 1).index()), where);
        }

        /** Checks the recovered snapshot against the acked and pending ones; returns its index. */
        private long verifySnapshot(Snapshot s, String where) {
            if (s == null) {
                assertEquals(0, snapIndex, where + ": the acknowledged snapshot is gone");
                return 0;
            }
            assertArrayEquals(StorageChild.snapshotData(s.index(), s.term()), s.data().toByteArray(), where + ": snapshot content");
            boolean acked = s.index() == snapIndex && s.term() == snapTerm;
            boolean pending = s.index() == snapAt && s.term() == snapAtTerm;
            assertTrue(acked || pending, where + ": unexpected " + s + ", acknowledged " + snapIndex + "@" + snapTerm);
            return s.index();
        }

        void reset(RaftStorage.Recovered r) {
            snapIndex = r.snapshot() == null ? 0 : r.snapshot().index();
            snapTerm = r.snapshot() == null ? 0 : r.snapshot().term();
            terms.clear();
            r.entries().forEach(e -> terms.put(e.index(), e.term()));
            hardTermMin = r.hardState().term();
            first = -1;
            snapAt = -1;
        }
    }
}
