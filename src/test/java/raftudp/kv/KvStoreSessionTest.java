package raftudp.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly-once application through client sessions, and deterministic session expiry. */
class KvStoreSessionTest {
    static final Result EXPIRED = new Result.SessionExpired();

    private static KvEntry append(long client, long seq, long timeMs, String key, long v) {
        return new KvEntry(client, seq, timeMs, new Command.Append(key, Value.of(v)));
    }

    private static KvEntry put(long client, long seq, long timeMs, String key, Value v) {
        return new KvEntry(client, seq, timeMs, new Command.Put(key, v));
    }

    private static KvEntry tick(long timeMs) {
        return KvEntry.unsessioned(timeMs, new Command.Get("tick"));
    }

    @Test
    void retriedRequestReturnsFirstAnswerAndAppliesOnce() {
        KvStore store = new KvStore(10_000, 10);
        assertEquals(new Result.Appended(1), store.apply(append(7, 1, 100, "l", 5)));
        assertEquals(new Result.Appended(1), store.apply(append(7, 1, 200, "l", 5)));
        assertEquals(new Result.Appended(1), store.apply(append(7, 1, 300, "l", 5)));
        assertEquals(new Value.ListValue(List.of(Value.of(5))), store.get("l"));
    }

    @Test
    void retryAnswersWhatWasTrueThenNotWhatIsTrueNow() {
        KvStore store = new KvStore(10_000, 10);
        assertEquals(new Result.Ok(null), store.apply(put(1, 1, 10, "k", Value.of("mine"))));
        store.apply(put(2, 1, 20, "k", Value.of("theirs")));
        assertEquals(new Result.Ok(null), store.apply(put(1, 1, 30, "k", Value.of("mine"))));
        assertEquals(Value.of("theirs"), store.get("k"));
    }

    @Test
    void getsThroughTheLogAreCachedLikeWrites() {
        KvStore store = new KvStore(10_000, 10);
        store.apply(put(1, 1, 10, "k", Value.of(0)));
        assertEquals(new Result.Found(Value.of(0)), store.apply(new KvEntry(2, 1, 11, new Command.Get("k"))));
        store.apply(put(1, 2, 12, "k", Value.of(1)));
        assertEquals(new Result.Found(Value.of(0)), store.apply(new KvEntry(2, 1, 13, new Command.Get("k"))));
        assertEquals(new Result.Found(Value.of(1)), store.apply(new KvEntry(2, 2, 14, new Command.Get("k"))));
    }

    @Test
    void staleSequenceNumberIsRefusedAndNothingApplied() {
        KvStore store = new KvStore(10_000, 10);
        store.apply(append(7, 1, 10, "l", 1));
        store.apply(append(7, 2, 20, "l", 2));
        assertEquals(EXPIRED, store.apply(append(7, 1, 30, "l", 1)));
        assertEquals(new Value.ListValue(List.of(Value.of(1), Value.of(2))), store.get("l"));
        assertEquals(new Result.Appended(2), store.apply(append(7, 2, 40, "l", 2)));
    }

    @Test
    void unknownClientWithSequenceAboveOneIsRefusedAndGetsNoSession() {
        KvStore store = new KvStore(10_000, 10);
        assertEquals(EXPIRED, store.apply(append(9, 2, 10, "l", 1)));
        assertEquals(0, store.size());
        assertEquals(0, store.sessionCount());
        assertFalse(store.hasSession(9));
    }

    @Test
    void sequenceGapsAreAppliedAndTheNewestIsCached() {
        KvStore store = new KvStore(10_000, 10);
        store.apply(append(7, 1, 10, "l", 1));
        assertEquals(new Result.Appended(2), store.apply(append(7, 5, 20, "l", 2)));
        assertEquals(new Result.Appended(2), store.apply(append(7, 5, 30, "l", 2)));
        assertEquals(EXPIRED, store.apply(append(7, 3, 40, "l", 3)));
    }

    @Test
    void clientZeroIsNeverDeduplicated() {
        KvStore store = new KvStore(10_000, 10);
        assertEquals(new Result.Appended(1), store.apply(new KvEntry(0, 1, 10, new Command.Append("l", Value.of(1)))));
        assertEquals(new Result.Appended(2), store.apply(new KvEntry(0, 1, 10, new Command.Append("l", Value.of(1)))));
        assertEquals(0, store.sessionCount());
    }

    @Test
    void sessionExpiresByEntryTimestampsAtTheTimeoutBoundary() {
        KvStore store = new KvStore(1_000, 10);
        store.apply(append(7, 1, 0, "l", 1));
        store.apply(tick(1_000));
        assertTrue(store.hasSession(7), "idle exactly the timeout: still alive");
        store.apply(tick(1_001));
        assertFalse(store.hasSession(7));
        assertEquals(EXPIRED, store.apply(append(7, 2, 1_002, "l", 2)));
        assertEquals(new Value.ListValue(List.of(Value.of(1))), store.get("l"));
    }

