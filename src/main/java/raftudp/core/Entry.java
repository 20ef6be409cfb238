package raftudp.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry. {@code data} is opaque to the core (the key-value layer encodes its
 * commands there); a {@link Kind#NOOP} entry is appended by each new leader (§5.4.2,
 * §8) and carries no data. Equality is by content.
 */
public record Entry(long index, long term, Kind kind, byte[] data) {

    /** What an entry is for. Stable wire codes. */
    public enum Kind {
        /** Appended by a new leader at the start of its term; applies nothing. */
        NOOP(0),
        /** A command for the state machine. */
        NORMAL(1),
        /**
         * The cluster's {@link Membership} (its data: {@link Membership#encode()}); appended by
         * each new leader at the start of its term in place of the no-op. Applies nothing to the
         * state machine.
         */
        MEMBERS(2);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The kind for a wire code, or null if unknown. */
        public static Kind ofCode(int code) {
            return switch (code) {
                case 0 -> NOOP;
                case 1 -> NORMAL;
                case 2 -> MEMBERS;
                default -> null;
            };
        }
    }

    public static final byte[] EMPTY = new byte[0];

    public Entry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("entry index and term start at 1: " + index + "/" + term);
        }
    }

    /** Size used for batching limits: data plus a fixed per-entry overhead. */
    public int sizeBytes() {
        return data.length + 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.index == index && e.term == term && e.kind == kind
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, kind) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return index + "@" + term + switch (kind) {
            case NOOP -> ":noop";
            case MEMBERS -> ":members";
            case NORMAL -> ":" + data.length + "B";
        };
    }
}
