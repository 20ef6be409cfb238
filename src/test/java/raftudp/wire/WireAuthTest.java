package raftudp.wire;

import org.junit.jupiter.api.Test;
import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;
import raftudp.kv.Value;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AUTH flag and MAC trailer (docs/wire-format.md §10): encoding, and every way a keyed receiver drops. */
class WireAuthTest {
    static final ClusterKey KEY = ClusterKey.of(java.util.HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    static final ClusterKey OTHER_KEY = ClusterKey.of("another key, 32 bytes long......".getBytes());

    private final WireStats stats = new WireStats();
    private long wallMs = 1_700_000_000_000L;
    private final ReplayGuard guard = new ReplayGuard(() -> wallMs);
    private final WireDecoder keyed = new WireDecoder(WireLimits.DEFAULT, stats, () -> 0, 60_000, "node 0", KEY, guard);
    private final WireCodec codec = new WireCodec(RaftHeader.NO_NODE, 100, WireLimits.DEFAULT, new WireStats(), KEY,
            () -> wallMs);

    private static byte[] one(WireCodec c, Object m) {
        List<byte[]> d = c.encode(m);
        assertEquals(1, d.size());
        return d.get(0);
    }

    private static byte[] flip(byte[] d, int at) {
        byte[] copy = d.clone();
        copy[at] ^= 0x01;
        return copy;
    }

    /** Decodes with the keyed node decoder and asserts the datagram was dropped under {@code reason} only. */
    private void assertDropped(byte[] datagram, DropReason reason) {
        long before = stats.dropped(reason);
        long droppedBefore = stats.datagramsDropped();
        assertTrue(keyed.decode(datagram, "peer").isEmpty(), reason.name());
        assertEquals(before + 1, stats.dropped(reason), reason + ": " + stats);
        assertEquals(droppedBefore + 1, stats.datagramsDropped(), stats.toString());
    }

    @Test
    void everyMessageTypeRoundTripsAuthenticated() {
        WireGen gen = new WireGen(7);
        List<Object> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            messages.add(gen.message());
        }
        messages.add(ErrorResponse.adminDisabled(3));
        messages.add(FaultRequest.set(new FaultEntry("10.0.2.2", 1, 5, 0, 0)).issuedAt(wallMs));
        WireDecoder plain = new WireDecoder(WireLimits.DEFAULT, stats, () -> 0, 60_000, "client", KEY, null);
        WireCodec c = new WireCodec(3, 1, WireLimits.DEFAULT, new WireStats(), KEY);
        for (Object m : messages) {
            List<byte[]> datagrams = c.encode(m, 300);
            Optional<WireDecoder.Received> got = Optional.empty();
            for (byte[] d : datagrams) {
                assertTrue(d.length <= 300, "no datagram exceeds datagramBytesMax: " + d.length);
                RaftHeader h = RaftHeader.read(ByteBuffer.wrap(d));
                assertEquals(RaftHeader.FLAG_AUTH, h.flags() & RaftHeader.FLAG_AUTH, "every datagram carries AUTH");
                assertEquals(d.length - 64 - 16, h.payloadLength(), "payload_length excludes the trailer");
                assertArrayEquals(KEY.mac(d, d.length - 16), Arrays.copyOfRange(d, d.length - 16, d.length),
                        "each chunk has its own MAC");
                got = plain.decode(d, "peer");
            }
            assertTrue(got.isPresent(), m + ": " + stats);
            assertEquals(m, got.get().message());
            assertTrue(got.get().authenticated());
        }
        assertEquals(0, stats.datagramsDropped(), stats.toString());
    }

    @Test
    void chunksLeaveRoomForTheTrailer() {
        byte[] data = new byte[9_783];        // a body of 9800 bytes: 8 chunks with the MAC, 7 without
        Message.AppendRequest a = new Message.AppendRequest(3, 0, 2, 5, 2, 4,
                List.of(new Entry(6, 3, Entry.Kind.NORMAL, data)));
        List<byte[]> datagrams = new WireCodec(0, 1, WireLimits.DEFAULT, new WireStats(), KEY).encode(a);
        assertEquals(8, datagrams.size(), "chunks of 1472 - 64 - 16 = 1392 body bytes");
        for (int i = 0; i < datagrams.size() - 1; i++) {
            assertEquals(1472, datagrams.get(i).length);
        }
        assertEquals(9800 - 7 * 1392, datagrams.get(7).length - 80);
        assertEquals(7, new WireCodec(0, 1, WireLimits.DEFAULT, new WireStats()).encode(a).size(),
                "without a key: chunks of 1408");
    }

