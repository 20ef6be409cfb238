package raftudp.wire;

import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;

import java.util.EnumSet;
import java.util.Set;

import static raftudp.wire.RaftHeader.FLAG_DONE;
import static raftudp.wire.RaftHeader.FLAG_GRANTED;
import static raftudp.wire.RaftHeader.FLAG_LAST;
import static raftudp.wire.RaftHeader.FLAG_PRE_VOTE;
import static raftudp.wire.RaftHeader.FLAG_SUCCESS;
import static raftudp.wire.RaftHeader.FLAG_TRANSFER;
import static raftudp.wire.RaftHeader.Field.COMMIT_INDEX;
import static raftudp.wire.RaftHeader.Field.INDEX_A;
import static raftudp.wire.RaftHeader.Field.INDEX_B;
import static raftudp.wire.RaftHeader.Field.LOG_TERM;
import static raftudp.wire.RaftHeader.Field.TERM;

/**
 * Every message type on the wire, with its stable one-byte code, the port class it
 * travels on, the flag bits it may set and the 64-bit header fields it uses. Unused
 * 64-bit fields and flag bits must be zero; a datagram that sets them is dropped.
 * Codes are part of the format: never renumber, only add. Every type may also set
 * {@link RaftHeader#FLAG_AUTH} (not part of {@link #flagsAllowed()}).
 */
public enum MessageType {
    /** {@link Message.VoteRequest}: term, indexA = lastLogIndex, logTerm = lastLogTerm. */
    VOTE_REQUEST(1, MessageClass.VOTE, Message.VoteRequest.class, FLAG_PRE_VOTE | FLAG_TRANSFER,
            TERM, INDEX_A, LOG_TERM),
    /** {@link Message.VoteResponse}: term, commit = the voter's incarnation (nonzero). */
    VOTE_RESPONSE(2, MessageClass.VOTE, Message.VoteResponse.class, FLAG_PRE_VOTE | FLAG_GRANTED, TERM,
            COMMIT_INDEX),
    /**
     * {@link Message.AppendRequest}: term, indexA = prevLogIndex, indexB = index of the
     * last entry carried (prevLogIndex + entry count), logTerm = prevLogTerm, commit = leaderCommit.
     */
    APPEND_REQUEST(3, MessageClass.APPEND, Message.AppendRequest.class, 0,
            TERM, INDEX_A, INDEX_B, LOG_TERM, COMMIT_INDEX),
    /**
     * {@link Message.AppendResponse}: term, indexA = index, indexB = conflictIndex, logTerm = conflictTerm,
     * commit = the follower's incarnation (nonzero).
     */
    APPEND_RESPONSE(4, MessageClass.APPEND, Message.AppendResponse.class, FLAG_SUCCESS,
            TERM, INDEX_A, INDEX_B, LOG_TERM, COMMIT_INDEX),
    /**
     * {@link Message.Heartbeat}: term, indexA = readContext, indexB = the receiver's incarnation as the
     * leader's membership records it (0 = none recorded), commit = commit.
     */
    HEARTBEAT(5, MessageClass.HEARTBEAT, Message.Heartbeat.class, 0, TERM, INDEX_A, INDEX_B, COMMIT_INDEX),
    /** {@link Message.HeartbeatResponse}: term, indexA = readContext, commit = the follower's incarnation. */
    HEARTBEAT_RESPONSE(6, MessageClass.HEARTBEAT, Message.HeartbeatResponse.class, 0, TERM, INDEX_A,
            COMMIT_INDEX),
    /**
     * {@link Message.SnapshotChunk}: term, indexA = snapshotIndex, indexB = offset, logTerm = snapshotTerm,
     * commit = the CRC32C of the whole image (0 .. 2^32 - 1).
     */
    SNAPSHOT_CHUNK(7, MessageClass.SNAPSHOT, Message.SnapshotChunk.class, FLAG_LAST,
            TERM, INDEX_A, INDEX_B, LOG_TERM, COMMIT_INDEX),
    /**
     * {@link Message.SnapshotResponse}: term, indexA = snapshotIndex, indexB = nextOffset,
     * commit = the follower's incarnation (nonzero).
     */
    SNAPSHOT_RESPONSE(8, MessageClass.SNAPSHOT, Message.SnapshotResponse.class, FLAG_DONE,
            TERM, INDEX_A, INDEX_B, COMMIT_INDEX),
    /** {@link Message.TimeoutNow}: term. */
    TIMEOUT_NOW(9, MessageClass.VOTE, Message.TimeoutNow.class, 0, TERM),
    /** {@link ClientRequest}: indexA = clientId (any 64-bit value), indexB = seq. */
    CLIENT_REQUEST(16, MessageClass.CLIENT, ClientRequest.class, 0, INDEX_A, INDEX_B),
    /** {@link ClientResponse}: indexA = clientId (any 64-bit value), indexB = seq. */
    CLIENT_RESPONSE(17, MessageClass.CLIENT, ClientResponse.class, 0, INDEX_A, INDEX_B),
    /** {@link StatusRequest}: no fields. */
    STATUS_REQUEST(18, MessageClass.CLIENT, StatusRequest.class, 0),
    /** {@link StatusReport}: term, indexA = firstLogIndex, indexB = lastLogIndex, commit = commitIndex. */
    STATUS_RESPONSE(19, MessageClass.CLIENT, StatusReport.class, 0, TERM, INDEX_A, INDEX_B, COMMIT_INDEX),
    /**
     * {@link FaultRequest}: the body holds the operation; indexA = the sender's wall clock in ms, only
     * when the datagram is authenticated ({@link RaftHeader#FLAG_AUTH}; 0 otherwise).
     */
    FAULT_REQUEST(20, MessageClass.CLIENT, FaultRequest.class, 0),
    /** {@link FaultResponse}: no fields; the source is the answering node; the body lists the rules in force. */
    FAULT_RESPONSE(21, MessageClass.CLIENT, FaultResponse.class, 0),
    /** {@link ErrorResponse}: no fields; the source is the refusing node; the body holds a code and a text. */
    ERROR_RESPONSE(22, MessageClass.CLIENT, ErrorResponse.class, 0);

