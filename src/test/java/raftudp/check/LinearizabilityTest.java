package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.check.Ops.append;
import static raftudp.check.Ops.appended;
import static raftudp.check.Ops.cas;
import static raftudp.check.Ops.casFailed;
import static raftudp.check.Ops.delete;
import static raftudp.check.Ops.expired;
import static raftudp.check.Ops.found;
import static raftudp.check.Ops.get;
import static raftudp.check.Ops.history;
import static raftudp.check.Ops.list;
import static raftudp.check.Ops.notFound;
import static raftudp.check.Ops.ok;
import static raftudp.check.Ops.op;
import static raftudp.check.Ops.pending;
import static raftudp.check.Ops.put;
import static raftudp.check.Ops.v;
import static raftudp.check.Ops.wrongType;

import java.util.List;
import org.junit.jupiter.api.Test;
import raftudp.check.CheckResult.Verdict;

/** Hand-made histories: the legal ones pass, and every kind of violation is caught. */
class LinearizabilityTest {

    private static CheckResult assertOk(List<Operation> h) {
        CheckResult r = Linearizability.check(h);
        assertEquals(Verdict.OK, r.verdict(), r::toString);
        assertNull(r.key());
        return r;
    }

    private static CheckResult assertViolation(String key, List<Operation> h) {
        CheckResult r = Linearizability.check(h);
        assertEquals(Verdict.VIOLATION, r.verdict(), r::toString);
        assertEquals(key, r.key());
        assertFalse(r.blocked().isEmpty(), r::toString);
        return r;
    }

    @Test
    void emptyHistory_isLinearizable() {
        assertOk(List.of());
    }

    @Test
    void sequentialHistory_ofEveryCommand_isLinearizable() {
        assertOk(history(
                op(1, 0, 1, get("x"), notFound()),
                op(1, 2, 3, put("x", 1), ok()),
                op(2, 4, 5, cas("x", 1L, 2), ok(1)),
                op(1, 6, 7, cas("x", 1L, 3), casFailed(2L)),
                op(2, 8, 9, append("x", 4), wrongType()),
                op(1, 10, 11, delete("x"), ok(2)),
                op(2, 12, 13, append("x", 4), appended(1)),
                op(1, 14, 15, append("x", 5), appended(2)),
                op(2, 16, 17, get("x"), found(list(v(4), v(5)))),
                op(1, 18, 19, put("x", 6), new raftudp.kv.Result.Ok(list(v(4), v(5)))),
                op(2, 20, 21, get("x"), found(6))));
    }

    @Test
    void readConcurrentWithWrite_mayReturnEitherTheOldOrTheNewValue() {
        for (var read : List.of(found(1), found(2))) {
            assertOk(history(
                    op(1, 0, 10, put("x", 1), ok()),
                    op(1, 20, 40, put("x", 2), ok(1)),
                    op(2, 25, 30, get("x"), read)));
        }
    }

