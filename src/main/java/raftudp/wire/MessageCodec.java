package raftudp.wire;

import raftudp.core.Entry;
import raftudp.core.Membership;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.KvCodec;
import raftudp.kv.Result;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static raftudp.wire.RaftHeader.FLAG_AUTH;
import static raftudp.wire.RaftHeader.FLAG_DONE;
import static raftudp.wire.RaftHeader.FLAG_GRANTED;
import static raftudp.wire.RaftHeader.FLAG_LAST;
import static raftudp.wire.RaftHeader.FLAG_PRE_VOTE;
import static raftudp.wire.RaftHeader.FLAG_SUCCESS;
import static raftudp.wire.RaftHeader.FLAG_TRANSFER;
import static raftudp.wire.RaftHeader.NO_NODE;

/**
 * Maps each message onto header fields and a body ({@link #frame}) and back ({@link #decode}).
 * The mapping of every type is written once here, in both directions; the layouts are in
 * {@code docs/wire-format.md}.
 */
final class MessageCodec {
    /** Smallest encoded entry: term, kind, data length. */
    static final int ENTRY_BYTES_MIN = 8 + 1 + 4;
    /** Largest snapshot checksum: a CRC32C is a u32. */
    static final long CHECKSUM_MAX = 0xFFFF_FFFFL;
    private static final RaftHeader.Field[] LONG_FIELDS = {RaftHeader.Field.TERM, RaftHeader.Field.INDEX_A,
        RaftHeader.Field.INDEX_B, RaftHeader.Field.LOG_TERM, RaftHeader.Field.COMMIT_INDEX};

    private MessageCodec() {
    }

    // ---------------------------------------------------------------- encode

    /**
     * The frame of {@code m}. Raft messages name their own source and destination; the
     * others come from {@code selfId} (a {@link StatusReport} from its node id) and go to
     * {@link RaftHeader#NO_NODE}. With {@code auth} the frame carries {@link RaftHeader#FLAG_AUTH}.
     *
     * @throws IllegalArgumentException when {@code m} cannot be represented
     */
    static Frame frame(Object m, int selfId, boolean auth) {
        Frame f = raftFrame(m);
        if (f == null) {
            f = clientFrame(m, selfId);
        }
        if (auth) {
            f = f.withFlags(f.flags() | FLAG_AUTH);
        }
        try {
            checkHeader(f.header(0, 0, 1, f.body().length), f.type());
        } catch (WireFormatException e) {
            throw new IllegalArgumentException("cannot encode " + m + ": " + e.getMessage());
        }
        return f;
    }

    private static Frame raftFrame(Object m) {
        if (m instanceof Message.VoteRequest v) {
            return new Frame(MessageType.VOTE_REQUEST, flag(v.preVote(), FLAG_PRE_VOTE) | flag(v.transfer(), FLAG_TRANSFER),
                    v.from(), v.to(), v.term(), v.lastLogIndex(), 0, v.lastLogTerm(), 0, Frame.NO_BODY);
        } else if (m instanceof Message.VoteResponse v) {
            return new Frame(MessageType.VOTE_RESPONSE, flag(v.preVote(), FLAG_PRE_VOTE) | flag(v.granted(), FLAG_GRANTED),
                    v.from(), v.to(), v.term(), 0, 0, 0, v.incarnation(), Frame.NO_BODY);
        } else if (m instanceof Message.AppendRequest a) {
            return new Frame(MessageType.APPEND_REQUEST, 0, a.from(), a.to(), a.term(), a.prevLogIndex(),
                    a.lastIndex(), a.prevLogTerm(), a.leaderCommit(), entriesBody(a));
        } else if (m instanceof Message.AppendResponse r) {
            return new Frame(MessageType.APPEND_RESPONSE, flag(r.success(), FLAG_SUCCESS), r.from(), r.to(), r.term(),
                    r.index(), r.conflictIndex(), r.conflictTerm(), r.incarnation(), Frame.NO_BODY);
        } else if (m instanceof Message.Heartbeat h) {
            return new Frame(MessageType.HEARTBEAT, 0, h.from(), h.to(), h.term(), h.readContext(), h.incarnation(), 0,
                    h.commit(), Frame.NO_BODY);
        } else if (m instanceof Message.HeartbeatResponse h) {
            return new Frame(MessageType.HEARTBEAT_RESPONSE, 0, h.from(), h.to(), h.term(), h.readContext(), 0, 0,
                    h.incarnation(), Frame.NO_BODY);
        } else if (m instanceof Message.SnapshotChunk c) {
            return new Frame(MessageType.SNAPSHOT_CHUNK, flag(c.last(), FLAG_LAST), c.from(), c.to(), c.term(),
                    c.snapshotIndex(), c.offset(), c.snapshotTerm(), c.checksum(), snapshotBody(c));
        } else if (m instanceof Message.SnapshotResponse r) {
            return new Frame(MessageType.SNAPSHOT_RESPONSE, flag(r.done(), FLAG_DONE), r.from(), r.to(), r.term(),
                    r.snapshotIndex(), r.nextOffset(), 0, r.incarnation(), Frame.NO_BODY);
        } else if (m instanceof Message.TimeoutNow t) {
            return new Frame(MessageType.TIMEOUT_NOW, 0, t.from(), t.to(), t.term(), 0, 0, 0, 0, Frame.NO_BODY);
        }
        return null;
    }