    private final int code;
    private final MessageClass messageClass;
    private final Class<?> javaClass;
    private final int flagsAllowed;
    private final Set<RaftHeader.Field> fieldsUsed;

    MessageType(int code, MessageClass messageClass, Class<?> javaClass, int flagsAllowed,
                RaftHeader.Field... fieldsUsed) {
        this.code = code;
        this.messageClass = messageClass;
        this.javaClass = javaClass;
        this.flagsAllowed = flagsAllowed;
        EnumSet<RaftHeader.Field> used = EnumSet.noneOf(RaftHeader.Field.class);
        used.addAll(java.util.Arrays.asList(fieldsUsed));
        this.fieldsUsed = java.util.Collections.unmodifiableSet(used);
    }

    /** The stable one-byte code in the header's {@code msg_type} field. */
    public int code() {
        return code;
    }

    /** The port class this type travels on. */
    public MessageClass messageClass() {
        return messageClass;
    }

    /** The Java type of messages of this type. */
    public Class<?> javaClass() {
        return javaClass;
    }

    /** Flag bits this type may set; any other bit set is malformed. */
    public int flagsAllowed() {
        return flagsAllowed;
    }

    /** The 64-bit header fields this type gives a meaning; the others must be zero. */
    public Set<RaftHeader.Field> fieldsUsed() {
        return fieldsUsed;
    }

    /**
     * True when messages of this type carry a body; the others are always one datagram with
     * no payload, so a chunk of one is malformed (a receiver never buffers it).
     */
    public boolean hasBody() {
        return switch (this) {
            case APPEND_REQUEST, SNAPSHOT_CHUNK, CLIENT_REQUEST, CLIENT_RESPONSE, STATUS_RESPONSE, FAULT_REQUEST,
                 FAULT_RESPONSE, ERROR_RESPONSE -> true;
            default -> false;
        };
    }

    /** True for the nine Raft peer messages (their header carries real node ids). */
    public boolean isRaft() {
        return Message.class.isAssignableFrom(javaClass);
    }

    /**
     * True for the responses of the Raft protocol, which carry their sender's incarnation in
     * {@code commit_index}: it must be nonzero (docs/wire-format.md §3.2).
     */
    public boolean carriesIncarnation() {
        return Message.Response.class.isAssignableFrom(javaClass);
    }

    /** The type for a wire code, or null if the code is unknown. */
    public static MessageType ofCode(int code) {
        for (MessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * The type of {@code message}.
     *
     * @throws IllegalArgumentException when {@code message} is not something the wire carries
     */
    public static MessageType of(Object message) {
        if (message != null) {
            for (MessageType t : values()) {
                if (t.javaClass == message.getClass()) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("no wire type for " + (message == null ? "null" : message.getClass()));
    }
}
