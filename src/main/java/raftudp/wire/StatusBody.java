package raftudp.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static raftudp.wire.MessageCodec.i64;
import static raftudp.wire.MessageCodec.malformed;
import static raftudp.wire.MessageCodec.u16;
import static raftudp.wire.MessageCodec.u8;

/**
 * The body of a {@link MessageType#STATUS_RESPONSE} (the header carries node id, term,
 * first and last log index and commit index):
 * <pre>
 * leaderId:u16 (0xFFFF none), appliedIndex:u64, roleLen:u8, role,
 * peerCount:u16, peerCount x (peerId:u16, matchIndex:u64)       ascending peerId
 * counterCount:u16, counterCount x (nameLen:u8, name, value:i64) ascending name
 * </pre>
 */
final class StatusBody {
    private static final int PEER_BYTES = 2 + 8;
    private static final int COUNTER_BYTES_MIN = 1 + 1 + 8;

    private StatusBody() {
    }

    static byte[] encode(StatusReport s) {
        int size = 2 + 8 + 1 + s.role().length() + 2 + s.matchIndex().size() * PEER_BYTES + 2;
        for (String name : s.counters().keySet()) {
            size = Math.addExact(size, 1 + name.length() + 8);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putShort((short) MessageCodec.nodeOrNone(s.leaderId())).putLong(s.appliedIndex());
        putName(out, s.role());
        out.putShort((short) s.matchIndex().size());
        for (Map.Entry<Integer, Long> e : s.matchIndex().entrySet()) {
            out.putShort((short) (int) e.getKey()).putLong(e.getValue());
        }
        out.putShort((short) s.counters().size());
        for (Map.Entry<String, Long> e : s.counters().entrySet()) {
            putName(out, e.getKey());
            out.putLong(e.getValue());
        }
        return MessageCodec.full(out);
    }

    private static void putName(ByteBuffer out, String name) {
        out.put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
    }

    static StatusReport decode(RaftHeader h, ByteBuffer in) {
        int leader = u16(in, "leader id");
        long applied = i64(in, "applied index");
        if (applied < 0) {
            throw malformed("applied index " + Long.toUnsignedString(applied) + " exceeds 2^63-1");
        }
        String role = name(in, "role");
        int peers = u16(in, "peer count");
        if (peers > in.remaining() / PEER_BYTES) {
            throw malformed("peer count " + peers + " exceeds what " + in.remaining() + " bytes can hold");
        }
        Map<Integer, Long> match = new TreeMap<>();
        int lastPeer = -1;
        for (int i = 0; i < peers; i++) {
            int id = u16(in, "peer id");
            long index = i64(in, "match index");
            if (id <= lastPeer || id > RaftHeader.NODE_ID_MAX || index < 0) {
                throw malformed("peer " + i + ": id " + id + " (after " + lastPeer + "), match index " + index);
            }
            match.put(id, index);
            lastPeer = id;
        }
        int count = u16(in, "counter count");
        if (count > in.remaining() / COUNTER_BYTES_MIN) {
            throw malformed("counter count " + count + " exceeds what " + in.remaining() + " bytes can hold");
        }
        Map<String, Long> counters = new TreeMap<>();
        String lastName = null;
        for (int i = 0; i < count; i++) {
            String name = name(in, "counter name");
            if (lastName != null && name.compareTo(lastName) <= 0) {
                throw malformed("counter " + name + " does not follow " + lastName + " in ascending order");
            }
            counters.put(name, i64(in, "counter value"));
            lastName = name;
        }
        return new StatusReport(h.source(), role, h.term(), leader == RaftHeader.NO_NODE ? -1 : leader,
                h.commitIndex(), applied, h.indexA(), h.indexB(), match, counters);
    }

    /** nameLen:u8 then that many ASCII characters of [A-Za-z0-9._-]. */
    private static String name(ByteBuffer in, String what) {
        int n = u8(in, what + " length");
        byte[] b = MessageCodec.bytes(in, n, what);
        String s = new String(b, StandardCharsets.US_ASCII);
        String problem = StatusReport.nameProblem(s);
        if (problem != null) {
            throw malformed(what + ": " + problem);
        }
        return s;
    }
}
