package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.check.Ops.append;
import static raftudp.check.Ops.appended;
import static raftudp.check.Ops.cas;
import static raftudp.check.Ops.casFailed;
import static raftudp.check.Ops.delete;
import static raftudp.check.Ops.expired;
import static raftudp.check.Ops.found;
import static raftudp.check.Ops.get;
import static raftudp.check.Ops.list;
import static raftudp.check.Ops.notFound;
import static raftudp.check.Ops.ok;
import static raftudp.check.Ops.put;
import static raftudp.check.Ops.v;
import static raftudp.check.Ops.wrongType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/** The sequential specification, one row per (state, command) case of the semantics. */
class KvModelTest {

    static Stream<Arguments> semantics() {
        Value s1 = v(1);
        Value l12 = list(v(1), v(2));
        return Stream.of(
                // state, command, the only legal answer, next state
                Arguments.of(null, put("k", 1), ok(), s1),
                Arguments.of(s1, put("k", 2), ok(1), v(2)),
                Arguments.of(l12, put("k", 3), new Result.Ok(l12), v(3)),
                Arguments.of(null, get("k"), notFound(), null),
                Arguments.of(s1, get("k"), found(1), s1),
                Arguments.of(l12, get("k"), found(l12), l12),
                Arguments.of(null, delete("k"), ok(), null),
                Arguments.of(s1, delete("k"), ok(1), null),
                Arguments.of(null, cas("k", null, 5), ok(), v(5)),
                Arguments.of(s1, cas("k", 1L, 5), ok(1), v(5)),
                Arguments.of(s1, cas("k", null, 5), casFailed(1L), s1),
                Arguments.of(null, cas("k", 1L, 5), casFailed(null), null),
                Arguments.of(s1, cas("k", 2L, 5), casFailed(1L), s1),
                Arguments.of(null, append("k", 7), appended(1), list(v(7))),
                Arguments.of(list(v(7)), append("k", 8), appended(2), list(v(7), v(8))),
                Arguments.of(s1, append("k", 8), wrongType(), s1));
    }

    @ParameterizedTest(name = "{1} in state {0} answers {2}")
    @MethodSource("semantics")
    void step_acceptsExactlyTheSpecifiedAnswer_andMovesToTheNextState(
            Value state, Command in, Result answer, Value next) {
        KvModel.Step s = KvModel.step(state, in, answer);
        assertTrue(s.legal(), () -> "rejected " + answer);
        assertEquals(next, s.next());
        assertEquals(answer, s.expected());
    }

    @ParameterizedTest(name = "{1} in state {0}: anything but {2} is illegal")
    @MethodSource("semantics")
    void step_rejectsEveryOtherAnswer(Value state, Command in, Result answer, Value next) {
        Result[] others = {ok(), ok(1), ok(9), found(1), found(9), notFound(), casFailed(null),
                casFailed(1L), casFailed(9L), appended(1), appended(2), appended(9), wrongType()};
        for (Result other : others) {
            if (!other.equals(answer)) {
                assertFalse(KvModel.step(state, in, other).legal(), () -> "accepted " + other);
            }
        }
    }

    @ParameterizedTest(name = "{1} in state {0} with an unknown answer")
    @MethodSource("semantics")
    void step_acceptsUnknownAnswers_andStillAppliesTheEffect(
            Value state, Command in, Result answer, Value next) {
        for (Result unknown : new Result[] {null, expired()}) {
            KvModel.Step s = KvModel.step(state, in, unknown);
            assertTrue(s.legal());
            assertEquals(next, s.next());
        }
    }

    @Test
    void cas_comparesBytesByContent() {
        Value stored = Value.of(new byte[] {1, 2});
        Command c = new Command.Cas("k", Value.of(new byte[] {1, 2}), Value.of(new byte[] {3}));
        KvModel.Step s = KvModel.step(stored, c, new Result.Ok(Value.of(new byte[] {1, 2})));
        assertTrue(s.legal());
        assertEquals(Value.of(new byte[] {3}), s.next());
    }

    @Test
    void cas_expectingAList_succeedsOnAnEqualList() {
        Value l = list(v(1), v(2));
        Command c = new Command.Cas("k", list(v(1), v(2)), v(0));
        assertTrue(KvModel.step(l, c, new Result.Ok(l)).legal());
        assertFalse(KvModel.step(list(v(1)), c, new Result.Ok(list(v(1)))).legal());
    }

    @Test
    void delete_thenAppend_startsAFreshList() {
        Value afterDelete = KvModel.apply(list(v(1), v(2)), delete("k")).next();
        assertNull(afterDelete);
        assertEquals(new KvModel.Outcome(appended(1), list(v(3))),
                KvModel.apply(afterDelete, append("k", 3)));
    }

    @Test
    void appendedValues_areStoredInOrder_andTheInputListIsNotChanged() {
        Value before = list(v(1));
        Value after = KvModel.apply(before, append("k", 2)).next();
        assertEquals(list(v(1), v(2)), after);
        assertEquals(list(v(1)), before);
    }
}
