package raftudp.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a {@link FileStorage} lays out and syncs its data directory. Build with
 * {@link #builder(Path)}; every limit has a default.
 *
 * @param dir             the node's data directory (created if missing), see {@link #defaultDir}
 * @param segmentBytesMax a log segment is closed and a new one started once it holds at least
 *                        this many bytes (one record larger than that gets a segment of its own)
 * @param recordBytesMax  largest entry payload accepted (and believed when reading a length)
 * @param fsyncPolicy     when {@code sync()} fsyncs
 * @param batchIntervalMs with {@link FsyncPolicy#BATCH}: fsync once the oldest unsynced write
 *                        is this old
 * @param batchBytesMax   with {@link FsyncPolicy#BATCH}: fsync once this many bytes are unsynced
 * @param commitPersistIntervalMs 0 (default): every changed hard state passed to {@code sync()} is
 *                        written (an atomic file write costs two fsyncs). Above 0: a hard state
 *                        that differs from the one on disk only by its commit index is written at
 *                        most once per this interval (at once when term or vote change, and at
 *                        close), so a recovered commit index may lag by that window. Raft allows
 *                        it: the commit index is volatile state (§5.2, Figure 2); the node
 *                        re-learns it from the leader.
 * @param nanoClock       monotonic clock in nanoseconds (only BATCH reads it; injectable for tests)
 */
public record FileStorageOptions(Path dir, long segmentBytesMax, int recordBytesMax,
                                 FsyncPolicy fsyncPolicy, long batchIntervalMs, long batchBytesMax,
                                 long commitPersistIntervalMs, LongSupplier nanoClock) {

    public static final long SEGMENT_BYTES_MAX_DEFAULT = 16L << 20;
    public static final int RECORD_BYTES_MAX_DEFAULT = 64 << 20;
    public static final long BATCH_INTERVAL_MS_DEFAULT = 10;
    public static final long BATCH_BYTES_MAX_DEFAULT = 1L << 20;

    public FileStorageOptions {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        Objects.requireNonNull(nanoClock, "nanoClock");
        if (segmentBytesMax < 64 || recordBytesMax < 1 || batchIntervalMs < 0 || batchBytesMax < 1
                || commitPersistIntervalMs < 0) {
            throw new IllegalArgumentException("bad storage options: segmentBytesMax=" + segmentBytesMax
                    + " recordBytesMax=" + recordBytesMax + " batchIntervalMs=" + batchIntervalMs
                    + " batchBytesMax=" + batchBytesMax + " commitPersistIntervalMs=" + commitPersistIntervalMs);
        }
    }

    /** The conventional data directory of node {@code nodeIndex}: {@code data/node-<index>}. */
    public static Path defaultDir(int nodeIndex) {
        return Path.of("data", "node-" + nodeIndex);
    }

    /** Options with every default and {@code dir}. */
    public static FileStorageOptions defaults(Path dir) {
        return builder(dir).build();
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** A copy with another fsync policy. */
    public FileStorageOptions withFsyncPolicy(FsyncPolicy policy) {
        return new FileStorageOptions(dir, segmentBytesMax, recordBytesMax, policy, batchIntervalMs,
                batchBytesMax, commitPersistIntervalMs, nanoClock);
    }

    /** Mutable builder of {@link FileStorageOptions}. */
    public static final class Builder {
        private final Path dir;
        private long segmentBytesMax = SEGMENT_BYTES_MAX_DEFAULT;
        private int recordBytesMax = RECORD_BYTES_MAX_DEFAULT;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
        private long batchIntervalMs = BATCH_INTERVAL_MS_DEFAULT;
        private long batchBytesMax = BATCH_BYTES_MAX_DEFAULT;
        private long commitPersistIntervalMs;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(Path dir) {
            this.dir = dir;
        }

        public Builder segmentBytesMax(long v) {
            segmentBytesMax = v;
            return this;
        }

        public Builder recordBytesMax(int v) {
            recordBytesMax = v;
            return this;
        }

        public Builder fsyncPolicy(FsyncPolicy v) {
            fsyncPolicy = v;
            return this;
        }

        /** BATCH bounds: fsync once the oldest unsynced write is {@code intervalMs} old or
         * {@code bytesMax} bytes are unsynced. */
        public Builder batch(long intervalMs, long bytesMax) {
            batchIntervalMs = intervalMs;
            batchBytesMax = bytesMax;
            return this;
        }

        /** See {@link FileStorageOptions#commitPersistIntervalMs()}; 0 writes every change. */
        public Builder commitPersistIntervalMs(long v) {
            commitPersistIntervalMs = v;
            return this;
        }

        public Builder nanoClock(LongSupplier v) {
            nanoClock = v;
            return this;
        }

        public FileStorageOptions build() {
            return new FileStorageOptions(dir, segmentBytesMax, recordBytesMax, fsyncPolicy, batchIntervalMs,
                    batchBytesMax, commitPersistIntervalMs, nanoClock);
        }
    }
}