    @Test
    void concurrentWrites_mayTakeEffectInEitherOrder_butReadsAfterwardsAgree() {
        // put 1 first: it sees absent and put 2 sees 1; and the other way round
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 0, 10, put("x", 2), ok(1)),
                op(3, 20, 30, get("x"), found(2)),
                op(1, 40, 50, get("x"), found(2))));
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok(2)),
                op(2, 0, 10, put("x", 2), ok()),
                op(3, 20, 30, get("x"), found(1)),
                op(1, 40, 50, get("x"), found(1))));
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 0, 10, put("x", 2), ok(1)),
                op(3, 20, 30, get("x"), found(2)),
                op(1, 40, 50, get("x"), found(1))));
    }

    @Test
    void manyConcurrentAppends_areOrderedByTheSizesTheyReport() {
        assertOk(history(
                op(1, 0, 100, append("x", 1), appended(3)),
                op(2, 0, 100, append("x", 2), appended(1)),
                op(3, 0, 100, append("x", 3), appended(2)),
                op(4, 50, 60, get("x"), found(list(v(2), v(3)))),
                op(4, 110, 120, get("x"), found(list(v(2), v(3), v(1))))));
    }

    @Test
    void staleRead_afterACompletedWrite_isAViolation() {
        CheckResult r = assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(1, 20, 30, put("x", 2), ok(1)),
                op(2, 40, 50, get("x"), found(1))));
        assertEquals(2, r.longestPrefix().size());
        assertTrue(r.explanation().contains("c2 [40,50] get(x) -> found(1)   expected found(2)"),
                r::toString);
        assertTrue(r.explanation().contains("2. c1 [20,30] put(x, 2) -> ok(1)"), r::toString);
    }

    @Test
    void lostWrite_aReadMissingAnAcknowledgedPut_isAViolation() {
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 20, 30, get("x"), notFound())));
    }

    @Test
    void duplicatedAppend_sizeJumpingByTwo_isAViolation() {
        assertViolation("x", history(
                op(1, 0, 10, append("x", 1), appended(1)),
                op(2, 20, 30, append("x", 2), appended(3))));
    }

    @Test
    void duplicatedAppend_seenByAReader_isAViolation() {
        assertViolation("x", history(
                op(1, 0, 10, append("x", 1), appended(1)),
                op(2, 0, 30, get("x"), found(list(v(1), v(1))))));
    }

    @Test
    void casThatSucceeded_althoughTheValueDiffered_isAViolation() {
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 20, 30, cas("x", 2L, 3), ok(1))));
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 20, 30, cas("x", 2L, 3), ok(2)),
                op(3, 40, 50, get("x"), found(3))));
    }

    @Test
    void readsGoingBackInTime_betweenTwoClients_areAViolation() {
        CheckResult r = assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(1, 20, 100, put("x", 2), ok(1)),
                op(2, 30, 40, get("x"), found(2)),
                op(3, 50, 60, get("x"), found(1))));
        assertTrue(r.explanation().contains("c3 [50,60] get(x) -> found(1)"), r::toString);
    }

    @Test
    void readOfAValueNeverWritten_isAViolation() {
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 0, 10, get("x"), found(7))));
    }

    @Test
    void unknownWrite_mayHaveTakenEffectOrNot() {
        for (var read : List.of(found(1), found(2))) {
            assertOk(history(
                    op(1, 0, 10, put("x", 1), ok()),
                    pending(1, 20, put("x", 2)),
                    op(2, 30, 40, get("x"), read)));
            assertOk(history(
                    op(1, 0, 10, put("x", 1), ok()),
                    op(1, 20, 25, put("x", 2), expired()),
                    op(2, 30, 40, get("x"), read)));
        }
    }

    @Test
    void unknownWrite_mayTakeEffectAfterItsExpiredAnswer() {
        assertOk(history(
                op(1, 0, 10, put("x", 2), expired()),
                op(2, 20, 30, get("x"), notFound()),
                op(2, 40, 50, get("x"), found(2))));
    }

    @Test
    void unknownAppend_thatMustHaveApplied_explainsALaterSize() {
        assertOk(history(
                pending(1, 0, append("x", 1)),
                op(2, 10, 20, append("x", 2), appended(2)),
                op(2, 30, 40, get("x"), found(list(v(1), v(2))))));
    }

    @Test
    void unknownWrite_calledAfterARead_cannotExplainIt() {
        CheckResult r = assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 20, 30, get("x"), found(2)),
                pending(1, 40, put("x", 2))));
        assertFalse(r.longestPrefix().stream().anyMatch(o -> o.clientId() == 2), r::toString);
    }

    @Test
    void unknownAppend_takesEffectAtMostOnce() {
        assertViolation("x", history(
                op(1, 0, 5, append("x", 1), expired()),
                op(2, 10, 20, get("x"), found(list(v(1), v(1))))));
    }

    @Test
    void unknownWrite_cannotBeUndone_onceARead_sawIt() {
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                pending(1, 20, put("x", 2)),
                op(2, 30, 40, get("x"), found(2)),
                op(3, 50, 60, get("x"), found(1))));
    }

    @Test
    void unknownReads_areIgnored() {
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok()),
                pending(2, 20, get("x")),
                op(3, 20, 30, get("x"), expired())));
    }

    @Test
    void keysAreCheckedIndependently_andTheViolatedKeyIsNamed() {
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 0, 10, put("y", 2), ok()),
                op(1, 20, 30, get("y"), found(2)),
                op(2, 20, 30, get("x"), found(1))));
        CheckResult r = assertViolation("y", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 0, 10, put("y", 2), ok()),
                op(1, 20, 30, get("y"), found(1)),
                op(2, 20, 30, get("x"), found(1))));
        assertTrue(r.longestPrefix().stream().allMatch(o -> o.key().equals("y")), r::toString);
    }

    @Test
    void operationsThatTouchInTime_countAsConcurrent() {
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 10, 20, get("x"), notFound())));
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(2, 11, 20, get("x"), notFound())));
    }

    @Test
    void deleteThenRead_seesAbsent_andStaleReadOfTheDeletedValueIsCaught() {
        assertOk(history(
                op(1, 0, 10, put("x", 1), ok()),
                op(1, 20, 30, delete("x"), ok(1)),
                op(2, 40, 50, get("x"), notFound())));
        assertViolation("x", history(
                op(1, 0, 10, put("x", 1), ok()),
                op(1, 20, 30, delete("x"), ok(1)),
                op(2, 40, 50, get("x"), found(1))));
    }

    @Test
    void operationWhoseReturnIsNotAfterItsCall_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> op(1, 10, 10, get("x"), notFound()));
        assertThrows(IllegalArgumentException.class,
                () -> Linearizability.check(List.of(), 0));
    }
}
