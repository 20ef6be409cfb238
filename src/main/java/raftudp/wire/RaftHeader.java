package raftudp.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The fixed 64-byte header that starts every raftudp datagram (wire version 1).
 *
 * <p>All fields are unsigned big-endian integers (network byte order) at fixed, naturally
 * aligned offsets, identical for every message type, so that a P4 parser, a Wireshark
 * dissector or {@code tcpdump -x} can read them without state. What the five 64-bit
 * fields mean depends on the message type; see {@link MessageType} and
 * {@code docs/wire-format.md}. Java reads the 64-bit fields as {@code long}: a value with
 * the top bit set appears negative, and a decoder rejects it where the field must be
 * {@code >= 0}.
 *
 * <p>The layout lives in exactly one place, {@link Field}; {@link #FIELDS} lists it in
 * order so that a test can compare it, field by field, with the P4 program's header type.
 *
 * @param magic         {@link #MAGIC}
 * @param version       {@link #VERSION}
 * @param typeCode      the {@link MessageType} code (unknown codes are representable here)
 * @param flags         {@code FLAG_*} bits allowed for the type
 * @param reserved      24 bits, zero in version 1
 * @param source        sender's node id, or {@link #NO_NODE}
 * @param destination   receiver's node id, or {@link #NO_NODE}
 * @param chunkIndex    this datagram's chunk, {@code 0 <= chunkIndex < chunkCount}
 * @param chunkCount    datagrams that make up the message, at least 1
 * @param messageId     per-sender message counter (u32 bit pattern)
 * @param payloadLength bytes of payload after the header in this datagram, without the MAC trailer (u32)
 * @param term          term field
 * @param indexA        first index field
 * @param indexB        second index field
 * @param logTerm       log-term field
 * @param commitIndex   commit-index field
 */
public record RaftHeader(int magic, int version, int typeCode, int flags, int reserved, int source,
                         int destination, int chunkIndex, int chunkCount, int messageId, long payloadLength,
                         long term, long indexA, long indexB, long logTerm, long commitIndex) {

    /** Bytes of the header: every datagram is at least this long. */
    public static final int HEADER_BYTES = 64;
    /** First two bytes of every datagram: ASCII "RA". */
    public static final int MAGIC = 0x5241;
    /** The format this code speaks; any other version is dropped. */
    public static final int VERSION = 1;
    /** Node id meaning "none" or "not a node" (a client, an unknown leader). */
    public static final int NO_NODE = 0xFFFF;
    /** Highest node id. */
    public static final int NODE_ID_MAX = 0xFFFE;
    /** Most chunks of one message (the chunk count is 16 bits). */
    public static final int CHUNKS_MAX = 0xFFFF;

    /** VoteRequest, VoteResponse: a pre-vote (thesis §9.6), not a real vote. */
    public static final int FLAG_PRE_VOTE = 0x01;
    /** VoteRequest: the campaign follows a TimeoutNow (leadership transfer). */
    public static final int FLAG_TRANSFER = 0x02;
    /** VoteResponse: the vote is granted. */
    public static final int FLAG_GRANTED = 0x04;
    /** AppendResponse: the append succeeded. */
    public static final int FLAG_SUCCESS = 0x08;
    /** SnapshotChunk: the last chunk of the snapshot. */
    public static final int FLAG_LAST = 0x10;
    /** SnapshotResponse: the snapshot is installed. */
    public static final int FLAG_DONE = 0x20;
    /**
     * Any type: a {@link #MAC_BYTES}-byte MAC trailer follows the payload (the datagram is
     * authenticated with the cluster key, {@link ClusterKey}). {@code payload_length} does
     * not count the trailer.
     */
    public static final int FLAG_AUTH = 0x80;
    /** Bytes of the MAC trailer of an {@link #FLAG_AUTH} datagram. */
    public static final int MAC_BYTES = 16;

    /**
     * The header's fields in wire order, each with its P4 field name and width in bits.
     * Offsets follow from the order; there is no padding. This enum is the layout.
     */
    public enum Field {
        MAGIC("magic", 16),
        VERSION("version", 8),
        TYPE("msg_type", 8),
        FLAGS("flags", 8),
        RESERVED("reserved", 24),
        SOURCE("src_id", 16),
        DESTINATION("dst_id", 16),
        CHUNK_INDEX("chunk_index", 16),
        CHUNK_COUNT("chunk_count", 16),
        MESSAGE_ID("message_id", 32),
        PAYLOAD_LENGTH("payload_length", 32),
        TERM("term", 64),
        INDEX_A("index_a", 64),
        INDEX_B("index_b", 64),
        LOG_TERM("log_term", 64),
        COMMIT_INDEX("commit_index", 64);

        private final String p4Name;
        private final int bits;
        private int offsetBits;

        static {
            int offset = 0;
            for (Field f : values()) {
                f.offsetBits = offset;
                offset += f.bits;
            }
            if (offset != HEADER_BYTES * 8) {
                throw new IllegalStateException("header layout adds up to " + offset + " bits");
            }
        }

        Field(String p4Name, int bits) {
            this.p4Name = p4Name;
            this.bits = bits;
        }

        /** Field name as written in the P4 program's header type and the spec. */
        public String p4Name() {
            return p4Name;
        }

        /** Width in bits (a multiple of 8). */
        public int bits() {
            return bits;
        }

        /** Offset from the start of the datagram, in bits. */
        public int offsetBits() {
            return offsetBits;
        }

        /** Offset from the start of the datagram, in bytes. */
        public int offsetBytes() {
            return offsetBits / 8;
        }

        /** Largest value the field holds, as an unsigned number ({@code -1} for 64 bits). */
        public long maxValue() {
            return bits == 64 ? -1L : (1L << bits) - 1;
        }

        /** Reads the field, big-endian unsigned, from {@code datagram} starting at index 0. */
        long get(ByteBuffer datagram) {
            int at = offsetBytes();
            if (datagram.order() == ByteOrder.BIG_ENDIAN) {
                switch (bits) {
                    case 8:
                        return datagram.get(at) & 0xFFL;
                    case 16:
                        return datagram.getShort(at) & 0xFFFFL;
                    case 32:
                        return datagram.getInt(at) & 0xFFFF_FFFFL;
                    case 64:
                        return datagram.getLong(at);
                    default:
                        break;
                }
            }
            long v = 0;
            for (int i = 0; i < bits / 8; i++) {
                v = (v << 8) | (datagram.get(at + i) & 0xFF);
            }
            return v;
        }

        /** Writes the field big-endian at absolute index {@code base + offset}. */
        void put(ByteBuffer out, int base, long value) {
            if (bits < 64 && (value < 0 || value > maxValue())) {
                throw new IllegalArgumentException(p4Name + " " + value + " does not fit " + bits + " bits");
            }
            int at = base + offsetBytes();
            if (out.order() == ByteOrder.BIG_ENDIAN) {
                switch (bits) {
                    case 8:
                        out.put(at, (byte) value);
                        return;
                    case 16:
                        out.putShort(at, (short) value);
                        return;
                    case 32:
                        out.putInt(at, (int) value);
                        return;
                    case 64:
                        out.putLong(at, value);
                        return;
                    default:
                        break;
                }
            }
            for (int i = bits / 8 - 1; i >= 0; i--) {
                out.put(at + i, (byte) value);
                value >>>= 8;
            }
        }
    }

    /** The layout in wire order: name, offset and width of every header field. */
    public static final List<Field> FIELDS = List.of(Field.values());

    /**
     * Reads the header from the first {@link #HEADER_BYTES} bytes of {@code datagram}
     * (from index 0, ignoring its position). Checks nothing but the length.
     *
     * @throws IllegalArgumentException when fewer than {@link #HEADER_BYTES} bytes are there
     */
    public static RaftHeader read(ByteBuffer datagram) {
        if (datagram.limit() < HEADER_BYTES) {
            throw new IllegalArgumentException("a header needs " + HEADER_BYTES + " bytes, got " + datagram.limit());
        }
        return new RaftHeader((int) Field.MAGIC.get(datagram), (int) Field.VERSION.get(datagram),
                (int) Field.TYPE.get(datagram), (int) Field.FLAGS.get(datagram),
                (int) Field.RESERVED.get(datagram), (int) Field.SOURCE.get(datagram),
                (int) Field.DESTINATION.get(datagram), (int) Field.CHUNK_INDEX.get(datagram),
                (int) Field.CHUNK_COUNT.get(datagram), (int) Field.MESSAGE_ID.get(datagram),
                Field.PAYLOAD_LENGTH.get(datagram), Field.TERM.get(datagram), Field.INDEX_A.get(datagram),
                Field.INDEX_B.get(datagram), Field.LOG_TERM.get(datagram), Field.COMMIT_INDEX.get(datagram));
    }

    /**
     * Writes this header into {@code out} at absolute index {@code base}; the position is
     * not moved.
     *
     * @throws IllegalArgumentException when a field does not fit its width
     */
    public void write(ByteBuffer out, int base) {
        Field.MAGIC.put(out, base, magic);
        Field.VERSION.put(out, base, version);
        Field.TYPE.put(out, base, typeCode);
        Field.FLAGS.put(out, base, flags);
        Field.RESERVED.put(out, base, reserved);
        Field.SOURCE.put(out, base, source);
        Field.DESTINATION.put(out, base, destination);
        Field.CHUNK_INDEX.put(out, base, chunkIndex);
        Field.CHUNK_COUNT.put(out, base, chunkCount);
        Field.MESSAGE_ID.put(out, base, Integer.toUnsignedLong(messageId));
        Field.PAYLOAD_LENGTH.put(out, base, payloadLength);
        Field.TERM.put(out, base, term);
        Field.INDEX_A.put(out, base, indexA);
        Field.INDEX_B.put(out, base, indexB);
        Field.LOG_TERM.put(out, base, logTerm);
        Field.COMMIT_INDEX.put(out, base, commitIndex);
    }

    /** The message type, or null when {@link #typeCode} is unknown. */
    public MessageType type() {
        return MessageType.ofCode(typeCode);
    }

    /** The value of one 64-bit field, by layout entry. */
    long get(Field f) {
        switch (f) {
            case TERM:
                return term;
            case INDEX_A:
                return indexA;
            case INDEX_B:
                return indexB;
            case LOG_TERM:
                return logTerm;
            case COMMIT_INDEX:
                return commitIndex;
            default:
                throw new IllegalArgumentException("not a 64-bit field: " + f);
        }
    }

    /** This header with another chunk index and payload length (the rest is shared by all chunks). */
    RaftHeader forChunk(int index, int length) {
        return new RaftHeader(magic, version, typeCode, flags, reserved, source, destination, index,
                chunkCount, messageId, length, term, indexA, indexB, logTerm, commitIndex);
    }

    /** True when {@code other} belongs to the same message: equal in all but chunk index and length. */
    boolean sameMessageAs(RaftHeader other) {
        return forChunk(0, 0).equals(other.forChunk(0, 0));
    }

    @Override
    public String toString() {
        MessageType t = type();
        return (t == null ? "type#" + typeCode : t.name()) + "[v" + version + " flags=0x" + Integer.toHexString(flags)
                + " " + source + "->" + destination + " msg=" + Integer.toUnsignedString(messageId)
                + " chunk=" + chunkIndex + "/" + chunkCount + " len=" + payloadLength + " term=" + term
                + " a=" + indexA + " b=" + indexB + " logTerm=" + logTerm + " commit=" + commitIndex + "]";
    }
}