    @Test
    void theEncoderRefusesWhatAReceiverWouldDrop() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new StatusRequest(), 80),
                "a datagram of 80 bytes has no room for a byte of payload next to the MAC");
        assertEquals(1, codec.encode(new StatusRequest(), 81).size());
        WireCodec plain = new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats());
        assertThrows(IllegalArgumentException.class, () -> plain.encode(FaultRequest.show().issuedAt(wallMs)),
                "a time goes only with AUTH");
        assertThrows(IllegalArgumentException.class,
                () -> codec.encode(FaultRequest.set(new FaultEntry("10.0.2.2", 1, 5, 0, 0)), 100),
                "an authenticated FaultRequest is one datagram");
    }

    @Test
    void withAKey_aDatagramWithoutAuthIsUnauthenticated() {
        byte[] plain = one(new WireCodec(1, 1, WireLimits.DEFAULT, new WireStats()),
                new Message.VoteRequest(5, 1, 2, 7, 4, false, false));
        assertDropped(plain, DropReason.UNAUTHENTICATED);
        assertDropped(one(new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats()),
                FaultRequest.clearAll()), DropReason.UNAUTHENTICATED);
    }

    @Test
    void aFlippedMacHeaderOrPayloadByteIsABadMac() {
        byte[] good = one(codec, new ClientRequest(9, 1, new Command.Put("k", Value.of(7))));
        assertTrue(new WireDecoder(new WireStats(), () -> 0, "t", KEY).decode(good, "peer").isPresent());
        assertDropped(flip(good, good.length - 1), DropReason.BAD_MAC);           // the trailer's last byte
        assertDropped(flip(good, good.length - 16), DropReason.BAD_MAC);          // its first byte
        assertDropped(flip(good, RaftHeader.Field.INDEX_B.offsetBytes() + 7), DropReason.BAD_MAC); // seq 1 -> 0
        assertDropped(flip(good, RaftHeader.Field.SOURCE.offsetBytes()), DropReason.BAD_MAC);
        assertDropped(flip(good, 64), DropReason.BAD_MAC);                        // the command's op
        assertDropped(one(new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats(), OTHER_KEY),
                new StatusRequest()), DropReason.BAD_MAC);
    }

    @Test
    void aHeaderThatLiesBeforeTheMacIsCheckedFailsTheLengthChecksFirst() {
        byte[] good = one(codec, new StatusRequest());
        assertDropped(Arrays.copyOf(good, good.length - 1), DropReason.TRUNCATED);
        assertDropped(Arrays.copyOf(good, good.length + 1), DropReason.TRAILING_BYTES);
        byte[] noAuth = good.clone();
        noAuth[RaftHeader.Field.FLAGS.offsetBytes()] = 0;  // AUTH cleared: the trailer becomes 16 stray bytes
        assertDropped(noAuth, DropReason.TRAILING_BYTES);
        byte[] badMagic = good.clone();
        badMagic[0] = 0;
        assertDropped(badMagic, DropReason.BAD_MAGIC);
    }

    @Test
    void aBadFlagUnderAGoodMacIsStillABadFlag() {
        // Whoever holds the key can sign anything: the other checks still apply after the MAC.
        byte[] d = one(codec, new StatusRequest());
        d[RaftHeader.Field.FLAGS.offsetBytes()] |= RaftHeader.FLAG_GRANTED;
        System.arraycopy(KEY.mac(d, 64), 0, d, 64, 16);
        assertDropped(d, DropReason.BAD_FLAGS);
    }

    @Test
    void anAuthDatagramToAReceiverWithoutAKeyIsABadMac() {
        WireStats s = new WireStats();
        WireDecoder keyless = new WireDecoder(s, () -> 0, "old node");
        assertTrue(keyless.decode(one(codec, new StatusRequest()), "peer").isEmpty());
        assertEquals(1, s.dropped(DropReason.BAD_MAC), s.toString());
    }

    @Test
    void oneForgedChunkIsDroppedBeforeItIsBuffered_andTheGenuineOnesStillReassemble() {
        byte[] data = new byte[2000];
        new Random(1).nextBytes(data);
        Message.AppendRequest a = new Message.AppendRequest(3, 0, 2, 5, 2, 4,
                List.of(new Entry(6, 3, Entry.Kind.NORMAL, data)));
        List<byte[]> chunks = new WireCodec(0, 1, WireLimits.DEFAULT, new WireStats(), KEY).encode(a, 500);
        assertEquals(5, chunks.size(), "2017 body bytes in chunks of 420");
        byte[] forged = chunks.get(2).clone();
        forged[100] ^= 0x55;                  // other entry bytes, the genuine trailer
        WireDecoder d = new WireDecoder(WireLimits.DEFAULT, stats, () -> 0, 60_000, "node 2", KEY, null);
        for (int i : new int[]{0, 1, 3, 4}) {
            assertTrue(d.decode(chunks.get(i), "leader").isEmpty());
        }
        assertTrue(d.decode(forged, "leader").isEmpty());
        assertEquals(1, stats.dropped(DropReason.BAD_MAC));
        assertEquals(4, stats.chunksBuffered(), "the forged chunk was not buffered");
        Optional<WireDecoder.Received> r = d.decode(chunks.get(2), "leader");
        assertEquals(Optional.of(a), r.map(WireDecoder.Received::message), "the genuine chunk completes the message");
        assertEquals(1, stats.datagramsDropped(), "no INCONSISTENT_CHUNK, no ABANDONED: " + stats);
        assertEquals(0, stats.dropped(DropReason.ABANDONED));
        assertEquals(6, stats.datagramsReceived());
    }

    @Test
    void withAKey_aClientRequestIsStampedWithItsIssueTime_andOneOutsideTheWindowIsAReplay() {
        byte[] put = one(codec, new ClientRequest(77, 1, new Command.Put("k", Value.of(1))));
        assertEquals(wallMs, java.nio.ByteBuffer.wrap(put).getLong(48), "log_term holds the issue time");
        wallMs += ReplayGuard.REQUEST_WINDOW_MS; // at the edge of the window: still fresh
        assertTrue(keyed.decode(put, "peer").isPresent());
        wallMs += 1; // an hour later a session could be forgotten: a replay must not meet an empty table
        assertDropped(put, DropReason.REPLAYED);
        // a node's clock behind the client's by more than the window: refused too (say so in the log)
        byte[] ahead = one(new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats(), KEY,
                () -> wallMs + ReplayGuard.REQUEST_WINDOW_MS + 1), new ClientRequest(77, 2, new Command.Get("k")));
        assertDropped(ahead, DropReason.REPLAYED);
    }

    @Test
    void withAKey_aWriteWithoutASessionIsDropped_andAReadWithoutOneIsNot() {
        assertDropped(one(codec, new ClientRequest(0, 0, new Command.Put("k", Value.of(1)))),
                DropReason.SESSIONLESS_WRITE);
        assertDropped(one(codec, new ClientRequest(0, 5, new Command.Delete("k"))), DropReason.SESSIONLESS_WRITE);
        assertDropped(one(codec, new ClientRequest(0, 5, new Command.Append("k", Value.of("x")))),
                DropReason.SESSIONLESS_WRITE);
        assertDropped(one(codec, new ClientRequest(0, 5, new Command.Cas("k", null, Value.of(1)))),
                DropReason.SESSIONLESS_WRITE);
        assertTrue(keyed.decode(one(codec, new ClientRequest(0, 5, new Command.Get("k"))), "peer").isPresent());
        assertTrue(keyed.decode(one(codec, new ClientRequest(77, 1, new Command.Put("k", Value.of(1)))), "peer")
                .isPresent());
        // Without a key the same sessionless write is taken, as before.
        assertTrue(new WireDecoder(new WireStats(), () -> 0, "t").decode(one(new WireCodec(RaftHeader.NO_NODE, 1,
                WireLimits.DEFAULT, new WireStats()), new ClientRequest(0, 0, new Command.Put("k", Value.of(1)))),
                "peer").isPresent());
    }

    @Test
    void aReplayedOrStaleFaultRequestIsReplayed() {
        byte[] set = one(codec, FaultRequest.set(new FaultEntry("10.0.2.2", 1, 5, 0, 0)).issuedAt(wallMs - 1_000));
        Optional<WireDecoder.Received> first = keyed.decode(set, "admin");
        assertTrue(first.isPresent());
        assertEquals(wallMs - 1_000, ((FaultRequest) first.get().message()).issuedAtMs());
        assertDropped(set, DropReason.REPLAYED);                      // the same bytes again
        wallMs += 29_000;
        assertDropped(set, DropReason.REPLAYED);                      // still within the window: still remembered
        wallMs += 61_000;
        assertDropped(set, DropReason.REPLAYED);                      // forgotten, but now 91 s old: stale
        assertDropped(one(codec, FaultRequest.show().issuedAt(wallMs - 30_001)), DropReason.REPLAYED);
        assertDropped(one(codec, FaultRequest.show().issuedAt(wallMs + 30_001)), DropReason.REPLAYED);
        assertDropped(one(codec, FaultRequest.show()), DropReason.REPLAYED); // no time at all
        assertTrue(keyed.decode(one(codec, FaultRequest.show().issuedAt(wallMs + 30_000)), "admin").isPresent());
        assertTrue(keyed.decode(one(codec, FaultRequest.show().issuedAt(wallMs - 30_000)), "admin").isPresent());
        // The same request encoded again is another message (another message id): another MAC.
        assertTrue(keyed.decode(one(codec, FaultRequest.show().issuedAt(wallMs)), "admin").isPresent());
        assertTrue(keyed.decode(one(codec, FaultRequest.show().issuedAt(wallMs)), "admin").isPresent());
    }

    @Test
    void anAuthenticatedFaultRequestInTwoChunksIsABadChunk() {
        byte[] body = WireGen.unhex("01 04 0a000202 00000001 00000005 00000000 00000000");
        byte[][] chunks = new byte[2][];
        for (int i = 0; i < 2; i++) {
            int from = i * 11;
            RaftHeader h = new RaftHeader(RaftHeader.MAGIC, 1, MessageType.FAULT_REQUEST.code(), RaftHeader.FLAG_AUTH, 0,
                    RaftHeader.NO_NODE, RaftHeader.NO_NODE, i, 2, 5, 11, 0, wallMs, 0, 0, 0);
            byte[] d = new byte[64 + 11 + 16];
            h.write(ByteBuffer.wrap(d), 0);
            System.arraycopy(body, from, d, 64, 11);
            System.arraycopy(KEY.mac(d, 75), 0, d, 75, 16);
            chunks[i] = d;
        }
        assertDropped(chunks[0], DropReason.BAD_CHUNK);
        assertDropped(chunks[1], DropReason.BAD_CHUNK);
    }

    @Test
    void theGuardRefusesWhenItsMemoryIsFull_ratherThanForget() {
        ReplayGuard small = new ReplayGuard(() -> wallMs, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(ReplayGuard.Verdict.ACCEPTED, small.check(wallMs, new byte[]{(byte) i}));
            wallMs += 10_000;
        }
        assertEquals(ReplayGuard.Verdict.FULL, small.check(wallMs, new byte[]{9}));
        assertEquals(ReplayGuard.Verdict.REPLAYED, small.check(wallMs, new byte[]{0}), "the first is not forgotten");
        wallMs += 31_000;  // 61 s after the first: it is forgotten, and room is made
        assertEquals(2, small.remembered());
        assertEquals(ReplayGuard.Verdict.ACCEPTED, small.check(wallMs, new byte[]{9}));
        assertEquals(ReplayGuard.Verdict.STALE, small.check(wallMs - 60_000, new byte[]{0}));
    }

    @Test
    void mutatedAuthenticatedDatagramsNeverDecode_andEachIsCountedOnce() {
        Random random = new Random(11);
        WireGen gen = new WireGen(12);
        WireCodec c = new WireCodec(2, 1, WireLimits.DEFAULT, new WireStats(), KEY);
        WireDecoder d = new WireDecoder(WireLimits.DEFAULT, stats, () -> 0, 60_000, "fuzz", KEY, null);
        int n = 0;
        for (int i = 0; i < 3000; i++) {
            for (byte[] datagram : c.encode(gen.message(), 400)) {
                byte[] m = datagram.clone();
                switch (random.nextInt(3)) {
                    case 0 -> m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
                    case 1 -> m = Arrays.copyOf(m, random.nextInt(m.length));
                    default -> m = Arrays.copyOf(m, m.length + 1 + random.nextInt(20));
                }
                n++;
                assertFalse(d.decode(m, "fuzz").isPresent(), "a mutated datagram decoded: " + WireGen.hex(m));
            }
        }
        assertEquals(n, stats.datagramsReceived());
        assertEquals(n, stats.datagramsDropped(), stats.toString());
        assertEquals(0, stats.chunksBuffered());
    }
}
