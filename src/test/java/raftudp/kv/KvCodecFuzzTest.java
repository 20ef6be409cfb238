package raftudp.kv;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds random and mutated bytes to every decoder: the only exception that may come out is
 * {@link KvCodec.MalformedException}, and whatever decodes re-encodes to the bytes it came
 * from. Seed: {@code -Dkv.fuzz.seed=N} (fixed by default so CI replays); every failure
 * message carries the seed and case.
 */
class KvCodecFuzzTest {
    static final int CASES = 250_000;
    static final long SEED = Long.getLong("kv.fuzz.seed", 0x5EED_CAFEL);

    /** One decoder with the matching encoder, so an accepted input can be re-encoded. */
    record Target<T>(String name, Function<ByteBuffer, T> read, ToIntFunction<T> size, BiConsumer<ByteBuffer, T> write) {
        /** Decodes; on success checks canonical re-encoding. Returns true if the input was accepted. */
        boolean check(byte[] input, String where) {
            ByteBuffer in = ByteBuffer.wrap(input);
            T decoded;
            try {
                decoded = read.apply(in);
            } catch (KvCodec.MalformedException expected) {
                return false;
            } catch (Throwable t) {
                throw new AssertionError(name + " threw " + t + " " + where + " input " + KvGen.hex(input), t);
            }
            byte[] consumed = Arrays.copyOf(input, in.position());
            ByteBuffer out = ByteBuffer.allocate(size.applyAsInt(decoded));
            write.accept(out, decoded);
            assertArrayEquals(consumed, out.array(), () -> name + " did not re-encode canonically " + where
                    + " input " + KvGen.hex(input));
            return true;
        }
    }

    static final Target<Value> VALUE = new Target<>("readValue", KvCodec::readValue, KvCodec::valueSize, KvCodec::writeValue);
    static final Target<Command> COMMAND = new Target<>("readCommand", KvCodec::readCommand, KvCodec::commandSize,
            KvCodec::writeCommand);
    static final Target<Result> RESULT = new Target<>("readResult", KvCodec::readResult, KvCodec::resultSize,
            KvCodec::writeResult);
    static final Target<KvEntry> ENTRY = new Target<>("decodeEntry", in -> {
        KvEntry e = KvCodec.decodeEntry(Arrays.copyOfRange(in.array(), in.position(), in.limit()));
        in.position(in.limit());
        return e;
    }, e -> KvCodec.encodeEntry(e).length, (out, e) -> out.put(KvCodec.encodeEntry(e)));

    @Test
    void randomAndMutatedBytesOnlyEverRaiseMalformedException() {
        KvGen gen = new KvGen(SEED);
        Random random = gen.random();
        int[] accepted = new int[4];
        for (int i = 0; i < CASES; i++) {
            String where = "(seed " + SEED + ", case " + i + ")";
            byte[] input = input(gen, random, i % 4);
            Target<?>[] targets = {VALUE, COMMAND, RESULT, ENTRY};
            for (int t = 0; t < targets.length; t++) {
                if (targets[t].check(input, where)) {
                    accepted[t]++;
                }
            }
        }
        // The mutations must leave a share of inputs valid, or the canonical check proves nothing.
        for (int count : accepted) {
            assertTrue(count > CASES / 100, "too few inputs decoded: " + Arrays.toString(accepted) + " seed " + SEED);
        }
    }

    @Test
    void randomValidObjectsRoundTrip() {
        KvGen gen = new KvGen(SEED + 1);
        for (int i = 0; i < 20_000; i++) {
            KvEntry e = gen.entry();
            assertEquals(e, KvCodec.decodeEntry(KvCodec.encodeEntry(e)), "seed " + (SEED + 1) + " case " + i);
            Result r = gen.result();
            ByteBuffer out = ByteBuffer.allocate(KvCodec.resultSize(r));
            KvCodec.writeResult(out, r);
            assertEquals(r, KvCodec.readResult(out.flip()), "seed " + (SEED + 1) + " case " + i);
        }
    }

    /** Kind 0: random bytes; 1..3: a valid encoding (value, command or result, entry) mutated. */
    private static byte[] input(KvGen gen, Random random, int kind) {
        if (kind == 0) {
            byte[] b = new byte[random.nextInt(48)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = (byte) random.nextInt(9); // a plausible tag/op/code/version more often
            }
            return b;
        }
        byte[] valid;
        if (kind == 1) {
            valid = encodeValue(gen.value());
        } else if (kind == 2) {
            valid = random.nextBoolean() ? KvCodecTest.encode(gen.command()) : KvCodecTest.encode(gen.result());
        } else {
            valid = KvCodec.encodeEntry(gen.entry());
        }
        int mutations = random.nextInt(4); // 0: leave valid
        for (int m = 0; m < mutations; m++) {
            valid = mutate(valid, random);
        }
        return valid;
    }

    private static byte[] encodeValue(Value v) {
        ByteBuffer out = ByteBuffer.allocate(KvCodec.valueSize(v));
        KvCodec.writeValue(out, v);
        return out.array();
    }

    private static byte[] mutate(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[]{(byte) random.nextInt()};
        }
        int at = random.nextInt(b.length);
        byte[] c;
        switch (random.nextInt(7)) {
            case 0: // flip one bit
                c = b.clone();
                c[at] ^= (byte) (1 << random.nextInt(8));
                return c;
            case 1: // replace a byte
                c = b.clone();
                c[at] = (byte) random.nextInt();
                return c;
            case 2: // truncate
                return Arrays.copyOf(b, at);
            case 3: // append garbage
                c = Arrays.copyOf(b, b.length + 1 + random.nextInt(4));
                for (int i = b.length; i < c.length; i++) {
                    c[i] = (byte) random.nextInt();
                }
                return c;
            case 4: // overwrite 4 bytes with a plausible length: huge, negative, or slightly off
                c = b.clone();
                int[] lies = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1, b.length, b.length + 1, random.nextInt()};
                int lie = lies[random.nextInt(lies.length)];
                for (int i = 0; i < 4 && at + i < c.length; i++) {
                    c[at + i] = (byte) (lie >>> (24 - 8 * i));
                }
                return c;
            case 5: // delete one byte
                c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                return c;
            default: // duplicate a slice
                int end = at + random.nextInt(b.length - at) + 1;
                c = Arrays.copyOf(b, b.length + end - at);
                System.arraycopy(b, at, c, end, b.length - at);
                return c;
        }
    }
}
