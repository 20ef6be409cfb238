package raftudp.core;

import java.util.Objects;

/**
 * A state-machine snapshot covering the log up to and including {@code index} (§7).
 * {@code data} is opaque to the core and may live outside the heap ({@link SnapshotData}).
 * {@code members} is the cluster's {@link Membership} as of {@code index}, or null when none is
 * known (a snapshot received from a leader: images do not carry it).
 */
public record Snapshot(long index, long term, SnapshotData data, Membership members) {
    public Snapshot {
        Objects.requireNonNull(data, "data");
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("bad snapshot " + index + "@" + term);
        }
    }

    /** A snapshot with no membership recorded. */
    public Snapshot(long index, long term, SnapshotData data) {
        this(index, term, data, null);
    }

    /** This snapshot with {@code m} as its membership. */
    public Snapshot withMembers(Membership m) {
        return new Snapshot(index, term, data, m);
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

    /** Equal index, term, size, checksum and membership (the content is not compared byte by byte). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.index == index && s.term == term && s.data.size() == data.size()
                && s.data.checksum() == data.checksum() && Objects.equals(s.members, members);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "snapshot(" + index + "@" + term + ", " + data.size() + "B" + (members == null ? "" : ", members " + members)
                + ")";
    }
}
