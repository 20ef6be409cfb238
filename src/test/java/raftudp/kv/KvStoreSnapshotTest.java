package raftudp.kv;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.kv.KvGen.hex;

/** Snapshots: complete, deterministic, and never restored from corrupt bytes. */
class KvStoreSnapshotTest {
    static final long TIMEOUT_MS = 1_000;
    static final int SESSIONS_MAX = 8;

    /**
     * A seeded log of entries from a few clients, with retries, stale duplicates and clock
     * skew. Built against a scratch store so that clients behave: one whose fresh request
     * meets SessionExpired restarts under a new id; now and then one restarts anyway.
     */
    static List<KvEntry> log(long seed, int n) {
        KvGen gen = new KvGen(seed);
        Random random = gen.random();
        int slots = 9; // slot 0 sends without a session; 8 clients fill SESSIONS_MAX
        long[] ids = new long[slots];
        long[] nextSeq = new long[slots];
        for (int s = 0; s < slots; s++) {
            ids[s] = s;
        }
        List<KvEntry> log = new ArrayList<>();
        KvStore scratch = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        long clockMs = 0;
        for (int i = 0; i < n; i++) {
            clockMs += random.nextInt(60);
            long skewedMs = Math.max(0, clockMs - random.nextInt(3) * 200L);
            Command c = gen.command();
            int s = random.nextInt(slots);
            if (s == 0) {
                log.add(KvEntry.unsessioned(skewedMs, c));
                scratch.apply(log.get(log.size() - 1));
                continue;
            }
            if (random.nextInt(100) == 0) {
                ids[s] += slots;
                nextSeq[s] = 0;
            }
            KvEntry e;
            if (nextSeq[s] > 0 && random.nextInt(4) == 0) {
                e = new KvEntry(ids[s], Math.max(1, nextSeq[s] - random.nextInt(2)), skewedMs, c);
            } else {
                e = new KvEntry(ids[s], ++nextSeq[s], skewedMs, c);
            }
            log.add(e);
            if (scratch.apply(e) instanceof Result.SessionExpired && e.seq() == nextSeq[s]) {
                ids[s] += slots;
                nextSeq[s] = 0;
            }
        }
        return log;
    }

    static List<Result> applyAll(KvStore store, List<KvEntry> entries) {
        List<Result> results = new ArrayList<>();
        for (KvEntry e : entries) {
            results.add(store.apply(e));
        }
        return results;
    }

    static KvStore populated() {
        KvStore store = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        store.apply(new KvEntry(1, 1, 100, new Command.Put("zero", Value.of(0))));
        store.apply(new KvEntry(2, 1, 110, new Command.Put("empty", Value.of(""))));
        store.apply(new KvEntry(3, 1, 120, new Command.Put("nothing", Value.of(new byte[0]))));
        store.apply(new KvEntry(3, 2, 130, new Command.Append("list", Value.of("é"))));
        store.apply(new KvEntry(-4, 1, 140, new Command.Append("list", Value.of(new byte[]{7}))));
        store.apply(KvEntry.unsessioned(150, new Command.Put("big", Value.of(KvCodecTest.MIB))));
        return store;
    }

    @Test
    void theStoreWritesItsSnapshotIntoAnyBuffer_andRestoresFromAnyBufferRange() {
        KvStore original = populated();
        byte[] bytes = original.snapshot();
        assertEquals(bytes.length, original.snapshotSize());
        // A direct buffer (what a mapped file is), with room before and after the snapshot.
        ByteBuffer out = ByteBuffer.allocateDirect(bytes.length + 20);
        out.position(7);
        original.writeSnapshot(out);
        assertEquals(7 + bytes.length, out.position());
        byte[] written = new byte[bytes.length];
        out.get(7, written);
        assertArrayEquals(bytes, written, "the same bytes as snapshot()");
        ByteBuffer range = out.duplicate().position(7).limit(7 + bytes.length);
        KvStore.validate(range);
        assertEquals(7, range.position(), "validate does not move the buffer");
        assertArrayEquals(bytes, KvStore.restore(range, TIMEOUT_MS, SESSIONS_MAX).snapshot());
        assertThrows(IllegalStateException.class, () -> original.writeSnapshot(ByteBuffer.allocate(bytes.length - 1)),
                "no room: refused before writing");
    }

