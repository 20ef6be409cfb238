package raftudp.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static raftudp.wire.RaftHeader.Field;
import static raftudp.wire.WireGen.unhex;

/** Every kind of bad datagram is dropped, counted under its reason, and never throws. */
class WireDropTest {
    private static final WireCodec CODEC = new WireCodec(1, 0, WireLimits.DEFAULT, new WireStats());

    static final byte[] VOTE = one(new Message.VoteRequest(5, 1, 2, 7, 4, false, false));
    static final byte[] APPEND = one(new Message.AppendRequest(3, 0, 2, 5, 2, 4, List.of(
            new Entry(6, 3, Entry.Kind.NORMAL, new byte[]{1, 2, 3}), new Entry(7, 3, Entry.Kind.NOOP, Entry.EMPTY))));
    static final byte[] ACK = one(new Message.AppendResponse(3, 1, 0, true, 9, 0, 0, 77));
    static final byte[] HEARTBEAT_ACK = one(new Message.HeartbeatResponse(3, 1, 0, 0, 77));
    static final byte[] APPEND_ONE = one(new Message.AppendRequest(3, 0, 2, 5, 2, 4, List.of(
            new Entry(6, 3, Entry.Kind.NOOP, Entry.EMPTY))));
    static final byte[] SNAPSHOT = one(new Message.SnapshotChunk(2, 0, 1, 10, 2, 10, 0L, 3, new byte[]{1, 2, 3}, false));
    static final byte[] CLIENT = one(new ClientRequest(5, 1, new Command.Put("k", Value.of(7))));
    static final byte[] NOT_LEADER = one(new ClientResponse(5, 1, ClientResponse.Status.NOT_LEADER, 2, null));
    static final byte[] STATUS = one(new StatusReport(1, "LEADER", 3, 1, 9, 8, 1, 9, Map.of(2, 7L), Map.of("a", 1L)));
    static final byte[] STATUS_REQUEST = one(new StatusRequest());
    static final byte[] FAULT_SET = one(FaultRequest.set(new FaultEntry("10.0.2.2", 1, 5, 0, 0)));
    static final byte[] FAULTS = one(new FaultResponse(1, List.of(new FaultEntry("*", 0, 5, 0, 0))));
    static final String FAULT_SET_BODY = "01 04 0a000202 00000001 00000005 00000000 00000000";
    static final String FAULTS_BODY = "0001 00 00000000 00000005 00000000 00000000";
    static final String APPEND_BODY = "00000002 0000000000000003 01 00000003 010203 0000000000000003 00 00000000";
    static final String STATUS_BODY = "0001 0000000000000008 06 4c4541444552 0001 0002 0000000000000007 0001 01 61 0000000000000001";

    private static byte[] one(Object message) {
        List<byte[]> d = CODEC.encode(message);
        assertEquals(1, d.size());
        return d.get(0);
    }

    /** A copy of {@code d} with one header field overwritten. */
    static byte[] set(byte[] d, Field f, long value) {
        byte[] copy = d.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        for (int i = f.bits() / 8 - 1; i >= 0; i--) {
            b.put(f.offsetBytes() + i, (byte) value);
            value >>>= 8;
        }
        return copy;
    }

