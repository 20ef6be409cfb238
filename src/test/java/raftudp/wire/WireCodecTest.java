package raftudp.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireCodecTest {
    static final byte[] MIB = new byte[1 << 20];

    static {
        new Random(1).nextBytes(MIB);
    }

    private final WireStats stats = new WireStats();
    private final WireCodec codec = new WireCodec(1, 100, WireLimits.DEFAULT, stats);
    private final WireDecoder decoder = new WireDecoder(stats, () -> 0, "test");

    static Stream<Object> messages() {
        ClientRequest put = new ClientRequest(0, 0, new Command.Put("k", Value.of(0)));
        return Stream.of(
                new Message.VoteRequest(0, 0, 0, 0, 0, false, false),
                new Message.VoteRequest(Long.MAX_VALUE, 65534, 65534, Long.MAX_VALUE, Long.MAX_VALUE, true, true),
                new Message.VoteResponse(3, 1, 0, true, false, 1),
                new Message.VoteResponse(3, 1, 0, false, true, Long.MAX_VALUE),
                new Message.AppendRequest(2, 0, 1, 0, 0, 0, List.of()),
                new Message.AppendRequest(2, 0, 1, 4, 1, 3, List.of(new Entry(5, 2, Entry.Kind.NOOP, Entry.EMPTY))),
                new Message.AppendRequest(2, 0, 1, 4, 1, 3, List.of(new Entry(5, 2, Entry.Kind.MEMBERS,
                        new raftudp.core.Membership(Map.of(0, 1L, 1, Long.MAX_VALUE)).encode()))),
                new Message.AppendRequest(2, 0, 1, 4, 1, 3, List.of(new Entry(5, 2, Entry.Kind.NORMAL, Entry.EMPTY),
                        new Entry(6, 2, Entry.Kind.NORMAL, new byte[]{0}))),
                new Message.AppendResponse(2, 1, 0, true, 9, 0, 0, 0x1234),
                new Message.AppendResponse(2, 1, 0, false, 9, 3, 7, 5),
                new Message.Heartbeat(4, 0, 2, 11, 0, 0),
                new Message.Heartbeat(4, 0, 2, 11, 77, 0x0abc_def0_1234_5678L),
                new Message.HeartbeatResponse(4, 2, 0, 77, 9),
                new Message.SnapshotChunk(5, 0, 2, 100, 4, 0, 0L, 0, new byte[0], true),
                new Message.SnapshotChunk(5, 0, 2, 100, 4, 10, 0L, 3, new byte[]{1, 2, 3}, false),
                new Message.SnapshotResponse(5, 2, 0, 100, 6, false, 3),
                new Message.SnapshotResponse(5, 2, 0, 100, 10, true, 4),
                new Message.TimeoutNow(6, 0, 1),
                put,
                new ClientRequest(-1, 5, new Command.Put("k", Value.of(""))),
                new ClientRequest(Long.MIN_VALUE, Long.MAX_VALUE, new Command.Put("k", Value.of(new byte[0]))),
                new ClientRequest(9, 1, new Command.Cas("k", null, Value.of(0))),
                new ClientRequest(9, 2, new Command.Append("list", Value.of("é"))),
                new ClientRequest(9, 3, new Command.Get("k")),
                new ClientRequest(9, 4, new Command.Delete("k")),
                ClientResponse.ok(put, new Result.Ok(null)),
                ClientResponse.ok(put, new Result.Found(new Value.ListValue(List.of(Value.of(0), Value.of(""))))),
                ClientResponse.ok(put, new Result.NotFound()),
                ClientResponse.ok(put, new Result.Appended(0)),
                ClientResponse.notLeader(put, -1),
                ClientResponse.notLeader(put, 65534),
                ClientResponse.retry(put, 2),
                new StatusRequest(),
                new StatusReport(0, "FOLLOWER", 0, -1, 0, 0, 0, 0, Map.of(), Map.of()),
                new StatusReport(65534, "LEADER", 9, 65534, 5, 5, 1, 5, Map.of(1, 5L, 2, 0L),
                        Map.of("drop.BAD_MAGIC", 3L, "rx.HEARTBEAT", Long.MAX_VALUE, "neg", -1L)),
                FaultRequest.show(),
                FaultRequest.clearAll(),
                FaultRequest.clear("*"),
                FaultRequest.clear("255.255.255.255"),
                FaultRequest.set(new FaultEntry("10.0.2.2", 50_000, 5, 1, 10_000)),
                FaultRequest.set(new FaultEntry("*", FaultEntry.PPM_MAX, 0, FaultEntry.DELAY_MS_MAX, FaultEntry.PPM_MAX)),
                FaultRequest.set(FaultEntry.none("0.0.0.0")),
                new FaultResponse(0, List.of()),
                FaultResponse.of(65534, List.of(new FaultEntry("10.0.3.3", 0, 5, 0, 0),
                        new FaultEntry("*", 1, 0, 0, 0), new FaultEntry("10.0.2.2", 0, 0, 0, 1))));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageRoundTripsAndReencodesToTheSameBytes(Object message) {
        List<byte[]> datagrams = codec.encode(message);
        assertEquals(1, datagrams.size());
        WireDecoder.Received r = decoder.decode(datagrams.get(0), "peer").orElseThrow();
        assertEquals(message, r.message());
        assertEquals(MessageType.of(message), r.type());
        assertEquals(100, r.messageId());
        List<byte[]> again = new WireCodec(r.sourceId() == RaftHeader.NO_NODE ? 1 : r.sourceId(), 100,
                WireLimits.DEFAULT, new WireStats()).encode(r.message());
        assertArrayEquals(datagrams.get(0), again.get(0), "canonical: one message, one encoding");
        assertEquals(1, stats.received(r.type()));
        assertEquals(1, stats.sent(r.type()));
        assertEquals(0, stats.datagramsDropped());
    }

    @Test
    void clientMessagesCarryTheEncodersIdAsSource() {
        WireCodec client = new WireCodec(RaftHeader.NO_NODE, 0, WireLimits.DEFAULT, stats);
        byte[] d = client.encode(new StatusRequest()).get(0);
        WireDecoder.Received r = decoder.decode(d, "client").orElseThrow();
        assertEquals(RaftHeader.NO_NODE, r.sourceId());
        assertEquals(RaftHeader.NO_NODE, r.destinationId());
        assertEquals("client", r.origin());
        assertEquals(65534, new WireDecoder(new WireStats(), () -> 0, "t")
                .decode(codec.encode(new Message.TimeoutNow(1, 65534, 3)).get(0), null).orElseThrow().sourceId());
    }

    @Test
    void aOneMebibyteValueRoundTripsInEthernetSizedChunks() {
        ClientRequest r = new ClientRequest(7, 1, new Command.Put("big", Value.of(MIB)));
        List<byte[]> datagrams = codec.encode(r);
        int chunk = 1472 - 64;
        assertEquals((MIB.length + 17 + chunk - 1) / chunk, datagrams.size()); // body: op, key, tag, length, bytes
        assertEquals(MessageType.CLIENT_REQUEST, deliverAll(datagrams).type());
        assertEquals(r, lastDelivered);
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i);
            assertTrue(d.length <= 1472);
            if (i < datagrams.size() - 1) {
                assertEquals(1472, d.length, "every chunk but the last is full");
            }
        }
        ClientResponse answer = ClientResponse.ok(r, new Result.Found(Value.of(MIB)));
        deliverAll(codec.encode(answer));
        assertEquals(answer, lastDelivered);
    }

    @Test
    void aOneMebibyteSnapshotRoundTripsAsOneChunkAndAsSixteen() {
        Message.SnapshotChunk whole = new Message.SnapshotChunk(3, 0, 1, 500, 3, MIB.length, 0L, 0, MIB, true);
        deliverAll(codec.encode(whole));
        assertEquals(whole, lastDelivered);
        int part = MIB.length / 16;
        for (int i = 0; i < 16; i++) {
            Message.SnapshotChunk c = new Message.SnapshotChunk(3, 0, 1, 500, 3, MIB.length, 0L, (long) i * part,
                    Arrays.copyOfRange(MIB, i * part, (i + 1) * part), i == 15);
            deliverAll(codec.encode(c));
            assertEquals(c, lastDelivered);
        }
        assertEquals(17, stats.received(MessageType.SNAPSHOT_CHUNK));
    }

    @Test
    void aBigAppendReassemblesFromShuffledAndDuplicatedChunksExactlyOnce() {
        List<Entry> entries = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 1; i <= 100; i++) {
            byte[] data = new byte[random.nextInt(600)];
            random.nextBytes(data);
            entries.add(new Entry(40 + i, 3, i % 10 == 0 ? Entry.Kind.NOOP : Entry.Kind.NORMAL, i % 10 == 0 ? Entry.EMPTY : data));
        }
        Message.AppendRequest a = new Message.AppendRequest(3, 0, 2, 40, 2, 35, entries);
        List<byte[]> datagrams = codec.encode(a);
        assertTrue(datagrams.size() > 10, "split: " + datagrams.size());
        List<byte[]> arrival = new ArrayList<>(datagrams);
        arrival.addAll(datagrams.subList(0, 5)); // duplicates
        Collections.shuffle(arrival, random);
        int delivered = 0;
        for (byte[] d : arrival) {
            Optional<WireDecoder.Received> r = decoder.decode(d, "leader");
            if (r.isPresent()) {
                assertEquals(a, r.get().message());
                delivered++;
            }
        }
        assertEquals(1, delivered);
        assertEquals(5, stats.dropped(DropReason.DUPLICATE_CHUNK) + stats.dropped(DropReason.LATE_CHUNK));
        assertEquals(datagrams.size() - 1, stats.chunksBuffered());
        assertEquals(0, decoder.partialMessages());
        assertEquals(0, decoder.reassemblyBytes());
    }

    @Test
    void chunksOfTheSameMessageIdFromTwoOriginsDoNotMix() {
        WireCodec other = new WireCodec(1, 100, WireLimits.DEFAULT, new WireStats()); // same ids on purpose
        Message.SnapshotChunk x = new Message.SnapshotChunk(1, 1, 0, 9, 1, 3000, 0L, 0, Arrays.copyOf(MIB, 3000), true);
        Message.SnapshotChunk y = new Message.SnapshotChunk(1, 1, 0, 9, 1, 3000, 0L, 0, Arrays.copyOfRange(MIB, 5, 3005), true);
        List<byte[]> dx = codec.encode(x);
        List<byte[]> dy = other.encode(y);
        assertEquals(3, dx.size());
        List<Object> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            decoder.decode(dx.get(i), "x").ifPresent(r -> got.add(r.message()));
            decoder.decode(dy.get(i), "y").ifPresent(r -> got.add(r.message()));
        }
        assertEquals(List.of(x, y), got);
    }

    @Test
    void chunksCarryTheFullHeaderAndDifferOnlyInIndexAndLength() {
        List<byte[]> datagrams = codec.encode(new ClientRequest(1, 1, new Command.Put("k", Value.of(MIB))), 9000);
        RaftHeader first = RaftHeader.read(ByteBuffer.wrap(datagrams.get(0)));
        for (int i = 0; i < datagrams.size(); i++) {
            RaftHeader h = RaftHeader.read(ByteBuffer.wrap(datagrams.get(i)));
            assertEquals(i, h.chunkIndex());
            assertEquals(datagrams.size(), h.chunkCount());
            assertEquals(datagrams.get(i).length - 64, h.payloadLength());
            assertEquals(first.forChunk(i, (int) h.payloadLength()), h);
        }
    }

    @Test
    void messageIdsCountUpAndWrapAround() {
        WireCodec c = new WireCodec(0, -1, WireLimits.DEFAULT, stats);
        RaftHeader a = RaftHeader.read(ByteBuffer.wrap(c.encode(new StatusRequest()).get(0)));
        RaftHeader b = RaftHeader.read(ByteBuffer.wrap(c.encode(new StatusRequest()).get(0)));
        assertEquals(0xFFFF_FFFF, a.messageId());
        assertEquals(0, b.messageId());
        assertEquals(1, c.nextMessageId());
    }

    @Test
    void encodingRejectsWhatCannotBeRepresented() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Message.TimeoutNow(-1, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Message.TimeoutNow(1, 65535, 1)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Message.TimeoutNow(1, 0, -1)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Message.AppendRequest(1, 0, 1, 5, 1, 0,
                List.of(new Entry(7, 1, Entry.Kind.NORMAL, Entry.EMPTY)))), "entries must follow prevLogIndex");
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Message.SnapshotChunk(1, 0, 1, 1, 1, 2, 0L, 0,
                new byte[3], true)), "a chunk larger than its snapshot");
        ClientRequest r = new ClientRequest(1, 1, new Command.Get("k"));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(
                new ClientResponse(1, 1, ClientResponse.Status.OK, -1, null)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(
                new ClientResponse(1, 1, ClientResponse.Status.RETRY, -1, new Result.NotFound())));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(ClientResponse.notLeader(r, 65535)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode("hello"));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(r, 64));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(r, 65508));
        assertThrows(IllegalArgumentException.class, () -> new WireCodec(-1, 0, WireLimits.DEFAULT, stats));
        assertEquals(0, stats.datagramsSent(), "nothing counted as sent");
    }

    @Test
    void encodingRefusesBodiesBeyondTheLimits() {
        WireLimits small = WireLimits.DEFAULT.withReassembly(1000, 100_000, 4, 1000);
        WireCodec c = new WireCodec(0, 0, small, stats);
        assertThrows(IllegalArgumentException.class,
                () -> c.encode(new ClientRequest(1, 1, new Command.Put("k", Value.of(new byte[1000])))));
        // 65536 chunks of one byte: one too many
        WireCodec big = new WireCodec(0, 0, WireLimits.DEFAULT, stats);
        Message.SnapshotChunk s = new Message.SnapshotChunk(1, 0, 1, 1, 1, 65524, 0L, 0, new byte[65524], true);
        assertThrows(IllegalArgumentException.class, () -> big.encode(s, 65));
        assertEquals(65535, big.encode(new Message.SnapshotChunk(1, 0, 1, 1, 1, 65523, 0L, 0, new byte[65523], true), 65).size());
    }

    private Object lastDelivered;

    /** Feeds every datagram in order; exactly the last must complete the message. */
    private WireDecoder.Received deliverAll(List<byte[]> datagrams) {
        WireDecoder.Received done = null;
        for (int i = 0; i < datagrams.size(); i++) {
            Optional<WireDecoder.Received> r = decoder.decode(datagrams.get(i), "peer");
            assertEquals(i == datagrams.size() - 1, r.isPresent(), "datagram " + i + " of " + datagrams.size());
            done = r.orElse(null);
        }
        lastDelivered = done.message();
        return done;
    }
}
