package raftudp.storage;

import raftudp.core.SnapshotData;

import java.nio.ByteBuffer;

/** The bytes of a {@link SnapshotData} as a buffer, for the state machine to parse without a heap copy. */
public final class SnapshotBytes {
    private SnapshotBytes() {
    }

    /**
     * A read-only buffer over {@code d}: the mapping of a file {@link FileStorage} holds, the
     * array of in-memory data, else a copy.
     */
    public static ByteBuffer buffer(SnapshotData d) {
        if (d instanceof MappedSnapshot m) {
            return m.buffer();
        }
        if (d instanceof SnapshotData.Bytes b) {
            return ByteBuffer.wrap(b.array()).asReadOnlyBuffer();
        }
        return ByteBuffer.wrap(d.toByteArray()).asReadOnlyBuffer();
    }
}