    /** The header of {@code template} with another body (and a matching payload length). */
    static byte[] withBody(byte[] template, String bodyHex) {
        byte[] body = unhex(bodyHex);
        byte[] d = Arrays.copyOf(template, 64 + body.length);
        System.arraycopy(body, 0, d, 64, body.length);
        return set(d, Field.PAYLOAD_LENGTH, body.length);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static Stream<Arguments> badHeaders() {
        return Stream.of(
                arguments("empty", new byte[0], DropReason.SHORT),
                arguments("63 bytes", Arrays.copyOf(VOTE, 63), DropReason.SHORT),
                arguments("other magic", set(VOTE, Field.MAGIC, 0x5242), DropReason.BAD_MAGIC),
                arguments("text", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3).getBytes(), DropReason.BAD_MAGIC),
                arguments("version 0", set(VOTE, Field.VERSION, 0), DropReason.BAD_VERSION),
                arguments("version 2", set(VOTE, Field.VERSION, 2), DropReason.BAD_VERSION),
                arguments("type 0", set(VOTE, Field.TYPE, 0), DropReason.UNKNOWN_TYPE),
                arguments("type 10", set(VOTE, Field.TYPE, 10), DropReason.UNKNOWN_TYPE),
                arguments("type 255", set(VOTE, Field.TYPE, 255), DropReason.UNKNOWN_TYPE),
                arguments("payload length beyond the datagram", set(VOTE, Field.PAYLOAD_LENGTH, 1), DropReason.TRUNCATED),
                arguments("append cut short", Arrays.copyOf(APPEND, APPEND.length - 1), DropReason.TRUNCATED),
                arguments("huge payload length", set(APPEND, Field.PAYLOAD_LENGTH, 0xFFFF_FFFFL), DropReason.TRUNCATED),
                arguments("a byte after the payload", concat(VOTE, new byte[1]), DropReason.TRAILING_BYTES),
                arguments("payload length short by one", set(APPEND, Field.PAYLOAD_LENGTH, APPEND.length - 65),
                        DropReason.TRAILING_BYTES),
                arguments("granted on a request", set(VOTE, Field.FLAGS, RaftHeader.FLAG_GRANTED), DropReason.BAD_FLAGS),
                arguments("flag bit 6", set(VOTE, Field.FLAGS, 0x40), DropReason.BAD_FLAGS),
                arguments("AUTH without its trailer", set(VOTE, Field.FLAGS, RaftHeader.FLAG_AUTH), DropReason.TRUNCATED),
                arguments("AUTH to a receiver without a key", concat(set(VOTE, Field.FLAGS, RaftHeader.FLAG_AUTH),
                        new byte[RaftHeader.MAC_BYTES]), DropReason.BAD_MAC),
                arguments("fault request with a time but no AUTH", set(FAULT_SET, Field.INDEX_A, 1_700_000_000_000L),
                        DropReason.BAD_FIELD),
                arguments("pre-vote on an append", set(APPEND, Field.FLAGS, RaftHeader.FLAG_PRE_VOTE), DropReason.BAD_FLAGS),
                arguments("reserved bits", set(VOTE, Field.RESERVED, 1), DropReason.BAD_FIELD),
                arguments("unused index_b", set(VOTE, Field.INDEX_B, 1), DropReason.BAD_FIELD),
                arguments("unused commit", set(VOTE, Field.COMMIT_INDEX, 1), DropReason.BAD_FIELD),
                arguments("term over 2^63-1", set(VOTE, Field.TERM, Long.MIN_VALUE), DropReason.BAD_FIELD),
                arguments("raft source 65535", set(VOTE, Field.SOURCE, 0xFFFF), DropReason.BAD_FIELD),
                arguments("raft destination 65535", set(VOTE, Field.DESTINATION, 0xFFFF), DropReason.BAD_FIELD),
                arguments("client destination a node", set(CLIENT, Field.DESTINATION, 0), DropReason.BAD_FIELD),
                arguments("client seq over 2^63-1", set(CLIENT, Field.INDEX_B, -1), DropReason.BAD_FIELD),
                arguments("client with a term", set(CLIENT, Field.TERM, 1), DropReason.BAD_FIELD),
                arguments("status from no node", set(STATUS, Field.SOURCE, 0xFFFF), DropReason.BAD_FIELD),
                arguments("status request with a term", set(STATUS_REQUEST, Field.TERM, 1), DropReason.BAD_FIELD),
                arguments("fault response from no node", set(FAULTS, Field.SOURCE, 0xFFFF), DropReason.BAD_FIELD),
                arguments("fault request with an index", set(FAULT_SET, Field.INDEX_A, 1), DropReason.BAD_FIELD),
                arguments("fault request to a node", set(FAULT_SET, Field.DESTINATION, 1), DropReason.BAD_FIELD),
                arguments("append response without its incarnation", set(ACK, Field.COMMIT_INDEX, 0),
                        DropReason.BAD_FIELD),
                arguments("heartbeat response without its incarnation", set(HEARTBEAT_ACK, Field.COMMIT_INDEX, 0),
                        DropReason.BAD_FIELD),
                arguments("incarnation over 2^63-1", set(ACK, Field.COMMIT_INDEX, -1), DropReason.BAD_FIELD),
                arguments("chunk count 0", set(VOTE, Field.CHUNK_COUNT, 0), DropReason.BAD_CHUNK),
                arguments("chunk index = count", set(VOTE, Field.CHUNK_INDEX, 1), DropReason.BAD_CHUNK),
                arguments("chunk index > count", set(set(APPEND, Field.CHUNK_COUNT, 3), Field.CHUNK_INDEX, 5),
                        DropReason.BAD_CHUNK),
                arguments("empty chunk of two", set(VOTE, Field.CHUNK_COUNT, 2), DropReason.BAD_CHUNK));
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                arguments("vote with a body", withBody(VOTE, "00"), DropReason.MALFORMED_BODY),
                arguments("members entry of 2 bytes", withBody(APPEND_ONE, "00000001 0000000000000003 02 00000002 0001"),
                        DropReason.MALFORMED_BODY),
                arguments("members entry with incarnation 0", withBody(APPEND_ONE,
                        "00000001 0000000000000003 02 0000000c 0001 0000 0000000000000000"), DropReason.MALFORMED_BODY),
                arguments("members entry with ids out of order", withBody(APPEND_ONE,
                        "00000001 0000000000000003 02 00000016 0002 0001 0000000000000001 0000 0000000000000001"),
                        DropReason.MALFORMED_BODY),
                arguments("members entry with no member", withBody(APPEND_ONE, "00000001 0000000000000003 02 00000002 0000"),
                        DropReason.MALFORMED_BODY),
                arguments("status request with a body", withBody(STATUS_REQUEST, "00"), DropReason.MALFORMED_BODY),
                arguments("fault op 4", withBody(FAULT_SET, "04"), DropReason.MALFORMED_BODY),
                arguments("fault request empty", withBody(FAULT_SET, ""), DropReason.MALFORMED_BODY),
                arguments("fault show with a target", withBody(FAULT_SET, "00 00"), DropReason.MALFORMED_BODY),
                arguments("fault set cut", withBody(FAULT_SET, FAULT_SET_BODY.substring(0, 30)), DropReason.MALFORMED_BODY),
                arguments("fault target length 16", withBody(FAULT_SET, FAULT_SET_BODY.replace("01 04", "01 10")),
                        DropReason.MALFORMED_BODY),
                arguments("fault loss over 100 %", withBody(FAULT_SET, FAULT_SET_BODY.replace("0a000202 00000001",
                        "0a000202 000f4241")), DropReason.MALFORMED_BODY),
                arguments("fault delay + jitter over 10 s", withBody(FAULT_SET, FAULT_SET_BODY.replace(
                        "00000005 00000000 00000000", "00001388 00001389 00000000")), DropReason.MALFORMED_BODY),
                arguments("fault delay 2^32-1", withBody(FAULT_SET, FAULT_SET_BODY.replace(
                        "00000005 00000000 00000000", "ffffffff 00000000 00000000")), DropReason.MALFORMED_BODY),
                arguments("fault response rule all zero", withBody(FAULTS, FAULTS_BODY.replace("00000005", "00000000")),
                        DropReason.MALFORMED_BODY),
                arguments("fault response count lies", withBody(FAULTS, FAULTS_BODY.replace("0001 00", "0002 00")),
                        DropReason.MALFORMED_BODY),
                arguments("fault response repeats a target", withBody(FAULTS, "0002" + FAULTS_BODY.substring(4)
                        + FAULTS_BODY.substring(4)), DropReason.MALFORMED_BODY),
                arguments("fault response out of order", withBody(FAULTS, "0002 04 0a000202 00000000 00000005 00000000"
                        + " 00000000" + FAULTS_BODY.substring(4)), DropReason.MALFORMED_BODY),
                arguments("entry count 2^32-1", withBody(APPEND, "ffffffff" + APPEND_BODY.substring(8)),
                        DropReason.MALFORMED_BODY),
                arguments("entry count 3 for 2", withBody(APPEND, "00000003" + APPEND_BODY.substring(8)),
                        DropReason.MALFORMED_BODY),
                arguments("entry length lies", withBody(APPEND, APPEND_BODY.replace("01 00000003", "01 7fffffff")),
                        DropReason.MALFORMED_BODY),
                arguments("entry kind 7", withBody(APPEND, APPEND_BODY.replace("03 01 00000003", "03 07 00000003")),
                        DropReason.MALFORMED_BODY),
                arguments("entry term 0", withBody(APPEND, APPEND_BODY.replace("0000000000000003 01", "0000000000000000 01")),
                        DropReason.MALFORMED_BODY),
                arguments("index_b not prev + count", set(APPEND, Field.INDEX_B, 8), DropReason.MALFORMED_BODY),
                arguments("prevLogIndex at 2^63-1 with entries", set(set(APPEND, Field.INDEX_A, Long.MAX_VALUE),
                        Field.INDEX_B, 1), DropReason.MALFORMED_BODY),
                arguments("append body trailing byte", withBody(APPEND, APPEND_BODY + "00"), DropReason.MALFORMED_BODY),
                arguments("snapshot data length lies", withBody(SNAPSHOT, "000000000000000a 00000004 010203"),
                        DropReason.MALFORMED_BODY),
                arguments("snapshot data beyond total", withBody(SNAPSHOT, "0000000000000005 00000003 010203"),
                        DropReason.MALFORMED_BODY),
                arguments("snapshot total over 2^63-1", withBody(SNAPSHOT, "8000000000000000 00000003 010203"),
                        DropReason.MALFORMED_BODY),
                arguments("client op 6", withBody(CLIENT, "06 0001 6b"), DropReason.MALFORMED_BODY),
                arguments("client empty key", withBody(CLIENT, "02 0000"), DropReason.MALFORMED_BODY),
                arguments("client key not UTF-8", withBody(CLIENT, "02 0001 ff"), DropReason.MALFORMED_BODY),
                arguments("client value length lies", withBody(CLIENT, "01 0001 6b 03 00000005 00"),
                        DropReason.MALFORMED_BODY),
                arguments("client request trailing byte", withBody(CLIENT, "02 0001 6b 00"), DropReason.MALFORMED_BODY),
                arguments("client status 9", withBody(NOT_LEADER, "09 ffff"), DropReason.MALFORMED_BODY),
                arguments("OK without a result", withBody(NOT_LEADER, "00 ffff"), DropReason.MALFORMED_BODY),
                arguments("NOT_LEADER with a result", withBody(NOT_LEADER, "01 0002 03"), DropReason.MALFORMED_BODY),
                arguments("status body cut", withBody(STATUS, STATUS_BODY.substring(0, 40)), DropReason.MALFORMED_BODY),
                arguments("status empty role", withBody(STATUS, STATUS_BODY.replace("06 4c4541444552", "00")),
                        DropReason.MALFORMED_BODY),
                arguments("status role with a space", withBody(STATUS, STATUS_BODY.replace("06 4c4541444552", "02 4120")),
                        DropReason.MALFORMED_BODY),
                arguments("status applied over 2^63-1", withBody(STATUS, STATUS_BODY.replace("0001 0000000000000008",
                        "0001 8000000000000008")), DropReason.MALFORMED_BODY),
                arguments("status peer 65535", withBody(STATUS, STATUS_BODY.replace("0001 0002 00", "0001 ffff 00")),
                        DropReason.MALFORMED_BODY),
                arguments("status peers out of order", withBody(STATUS, STATUS_BODY.replace("0001 0002 0000000000000007",
                        "0002 0002 0000000000000007 0001 0000000000000007")), DropReason.MALFORMED_BODY),
                arguments("status duplicate counter", withBody(STATUS, STATUS_BODY.replace("0001 01 61 0000000000000001",
                        "0002 01 61 0000000000000001 01 61 0000000000000001")), DropReason.MALFORMED_BODY),
                arguments("status counters out of order", withBody(STATUS, STATUS_BODY.replace("0001 01 61 0000000000000001",
                        "0002 01 62 0000000000000001 01 61 0000000000000001")), DropReason.MALFORMED_BODY),
                arguments("status counter count 65535", withBody(STATUS, STATUS_BODY.replace("0001 01 61", "ffff 01 61")),
                        DropReason.MALFORMED_BODY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"badHeaders", "badBodies"})
    void isDroppedAndCountedUnderItsReason(String name, byte[] datagram, DropReason reason) {
        WireStats stats = new WireStats();
        WireDecoder decoder = new WireDecoder(stats, () -> 0, "test");
        assertTrue(decoder.decode(datagram, "peer").isEmpty(), name);
        assertEquals(1, stats.dropped(reason), name + ": " + stats);
        assertEquals(1, stats.datagramsDropped(), name + ": " + stats);
        assertEquals(1, stats.datagramsReceived());
        assertEquals(0, stats.messagesReceived() + stats.chunksBuffered());
        assertEquals(0, decoder.partialMessages());
    }

