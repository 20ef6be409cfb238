package raftudp.wire;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds at least {@link #INPUTS} datagrams to one decoder: random bytes, plausible headers
 * over random bodies, valid encodings with random mutations (bit flips, truncations,
 * extensions, header fields overwritten, lengths made to lie), mutated and clean chunk
 * sequences in any order with duplicates. After every input: nothing escaped decode, the
 * datagram was counted exactly once (delivered, buffered or dropped under a reason), the
 * safety net never fired, and a single-datagram message decoded from any input re-encodes
 * to exactly that input (so every byte that was accepted was checked). Clean chunk
 * sequences deliver their message exactly once.
 *
 * <p>Seed: {@code -Dwire.fuzz.seed=N}; inputs: {@code -Dwire.fuzz.inputs=N}. Every failure
 * names the seed and the input number.
 */
class WireFuzzTest {
    static final int INPUTS = Integer.getInteger("wire.fuzz.inputs", 1_000_000);
    static final long SEED = Long.getLong("wire.fuzz.seed", 0x51DE_CA7L);
    private static final long[] INTERESTING = {0, 1, 2, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFFL, 0xFFFF_FFFFL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1};

    private final WireGen gen = new WireGen(SEED);
    private final Random random = gen.random();
    private final WireStats stats = new WireStats();
    private long nowMs;
    private final WireDecoder decoder = new WireDecoder(new WireLimits(1472, 32_768, 65_536, 8, 1000, 256), stats,
            () -> nowMs, 60_000, "fuzz");
    private final WireCodec cleanCodec = new WireCodec(3, 0, WireLimits.DEFAULT, new WireStats());
    private int inputs;
    private int delivered;

    @Test
    void noInputEscapesDecodeAndEveryDatagramIsCounted() {
        long startNs = System.nanoTime();
        int cleanMessages = 0;
        while (inputs < INPUTS) {
            nowMs += random.nextInt(5);
            int kind = random.nextInt(16);
            if (kind == 0) {
                feed(randomBytes(), random.nextInt(3));
            } else if (kind <= 2) {
                feed(plausible(), random.nextInt(3));
            } else if (kind <= 12) {
                feed(mutateSome(single(gen.message())), random.nextInt(3));
            } else if (kind <= 14) {
                feedMutatedChunks();
            } else {
                feedCleanChunks();
                cleanMessages++;
            }
        }
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        System.out.printf("wire fuzz: %d inputs in %d ms (seed %d): %d messages delivered, %d clean chunked; %s%n",
                inputs, ms, SEED, delivered, cleanMessages, stats.snapshot());
        Set<DropReason> seen = EnumSet.noneOf(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (stats.dropped(r) > 0) {
                seen.add(r);
            }
        }
        // The inputs must reach deep: most of the decoder's reasons hit (the MESSAGE ones are the
        // node's admission step, not the decoder's; this decoder has no key, so the reasons only a
        // keyed receiver has are WireAuthTest's), and many inputs valid enough to decode.
        Set<DropReason> decoders = EnumSet.noneOf(DropReason.class);
        Set<DropReason> elsewhere = EnumSet.of(DropReason.INTERNAL_ERROR, DropReason.WRONG_PORT,
                DropReason.UNAUTHENTICATED, DropReason.SESSIONLESS_WRITE, DropReason.REPLAYED,
                DropReason.UNADMITTED_CHUNK); // a gate the node sets: HostileInputTest, ReceivePathFuzzTest
        for (DropReason r : DropReason.values()) {
            if (r.kind() != DropReason.Kind.MESSAGE && !elsewhere.contains(r)) {
                decoders.add(r);
            }
        }
        decoders.removeAll(seen);
        assertTrue(decoders.isEmpty(), "reasons never hit: " + decoders + " seed " + SEED);
        assertTrue(delivered > INPUTS / 5, "only " + delivered + " delivered, seed " + SEED);
    }

    /** Decodes one input and checks the invariants. */
    private Optional<WireDecoder.Received> feed(byte[] datagram, Object origin) {
        int n = inputs++;
        Optional<WireDecoder.Received> r;
        try {
            r = decoder.decode(datagram, origin);
        } catch (Throwable t) {
            throw new AssertionError(where(n, datagram) + " threw " + t, t);
        }
        if (stats.datagramsReceived() != stats.messagesReceived() + stats.chunksBuffered() + stats.datagramsDropped()
                || stats.dropped(DropReason.INTERNAL_ERROR) != 0) {
            fail(where(n, datagram) + " not counted exactly once: " + stats.snapshot());
        }
        if (r.isPresent()) {
            delivered++;
            if (datagram.length >= RaftHeader.HEADER_BYTES && datagram[14] == 0 && datagram[15] == 1) { // chunk_count 1
                List<byte[]> again = new WireCodec(r.get().sourceId(), r.get().messageId(), WireLimits.DEFAULT,
                        new WireStats()).encode(r.get().message(), WireLimits.UDP_BYTES_MAX);
                assertEquals(1, again.size());
                assertArrayEquals(datagram, again.get(0), () -> where(n, datagram) + " decoded to " + r.get().message()
                        + " which encodes otherwise: the decoder accepted a non-canonical input");
            }
        }
        return r;
    }

    private static String where(int n, byte[] datagram) {
        return "input " + n + " (seed " + SEED + ", -Dwire.fuzz.seed=" + SEED + ") " + WireGen.hex(datagram);
    }

    private byte[] single(Object message) {
        return cleanCodec.encode(message, WireLimits.UDP_BYTES_MAX).get(0);
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(4) == 0 ? random.nextInt(64) : 64 + random.nextInt(100)];
        random.nextBytes(b);
        if (b.length >= 3 && random.nextBoolean()) {
            b[0] = 0x52;
            b[1] = 0x41;
            b[2] = (byte) random.nextInt(3);
        }
        return b;
    }

    /** A well-formed header of a random known type over a random body of the right length. */
    private byte[] plausible() {
        MessageType t = MessageType.values()[random.nextInt(MessageType.values().length)];
        byte[] body = new byte[random.nextInt(48)];
        random.nextBytes(body);
        boolean raft = t.isRaft();
        long[] longs = new long[5];
        RaftHeader.Field[] fields = {RaftHeader.Field.TERM, RaftHeader.Field.INDEX_A, RaftHeader.Field.INDEX_B,
            RaftHeader.Field.LOG_TERM, RaftHeader.Field.COMMIT_INDEX};
        for (int i = 0; i < 5; i++) {
            longs[i] = t.fieldsUsed().contains(fields[i]) ? gen.u63() : 0;
        }
        RaftHeader h = new RaftHeader(RaftHeader.MAGIC, 1, t.code(), t.flagsAllowed() & random.nextInt(64), 0,
                raft || t == MessageType.STATUS_RESPONSE || t == MessageType.FAULT_RESPONSE ? random.nextInt(5) : RaftHeader.NO_NODE,
                raft ? random.nextInt(5) : RaftHeader.NO_NODE, 0, 1, random.nextInt(), body.length,
                longs[0], longs[1], longs[2], longs[3], longs[4]);
        byte[] d = Arrays.copyOf(new byte[64], 64 + body.length);
        h.write(java.nio.ByteBuffer.wrap(d), 0);
        System.arraycopy(body, 0, d, 64, body.length);
        return d;
    }

    private byte[] mutateSome(byte[] d) {
        int mutations = random.nextInt(4); // 0: leave it valid
        for (int i = 0; i < mutations; i++) {
            d = mutate(d);
        }
        return d;
    }

    private byte[] mutate(byte[] d) {
        switch (random.nextInt(7)) {
            case 0: // flip a bit
                if (d.length > 0) {
                    d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return d;
            case 1: // truncate
                return Arrays.copyOf(d, random.nextInt(d.length + 1));
            case 2: // extend
                byte[] longer = Arrays.copyOf(d, d.length + 1 + random.nextInt(16));
                for (int i = d.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            case 3: // overwrite a header field
                if (d.length >= RaftHeader.HEADER_BYTES) {
                    RaftHeader.Field f = RaftHeader.FIELDS.get(random.nextInt(RaftHeader.FIELDS.size()));
                    long v = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextLong();
                    return WireDropTest.set(d, f, v);
                }
                return d;
            case 4: // make the payload length tell the truth again (reaches the body parsers)
                return d.length >= RaftHeader.HEADER_BYTES
                        ? WireDropTest.set(d, RaftHeader.Field.PAYLOAD_LENGTH, d.length - RaftHeader.HEADER_BYTES) : d;
            case 5: // a lying length inside the body
                if (d.length >= RaftHeader.HEADER_BYTES + 4) {
                    int at = RaftHeader.HEADER_BYTES + random.nextInt(d.length - RaftHeader.HEADER_BYTES - 3);
                    long v = INTERESTING[random.nextInt(INTERESTING.length)];
                    for (int i = 3; i >= 0; i--) {
                        d[at + i] = (byte) v;
                        v >>>= 8;
                    }
                }
                return d;
            default: // overwrite a byte
                if (d.length > 0) {
                    d[random.nextInt(d.length)] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                }
                return d;
        }
    }

    private List<byte[]> chunks(Object message) {
        return cleanCodec.encode(message, RaftHeader.HEADER_BYTES + 1 + random.nextInt(64));
    }

    private void feedMutatedChunks() {
        List<byte[]> chunks = new ArrayList<>(chunks(gen.message()));
        for (int i = 0; i < chunks.size(); i++) {
            if (random.nextInt(4) == 0) {
                chunks.set(i, mutate(chunks.get(i).clone()));
            }
        }
        if (random.nextBoolean()) {
            Collections.shuffle(chunks, random);
        }
        if (random.nextInt(4) == 0 && chunks.size() > 1) {
            chunks.remove(random.nextInt(chunks.size())); // lost: leaves a partial to expire or be evicted
        }
        Object origin = random.nextInt(3);
        for (byte[] c : chunks) {
            nowMs += random.nextInt(3);
            feed(c, origin);
        }
    }

    private void feedCleanChunks() {
        Object message = gen.message();
        List<byte[]> chunks = new ArrayList<>(chunks(message));
        if (chunks.size() > 1) {
            for (int i = random.nextInt(3); i > 0; i--) {
                chunks.add(chunks.get(random.nextInt(chunks.size())));
            }
            Collections.shuffle(chunks, random);
        }
        int got = 0;
        for (byte[] c : chunks) {
            Optional<WireDecoder.Received> r = feed(c, "clean");
            if (r.isPresent()) {
                got++;
                assertEquals(message, r.get().message(), "input " + inputs + " seed " + SEED);
            }
        }
        assertEquals(1, got, "a clean chunk sequence delivers once; input " + inputs + " seed " + SEED);
    }
}
