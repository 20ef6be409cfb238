package raftudp.wire;

/**
 * Why a datagram, a partly reassembled message or a decoded message was dropped. Each drop
 * is counted in {@link WireStats} under exactly one reason.
 *
 * <p>Reasons of kind {@link Kind#DATAGRAM} count datagrams: every received datagram is either
 * dropped under one of them, buffered as a chunk, or completes a delivered message.
 * {@link Kind#PARTIAL} reasons count partial messages discarded from reassembly, whose chunks
 * were already counted as buffered. {@link Kind#MESSAGE} reasons count messages the decoder
 * delivered and the node's admission step then refused (docs/wire-format.md §7.1): every
 * delivered message is either admitted or dropped under one of them.
 */
public enum DropReason {
    /** Fewer bytes than the 64-byte header. */
    SHORT(Kind.DATAGRAM),
    /** The first two bytes are not the magic 0x5241. */
    BAD_MAGIC(Kind.DATAGRAM),
    /** A version other than 1. */
    BAD_VERSION(Kind.DATAGRAM),
    /** A message type code nobody defined. */
    UNKNOWN_TYPE(Kind.DATAGRAM),
    /** The header's payload length exceeds the bytes after the header. */
    TRUNCATED(Kind.DATAGRAM),
    /** More bytes follow the header than its payload length says. */
    TRAILING_BYTES(Kind.DATAGRAM),
    /** A receiver with a cluster key got a datagram without the AUTH flag. */
    UNAUTHENTICATED(Kind.DATAGRAM),
    /** The AUTH flag is set and the MAC trailer is wrong, or the receiver has no cluster key to check it. */
    BAD_MAC(Kind.DATAGRAM),
    /** A flag bit the message type does not define. */
    BAD_FLAGS(Kind.DATAGRAM),
    /** Reserved bits set, an unused field not zero, a node id or number out of range. */
    BAD_FIELD(Kind.DATAGRAM),
    /** Chunk count 0, chunk index not below the count, or an empty chunk of a multi-chunk message. */
    BAD_CHUNK(Kind.DATAGRAM),
    /** The message type arrived on another class's port. */
    WRONG_PORT(Kind.DATAGRAM),
    /** A chunk whose header (or repeated payload) disagrees with earlier chunks of its message. */
    INCONSISTENT_CHUNK(Kind.DATAGRAM),
    /** A chunk already held for its message (a network duplicate). */
    DUPLICATE_CHUNK(Kind.DATAGRAM),
    /** A chunk of a message recently completed, evicted, expired or abandoned. */
    LATE_CHUNK(Kind.DATAGRAM),
    /** The message grows beyond the receiver's message size limit. */
    TOO_LARGE(Kind.DATAGRAM),
    /**
     * A chunk of a multi-chunk Raft message whose sender the receiver would not admit (not a
     * member, not at the member's address and port, or for another node): dropped before it
     * is buffered, so that reassembly memory goes to members only.
     */
    UNADMITTED_CHUNK(Kind.DATAGRAM),
    /** The body does not parse: lengths or counts beyond the bytes, invalid values, trailing bytes. */
    MALFORMED_BODY(Kind.DATAGRAM),
    /** A receiver with a cluster key got a write (Put, Delete, Cas, Append) without a session (clientId 0). */
    SESSIONLESS_WRITE(Kind.DATAGRAM),
    /**
     * An authenticated admin request (FaultRequest) outside the node's replay window: its time is more than
     * 30 s off the node's clock, its MAC was seen in the last 60 s, or the memory of seen MACs is full.
     */
    REPLAYED(Kind.DATAGRAM),
    /** A decoder bug caught by the safety net (never expected; logged at ERROR). */
    INTERNAL_ERROR(Kind.DATAGRAM),
    /** A Raft message whose dst_id is not this node. */
    MISADDRESSED(Kind.MESSAGE),
    /** A Raft message whose src_id is not a member of the cluster. */
    NOT_MEMBER(Kind.MESSAGE),
    /**
     * A Raft message from a member id whose source address (and port) is not the one the
     * cluster configuration gives that member, or that claims to come from this node itself.
     */
    WRONG_SOURCE(Kind.MESSAGE),
    /** A term above the ceiling (2^48): no room would be left to campaign. */
    TERM_CEILING(Kind.MESSAGE),
    /** Fields that contradict each other under the Raft rules (e.g. a log term above the message's term). */
    BAD_CLAIM(Kind.MESSAGE),
    /**
     * An AppendRequest entry the state machine could never apply: a NORMAL entry whose data is
     * not a key-value log entry, or a NOOP entry with data.
     */
    BAD_ENTRY(Kind.MESSAGE),
    /** A client request whose session fields break the session rules (client id set, seq 0). */
    BAD_SESSION(Kind.MESSAGE),
    /** A message type a node never receives (answers meant for clients). */
    UNEXPECTED_TYPE(Kind.MESSAGE),
    /** A partial message pushed out to respect the reassembly memory or message-count limit. */
    EVICTED(Kind.PARTIAL),
    /** A partial message that received no chunk within the reassembly timeout. */
    EXPIRED(Kind.PARTIAL),
    /** A partial message discarded because one of its chunks was inconsistent or too large. */
    ABANDONED(Kind.PARTIAL);

    /** What a reason counts. */
    public enum Kind {
        /** Received datagrams, dropped before they completed a message. */
        DATAGRAM,
        /** Partial messages discarded from reassembly. */
        PARTIAL,
        /** Delivered messages that the node's admission step refused. */
        MESSAGE
    }

    private final Kind kind;

    DropReason(Kind kind) {
        this.kind = kind;
    }

    /** What this reason counts. */
    public Kind kind() {
        return kind;
    }

    /** True when this reason counts datagrams (kind {@link Kind#DATAGRAM}). */
    public boolean perDatagram() {
        return kind == Kind.DATAGRAM;
    }
}
