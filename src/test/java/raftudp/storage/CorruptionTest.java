package raftudp.storage;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Torn writes and bit flips on copies of real files: every byte of a segment flipped, every
 * length cut, the hard state and the snapshot likewise, random damage. Each case must either
 * recover as a torn tail (only the damaged last record and what follows it lost) or be
 * refused with an error naming the file and the offset; {@code load()} never returns
 * anything that was not written.
 */
class CorruptionTest {
    private static Level savedLevel;

    @TempDir
    Path tmp;
    private Path golden;
    private Path work;
    /** The whole log written (the WAL still holds it all: the snapshot at 10 is inside segment 1). */
    private final List<Entry> all = new ArrayList<>();
    private RaftStorage.Recovered expected;
    private List<Path> segs;

    @BeforeAll
    static void quiet() {
        savedLevel = Fixtures.quietStorageLogs(); // thousands of expected WARNs
    }

    @AfterAll
    static void loud() {
        Fixtures.restoreStorageLogs(savedLevel);
    }

    @BeforeEach
    void writeGolden() {
        golden = tmp.resolve("golden");
        work = tmp.resolve("work");
        try (FileStorage s = FileStorage.open(Fixtures.opts(golden).segmentBytesMax(1024).build())) {
            s.append(Fixtures.entries(1, 60, 1));
            s.sync();
            s.append(Fixtures.entries(50, 90, 2));
            s.saveHardState(new HardState(2, 1, 70));
            s.sync();
            s.saveSnapshot(new Snapshot(10, 1, new byte[] {1, 0, 1}));
            s.sync();
            s.append(Fixtures.entries(91, 130, 3));
            s.sync();
            expected = s.load();
        }
        all.addAll(Fixtures.entries(1, 49, 1));
        all.addAll(Fixtures.entries(50, 90, 2));
        all.addAll(Fixtures.entries(91, 130, 3));
        segs = Fixtures.segments(golden);
        assertTrue(segs.size() >= 4, "want several segments, got " + segs);
        assertEquals(1, firstIndex(segs.get(0)), "the snapshot must not have deleted segment 1");
    }

    // ---- the last segment

    @Test
    void when_anyByteOfTheLastSegmentFlips_then_onlyTheLastRecordMayBeDroppedElseRefused() {
        Path seg = segs.get(segs.size() - 1);
        byte[] orig = Fixtures.read(seg);
        long[] starts = recordStarts(orig);
        for (int o = 0; o < orig.length; o++) {
            byte[] b = orig.clone();
            b[o] ^= (byte) (1 << (o % 8));
            Outcome out = attempt(seg, b);
            int rec = recordAt(starts, o);
            String what = seg.getFileName() + " bit flip at " + o + " (record " + rec + " of " + starts.length + ")";
            if (rec == starts.length - 1) {
                assertRecovered(out, firstIndex(seg) + rec - 1, what);
            } else {
                assertRefused(out, seg, what);
            }
        }
    }

    @Test
    void when_theLastSegmentIsCutAnywhere_then_theRecordsBeforeTheCutSurvive() {
        Path seg = segs.get(segs.size() - 1);
        byte[] orig = Fixtures.read(seg);
        long[] starts = recordStarts(orig);
        for (int cut = 0; cut < orig.length; cut++) {
            int whole = 0;
            while (whole < starts.length && recordEnd(orig, starts, whole) <= cut) {
                whole++;
            }
            assertRecovered(attempt(seg, Arrays.copyOf(orig, cut)), firstIndex(seg) + whole - 1,
                    seg.getFileName() + " cut at " + cut);
        }
    }

    @Test
    void when_garbageFollowsTheLastRecord_then_itIsTruncatedAway() {
        Path seg = segs.get(segs.size() - 1);
        byte[] orig = Fixtures.read(seg);
        long[] starts = recordStarts(orig);
        byte[] lastRecord = Arrays.copyOfRange(orig, (int) starts[starts.length - 1], orig.length);
        Random rnd = new Random(7);
        List<byte[]> tails = new ArrayList<>();
        for (int n : new int[] {1, 24, 25, 26, 200, 4096}) {
            tails.add(new byte[n]); // zeros: a file extended by a crash
            byte[] r = new byte[n];
            rnd.nextBytes(r);
            tails.add(r);
        }
        byte[] halfNext = lastRecord.clone(); // a next record cut short: right index, no payload yet
        ByteBuffer.wrap(halfNext).putLong(4, firstIndex(seg) + starts.length);
        tails.add(Arrays.copyOf(halfNext, halfNext.length - 1));
        for (byte[] tail : tails) {
            byte[] b = Arrays.copyOf(orig, orig.length + tail.length);
            System.arraycopy(tail, 0, b, orig.length, tail.length);
            Outcome out = attempt(seg, b);
            assertRecovered(out, all.get(all.size() - 1).index(), "tail of " + tail.length + " bytes");
            assertEquals(orig.length, Fixtures.read(work.resolve(seg.getFileName())).length, "truncated on disk");
        }
    }

