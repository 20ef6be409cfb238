package raftudp.kv;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The semantics of each operation, applied without sessions. */
class KvStoreTest {
    private final KvStore store = new KvStore(60_000, 1000);
    private long clockMs = 1_000;

    private Result apply(Command c) {
        return store.apply(KvEntry.unsessioned(clockMs++, c));
    }

    private static Value list(Value... items) {
        return new Value.ListValue(List.of(items));
    }

    @Test
    void putStoresTheValueAndAnswersThePreviousOne() {
        assertEquals(new Result.Ok(null), apply(new Command.Put("k", Value.of(1))));
        assertEquals(new Result.Ok(Value.of(1)), apply(new Command.Put("k", Value.of("one"))));
        assertEquals(new Result.Found(Value.of("one")), apply(new Command.Get("k")));
        assertEquals(1, store.size());
    }

    @Test
    void zeroEmptyStringAndEmptyBytesAreDistinctStorableValues() {
        apply(new Command.Put("int", Value.of(0)));
        apply(new Command.Put("str", Value.of("")));
        apply(new Command.Put("bytes", Value.of(new byte[0])));
        assertEquals(new Result.Found(Value.of(0)), store.read(new Command.Get("int")));
        assertEquals(new Result.Found(Value.of("")), store.read(new Command.Get("str")));
        assertEquals(new Result.Found(Value.of(new byte[0])), store.read(new Command.Get("bytes")));
        assertEquals(new Result.CasFailed(Value.of(0)), apply(new Command.Cas("int", Value.of(""), Value.of(1))));
        assertEquals(new Result.CasFailed(Value.of("")), apply(new Command.Cas("str", Value.of(new byte[0]), Value.of(1))));
        assertEquals(3, store.size());
    }

    @Test
    void oneMebibyteBytesValueIsStoredAndReadWhole() {
        byte[] big = KvCodecTest.MIB.clone();
        apply(new Command.Put("big", Value.of(big)));
        Result.Found found = (Result.Found) store.read(new Command.Get("big"));
        assertArrayEquals(KvCodecTest.MIB, ((Value.Bytes) found.value()).value());
    }

    @Test
    void getOfAnAbsentKeyIsNotFound() {
        assertEquals(new Result.NotFound(), apply(new Command.Get("nope")));
        assertEquals(new Result.NotFound(), store.read(new Command.Get("nope")));
        assertNull(store.get("nope"));
    }

    @Test
    void deleteAnswersThePreviousValueOrNullAndRemovesTheKey() {
        assertEquals(new Result.Ok(null), apply(new Command.Delete("k")));
        apply(new Command.Put("k", Value.of(0)));
        assertEquals(new Result.Ok(Value.of(0)), apply(new Command.Delete("k")));
        assertNull(store.get("k"));
        assertEquals(0, store.size());
    }

    @Test
    void casWithAbsentExpectedCreatesOnlyWhenTheKeyIsAbsent() {
        assertEquals(new Result.Ok(null), apply(new Command.Cas("k", null, Value.of(0))));
        assertEquals(Value.of(0), store.get("k"));
        assertEquals(new Result.CasFailed(Value.of(0)), apply(new Command.Cas("k", null, Value.of(1))));
        assertEquals(Value.of(0), store.get("k"));
    }

    @Test
    void casSwapsOnEqualValueAndOtherwiseAnswersTheCurrentOne() {
        assertEquals(new Result.CasFailed(null), apply(new Command.Cas("k", Value.of(0), Value.of(1))));
        assertNull(store.get("k"));
        apply(new Command.Put("k", Value.of(new byte[]{1, 2})));
        assertEquals(new Result.Ok(Value.of(new byte[]{1, 2})),
                apply(new Command.Cas("k", Value.of(new byte[]{1, 2}), Value.of("next"))));
        assertEquals(new Result.CasFailed(Value.of("next")), apply(new Command.Cas("k", Value.of("other"), Value.of(3))));
        assertEquals(Value.of("next"), store.get("k"));
    }

