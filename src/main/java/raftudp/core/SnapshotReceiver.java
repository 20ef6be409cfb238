package raftudp.core;

/**
 * Follower side of chunked InstallSnapshot (§7): accepts chunks strictly in order, so the
 * memory held is at most the announced snapshot size (itself bounded by
 * {@link #SNAPSHOT_BYTES_MAX}).
 */
final class SnapshotReceiver {
    /** Largest snapshot a follower accepts. */
    static final long SNAPSHOT_BYTES_MAX = Integer.MAX_VALUE - 64;

    private long index = -1;
    private long term;
    private byte[] buffer;
    private int received;

    /**
     * Offers one chunk. Returns the completed snapshot when this chunk finished it, else
     * null; {@link #received()} tells the offset to acknowledge.
     */
    Snapshot offer(Message.SnapshotChunk c) {
        if (c.totalBytes() < 0 || c.totalBytes() > SNAPSHOT_BYTES_MAX || c.offset() < 0
                || c.offset() + c.data().length > c.totalBytes()) {
            return null; // inconsistent chunk: ignore, the leader resends
        }
        if (c.snapshotIndex() != index || c.snapshotTerm() != term || buffer == null
                || buffer.length != c.totalBytes()) {
            if (c.offset() != 0) {
                reset();
                return null;
            }
            index = c.snapshotIndex();
            term = c.snapshotTerm();
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
            return s;
        }
        return null;
    }

    long received() {
        return buffer == null ? 0 : received;
    }

    void reset() {
        index = -1;
        term = 0;
        buffer = null;
        received = 0;
    }
}