    @Test
    void when_aDuplicateOfAnIntactRecordFollows_then_refused() {
        Path seg = segs.get(segs.size() - 1);
        byte[] orig = Fixtures.read(seg);
        long[] starts = recordStarts(orig);
        byte[] b = Arrays.copyOf(orig, orig.length + (orig.length - (int) starts[starts.length - 1]));
        System.arraycopy(orig, (int) starts[starts.length - 1], b, orig.length, orig.length - (int) starts[starts.length - 1]);
        assertRefused(attempt(seg, b), seg, "duplicated last record");
    }

    // ---- other segments, hard state, snapshot

    @Test
    void when_anyByteOfAnEarlierSegmentFlipsOrItIsCut_then_refused() {
        Path flipped = segs.get(0); // holds the snapshot's index: partly covered, still checked
        byte[] orig = Fixtures.read(flipped);
        for (int o = 0; o < orig.length; o++) {
            byte[] b = orig.clone();
            b[o] ^= (byte) (1 << (o % 8));
            assertRefused(attempt(flipped, b), flipped, flipped.getFileName() + " bit flip at " + o);
        }
        Path cut = segs.get(segs.size() - 2);
        orig = Fixtures.read(cut);
        for (int o = 0; o < orig.length; o++) {
            assertRefused(attempt(cut, Arrays.copyOf(orig, o)), null, cut.getFileName() + " cut at " + o);
        }
    }

    @Test
    void when_theHardStateIsDamaged_then_refused() {
        Path hs = golden.resolve(HardStateFile.NAME);
        byte[] orig = Fixtures.read(hs);
        for (int o = 0; o < orig.length; o++) {
            byte[] b = orig.clone();
            b[o] ^= (byte) 0x81;
            assertRefused(attempt(hs, b), hs, "hard state flip at " + o);
            assertRefused(attempt(hs, Arrays.copyOf(orig, o)), hs, "hard state cut at " + o);
        }
    }

    @Test
    void when_theSnapshotIsDamaged_then_itIsIgnoredAndTheWholeLogServes() {
        Path snap = golden.resolve(SnapshotFiles.name(10, 1));
        byte[] orig = Fixtures.read(snap);
        RaftStorage.Recovered noSnapshot = new RaftStorage.Recovered(expected.hardState(), null, all);
        for (int o = 0; o < orig.length; o++) {
            byte[] b = orig.clone();
            b[o] ^= (byte) (1 << (o % 8));
            assertEquals(noSnapshot, recovered(attempt(snap, b), "snapshot flip at " + o));
            assertEquals(noSnapshot, recovered(attempt(snap, Arrays.copyOf(orig, o)), "snapshot cut at " + o));
        }
    }

    @Test
    void when_randomRangesAreOverwritten_then_refusedOrATornTailNeverWrongData() {
        Random rnd = new Random(1234);
        List<Path> files = new ArrayList<>(segs);
        files.add(golden.resolve(HardStateFile.NAME));
        files.add(golden.resolve(SnapshotFiles.name(10, 1)));
        files.add(segs.get(segs.size() - 1)); // the last segment twice as often
        Path lastSeg = segs.get(segs.size() - 1);
        long[] lastStarts = recordStarts(Fixtures.read(lastSeg));
        int recovered = 0;
        for (int i = 0; i < 1000; i++) {
            Path f = files.get(rnd.nextInt(files.size()));
            byte[] orig = Fixtures.read(f);
            byte[] b = orig.clone();
            int at = rnd.nextInt(b.length);
            int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
            byte[] junk = new byte[len];
            if (rnd.nextBoolean()) {
                rnd.nextBytes(junk);
            }
            System.arraycopy(junk, 0, b, at, len);
            int first = Arrays.mismatch(orig, b);
            if (first < 0) {
                continue;
            }
            int last = b.length - 1;
            while (orig[last] == b[last]) {
                last--;
            }
            String what = f.getFileName() + " damaged at " + first + ".." + last;
            Outcome out = attempt(f, b);
            if (out.error() != null) {
                continue;
            }
            recovered++;
            RaftStorage.Recovered r = out.recovered();
            long snapIndex = r.snapshot() == null ? 0 : r.snapshot().index();
            if (r.snapshot() != null) {
                assertEquals(expected.snapshot(), r.snapshot(), what);
            }
            List<Entry> want = all.subList((int) snapIndex, (int) snapIndex + r.entries().size());
            assertEquals(want, r.entries(), what + ": not a prefix of what was written");
            if (r.entries().size() < all.size() - snapIndex) {
                long lostFrom = r.entries().isEmpty() ? snapIndex + 1 : r.entries().get(r.entries().size() - 1).index() + 1;
                assertTrue(f.equals(lastSeg), what + ": lost entries from " + lostFrom);
                assertEquals(lostFrom, firstIndex(lastSeg) + recordAt(lastStarts, first), what + ": lost from the wrong record");
                assertTrue(last >= lastStarts[lastStarts.length - 1], what + ": intact records after the damage were dropped");
            }
        }
        assertTrue(recovered > 0, "no case recovered");
    }