    @Test
    void validateRefusesWhatRestoreRefuses() {
        byte[] bytes = populated().snapshot();
        for (int at : new int[] {0, 5, 9, 20, bytes.length / 2, bytes.length - 1}) {
            byte[] bad = bytes.clone();
            bad[at] ^= 0x40;
            assertThrows(KvCodec.MalformedException.class, () -> KvStore.validate(ByteBuffer.wrap(bad)), "flip at " + at);
            assertThrows(KvCodec.MalformedException.class, () -> KvStore.restore(bad, TIMEOUT_MS, SESSIONS_MAX));
        }
        assertThrows(KvCodec.MalformedException.class,
                () -> KvStore.validate(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length - 3))), "truncated");
    }

    @Test
    void restoreBringsBackKeysValuesSessionsAndNow() {
        KvStore original = populated();
        KvStore restored = KvStore.restore(original.snapshot(), TIMEOUT_MS, SESSIONS_MAX);
        for (String key : List.of("zero", "empty", "nothing", "list", "big")) {
            assertEquals(original.get(key), restored.get(key), key);
        }
        assertEquals(5, restored.size());
        assertEquals(4, restored.sessionCount());
        assertEquals(150, restored.now());
    }

    @Test
    void retryAfterRestoreStillReturnsTheCachedAnswer() {
        KvStore restored = KvStore.restore(populated().snapshot(), TIMEOUT_MS, SESSIONS_MAX);
        assertEquals(new Result.Appended(2),
                restored.apply(new KvEntry(-4, 1, 160, new Command.Append("list", Value.of(new byte[]{7})))));
        assertEquals(2, ((Value.ListValue) restored.get("list")).items().size());
        assertEquals(new Result.SessionExpired(), restored.apply(new KvEntry(3, 1, 170, new Command.Delete("zero"))));
    }

    @Test
    void snapshotOfARestoredStoreIsByteIdentical() {
        byte[] first = populated().snapshot();
        assertArrayEquals(first, KvStore.restore(first, TIMEOUT_MS, SESSIONS_MAX).snapshot());
        byte[] empty = new KvStore(TIMEOUT_MS, SESSIONS_MAX).snapshot();
        assertArrayEquals(empty, KvStore.restore(empty, TIMEOUT_MS, SESSIONS_MAX).snapshot());
    }

    @Test
    void emptyStoreSnapshotBytesArePinned() {
        byte[] body = KvGen.unhex("0000000000000000 00000000 00000000");
        ByteBuffer expected = ByteBuffer.allocate(12 + body.length + 4);
        expected.putInt(0x4B56534E).putInt(1).putInt(body.length).put(body);
        CRC32C crc = new CRC32C();
        crc.update(expected.array(), 0, expected.position());
        expected.putInt((int) crc.getValue());
        assertEquals(hex(expected.array()), hex(new KvStore(TIMEOUT_MS, SESSIONS_MAX).snapshot()));
    }

    @Test
    void snapshotDoesNotDependOnTheOrderKeysWereWritten() {
        KvStore a = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        KvStore b = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        List<String> keys = List.of("b", "a", "é", "A", "ab", "😀", "z");
        for (int i = 0; i < keys.size(); i++) {
            a.apply(KvEntry.unsessioned(10, new Command.Put(keys.get(i), Value.of(keys.get(i)))));
            String k = keys.get(keys.size() - 1 - i);
            b.apply(KvEntry.unsessioned(10, new Command.Put(k, Value.of(k))));
        }
        assertArrayEquals(a.snapshot(), b.snapshot());
    }

    /** Replicas that restore a snapshot mid-log must go on exactly like those that never did. */
    @Test
    void restoredReplicaContinuesExactlyLikeTheOriginal() {
        for (long seed = 1; seed <= 40; seed++) {
            List<KvEntry> log = log(seed, 600);
            KvStore original = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
            int cut = new Random(seed).nextInt(log.size());
            applyAll(original, log.subList(0, cut));
            KvStore restored = KvStore.restore(original.snapshot(), TIMEOUT_MS, SESSIONS_MAX);
            List<Result> expected = applyAll(original, log.subList(cut, log.size()));
            assertEquals(expected, applyAll(restored, log.subList(cut, log.size())), "seed " + seed);
            assertArrayEquals(original.snapshot(), restored.snapshot(), "seed " + seed);
        }
    }

    @Test
    void replicasApplyingTheSameLogEndIdentical() {
        List<KvEntry> log = log(99, 3_000);
        KvStore a = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        KvStore b = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        List<Result> results = applyAll(a, log);
        assertEquals(results, applyAll(b, log));
        assertArrayEquals(a.snapshot(), b.snapshot());
        assertTrue(a.sessionCount() > 0 && a.size() > 0, "the log should leave state behind");
        long expired = results.stream().filter(r -> r instanceof Result.SessionExpired).count();
        assertTrue(expired > 10 && expired < log.size() / 4, "the log should exercise expiry, not only it: " + expired);
    }

    @Test
    void everyFlippedByteIsDetected() {
        KvStore store = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        applyAll(store, log(5, 200));
        byte[] good = store.snapshot();
        for (int at = 0; at < good.length; at++) {
            for (int mask : new int[]{0x01, 0x80, 0xFF, 0x5A}) {
                byte[] bad = good.clone();
                bad[at] ^= (byte) mask;
                int where = at;
                assertThrows(KvCodec.MalformedException.class, () -> KvStore.restore(bad, TIMEOUT_MS, SESSIONS_MAX),
                        () -> "flip 0x" + Integer.toHexString(mask) + " at " + where + " of " + good.length);
            }
        }
    }

    @Test
    void everyTruncationAndExtensionIsDetected() {
        KvStore store = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        applyAll(store, log(6, 200));
        byte[] good = store.snapshot();
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(KvCodec.MalformedException.class, () -> KvStore.restore(cut, TIMEOUT_MS, SESSIONS_MAX),
                    "truncated to " + n);
        }
        for (int extra = 1; extra <= 16; extra++) {
            byte[] longer = Arrays.copyOf(good, good.length + extra);
            assertThrows(KvCodec.MalformedException.class, () -> KvStore.restore(longer, TIMEOUT_MS, SESSIONS_MAX));
        }
        byte[] big = populated().snapshot();
        for (int n : new int[]{big.length - 1, big.length / 2, 16, 15}) {
            byte[] cut = Arrays.copyOf(big, n);
            assertThrows(KvCodec.MalformedException.class, () -> KvStore.restore(cut, TIMEOUT_MS, SESSIONS_MAX));
        }
    }

    @Test
    void corruptionMessagesSayWhatIsWrong() {
        byte[] good = populated().snapshot();
        assertMessage("bad snapshot magic", flip(good, 0));
        assertMessage("unsupported snapshot version", flip(good, 7));
        assertMessage("truncated or extended", flip(good, 11));
        assertMessage("CRC32C mismatch", flip(good, 40));
        assertMessage("shorter than its 16-byte frame", new byte[3]);
    }

    /** Bodies that pass the checksum but break the format (a bug or a forged snapshot). */
    @Test
    void wellSealedBodiesThatBreakTheFormatAreRejected() {
        String now = "0000000000000064";
        String keyA = "0001 61 0100000000000000 00";
        String keyB = "0001 62 0100000000000000 00";
        String session = "0000000000000001 0000000000000001 0000000000000050 03";
        assertMessage("negative snapshot now", seal("8000000000000000 00000000 00000000"));
        assertMessage("keys out of order", seal(now + "00000002" + keyB + keyA + "00000000"));
        assertMessage("keys out of order", seal(now + "00000002" + keyA + keyA + "00000000"));
        assertMessage("key count 1000", seal(now + "000003e8" + keyA + "00000000"));
        assertMessage("sessions out of order", seal(now + "00000000 00000002" + session + session));
        assertMessage("bad session", seal(now + "00000000 00000001 0000000000000000 0000000000000001 0000000000000050 03"));
        assertMessage("bad session", seal(now + "00000000 00000001 0000000000000001 0000000000000000 0000000000000050 03"));
        assertMessage("bad session", seal(now + "00000000 00000001 0000000000000001 0000000000000001 0000000000000065 03"));
        assertMessage("trailing bytes", seal(now + "00000000 00000000 00"));
        assertMessage("unknown value tag", seal(now + "00000001 0001 61 09 00000000"));
        KvStore ok = KvStore.restore(seal(now + "00000001" + keyA + "00000001" + session), TIMEOUT_MS, SESSIONS_MAX);
        assertEquals(Value.of(0), ok.get("a"));
        assertEquals(100, ok.now());
        assertTrue(ok.hasSession(1));
    }

    /** Mutated bodies with a recomputed checksum: only MalformedException, or a canonical state. */
    @Test
    void resealedMutatedBodiesOnlyEverRaiseMalformedException() {
        long seed = 77;
        Random random = new Random(seed);
        KvStore store = new KvStore(TIMEOUT_MS, SESSIONS_MAX);
        applyAll(store, log(seed, 100));
        byte[] good = store.snapshot();
        byte[] body = Arrays.copyOfRange(good, 12, good.length - 4);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = body.clone();
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt();
            }
            byte[] sealed = seal(hex(bad));
            try {
                KvStore restored = KvStore.restore(sealed, Long.MAX_VALUE, Integer.MAX_VALUE);
                assertArrayEquals(sealed, restored.snapshot(), "seed " + seed + " case " + i);
            } catch (KvCodec.MalformedException expected) {
                // the only acceptable failure
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " case " + i + ": " + e, e);
            }
        }
    }

    @Test
    void restoreWithTighterLimitsDropsSessionsByTheUsualRules() {
        KvStore original = populated(); // sessions 1, 2, 3, -4 active at 100, 110, 130, 140
        KvStore tighter = KvStore.restore(original.snapshot(), TIMEOUT_MS, 2);
        assertEquals(2, tighter.sessionCount());
        assertTrue(tighter.hasSession(3) && tighter.hasSession(-4));
        KvStore shorter = KvStore.restore(original.snapshot(), 20, SESSIONS_MAX); // now 150: 130 is not older than 130
        assertEquals(2, shorter.sessionCount());
        assertTrue(shorter.hasSession(3) && shorter.hasSession(-4));
    }

    private static byte[] seal(String bodyHex) {
        byte[] body = KvGen.unhex(bodyHex);
        ByteBuffer out = ByteBuffer.allocate(12 + body.length + 4);
        out.putInt(KvStore.SNAPSHOT_MAGIC).putInt(KvStore.SNAPSHOT_VERSION).putInt(body.length).put(body);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private static byte[] flip(byte[] data, int at) {
        byte[] bad = data.clone();
        bad[at] ^= 1;
        return bad;
    }

    private static void assertMessage(String expected, byte[] snapshot) {
        KvCodec.MalformedException e = assertThrows(KvCodec.MalformedException.class,
                () -> KvStore.restore(snapshot, TIMEOUT_MS, SESSIONS_MAX));
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