    private static Frame clientFrame(Object m, int selfId) {
        if (m instanceof ClientRequest r) {
            ByteBuffer body = ByteBuffer.allocate(KvCodec.commandSize(r.command()));
            KvCodec.writeCommand(body, r.command());
            return new Frame(MessageType.CLIENT_REQUEST, 0, selfId, NO_NODE, 0, r.clientId(), r.seq(), 0, 0,
                    full(body));
        } else if (m instanceof ClientResponse r) {
            return new Frame(MessageType.CLIENT_RESPONSE, 0, selfId, NO_NODE, 0, r.clientId(), r.seq(), 0, 0,
                    clientResponseBody(r));
        } else if (m instanceof StatusRequest) {
            return new Frame(MessageType.STATUS_REQUEST, 0, selfId, NO_NODE, 0, 0, 0, 0, 0, Frame.NO_BODY);
        } else if (m instanceof StatusReport s) {
            return new Frame(MessageType.STATUS_RESPONSE, 0, s.nodeId(), NO_NODE, s.term(), s.firstLogIndex(),
                    s.lastLogIndex(), 0, s.commitIndex(), StatusBody.encode(s));
        } else if (m instanceof FaultRequest r) {
            return new Frame(MessageType.FAULT_REQUEST, 0, selfId, NO_NODE, 0, r.issuedAtMs(), 0, 0, 0,
                    FaultBody.encode(r));
        } else if (m instanceof FaultResponse r) {
            return new Frame(MessageType.FAULT_RESPONSE, 0, r.nodeId(), NO_NODE, 0, 0, 0, 0, 0, FaultBody.encode(r));
        } else if (m instanceof ErrorResponse e) {
            return new Frame(MessageType.ERROR_RESPONSE, 0, e.nodeId(), NO_NODE, 0, 0, 0, 0, 0, ErrorResponse.encode(e));
        }
        throw new IllegalArgumentException("no wire type for " + (m == null ? "null" : m.getClass()));
    }

    private static int flag(boolean set, int bit) {
        return set ? bit : 0;
    }

