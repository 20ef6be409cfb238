package raftudp.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Membership;
import raftudp.core.Snapshot;
import raftudp.core.SnapshotSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@link RaftStorage} on disk: a segmented write-ahead log of entries, a {@code hardstate}
 * file and {@code snapshot-<index>-<term>} files in one data directory per node, locked for
 * the life of the instance. The on-disk format and the recovery rules are in
 * {@code docs/storage.md}.
 *
 * <p>Writes are staged in memory until {@link #sync()}, which applies them in order: the
 * snapshot (written atomically and made durable, then the log compacted or, if it
 * diverges, discarded), the suffix cut and the new entries, an fsync per the
 * {@link FsyncPolicy}, then the hard state (atomically). So a crash before {@code sync()},
 * or {@link #close()} without it, loses exactly what {@link MemoryStorage#crash()} loses.
 *
 * <p>Beyond {@link MemoryStorage}, it refuses what a Raft log never does and the disk format
 * could not recover: an append that overwrites entries a snapshot covers, terms that
 * decrease along the log, a snapshot older than the current one.
 *
 * <p>Not thread-safe: one thread (the node's event loop) calls it; the metric getters may be
 * read from any thread. After a {@link StorageException} the instance refuses further use.
 */
public final class FileStorage implements RaftStorage {
    private static final Logger log = LoggerFactory.getLogger(FileStorage.class);

    private final FileStorageOptions opts;
    private final Path dir;
    private final DiskIo io;
    private final DirLock lock;
    private final Wal wal;
    private final AtomicLong syncs = new AtomicLong();
    /** Durable state. */
    private Snapshot snapshot;
    private HardState hardState;
    /** A hard state passed to sync() and not written yet (BATCH, or a commit-only change). */
    private HardState hardDeferred;
    /** Clock reading at the last hard state write. */
    private long hardWrittenNanos;
    /** BATCH: clock reading when the oldest write not yet fsynced was made, or -1. */
    private long unsyncedSinceNanos = -1;
    /** Staged by append/saveSnapshot/saveHardState, applied by sync(). */
    private Snapshot stagedSnapshot;
    private boolean stagedDiscard;
    private long stagedTruncateFrom = Long.MAX_VALUE;
    private final ArrayList<Entry> stagedEntries = new ArrayList<>();
    private HardState stagedHard;
    private boolean closed;
    private boolean failed;
    private final long incarnation;

    private FileStorage(FileStorageOptions opts, DirLock lock, DiskIo io) {
        this.opts = opts;
        this.dir = opts.dir();
        this.lock = lock;
        this.io = io;
        if (opts.fsyncPolicy() == FsyncPolicy.NEVER) {
            log.warn("!!! fsync policy NEVER for {}: nothing is ever forced to disk; a power cut can lose "
                    + "acknowledged writes and votes. Throwaway runs only. !!!", dir);
        }
        deleteTempFiles();
        snapshot = SnapshotFiles.loadNewestValid(dir);
        hardState = loadOrInitHardState();
        incarnation = IncarnationFile.readOrCreate(io, dir);
        hardWrittenNanos = opts.nanoClock().getAsLong();
        wal = Wal.recover(dir, io, opts.segmentBytesMax(), opts.recordBytesMax(),
                snapshot == null ? 0 : snapshot.index());
        try {
            reconcileWithSnapshot();
        } catch (RuntimeException e) {
            wal.close();
            throw e;
        }
        log.info("storage open in {}: incarnation {}, snapshot {}, log {}..{} in {} segment(s), {}, fsync {}", dir,
                Long.toHexString(incarnation), snapshot, wal.isEmpty() ? "-" : wal.firstIndex(), wal.lastIndex(),
                wal.segmentCount(), hardState, opts.fsyncPolicy());
    }

    /**
     * Opens (creating if needed) and recovers the data directory of {@code opts}.
     *
     * @throws StorageException if the directory is locked by someone else, or holds
     *                          corruption that is not a torn tail (the message names the file
     *                          and offset)
     */
    public static FileStorage open(FileStorageOptions opts) {
        DiskIo io = new DiskIo(opts.fsyncPolicy());
        createDurably(opts.dir().toAbsolutePath(), io);
        DirLock lock = DirLock.acquire(opts.dir());
        try {
            return new FileStorage(opts, lock, io);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Creates {@code dir} and any missing parent, fsyncing each parent that gained an entry. */
    private static void createDurably(Path dir, DiskIo io) {
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (dir.equals(existing)) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + dir + ": " + e, e);
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            io.fsyncDir(p); // else a power cut could take the new directory, votes and all, away
            if (p.equals(existing)) {
                break;
            }
        }
    }

    private void deleteTempFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".tmp")).forEach(f -> {
                log.info("deleting {} left by an interrupted write", f);
                DiskIo.delete(f);
            });
        } catch (IOException e) {
            throw new StorageException("cannot list " + dir + ": " + e, e);
        }
    }

    private HardState loadOrInitHardState() {
        if (HardStateFile.exists(dir)) {
            return HardStateFile.read(dir);
        }
        if (!Wal.listSegments(dir).isEmpty() || !SnapshotFiles.list(dir).isEmpty()) {
            throw new StorageException("hard state file " + dir.resolve(HardStateFile.NAME) + " is missing but "
                    + dir + " holds a log or snapshots: the term and vote are lost. Refusing to start");
        }
        HardStateFile.write(io, dir, HardState.EMPTY);
        log.info("initialised a new data directory {}", dir);
        return HardState.EMPTY;
    }

    /**
     * Completes what a crash may have interrupted in {@link #applySnapshot}: the log must
     * start right after the snapshot, or hold the snapshot's last entry (then what precedes
     * it is compacted away), or it diverges and is discarded. A log starting after the
     * snapshot's end is missing entries: refused.
     */
    private void reconcileWithSnapshot() {
        long snapIndex = snapshot == null ? 0 : snapshot.index();
        if (wal.isEmpty() || wal.firstIndex() == snapIndex + 1) {
            return;
        }
        if (wal.firstIndex() > snapIndex + 1) {
            throw new StorageException("log in " + dir + " starts at index " + wal.firstIndex() + " (file "
                    + WalRecord.segmentName(wal.firstIndex()) + ", offset 0) but "
                    + (snapshot == null ? "there is no valid snapshot" : "the newest valid snapshot ends at "
                    + snapIndex) + ": entries " + (snapIndex + 1) + ".." + (wal.firstIndex() - 1) + " are missing");
        }
        if (wal.lastIndex() >= snapIndex && wal.entry(snapIndex).term() == snapshot.term()) {
            wal.compactTo(snapIndex);
        } else {
            log.warn("the log in {} ({}..{}) does not hold the last entry of {}: discarding it, as the "
                    + "interrupted install of that snapshot would have", dir, wal.firstIndex(), wal.lastIndex(), snapshot);
            wal.discardAll();
        }
    }

    /**
     * The durable state. The commit index is clamped to the last index held (a WARN says so:
     * entries the hard state calls committed are missing).
     */
    @Override
    public Recovered load() {
        checkUsable();
        long snapIndex = snapshot == null ? 0 : snapshot.index();
        List<Entry> entries = wal.isEmpty() ? List.of() : guard(() -> wal.read(Math.max(wal.firstIndex(), snapIndex + 1)));
        long last = entries.isEmpty() ? snapIndex : entries.get(entries.size() - 1).index();
        HardState hs = hardState;
        if (hs.commit() > last) {
            log.warn("hard state in {} says commit {} but the log ends at {}: clamping the commit index "
                    + "(under fsync policy ALWAYS this means synced entries were lost)", dir, hs.commit(), last);
            hs = new HardState(hs.term(), hs.votedFor(), last);
        }
        return new Recovered(hs, snapshot, entries);
    }

    /**
     * Stages {@code entries} (contiguous, ascending; terms not decreasing, not below the
     * term of the entry before them). If the first index is not {@code lastIndex + 1}, the
     * suffix from that index on is dropped first (§5.3).
     *
     * @throws StorageException         if the entries would leave a gap
     * @throws IllegalArgumentException if they would overwrite entries a snapshot covers or
     *                                  make terms decrease
     */
    @Override
    public void append(List<Entry> entries) {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        checkBatch(entries);
        long first = entries.get(0).index();
        long last = logicalLast();
        long snapIndex = logicalSnapIndex();
        if (first > last + 1) {
            throw new StorageException("append leaves a gap: stored up to " + last + ", appending " + first);
        }
        if (first <= snapIndex) {
            throw new IllegalArgumentException("append at " + first + " would overwrite entries covered by the "
                    + "snapshot at " + snapIndex);
        }
        long prevTerm = logicalTerm(first - 1);
        if (entries.get(0).term() < prevTerm) {
            throw new IllegalArgumentException("append of " + entries.get(0) + " after term " + prevTerm
                    + ": terms never decrease along a Raft log");
        }
        if (!stagedEntries.isEmpty() && first >= stagedEntries.get(0).index()) {
            stagedEntries.subList((int) (first - stagedEntries.get(0).index()), stagedEntries.size()).clear();
        } else {
            stagedEntries.clear();
            if (first <= durableKeptLast()) {
                stagedTruncateFrom = Math.min(stagedTruncateFrom, first);
            }
        }
        stagedEntries.addAll(entries);
    }

    private void checkBatch(List<Entry> entries) {
        Entry prev = null;
        for (Entry e : entries) {
            if (e.data().length > opts.recordBytesMax()) {
                throw new IllegalArgumentException("entry " + e + " exceeds recordBytesMax " + opts.recordBytesMax());
            }
            if (prev != null && (e.index() != prev.index() + 1 || e.term() < prev.term())) {
                throw new IllegalArgumentException("entries not contiguous with non-decreasing terms: " + prev
                        + " then " + e);
            }
            prev = e;
        }
    }

    @Override
    public void saveHardState(HardState hs) {
        checkUsable();
        stagedHard = Objects.requireNonNull(hs, "hardState");
    }

    /**
     * Stages a snapshot (§7): if the log holds its last entry, the log before it is dropped
     * (compaction); otherwise the whole log is discarded.
     *
     * @throws IllegalArgumentException if it is older than the current snapshot
     */
    @Override
    public void saveSnapshot(Snapshot s) {
        checkUsable();
        Snapshot cur = stagedSnapshot != null ? stagedSnapshot : snapshot;
        if (cur != null && (s.index() < cur.index() || (s.index() == cur.index() && s.term() != cur.term()))) {
            throw new IllegalArgumentException("snapshot " + s + " does not supersede " + cur);
        }
        boolean matches = s.index() > logicalSnapIndex() && s.index() <= logicalLast()
                && logicalTerm(s.index()) == s.term();
        if (matches) {
            stagedEntries.removeIf(e -> e.index() <= s.index());
        } else {
            stagedEntries.clear();
            stagedDiscard = true;
            stagedTruncateFrom = Long.MAX_VALUE;
        }
        stagedSnapshot = s;
    }

    /** Writes the snapshot file through a mapping ({@link SnapshotFiles}), then stages and syncs it. */
    @Override
    public Snapshot writeSnapshot(long index, long term, Membership members, long size, Consumer<ByteBuffer> fill) {
        checkUsable();
        Snapshot s = new Snapshot(index, term, guard(() -> SnapshotFiles.write(io, dir, index, term, size, fill)),
                members);
        saveSnapshot(s);
        sync();
        return s;
    }

    /** Received snapshots go to a mapped file in the data directory, moved into place when saved. */
    @Override
    public SnapshotSink.Factory snapshotSinks() {
        return SnapshotFiles.sinks(dir);
    }

    /**
     * Applies everything staged, then fsyncs per the policy: under ALWAYS every call with
     * something unsynced fsyncs before returning; under BATCH only when the batch bound is
     * reached; under NEVER never. The hard state is written after the log is forced (a
     * commit-only change may wait, see {@link FileStorageOptions#commitPersistIntervalMs()}).
     */
    @Override
    public void sync() {
        checkUsable();
        syncs.incrementAndGet();
        guard(() -> {
            applyStaged();
            HardState hs = stagedHard != null ? stagedHard : hardDeferred;
            stagedHard = null;
            boolean changed = hs != null && !hs.equals(hardState);
            boolean due = changed && !commitMayWait(hs);
            hardDeferred = changed ? hs : null;
            if (!wal.needsForce() && !due) {
                return null;
            }
            if (shouldForce()) {
                wal.force();
                unsyncedSinceNanos = -1;
            } else if (opts.fsyncPolicy() == FsyncPolicy.BATCH) {
                return null; // the hard state waits for the fsync that covers the log before it
            }
            if (due) {
                writeHardState(hs);
            }
            return null;
        });
    }

    /** Only the commit index moved, and it was persisted less than the interval ago. */
    private boolean commitMayWait(HardState hs) {
        return opts.commitPersistIntervalMs() > 0 && hs.term() == hardState.term()
                && hs.votedFor() == hardState.votedFor()
                && opts.nanoClock().getAsLong() - hardWrittenNanos
                < TimeUnit.MILLISECONDS.toNanos(opts.commitPersistIntervalMs());
    }

    private boolean shouldForce() {
        return switch (opts.fsyncPolicy()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case BATCH -> {
                long now = opts.nanoClock().getAsLong();
                if (unsyncedSinceNanos < 0) {
                    unsyncedSinceNanos = now;
                }
                yield now - unsyncedSinceNanos >= TimeUnit.MILLISECONDS.toNanos(opts.batchIntervalMs())
                        || wal.unsyncedBytes() >= opts.batchBytesMax();
            }
        };
    }

    private void writeHardState(HardState hs) {
        HardStateFile.write(io, dir, hs);
        hardState = hs;
        hardDeferred = null;
        hardWrittenNanos = opts.nanoClock().getAsLong();
    }

    private void applyStaged() {
        if (stagedSnapshot != null) {
            applySnapshot(stagedSnapshot);
        }
        if (!wal.isEmpty() && stagedTruncateFrom <= wal.lastIndex()) {
            wal.truncateFrom(stagedTruncateFrom);
        }
        if (!stagedEntries.isEmpty()) {
            long first = stagedEntries.get(0).index();
            long expect = wal.isEmpty() ? (snapshot == null ? 1 : snapshot.index() + 1) : wal.lastIndex() + 1;
            if (first != expect) {
                throw new IllegalStateException("staged entries start at " + first + ", log expects " + expect);
            }
            wal.append(stagedEntries);
        }
        stagedSnapshot = null;
        stagedDiscard = false;
        stagedTruncateFrom = Long.MAX_VALUE;
        stagedEntries.clear();
    }

    /**
     * Makes {@code s} durable first, then drops what it covers: the log before it if the
     * log holds its last entry, else the whole log; then older snapshot files.
     */
    private void applySnapshot(Snapshot s) {
        SnapshotFiles.write(io, dir, s);
        boolean keep = !stagedDiscard && wal.contains(s.index()) && s.index() < stagedTruncateFrom
                && wal.entry(s.index()).term() == s.term();
        snapshot = s;
        if (keep) {
            wal.compactTo(s.index());
        } else {
            wal.discardAll();
        }
        SnapshotFiles.deleteOlder(dir, s);
        log.debug("snapshot {} saved in {} ({})", s, dir, keep ? "log compacted" : "log discarded");
    }

    // ---- the log as the caller sees it: durable part, minus what is staged to go, plus staged entries

    private long logicalSnapIndex() {
        Snapshot s = stagedSnapshot != null ? stagedSnapshot : snapshot;
        return s == null ? 0 : s.index();
    }

    private long logicalSnapTerm() {
        Snapshot s = stagedSnapshot != null ? stagedSnapshot : snapshot;
        return s == null ? 0 : s.term();
    }

    /** Last durable index that stays in the log once the staged changes apply, or 0. */
    private long durableKeptLast() {
        return stagedDiscard || wal.isEmpty() ? 0 : Math.min(wal.lastIndex(), stagedTruncateFrom - 1);
    }

    private long logicalLast() {
        if (!stagedEntries.isEmpty()) {
            return stagedEntries.get(stagedEntries.size() - 1).index();
        }
        return Math.max(logicalSnapIndex(), durableKeptLast());
    }

    /** Term at {@code index} in the logical log (the snapshot's at its index), or -1. */
    private long logicalTerm(long index) {
        long snapIndex = logicalSnapIndex();
        if (index == snapIndex) {
            return logicalSnapTerm();
        }
        if (index < snapIndex || index > logicalLast()) {
            return -1;
        }
        if (!stagedEntries.isEmpty() && index >= stagedEntries.get(0).index()) {
            return stagedEntries.get((int) (index - stagedEntries.get(0).index())).term();
        }
        if (index <= durableKeptLast() && wal.contains(index)) {
            return index == wal.lastIndex() ? wal.lastTerm() : guard(() -> wal.entry(index).term());
        }
        return -1;
    }

    // ---- lifecycle and metrics

    /**
     * Releases the files and the lock. What was staged but not passed to {@link #sync()} is
     * dropped, as a crash would; what sync() deferred (BATCH, a commit-only hard state) is
     * written and forced first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            boolean batchPending = opts.fsyncPolicy() == FsyncPolicy.BATCH && wal.needsForce();
            if (!failed && (batchPending || hardDeferred != null)) {
                wal.force();
                if (hardDeferred != null) {
                    writeHardState(hardDeferred);
                }
            }
        } finally {
            try {
                wal.close();
            } finally {
                lock.close();
            }
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("storage in " + dir + " is closed");
        }
        if (failed) {
            throw new StorageException("storage in " + dir + " failed earlier; the node must stop");
        }
    }

    private interface Io<T> {
        T run();
    }

    private <T> T guard(Io<T> op) {
        try {
            return op.run();
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** The incarnation in this directory's {@code incarnation} file. */
    @Override
    public long incarnation() {
        return incarnation;
    }

    public FileStorageOptions options() {
        return opts;
    }

    /** fsync/fdatasync calls made (log, directory, hard state and snapshot files). */
    public long fsyncCount() {
        return io.fsyncs();
    }

    /** Bytes written to files (log records, segment headers, hard state, snapshots). */
    public long bytesWritten() {
        return io.bytesWritten();
    }

    /** Calls to {@link #sync()}. */
    public long syncCount() {
        return syncs.get();
    }
}
