package raftudp.core;

import java.util.Objects;

/**
 * A state-machine snapshot covering the log up to and including {@code index} (§7).
 * {@code data} is opaque to the core. Not copied: do not mutate it.
 */
public record Snapshot(long index, long term, byte[] data) {
    public Snapshot {
        Objects.requireNonNull(data, "data");
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("bad snapshot " + index + "@" + term);
        }
    }

    /**
     * The CRC32C of {@code data} (0 .. 2^32 - 1): what SnapshotChunks carry so that a
     * receiver can tell a damaged or forged image from the one the leader holds. Computed on
     * each call (a pass over the data): callers that need it often keep it.
     */
    public long checksum() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.index == index && s.term == term
                && java.util.Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "snapshot(" + index + "@" + term + ", " + data.length + "B)";
    }
}