    @Test
    void casComparesTypesNotJustText() {
        apply(new Command.Put("k", Value.of(0)));
        assertEquals(new Result.CasFailed(Value.of(0)), apply(new Command.Cas("k", Value.of("0"), Value.of(1))));
        assertEquals(new Result.CasFailed(Value.of(0)), apply(new Command.Cas("k", Value.of(new byte[]{0}), Value.of(1))));
    }

    @Test
    void appendCreatesAListAndAnswersItsNewSize() {
        assertEquals(new Result.Appended(1), apply(new Command.Append("l", Value.of(0))));
        assertEquals(new Result.Appended(2), apply(new Command.Append("l", Value.of(""))));
        assertEquals(new Result.Appended(3), apply(new Command.Append("l", Value.of(new byte[0]))));
        assertEquals(list(Value.of(0), Value.of(""), Value.of(new byte[0])), store.get("l"));
        assertEquals(new Result.Found(store.get("l")), apply(new Command.Get("l")));
    }

    @Test
    void appendOntoAScalarIsWrongTypeAndChangesNothing() {
        apply(new Command.Put("k", Value.of("s")));
        assertEquals(new Result.WrongType(), apply(new Command.Append("k", Value.of(1))));
        assertEquals(Value.of("s"), store.get("k"));
    }

    @Test
    void putAndDeleteReplaceAListAndAnswerIt() {
        apply(new Command.Append("l", Value.of(1)));
        apply(new Command.Append("l", Value.of(2)));
        assertEquals(new Result.Ok(list(Value.of(1), Value.of(2))), apply(new Command.Put("l", Value.of(3))));
        assertEquals(new Result.WrongType(), apply(new Command.Append("l", Value.of(4))));
        apply(new Command.Delete("l"));
        apply(new Command.Append("l", Value.of(5)));
        assertEquals(new Result.Ok(list(Value.of(5))), apply(new Command.Delete("l")));
    }

    @Test
    void casOnAListComparesTheWholeList() {
        apply(new Command.Append("l", Value.of(1)));
        apply(new Command.Append("l", Value.of("a")));
        assertEquals(new Result.CasFailed(list(Value.of(1), Value.of("a"))),
                apply(new Command.Cas("l", list(Value.of(1)), Value.of(0))));
        assertEquals(new Result.Ok(list(Value.of(1), Value.of("a"))),
                apply(new Command.Cas("l", list(Value.of(1), Value.of("a")), Value.of(0))));
        assertEquals(Value.of(0), store.get("l"));
    }

    @Test
    void callersCannotChangeStoredBytesThroughArraysTheyHold() {
        byte[] in = {1, 2, 3};
        apply(new Command.Put("k", Value.of(in)));
        in[0] = 9;
        ((Value.Bytes) store.get("k")).value()[1] = 9;
        Result.Found found = (Result.Found) apply(new Command.Get("k"));
        ((Value.Bytes) found.value()).value()[2] = 9;
        assertEquals(Value.of(new byte[]{1, 2, 3}), store.get("k"));

        byte[] item = {4};
        apply(new Command.Append("l", Value.of(item)));
        item[0] = 9;
        ((Value.Bytes) ((Value.ListValue) store.get("l")).items().get(0)).value()[0] = 9;
        assertEquals(list(Value.of(new byte[]{4})), store.get("l"));
    }

    @Test
    void localReadsChangeNeitherTimeNorSessions() {
        store.apply(new KvEntry(7, 1, 5_000, new Command.Put("k", Value.of(1))));
        byte[] before = store.snapshot();
        assertEquals(new Result.Found(Value.of(1)), store.read(new Command.Get("k")));
        assertEquals(5_000, store.now());
        assertArrayEquals(before, store.snapshot());
    }

    @Test
    void commandsWithoutUtf8FormAreRefusedBeforeAnyChange() {
        assertThrows(IllegalArgumentException.class, () -> apply(new Command.Put("k\uD800", Value.of(1))));
        assertThrows(IllegalArgumentException.class, () -> apply(new Command.Put("k", Value.of("\uDC00"))));
        assertEquals(0, store.size());
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new KvStore(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new KvStore(1, 0));
    }
}
