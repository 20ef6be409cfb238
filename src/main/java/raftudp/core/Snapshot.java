package raftudp.core;

import java.util.Objects;

/**
 * A state-machine snapshot covering the log up to and including {@code index} (§7).
 * {@code data} is opaque to the core and may live outside the heap ({@link SnapshotData}).
 */
public record Snapshot(long index, long term, SnapshotData data) {
    public Snapshot {
        Objects.requireNonNull(data, "data");
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("bad snapshot " + index + "@" + term);
        }
    }

    /** A snapshot of in-memory bytes (not copied: do not mutate them). */
    public Snapshot(long index, long term, byte[] data) {
        this(index, term, SnapshotData.of(data));
    }

    /**
     * The CRC32C of {@code data} (0 .. 2^32 - 1): what SnapshotChunks carry so that a
     * receiver can tell a damaged or forged image from the one the leader holds.
     */
    public long checksum() {
        return data.checksum();
    }

    /** Equal index, term, size and checksum (the content is not compared byte by byte). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.index == index && s.term == term && s.data.size() == data.size()
                && s.data.checksum() == data.checksum();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "snapshot(" + index + "@" + term + ", " + data.size() + "B)";
    }
}
