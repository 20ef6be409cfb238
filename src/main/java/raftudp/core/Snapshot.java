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
