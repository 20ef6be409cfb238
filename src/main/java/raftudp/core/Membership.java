package raftudp.core;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who the members of the cluster are, each with the <em>incarnation</em> of its data directory:
 * a random nonzero 63-bit number drawn when the directory was created and kept with it. A
 * node whose directory was wiped comes back with another incarnation, and its peers can tell:
 * its votes and acknowledgements were made by a disk that no longer exists.
 *
 * <p>The first leader of a cluster records every member's incarnation in a
 * {@link Entry.Kind#MEMBERS} entry, and every later leader starts its term with one (it also
 * serves as the term's no-op, §5.4.2). A snapshot a node takes keeps the membership of the log it
 * covers; a snapshot image sent to a follower does not carry it (the follower keeps the one it
 * knows, and reads the next leader's MEMBERS entry).
 *
 * <p>Encoding (the entry's data): {@code u16 count}, then {@code count} times
 * {@code (u16 id, u64 incarnation)} in ascending id order; ids 0 .. 65534, incarnations
 * 1 .. 2^63 - 1, no id twice.
 */
public record Membership(Map<Integer, Long> incarnations) {
    /** Bytes of one member in the encoding. */
    static final int MEMBER_BYTES = 10;

    public Membership {
        TreeMap<Integer, Long> sorted = new TreeMap<>(incarnations);
        for (Map.Entry<Integer, Long> m : sorted.entrySet()) {
            if (m.getKey() < 0 || m.getKey() > 65534) {
                throw new IllegalArgumentException("member id " + m.getKey() + " is not 0..65534");
            }
            if (!validIncarnation(m.getValue())) {
                throw new IllegalArgumentException("member " + m.getKey() + " has incarnation " + m.getValue()
                        + ", not 1..2^63-1");
            }
        }
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a membership has at least one member");
        }
        incarnations = Collections.unmodifiableMap(sorted);
    }

    /** A new incarnation, 1 .. 2^63 - 1, from {@code random} (a secure one on disk, the seed's in the simulator). */
    public static long freshIncarnation(java.util.function.LongSupplier random) {
        long inc;
        do {
            inc = random.getAsLong() & Long.MAX_VALUE;
        } while (inc == 0);
        return inc;
    }

    /** True for what an incarnation may be: 1 .. 2^63 - 1. */
    public static boolean validIncarnation(long incarnation) {
        return incarnation > 0;
    }

    /** The incarnation recorded for {@code id}, or 0 when it is not a member. */
    public long incarnationOf(int id) {
        return incarnations.getOrDefault(id, 0L);
    }

    /** The entry data for this membership. */
    public byte[] encode() {
        byte[] out = new byte[2 + MEMBER_BYTES * incarnations.size()];
        put(out, 0, incarnations.size(), 2);
        int at = 2;
        for (Map.Entry<Integer, Long> m : incarnations.entrySet()) {
            put(out, at, m.getKey(), 2);
            put(out, at + 2, m.getValue(), 8);
            at += MEMBER_BYTES;
        }
        return out;
    }

    /** Writes the low {@code bytes} bytes of {@code v} big-endian at {@code at}. */
    private static void put(byte[] out, int at, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    /** Reads {@code bytes} bytes big-endian at {@code at} (the core does no I/O: no ByteBuffer). */
    private static long get(byte[] in, int at, int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | (in[at + i] & 0xFF);
        }
        return v;
    }

    /**
     * Parses an entry's data.
     *
     * @throws IllegalArgumentException with what is wrong, when it is not a valid encoding
     */
    public static Membership decode(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length < 2) {
            throw new IllegalArgumentException("membership of " + data.length + " bytes: no count");
        }
        int count = (int) get(data, 0, 2);
        if (data.length != 2 + (long) MEMBER_BYTES * count) {
            throw new IllegalArgumentException("membership of " + count + " members must be "
                    + (2 + MEMBER_BYTES * count) + " bytes, not " + data.length);
        }
        TreeMap<Integer, Long> m = new TreeMap<>();
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int id = (int) get(data, 2 + MEMBER_BYTES * i, 2);
            long inc = get(data, 4 + MEMBER_BYTES * i, 8);
            if (id <= previous) {
                throw new IllegalArgumentException("membership ids must ascend: " + id + " after " + previous);
            }
            previous = id;
            m.put(id, inc);
        }
        return new Membership(m);
    }

    /** "0=1a2b… 1=…" with incarnations in hex, for logs and the readable log. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        incarnations.forEach((id, inc) -> sb.append(sb.isEmpty() ? "" : " ").append(id).append('=')
                .append(Long.toHexString(inc)));
        return sb.toString();
    }
}