    @Test
    void expiryHappensBeforeTheEntryThatCrossesTheTimeout() {
        KvStore store = new KvStore(1_000, 10);
        store.apply(append(7, 1, 0, "l", 1));
        assertEquals(EXPIRED, store.apply(append(7, 2, 5_000, "l", 2)));
        assertEquals(new Value.ListValue(List.of(Value.of(1))), store.get("l"));
    }

    /** The documented limit of "unknown client, seq 1 starts a session": clients stop retrying before the timeout. */
    @Test
    void firstRequestRetriedAfterItsSessionExpiredIsAppliedAgain() {
        KvStore store = new KvStore(1_000, 10);
        store.apply(append(7, 1, 0, "l", 1));
        assertEquals(new Result.Appended(2), store.apply(append(7, 1, 1_001, "l", 1)));
        assertTrue(store.hasSession(7));
    }

    @Test
    void activityAndRetriesKeepASessionAlive() {
        KvStore store = new KvStore(1_000, 10);
        store.apply(append(7, 1, 0, "l", 1));
        store.apply(append(7, 2, 900, "l", 2));
        store.apply(tick(1_800));
        store.apply(append(7, 2, 1_850, "l", 2)); // a retry counts as activity
        store.apply(tick(2_800));
        assertTrue(store.hasSession(7));
        assertEquals(new Result.Appended(2), store.apply(append(7, 2, 2_801, "l", 2)));
    }

    @Test
    void nowNeverGoesBackWhenLeaderClocksDisagree() {
        KvStore store = new KvStore(1_000, 10);
        store.apply(tick(5_000));
        store.apply(append(7, 1, 100, "l", 1)); // an old leader's slow clock
        assertEquals(5_000, store.now());
        store.apply(tick(5_900));
        assertTrue(store.hasSession(7), "activity is the store's now (5000), not the entry's 100");
        store.apply(tick(6_001));
        assertFalse(store.hasSession(7));
    }

    @Test
    void beyondSessionsMaxTheLeastRecentlyActiveIsDropped() {
        KvStore store = new KvStore(1_000_000, 2);
        store.apply(append(1, 1, 10, "l", 1));
        store.apply(append(2, 1, 20, "l", 2));
        store.apply(append(1, 2, 30, "l", 3));
        store.apply(append(3, 1, 40, "l", 4));
        assertEquals(2, store.sessionCount());
        assertFalse(store.hasSession(2));
        assertTrue(store.hasSession(1));
        assertTrue(store.hasSession(3));
    }

    @Test
    void equallyRecentSessionsAreDroppedLowestClientIdFirst() {
        KvStore store = new KvStore(1_000_000, 2);
        store.apply(append(5, 1, 10, "l", 1));
        store.apply(append(3, 1, 10, "l", 2));
        store.apply(append(9, 1, 10, "l", 3));
        assertFalse(store.hasSession(3));
        assertTrue(store.hasSession(5));
        assertTrue(store.hasSession(9));
    }

    @Test
    void sessionJustUsedIsNeverTheOneEvicted() {
        KvStore store = new KvStore(1_000_000, 2);
        store.apply(append(9, 1, 10, "l", 1));
        store.apply(append(8, 1, 10, "l", 2));
        store.apply(append(1, 1, 10, "l", 3)); // lowest id, same activity: yet it must survive
        assertTrue(store.hasSession(1));
        assertFalse(store.hasSession(8));
        assertEquals(new Result.Appended(3), store.apply(append(1, 1, 11, "l", 3)));
    }

    /**
     * Clients send requests and retry them (duplicates arrive late and out of order): every
     * (client, seq) lands in the list at most once, and each answer is the first answer or
     * SessionExpired.
     */
    @Test
    void randomRetriesNeverApplyARequestTwice() {
        long seed = 20240611L;
        Random random = new Random(seed);
        KvStore store = new KvStore(1_000_000, 1_000);
        Map<Long, Long> nextSeq = new HashMap<>();
        Map<String, Result> firstAnswer = new HashMap<>();
        List<KvEntry> sent = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            KvEntry e;
            if (!sent.isEmpty() && random.nextInt(3) == 0) {
                e = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 20)));
            } else {
                long client = 1 + random.nextInt(30);
                long seq = nextSeq.merge(client, 1L, Long::sum);
                e = append(client, seq, i, "log", client * 1_000_000 + seq);
                sent.add(e);
            }
            Result r = store.apply(e);
            Result first = firstAnswer.putIfAbsent(e.clientId() + "/" + e.seq(), r);
            assertTrue(first == null || first.equals(r) || r.equals(EXPIRED), "seed " + seed + " entry " + i);
        }
        List<Value> log = ((Value.ListValue) store.get("log")).items();
        Set<Value> distinct = new HashSet<>(log);
        assertEquals(distinct.size(), log.size(), "a request was applied twice, seed " + seed);
        assertEquals(sent.size(), log.size(), "every request was applied once, seed " + seed);
    }
}