    @Test
    void theTemplatesThemselvesDecode() {
        WireStats stats = new WireStats();
        WireDecoder decoder = new WireDecoder(stats, () -> 0, "test");
        for (byte[] d : List.of(VOTE, APPEND, SNAPSHOT, CLIENT, NOT_LEADER, STATUS, STATUS_REQUEST, FAULT_SET, FAULTS,
                withBody(APPEND, APPEND_BODY), withBody(STATUS, STATUS_BODY), withBody(FAULT_SET, FAULT_SET_BODY),
                withBody(FAULTS, FAULTS_BODY))) {
            assertTrue(decoder.decode(d, "peer").isPresent(), WireGen.hex(d));
        }
        assertEquals(0, stats.datagramsDropped());
    }

    @Test
    void aMessageOnAnotherClassPortIsDropped() {
        WireStats stats = new WireStats();
        WireDecoder decoder = new WireDecoder(stats, () -> 0, "test");
        assertTrue(decoder.decode(ByteBuffer.wrap(VOTE), "peer", MessageClass.APPEND).isEmpty());
        assertEquals(1, stats.dropped(DropReason.WRONG_PORT));
        assertTrue(decoder.decode(ByteBuffer.wrap(VOTE), "peer", MessageClass.VOTE).isPresent());
        assertTrue(decoder.decode(ByteBuffer.wrap(STATUS), "peer", MessageClass.CLIENT).isPresent());
    }

    @Test
    void decodingReadsFromThePositionAndLeavesTheBufferAlone() {
        byte[] padded = concat(new byte[]{9, 9, 9}, VOTE);
        ByteBuffer b = ByteBuffer.wrap(padded).position(3);
        WireDecoder decoder = new WireDecoder(new WireStats(), () -> 0, "test");
        assertTrue(decoder.decode(b, "peer", null).isPresent());
        assertEquals(3, b.position());
        assertEquals(padded.length, b.limit());
    }
}
