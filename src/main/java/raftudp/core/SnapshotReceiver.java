package raftudp.core;

import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Follower side of chunked InstallSnapshot (§7): accepts chunks strictly in order and hands
 * them to a {@link SnapshotSink} (a file, in a node: the image is never held on the heap),
 * checksumming as they come; an image is at most {@link #SNAPSHOT_BYTES_MAX} bytes. A completed image is handed out only when its CRC32C equals
 * the checksum every chunk of the transfer carried and the state machine's check accepts
 * it; otherwise it is discarded and {@link #takeRejected()} says so once.
 */
final class SnapshotReceiver {
    /** Largest snapshot a follower accepts. */
    static final long SNAPSHOT_BYTES_MAX = Integer.MAX_VALUE - 64;

    private final Predicate<Snapshot> check;
    private final SnapshotSink.Factory sinks;
    private long index = -1;
    private long term;
    private long checksum;
    private SnapshotSink sink;
    private long size;
    private long received;
    private CRC32C crc;
    private boolean rejected;

    /**
     * @param check the state machine's test of a complete image; must not throw
     * @param sinks where incoming images go
     */
    SnapshotReceiver(Predicate<Snapshot> check, SnapshotSink.Factory sinks) {
        this.check = check;
        this.sinks = sinks;
    }

    /**
     * Offers one chunk. Returns the completed, verified snapshot when this chunk finished
     * it, else null; {@link #received()} tells the offset to acknowledge.
     */
    Snapshot offer(Message.SnapshotChunk c) {
        if (c.totalBytes() < 0 || c.totalBytes() > SNAPSHOT_BYTES_MAX || c.offset() < 0
                || c.offset() + c.data().length > c.totalBytes()) {
            return null; // inconsistent chunk: ignore, the leader resends
        }
        if (c.snapshotIndex() != index || c.snapshotTerm() != term || c.checksum() != checksum || sink == null
                || size != c.totalBytes()) {
            if (c.offset() != 0) {
                reset();
                return null;
            }
            reset();
            index = c.snapshotIndex();
            term = c.snapshotTerm();
            checksum = c.checksum();
            size = c.totalBytes();
            sink = sinks.open(index, term, size);
            crc = new CRC32C();
            received = 0;
        }
        if (c.offset() == received && c.data().length > 0) {
            sink.write(c.data());
            crc.update(c.data());
            received += c.data().length;
        }
        if (received == size && c.offset() + c.data().length == received && c.last()) {
            long got = crc.getValue();
            SnapshotData data = sink.finish();
            sink = null;
            Snapshot s = new Snapshot(index, term, data);
            reset();
            if (got != c.checksum() || !check.test(s)) {
                rejected = true;
                return null;
            }
            return s;
        }
        return null;
    }

    /** True once after a completed image was rejected (checksum or state-machine check). */
    boolean takeRejected() {
        boolean r = rejected;
        rejected = false;
        return r;
    }

    long received() {
        return sink == null ? 0 : received;
    }

    void reset() {
        if (sink != null) {
            sink.abort();
        }
        index = -1;
        term = 0;
        checksum = 0;
        sink = null;
        size = 0;
        crc = null;
        received = 0;
    }
}