    /** count:u32, then per entry term:u64, kind:u8, dataLen:u32, data. Indexes are implicit. */
    private static byte[] entriesBody(Message.AppendRequest a) {
        int size = 4;
        long expected = a.prevLogIndex();
        for (Entry e : a.entries()) {
            expected++;
            if (e.index() != expected) {
                throw new IllegalArgumentException("entries must follow prevLogIndex " + a.prevLogIndex()
                        + " without gaps; found index " + e.index() + " where " + expected + " belongs");
            }
            size = Math.addExact(size, Math.addExact(ENTRY_BYTES_MIN, e.data().length));
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(a.entries().size());
        for (Entry e : a.entries()) {
            body.putLong(e.term()).put((byte) e.kind().code).putInt(e.data().length).put(e.data());
        }
        return full(body);
    }

    /** totalBytes:u64, dataLen:u32, data. */
    private static byte[] snapshotBody(Message.SnapshotChunk c) {
        if (c.totalBytes() < 0 || c.offset() < 0 || c.data().length > c.totalBytes() - c.offset()) {
            throw new IllegalArgumentException("chunk exceeds its snapshot: " + c);
        }
        if (c.checksum() < 0 || c.checksum() > CHECKSUM_MAX) {
            throw new IllegalArgumentException("snapshot checksum " + c.checksum() + " is not a CRC32C value");
        }
        ByteBuffer body = ByteBuffer.allocate(Math.addExact(8 + 4, c.data().length));
        body.putLong(c.totalBytes()).putInt(c.data().length).put(c.data());
        return full(body);
    }

    /** status:u8, leaderHint:u16, then a result when the status is OK. */
    private static byte[] clientResponseBody(ClientResponse r) {
        boolean ok = r.status() == ClientResponse.Status.OK;
        if (ok != (r.result() != null)) {
            throw new IllegalArgumentException("a result goes with status OK and only with it: " + r);
        }
        if (r.leaderHint() < -1 || r.leaderHint() > RaftHeader.NODE_ID_MAX) {
            throw new IllegalArgumentException("leaderHint " + r.leaderHint() + " outside -1..65534");
        }
        ByteBuffer body = ByteBuffer.allocate(3 + (ok ? KvCodec.resultSize(r.result()) : 0));
        body.put((byte) r.status().code).putShort((short) nodeOrNone(r.leaderHint()));
        if (ok) {
            KvCodec.writeResult(body, r.result());
        }
        return full(body);
    }

    /** A node id, or -1 as {@link RaftHeader#NO_NODE}. */
    static int nodeOrNone(int id) {
        return id < 0 ? NO_NODE : id;
    }

    /** The array of a buffer that must be exactly full. */
    static byte[] full(ByteBuffer body) {
        if (body.hasRemaining()) {
            throw new IllegalStateException("body size mismatch: " + body.remaining() + " bytes unwritten");
        }
        return body.array();
    }

    // ---------------------------------------------------------------- header rules

    /**
     * The checks every chunk's header passes before its body is looked at: reserved bits,
     * flags, unused and out-of-range fields, node ids. {@link RaftHeader#FLAG_AUTH} is allowed
     * on every type (whether the MAC is right is the decoder's business, checked before this).
     *
     * @throws WireFormatException with {@link DropReason#BAD_FLAGS} or {@link DropReason#BAD_FIELD}
     */
    static void checkHeader(RaftHeader h, MessageType t) {
        boolean auth = (h.flags() & FLAG_AUTH) != 0;
        if ((h.flags() & ~(t.flagsAllowed() | FLAG_AUTH)) != 0) {
            throw new WireFormatException(DropReason.BAD_FLAGS, "flags 0x" + Integer.toHexString(h.flags())
                    + " not allowed for " + t + " (allowed 0x" + Integer.toHexString(t.flagsAllowed()) + ")");
        }
        if (h.reserved() != 0) {
            throw badField("reserved bits set: 0x" + Integer.toHexString(h.reserved()));
        }
        boolean clientIdField = t == MessageType.CLIENT_REQUEST || t == MessageType.CLIENT_RESPONSE;
        boolean issuedAtField = auth && t == MessageType.FAULT_REQUEST; // index_a: the sender's clock (§10.4)
        boolean requestTimeField = auth && t == MessageType.CLIENT_REQUEST; // log_term: the sender's clock (§10.5)
        for (RaftHeader.Field f : LONG_FIELDS) {
            long v = h.get(f);
            if (!(t.fieldsUsed().contains(f) || (issuedAtField && f == RaftHeader.Field.INDEX_A)
                    || (requestTimeField && f == RaftHeader.Field.LOG_TERM))) {
                if (v != 0) {
                    String unless = t == MessageType.FAULT_REQUEST && f == RaftHeader.Field.INDEX_A
                            || t == MessageType.CLIENT_REQUEST && f == RaftHeader.Field.LOG_TERM
                            ? " without the AUTH flag" : "";
                    throw badField(f.p4Name() + " is unused by " + t + unless + " but holds " + Long.toUnsignedString(v));
                }
            } else if (v < 0 && !(clientIdField && f == RaftHeader.Field.INDEX_A)) {
                throw badField(f.p4Name() + " " + Long.toUnsignedString(v) + " exceeds 2^63-1");
            }
        }
        if (t == MessageType.SNAPSHOT_CHUNK && Long.compareUnsigned(h.commitIndex(), CHECKSUM_MAX) > 0) {
            throw badField("snapshot checksum " + Long.toUnsignedString(h.commitIndex()) + " exceeds 2^32-1");
        }
        if (t.carriesIncarnation() && h.commitIndex() == 0) {
            throw badField(t + " must carry its sender's incarnation in commit_index, not 0");
        }
        if (t.isRaft() || t == MessageType.STATUS_RESPONSE || t == MessageType.FAULT_RESPONSE
                || t == MessageType.ERROR_RESPONSE) {
            if (h.source() < 0 || h.source() > RaftHeader.NODE_ID_MAX) {
                throw badField("source must be a node id, got " + h.source());
            }
        }
        if (t.isRaft() ? h.destination() < 0 || h.destination() > RaftHeader.NODE_ID_MAX : h.destination() != NO_NODE) {
            throw badField("destination " + h.destination() + " invalid for " + t);
        }
    }

    private static WireFormatException badField(String detail) {
        return new WireFormatException(DropReason.BAD_FIELD, detail);
    }

    // ---------------------------------------------------------------- decode

    /**
     * The message a checked header and its whole body make.
     *
     * @throws WireFormatException with {@link DropReason#MALFORMED_BODY}
     */
    static Object decode(RaftHeader h, MessageType t, ByteBuffer body) {
        Object m;
        try {
            m = decodeBody(h, t, body);
        } catch (KvCodec.MalformedException e) {
            throw malformed(e.getMessage());
        }
        if (body.hasRemaining()) {
            throw malformed(body.remaining() + " trailing bytes after the " + t + " body");
        }
        return m;
    }

    private static Object decodeBody(RaftHeader h, MessageType t, ByteBuffer body) {
        boolean pre = (h.flags() & FLAG_PRE_VOTE) != 0;
        switch (t) {
            case VOTE_REQUEST:
                return new Message.VoteRequest(h.term(), h.source(), h.destination(), h.indexA(), h.logTerm(), pre,
                        (h.flags() & FLAG_TRANSFER) != 0);
            case VOTE_RESPONSE:
                return new Message.VoteResponse(h.term(), h.source(), h.destination(),
                        (h.flags() & FLAG_GRANTED) != 0, pre, h.commitIndex());
            case APPEND_REQUEST:
                return new Message.AppendRequest(h.term(), h.source(), h.destination(), h.indexA(), h.logTerm(),
                        h.commitIndex(), readEntries(h, body));
            case APPEND_RESPONSE:
                return new Message.AppendResponse(h.term(), h.source(), h.destination(),
                        (h.flags() & FLAG_SUCCESS) != 0, h.indexA(), h.logTerm(), h.indexB(), h.commitIndex());
            case HEARTBEAT:
                return new Message.Heartbeat(h.term(), h.source(), h.destination(), h.commitIndex(), h.indexA(),
                        h.indexB());
            case HEARTBEAT_RESPONSE:
                return new Message.HeartbeatResponse(h.term(), h.source(), h.destination(), h.indexA(),
                        h.commitIndex());
            case SNAPSHOT_CHUNK:
                return readSnapshotChunk(h, body);
            case SNAPSHOT_RESPONSE:
                return new Message.SnapshotResponse(h.term(), h.source(), h.destination(), h.indexA(), h.indexB(),
                        (h.flags() & FLAG_DONE) != 0, h.commitIndex());
            case TIMEOUT_NOW:
                return new Message.TimeoutNow(h.term(), h.source(), h.destination());
            case CLIENT_REQUEST:
                return new ClientRequest(h.indexA(), h.indexB(), KvCodec.readCommand(body));
            case CLIENT_RESPONSE:
                return readClientResponse(h, body);
            case STATUS_REQUEST:
                return new StatusRequest();
            case STATUS_RESPONSE:
                return StatusBody.decode(h, body);
            case FAULT_REQUEST:
                return FaultBody.decodeRequest(body).issuedAt(h.indexA());
            case FAULT_RESPONSE:
                return FaultBody.decodeResponse(h, body);
            case ERROR_RESPONSE:
                return ErrorResponse.decode(h, body);
            default:
                throw new IllegalStateException("no decoder for " + t);
        }
    }

    private static List<Entry> readEntries(RaftHeader h, ByteBuffer body) {
        long count = u32(body, "entry count");
        if (count > body.remaining() / ENTRY_BYTES_MIN) {
            throw malformed("entry count " + count + " exceeds what " + body.remaining() + " bytes can hold");
        }
        if (h.indexA() > Long.MAX_VALUE - count || h.indexA() + count != h.indexB()) {
            throw malformed("index_b " + h.indexB() + " is not prevLogIndex " + h.indexA() + " + " + count + " entries");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            long term = i64(body, "entry term");
            int kindCode = u8(body, "entry kind");
            byte[] data = bytes(body, u32(body, "entry data length"), "entry data");
            Entry.Kind kind = Entry.Kind.ofCode(kindCode);
            if (kind == null || term < 1) {
                throw malformed("entry " + i + ": kind " + kindCode + ", term " + term);
            }
            if (kind == Entry.Kind.MEMBERS) {
                try {
                    Membership.decode(data);
                } catch (IllegalArgumentException e) {
                    throw malformed("entry " + i + ": members: " + e.getMessage());
                }
            }
            entries.add(new Entry(h.indexA() + 1 + i, term, kind, data));
        }
        return entries;
    }

    private static Message.SnapshotChunk readSnapshotChunk(RaftHeader h, ByteBuffer body) {
        long total = i64(body, "snapshot total bytes");
        byte[] data = bytes(body, u32(body, "snapshot data length"), "snapshot data");
        if (total < 0 || data.length > total - h.indexB()) {
            throw malformed("chunk of " + data.length + " bytes at offset " + h.indexB() + " exceeds the snapshot's "
                    + Long.toUnsignedString(total) + " bytes");
        }
        return new Message.SnapshotChunk(h.term(), h.source(), h.destination(), h.indexA(), h.logTerm(), total,
                h.commitIndex(),
                h.indexB(), data, (h.flags() & FLAG_LAST) != 0);
    }

    private static ClientResponse readClientResponse(RaftHeader h, ByteBuffer body) {
        int code = u8(body, "client status");
        ClientResponse.Status status = ClientResponse.Status.ofCode(code);
        if (status == null) {
            throw malformed("unknown client status " + code);
        }
        int hint = u16(body, "leader hint");
        Result result = status == ClientResponse.Status.OK ? KvCodec.readResult(body) : null;
        return new ClientResponse(h.indexA(), h.indexB(), status, hint == NO_NODE ? -1 : hint, result);
    }

    // ---------------------------------------------------------------- primitives (big-endian)

    static WireFormatException malformed(String detail) {
        return new WireFormatException(DropReason.MALFORMED_BODY, detail);
    }

    private static void need(ByteBuffer in, long n, String what) {
        if (in.remaining() < n) {
            throw malformed("truncated " + what + ": need " + n + " bytes, " + in.remaining() + " remain");
        }
    }

    static int u8(ByteBuffer in, String what) {
        need(in, 1, what);
        return in.get() & 0xFF;
    }

    static int u16(ByteBuffer in, String what) {
        need(in, 2, what);
        return in.getShort() & 0xFFFF;
    }

    static long u32(ByteBuffer in, String what) {
        need(in, 4, what);
        return in.getInt() & 0xFFFF_FFFFL;
    }

    static long i64(ByteBuffer in, String what) {
        need(in, 8, what);
        return in.getLong();
    }

    /** The next {@code n} bytes, copied, after checking they are there. */
    static byte[] bytes(ByteBuffer in, long n, String what) {
        need(in, n, what);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }
}