    // ---- helpers

    record Outcome(RaftStorage.Recovered recovered, StorageException error) {
    }

    /**
     * Opens the work copy of the golden directory with {@code file} replaced by {@code content}.
     * Recovery only cuts or deletes files, so the copy is restored by re-copying the files whose
     * size changed or that are gone.
     */
    private Outcome attempt(Path file, byte[] content) {
        restoreWork();
        Path target = work.resolve(file.getFileName());
        Fixtures.write(target, content);
        FileStorageOptions o = Fixtures.opts(work).segmentBytesMax(1024).fsyncPolicy(FsyncPolicy.NEVER).build();
        try (FileStorage s = FileStorage.open(o)) {
            return new Outcome(s.load(), null);
        } catch (StorageException e) {
            return new Outcome(null, e);
        } finally {
            Fixtures.write(target, Fixtures.read(file));
        }
    }

    private void restoreWork() {
        try {
            Files.createDirectories(work);
            try (Stream<Path> s = Files.list(work)) {
                for (Path p : s.toList()) {
                    if (!p.getFileName().toString().equals(DirLock.NAME) && !Files.exists(golden.resolve(p.getFileName()))) {
                        Files.delete(p);
                    }
                }
            }
            try (Stream<Path> s = Files.list(golden)) {
                for (Path g : s.toList()) {
                    Path w = work.resolve(g.getFileName());
                    if (!g.getFileName().toString().equals(DirLock.NAME)
                            && (!Files.exists(w) || Files.size(w) != Files.size(g))) {
                        Files.copy(g, w, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recovered, with the log exactly {@code all} up to {@code lastIndex} after the snapshot. */
    private void assertRecovered(Outcome out, long lastIndex, String what) {
        RaftStorage.Recovered r = recovered(out, what);
        List<Entry> want = all.subList((int) expected.snapshot().index(), (int) lastIndex);
        HardState hs = expected.hardState();
        assertEquals(new RaftStorage.Recovered(new HardState(hs.term(), hs.votedFor(), Math.min(hs.commit(), lastIndex)),
                expected.snapshot(), want), r, what);
    }

    private static RaftStorage.Recovered recovered(Outcome out, String what) {
        if (out.error() != null) {
            fail(what + ": refused, expected a recovery: " + out.error().getMessage());
        }
        return out.recovered();
    }

    /** Refused with a message naming {@code file} (if given) and an offset. */
    private static void assertRefused(Outcome out, Path file, String what) {
        assertNull(out.recovered(), what + ": recovered instead of refusing: " + out.recovered());
        String m = out.error().getMessage();
        assertNotNull(m);
        assertTrue(m.contains("offset"), what + ": no offset in: " + m);
        if (file != null) {
            assertTrue(m.contains(file.getFileName().toString()), what + ": file not named in: " + m);
        }
    }

    private static long firstIndex(Path seg) {
        return Long.parseLong(seg.getFileName().toString().replace(".wal", ""));
    }

    /** Offsets of the records of an intact segment. */
    private static long[] recordStarts(byte[] seg) {
        ByteBuffer b = ByteBuffer.wrap(seg);
        List<Long> out = new ArrayList<>();
        for (int p = WalRecord.SEGMENT_HEADER; p < seg.length; p += WalRecord.HEADER + b.getInt(p)) {
            out.add((long) p);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long recordEnd(byte[] seg, long[] starts, int i) {
        return i + 1 < starts.length ? starts[i + 1] : seg.length;
    }

    /** Which record holds byte {@code o}: -1 for the segment header. */
    private static int recordAt(long[] starts, int o) {
        int r = -1;
        while (r + 1 < starts.length && starts[r + 1] <= o) {
            r++;
        }
        return r;
    }
}
