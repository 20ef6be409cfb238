package raftudp.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.storage.Fixtures.entries;
import static raftudp.storage.Fixtures.opts;
import static raftudp.storage.Fixtures.segments;

/** Behaviour of {@link FileStorage} through its public contract, reopened from disk. */
class FileStorageTest {
    @TempDir
    Path dir;

    private FileStorage open() {
        return FileStorage.open(opts(dir).segmentBytesMax(1024).build());
    }

    private static List<Entry> concat(List<Entry> a, List<Entry> b) {
        List<Entry> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void when_newDirectory_then_loadIsEmptyAndTheDirIsInitialised() {
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(dir.resolve("node-0")))) {
            assertEquals(RaftStorage.Recovered.empty(), s.load());
        }
        assertTrue(Files.exists(dir.resolve("node-0").resolve(HardStateFile.NAME)));
        assertTrue(Files.exists(dir.resolve("node-0").resolve(DirLock.NAME)));
    }

    @Test
    void when_entriesHardStateAndSnapshotSynced_then_reopenReturnsThem() {
        HardState hs = new HardState(3, 2, 20);
        Snapshot snap = new Snapshot(10, 2, new byte[] {1, 2, 3});
        try (FileStorage s = open()) {
            s.append(entries(1, 30, 2));
            s.saveHardState(hs);
            s.sync();
            s.saveSnapshot(snap);
            s.sync();
        }
        try (FileStorage s = open()) {
            RaftStorage.Recovered r = s.load();
            assertEquals(hs, r.hardState());
            assertEquals(snap, r.snapshot());
            assertEquals(entries(11, 30, 2), r.entries());
        }
    }

    @Test
    void when_closedWithoutSync_then_reopenSeesExactlyWhatWasSynced() {
        try (FileStorage s = open()) {
            s.append(entries(1, 10, 1));
            s.saveHardState(new HardState(1, 0, 5));
            s.sync();
            s.append(entries(8, 20, 2)); // staged, never synced
            s.saveHardState(new HardState(2, 1, 9));
            s.saveSnapshot(new Snapshot(9, 2, new byte[] {9}));
        }
        try (FileStorage s = open()) {
            assertEquals(new RaftStorage.Recovered(new HardState(1, 0, 5), null, entries(1, 10, 1)), s.load());
        }
    }

    @Test
    void when_suffixTruncatedWithinASegment_then_reopenSeesTheNewSuffix() {
        try (FileStorage s = open()) {
            s.append(entries(1, 5, 1));
            s.sync();
            s.append(entries(4, 6, 2));
            s.sync();
            assertEquals(concat(entries(1, 3, 1), entries(4, 6, 2)), s.load().entries());
        }
        assertEquals(1, segments(dir).size());
        try (FileStorage s = open()) {
            assertEquals(concat(entries(1, 3, 1), entries(4, 6, 2)), s.load().entries());
            s.append(entries(7, 8, 2));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(concat(entries(1, 3, 1), entries(4, 8, 2)), s.load().entries());
        }
    }

    @Test
    void when_suffixTruncatedAcrossSegments_then_laterSegmentsGoAndReopenSeesTheNewSuffix() {
        try (FileStorage s = open()) {
            s.append(entries(1, 200, 1));
            s.sync();
        }
        int before = segments(dir).size();
        assertTrue(before >= 5, "expected several segments, got " + before);
        try (FileStorage s = open()) {
            s.append(entries(30, 35, 3));
            s.sync();
        }
        assertTrue(segments(dir).size() < before);
        try (FileStorage s = open()) {
            assertEquals(concat(entries(1, 29, 1), entries(30, 35, 3)), s.load().entries());
        }
    }

    @Test
    void when_truncatedAtASegmentsFirstIndex_then_thatSegmentIsDeleted() {
        try (FileStorage s = open()) {
            s.append(entries(1, 200, 1));
            s.sync();
        }
        List<Path> segs = segments(dir);
        long secondFirst = Long.parseLong(segs.get(1).getFileName().toString().replace(".wal", ""));
        try (FileStorage s = open()) {
            s.append(entries(secondFirst, secondFirst, 2));
            s.sync();
            assertEquals(concat(entries(1, secondFirst - 1, 1), entries(secondFirst, secondFirst, 2)),
                    s.load().entries());
        }
        assertEquals(2, segments(dir).size());
    }

    @Test
    void when_segmentFull_then_aNewOneNamedByItsFirstIndexStarts() {
        try (FileStorage s = open()) {
            for (long i = 1; i <= 100; i++) {
                s.append(entries(i, i, 1));
                s.sync();
            }
        }
        List<Path> segs = segments(dir);
        assertTrue(segs.size() > 3);
        assertEquals(WalRecord.segmentName(1), segs.get(0).getFileName().toString());
        for (Path p : segs.subList(0, segs.size() - 1)) {
            long size = Fixtures.read(p).length;
            assertTrue(size >= 1024 && size < 1024 + 25 + 90, p + " has " + size + " bytes");
        }
        try (FileStorage s = open()) {
            assertEquals(entries(1, 100, 1), s.load().entries());
        }
    }

    @Test
    void when_anEntryIsLargerThanASegment_then_itGetsASegmentOfItsOwn() {
        byte[] big = new byte[5000];
        big[4999] = 7;
        Entry e = new Entry(3, 1, Entry.Kind.NORMAL, big);
        try (FileStorage s = open()) {
            s.append(entries(1, 2, 1));
            s.append(List.of(e));
            s.append(List.of(Fixtures.entry(4, 1)));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(List.of(Fixtures.entry(1, 1), Fixtures.entry(2, 1), e, Fixtures.entry(4, 1)),
                    s.load().entries());
        }
    }

    @Test
    void when_snapshotCoversSegments_then_thoseSegmentsAreDeleted() {
        try (FileStorage s = open()) {
            s.append(entries(1, 200, 1));
            s.sync();
            int before = segments(dir).size();
            s.saveSnapshot(new Snapshot(150, 1, new byte[] {1}));
            s.sync();
            List<Path> after = segments(dir);
            assertTrue(after.size() < before);
            long firstKept = Long.parseLong(after.get(0).getFileName().toString().replace(".wal", ""));
            assertTrue(firstKept <= 151, "the segment holding 151 must stay");
            assertEquals(entries(151, 200, 1), s.load().entries());
        }
        try (FileStorage s = open()) {
            assertEquals(entries(151, 200, 1), s.load().entries());
            assertEquals(150, s.load().snapshot().index());
        }
    }

    @Test
    void when_snapshotAtTheLastIndex_then_everySegmentGoesAndAppendsContinue() {
        try (FileStorage s = open()) {
            s.append(entries(1, 50, 1));
            s.saveSnapshot(new Snapshot(50, 1, new byte[0]));
            s.sync();
            assertTrue(segments(dir).isEmpty());
            s.append(entries(51, 52, 1));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(entries(51, 52, 1), s.load().entries());
        }
    }

    @Test
    void when_snapshotDivergesFromTheLog_then_theWholeLogIsDiscarded() {
        try (FileStorage s = open()) {
            s.append(entries(1, 100, 1));
            s.sync();
            s.saveSnapshot(new Snapshot(60, 4, new byte[] {6}));
            s.append(entries(61, 62, 4));
            s.sync();
            assertEquals(entries(61, 62, 4), s.load().entries());
        }
        assertEquals(1, segments(dir).size());
        try (FileStorage s = open()) {
            RaftStorage.Recovered r = s.load();
            assertEquals(new Snapshot(60, 4, new byte[] {6}), r.snapshot());
            assertEquals(entries(61, 62, 4), r.entries());
        }
    }

    @Test
    void when_snapshotBeyondTheLog_then_theLogIsDiscarded() {
        try (FileStorage s = open()) {
            s.append(entries(1, 10, 1));
            s.sync();
            s.saveSnapshot(new Snapshot(500, 2, new byte[] {5}));
            s.sync();
            assertEquals(List.of(), s.load().entries());
            s.append(entries(501, 501, 2));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(entries(501, 501, 2), s.load().entries());
        }
    }

    @Test
    void when_newerSnapshotDurable_then_olderSnapshotFilesAreDeleted() {
        try (FileStorage s = open()) {
            s.append(entries(1, 50, 1));
            s.saveSnapshot(new Snapshot(10, 1, new byte[] {1}));
            s.sync();
            s.saveSnapshot(new Snapshot(20, 1, new byte[] {2}));
            s.sync();
        }
        assertEquals(List.of(SnapshotFiles.name(20, 1)),
                SnapshotFiles.list(dir).stream().map(n -> n.file().getFileName().toString()).toList());
    }

    @Test
    void when_hardStateCommitExceedsTheLog_then_loadClampsIt() {
        try (FileStorage s = open()) {
            s.append(entries(1, 5, 1));
            s.saveHardState(new HardState(1, 1, 9));
            s.sync();
            assertEquals(new HardState(1, 1, 5), s.load().hardState());
        }
    }

    @Test
    void when_appendLeavesAGap_then_refused() {
        try (FileStorage s = open()) {
            s.append(entries(1, 5, 1));
            assertThrows(StorageException.class, () -> s.append(entries(7, 8, 1)));
        }
    }

    @Test
    void when_appendWouldOverwriteTheSnapshotOrLowerTheTerm_then_refused() {
        try (FileStorage s = open()) {
            s.append(entries(1, 10, 2));
            s.saveSnapshot(new Snapshot(5, 2, new byte[0]));
            s.sync();
            assertThrows(IllegalArgumentException.class, () -> s.append(entries(5, 6, 3)));
            assertThrows(IllegalArgumentException.class, () -> s.append(entries(8, 9, 1)));
            assertThrows(IllegalArgumentException.class, () -> s.saveSnapshot(new Snapshot(4, 2, new byte[0])));
            s.append(entries(8, 9, 3)); // still usable
            s.sync();
            assertEquals(concat(entries(6, 7, 2), entries(8, 9, 3)), s.load().entries());
        }
    }

    @Test
    void when_policyAlways_then_everySyncWithWritesFsyncsAndIdleSyncsDoNot() {
        try (FileStorage s = open()) {
            long base = s.fsyncCount();
            s.append(entries(1, 1, 1));
            s.sync();
            long one = s.fsyncCount() - base;
            assertTrue(one >= 1, "an append must be fsynced");
            s.sync();
            s.sync();
            assertEquals(base + one, s.fsyncCount(), "nothing new, nothing to fsync");
            s.append(entries(2, 2, 1));
            s.sync();
            assertEquals(base + one + 1, s.fsyncCount(), "second append in the same segment: one fdatasync");
            assertTrue(s.bytesWritten() > 0);
            assertEquals(4, s.syncCount());
        }
    }

    @Test
    void when_policyNever_then_noFsyncAndDataStillReadable() {
        try (FileStorage s = FileStorage.open(opts(dir).fsyncPolicy(FsyncPolicy.NEVER).build())) {
            s.append(entries(1, 10, 1));
            s.saveHardState(new HardState(1, 0, 3));
            s.saveSnapshot(new Snapshot(2, 1, new byte[0]));
            s.sync();
            assertEquals(0, s.fsyncCount());
        }
        try (FileStorage s = open()) {
            assertEquals(entries(3, 10, 1), s.load().entries());
        }
    }

    @Test
    void when_policyBatch_then_fsyncWaitsForTheIntervalOrTheByteBound() {
        AtomicLong now = new AtomicLong();
        FileStorageOptions o = opts(dir).fsyncPolicy(FsyncPolicy.BATCH).batch(10, 2000).nanoClock(now::get).build();
        try (FileStorage s = FileStorage.open(o)) {
            long base = s.fsyncCount();
            s.append(entries(1, 1, 1));
            s.saveHardState(new HardState(1, 0, 0));
            s.sync();
            assertEquals(base, s.fsyncCount(), "within the interval: no fsync");
            assertEquals(HardState.EMPTY, s.load().hardState(), "the hard state waits for the fsync");
            now.addAndGet(9_000_000);
            s.sync();
            assertEquals(base, s.fsyncCount());
            now.addAndGet(1_000_000);
            s.sync();
            assertTrue(s.fsyncCount() > base, "interval reached");
            assertEquals(new HardState(1, 0, 0), s.load().hardState());
            long afterTime = s.fsyncCount();
            s.append(entries(2, 60, 1)); // more than 2000 bytes
            s.sync();
            assertTrue(s.fsyncCount() > afterTime, "byte bound reached");
            s.append(entries(61, 61, 1));
            s.saveHardState(new HardState(2, 1, 61));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(new HardState(2, 1, 61), s.load().hardState(), "close forces what BATCH deferred");
            assertEquals(61, s.load().entries().size());
        }
    }

    @Test
    void when_commitPersistIntervalSet_then_commitOnlyChangesWaitButTermAndVoteDoNot() {
        AtomicLong now = new AtomicLong();
        FileStorageOptions o = opts(dir).commitPersistIntervalMs(100).nanoClock(now::get).build();
        try (FileStorage s = FileStorage.open(o)) {
            s.append(entries(1, 10, 1));
            s.saveHardState(new HardState(1, 2, 0));
            s.sync();
            assertEquals(new HardState(1, 2, 0), s.load().hardState(), "a vote is written at once");
            long fsyncs = s.fsyncCount();
            s.append(entries(11, 11, 1));
            s.saveHardState(new HardState(1, 2, 5));
            s.sync();
            assertEquals(fsyncs + 1, s.fsyncCount(), "only the log is fsynced");
            assertEquals(new HardState(1, 2, 0), s.load().hardState(), "the commit waits");
            now.addAndGet(100_000_000);
            s.sync();
            assertEquals(new HardState(1, 2, 5), s.load().hardState(), "interval over: written");
            s.saveHardState(new HardState(1, 2, 7));
            s.sync();
            s.saveHardState(new HardState(2, -1, 8));
            s.sync();
            assertEquals(new HardState(2, -1, 8), s.load().hardState(), "a term change is written at once");
            s.saveHardState(new HardState(2, -1, 9));
            s.sync();
        }
        try (FileStorage s = open()) {
            assertEquals(new HardState(2, -1, 9), s.load().hardState(), "close writes the deferred commit");
        }
    }

    @Test
    void when_hardStateFileMissingButLogPresent_then_refused() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 3, 1));
            s.sync();
        }
        Files.delete(dir.resolve(HardStateFile.NAME));
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains(HardStateFile.NAME), e.getMessage());
    }

    @Test
    void when_tempFilesLeftByACrash_then_deletedAtOpen() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 3, 1));
            s.sync();
        }
        Files.write(dir.resolve(HardStateFile.NAME + ".tmp"), new byte[] {1, 2});
        Files.write(dir.resolve(SnapshotFiles.name(3, 1) + ".tmp"), new byte[] {1, 2});
        try (FileStorage s = open()) {
            assertEquals(entries(1, 3, 1), s.load().entries());
            assertNull(s.load().snapshot());
        }
        assertTrue(Fixtures.list(dir, ".tmp").isEmpty());
    }

    @Test
    void when_newestSnapshotInvalid_then_thePreviousValidOneIsUsed() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 20, 1));
            s.saveSnapshot(new Snapshot(5, 1, new byte[] {5}));
            s.sync();
        }
        Path older = dir.resolve(SnapshotFiles.name(5, 1));
        byte[] bytes = Fixtures.read(older);
        Files.write(dir.resolve(SnapshotFiles.name(8, 1)), bytes); // claims 8@1, holds 5@1
        try (FileStorage s = open()) {
            RaftStorage.Recovered r = s.load();
            assertEquals(5, r.snapshot().index());
            assertArrayEquals(new byte[] {5}, r.snapshot().data().toByteArray());
            assertEquals(entries(6, 20, 1), r.entries());
        }
    }

    @Test
    void when_aMiddleSegmentIsMissing_then_refusedNamingTheFiles() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 200, 1));
            s.sync();
        }
        Path second = segments(dir).get(1);
        Files.delete(second);
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains("do not follow"), e.getMessage());
        assertTrue(e.getMessage().contains(segments(dir).get(1).getFileName().toString()), e.getMessage());
    }

    @Test
    void when_firstSegmentMissingAndNoSnapshot_then_refused() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 200, 1));
            s.sync();
        }
        Files.delete(segments(dir).get(0));
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void when_compactionWasInterrupted_then_coveredSegmentsAreDeletedAtOpen() throws Exception {
        Path keep = dir.resolve("before");
        try (FileStorage s = FileStorage.open(opts(keep).segmentBytesMax(1024).build())) {
            s.append(entries(1, 200, 1));
            s.sync();
        }
        Path after = dir.resolve("after");
        try (FileStorage s = FileStorage.open(opts(after).segmentBytesMax(1024).build())) {
            s.append(entries(1, 200, 1));
            s.sync();
            s.saveSnapshot(new Snapshot(150, 1, new byte[] {1}));
            s.sync();
        }
        // the snapshot became durable but no segment deletion did
        Files.copy(after.resolve(SnapshotFiles.name(150, 1)), keep.resolve(SnapshotFiles.name(150, 1)));
        int before = segments(keep).size();
        try (FileStorage s = FileStorage.open(opts(keep).segmentBytesMax(1024).build())) {
            assertEquals(entries(151, 200, 1), s.load().entries());
        }
        assertEquals(segments(after).size(), segments(keep).size());
        assertTrue(segments(keep).size() < before);
    }

    @Test
    void when_snapshotInstallWasInterruptedBeforeTheDiscard_then_theDivergingLogIsDiscardedAtOpen() throws Exception {
        try (FileStorage s = open()) {
            s.append(entries(1, 100, 1));
            s.sync();
        }
        Path other = dir.resolve("other");
        try (FileStorage s = FileStorage.open(opts(other).build())) {
            s.saveSnapshot(new Snapshot(60, 4, new byte[] {6}));
            s.sync();
        }
        Files.copy(other.resolve(SnapshotFiles.name(60, 4)), dir.resolve(SnapshotFiles.name(60, 4)));
        try (FileStorage s = open()) {
            RaftStorage.Recovered r = s.load();
            assertEquals(60, r.snapshot().index());
            assertEquals(List.of(), r.entries());
            s.append(entries(61, 61, 4));
            s.sync();
        }
        assertFalse(segments(dir).isEmpty());
        try (FileStorage s = open()) {
            assertEquals(entries(61, 61, 4), s.load().entries());
        }
    }

    @Test
    void aSnapshotTheStoreWritesIsAMappedFile_loadedBackMapped() {
        byte[] image = new byte[100_000];
        new java.util.Random(3).nextBytes(image);
        try (FileStorage s = open()) {
            s.append(entries(1, 5, 1));
            s.sync();
            Snapshot snap = s.writeSnapshot(5, 1, null, image.length, b -> b.put(image));
            assertTrue(SnapshotBytes.buffer(snap.data()).isDirect(), "mapped, not on the heap");
            assertArrayEquals(image, snap.data().toByteArray());
            assertTrue(Files.exists(dir.resolve(SnapshotFiles.name(5, 1))));
        }
        try (FileStorage s = open()) {
            Snapshot back = s.load().snapshot();
            assertEquals(5, back.index());
            assertTrue(SnapshotBytes.buffer(back.data()).isDirect(), "loaded as a mapping");
            assertArrayEquals(image, back.data().toByteArray());
            assertThrows(IllegalStateException.class, () -> s.writeSnapshot(6, 1, null, 10, b -> b.put(new byte[9])),
                    "a writer that falls short is refused");
        }
    }

    @Test
    void aDirectoryKeepsItsIncarnation_aNewDirectoryGetsAnother() throws Exception {
        long first;
        try (FileStorage s = open()) {
            first = s.incarnation();
        }
        assertTrue(first > 0);
        try (FileStorage s = open()) {
            assertEquals(first, s.incarnation(), "the same directory, the same identity");
        }
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(dir.resolve("wiped")))) {
            assertNotEquals(first, s.incarnation(), "a new directory is another incarnation");
        }
        byte[] file = Files.readAllBytes(dir.resolve(IncarnationFile.NAME));
        file[12] ^= 1;
        Files.write(dir.resolve(IncarnationFile.NAME), file);
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains("corrupt incarnation file") && e.getMessage().contains("offset 16"),
                e.getMessage());
    }

    @Test
    void aSnapshotKeepsItsMembershipAcrossReopen_aDamagedMembershipFileIsIgnored() throws Exception {
        raftudp.core.Membership m = new raftudp.core.Membership(java.util.Map.of(0, 5L, 1, 6L, 2, 7L));
        try (FileStorage s = open()) {
            s.append(entries(1, 5, 1));
            s.sync();
            assertEquals(m, s.writeSnapshot(5, 1, m, 3, b -> b.put(new byte[] {1, 2, 3})).members());
        }
        try (FileStorage s = open()) {
            assertEquals(m, s.load().snapshot().members());
        }
        Path members = dir.resolve(SnapshotFiles.name(5, 1) + ".members");
        byte[] file = Files.readAllBytes(members);
        file[14] ^= 1;
        Files.write(members, file);
        try (FileStorage s = open()) {
            Snapshot back = s.load().snapshot();
            assertEquals(5, back.index(), "the snapshot itself is intact");
            assertNull(back.members(), "a membership that fails its checksum is not believed");
        }
    }

    @Test
    void anIncomingSnapshotGoesToAFileThatAnAbortOrTheNextOpenDeletes() throws Exception {
        try (FileStorage s = open()) {
            raftudp.core.SnapshotSink sink = s.snapshotSinks().open(9, 2, 4);
            sink.write(new byte[] {1, 2});
            assertEquals(1, tmpFiles(), "being received");
            sink.abort();
            assertEquals(0, tmpFiles(), "given up: gone");
            s.snapshotSinks().open(10, 2, 4).write(new byte[] {1});
            assertEquals(1, tmpFiles());
        }
        try (FileStorage s = open()) { // as after a crash mid-transfer
            assertEquals(0, tmpFiles(), "deleted at open");
            assertNull(s.load().snapshot());
        }
    }

    private long tmpFiles() throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }
    }
}
