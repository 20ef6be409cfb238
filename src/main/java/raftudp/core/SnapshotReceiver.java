package raftudp.core;

import java.util.function.Predicate;

/**
 * Follower side of chunked InstallSnapshot (§7): accepts chunks strictly in order, so the
 * memory held is at most the announced snapshot size (itself bounded by
 * {@link #SNAPSHOT_BYTES_MAX}). A completed image is handed out only when its CRC32C equals
 * the checksum every chunk of the transfer carried and the state machine's check accepts
 * it; otherwise it is discarded and {@link #takeRejected()} says so once.
 */
final class SnapshotReceiver {
    /** Largest snapshot a follower accepts. */
    static final long SNAPSHOT_BYTES_MAX = Integer.MAX_VALUE - 64;

    private final Predicate<Snapshot> check;
    private long index = -1;
    private long term;
    private long checksum;
    private byte[] buffer;
    private int received;
    private boolean rejected;

    /** @param check the state machine's test of a complete image; must not throw */
    SnapshotReceiver(Predicate<Snapshot> check) {
        this.check = check;
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
        if (c.snapshotIndex() != index || c.snapshotTerm() != term || c.checksum() != checksum || buffer == null
                || buffer.length != c.totalBytes()) {
            if (c.offset() != 0) {
                reset();
                return null;
            }
            index = c.snapshotIndex();
            term = c.snapshotTerm();
            checksum = c.checksum();
            buffer = new byte[(int) c.totalBytes()];
            received = 0;
        }
        if (c.offset() == received) {
            System.arraycopy(c.data(), 0, buffer, received, c.data().length);
            received += c.data().length;
        }
        if (received == buffer.length && c.offset() + c.data().length == received && c.last()) {
            Snapshot s = new Snapshot(index, term, buffer);
            reset();
            if (s.checksum() != c.checksum() || !check.test(s)) {
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
        return buffer == null ? 0 : received;
    }

    void reset() {
        index = -1;
        term = 0;
        checksum = 0;
        buffer = null;
        received = 0;
    }
}
