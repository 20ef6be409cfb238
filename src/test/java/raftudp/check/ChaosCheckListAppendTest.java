package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.check.ChaosCheckFixtures.History;
import raftudp.check.ChaosHistory.ClientOp;

/** Rules b1-b5 of {@link ListAppendCheck}, and the linearizability verdict on the same histories. */
class ChaosCheckListAppendTest {
    @TempDir
    Path dir;

    private static ListAppendCheck.Report check(List<ClientOp> ops) {
        return ListAppendCheck.check(ops, 0);
    }

    private static CheckResult linearizability(List<ClientOp> ops) {
        return Linearizability.check(ChaosHistory.toOperations(ops, 0, new HashMap<>()));
    }

    /** The only check that failed, with all its violations naming {@code key}. */
    private static void assertOnly(String check, String key, ListAppendCheck.Report r) {
        assertTrue(!r.violations().isEmpty(), "expected a " + check + " violation");
        for (ListAppendCheck.Violation v : r.violations()) {
            assertEquals(check, v.check(), v.toString());
            assertEquals(key, v.key(), v.toString());
        }
    }

    /** Two clients appending to k1 concurrently, one to k2, a read in the middle and final reads. */
    private static History valid() {
        return new History()
                .append("h1", 1, 1, "k1", "h1-1-1", 0, 10, 1)
                .append("h2", 1, 1, "k1", "h2-1-1", 5, 30, 3)
                .append("h1", 1, 2, "k1", "h1-1-2", 12, 25, 2)
                .get("h1", 1, 3, "k1", 26, 28, List.of("h1-1-1", "h1-1-2"))
                .append("h2", 1, 2, "k2", "h2-1-2", 31, 40, 1)
                .get("h2", 1, 3, "k3", 41, 42, null)
                .finalGet("h1", 1, 4, "k1", 100, 110, List.of("h1-1-1", "h1-1-2", "h2-1-1"))
                .finalGet("h2", 1, 4, "k1", 100, 111, List.of("h1-1-1", "h1-1-2", "h2-1-1"))
                .finalGet("h1", 1, 5, "k2", 100, 110, List.of("h2-1-2"));
    }

    @Test
    void when_historyIsValid_then_everyCheckPasses() {
        List<ClientOp> ops = valid().ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertTrue(r.isOk(), r.violations().toString());
        assertEquals(3, r.keys());
        assertEquals(2, r.keysWithFinal());
        assertEquals(List.of("h1-1-1", "h1-1-2", "h2-1-1"), r.finals().get("k1"));
        assertTrue(linearizability(ops).isOk());
    }

    @Test
    void when_finalListHoldsAValueTwice_then_b1() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .finalGet("h1", 1, 2, "k", 20, 30, List.of("a", "a"))
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertEquals("b1", r.violations().get(0).check());
        assertTrue(r.violations().get(0).message().contains("\"a\" occurs twice"));
    }

    @Test
    void when_acknowledgedAppendIsMissingFromTheFinalList_then_b2() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .append("h1", 1, 2, "k", "b", 11, 20, 2)
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("a"))
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertOnly("b2", "k", r);
        assertTrue(r.violations().get(0).message().contains("h1/1#2"), r.violations().get(0).message());
        assertEquals(CheckResult.Verdict.VIOLATION, linearizability(ops).verdict());
    }

    @Test
    void when_appendReportedALengthItsPositionDoesNotMatch_then_b2() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 2)
                .append("h2", 1, 1, "k", "b", 0, 10, 2)
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("a", "b"))
                .ops(dir);
        assertOnly("b2", "k", check(ops));
    }

    @Test
    void when_finalListHoldsAValueNobodyAppended_then_b3() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .finalGet("h1", 1, 2, "k", 20, 30, List.of("a", "ghost"))
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertOnly("b3", "k", r);
        assertTrue(r.violations().get(0).message().contains("never appended"));
    }

    @Test
    void when_finalListHoldsAFailedAppendsValue_then_b3AndNotLinearizable() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .append("h1", 1, 2, "k", "b", 11, 20, "fail", "\"error\":\"nothing sent\"")
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("a", "b"))
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertOnly("b3", "k", r);
        assertTrue(r.violations().get(0).message().contains("failed append"));
        assertEquals(CheckResult.Verdict.VIOLATION, linearizability(ops).verdict());
    }

    @Test
    void when_finalListHoldsAWrongTypeAppendsValue_then_b3() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .append("h1", 1, 2, "k", "b", 11, 20, "ok", "\"result\":\"wrong_type\"")
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("a", "b"))
                .ops(dir);
        assertOnly("b3", "k", check(ops));
    }

    @Test
    void when_invokeWithoutCompletionShowsUpInTheFinalRead_then_itPasses() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .appendNoCompletion("h2", 1, 1, "k", "b", 5)
                .finalGet("h1", 1, 2, "k", 30, 40, List.of("a", "b"))
                .ops(dir);
        assertTrue(check(ops).isOk(), check(ops).violations().toString());
        assertTrue(linearizability(ops).isOk());
    }

    @Test
    void when_laterAppendReportsAShorterList_then_b4EvenWithoutAFinalRead() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 2)
                .append("h1", 1, 2, "k", "b", 20, 30, 1)
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertOnly("b4", "k", r);
        assertEquals(0, r.keysWithFinal());
        assertTrue(r.violations().get(0).message().contains("h1/1#1"));
        assertTrue(r.violations().get(0).message().contains("h1/1#2"));
    }

    @Test
    void when_concurrentAppendsReportAnyOrder_then_b4IsQuiet() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 30, 2)
                .append("h2", 1, 1, "k", "b", 10, 20, 1)
                .ops(dir);
        assertTrue(check(ops).isOk());
    }

    @Test
    void when_readIsNotAPrefixOfTheFinalList_then_b5() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .append("h2", 1, 1, "k", "b", 0, 10, 2)
                .get("h1", 1, 2, "k", 11, 12, List.of("b"))
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("a", "b"))
                .ops(dir);
        ListAppendCheck.Report r = check(ops);
        assertOnly("b5", "k", r);
        assertTrue(r.violations().get(0).message().contains("first difference at position 0"));
    }

    @Test
    void when_finalReadsDisagree_then_b5() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .append("h2", 1, 1, "k", "b", 0, 10, 2)
                .finalGet("h1", 1, 2, "k", 30, 40, List.of("a", "b"))
                .finalGet("h2", 1, 2, "k", 30, 40, List.of("b"))
                .ops(dir);
        assertOnly("b5", "k", check(ops));
    }

    @Test
    void when_readIsStaleAfterAnAcknowledgedAppend_then_notLinearizableButListChecksPass() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 0, 10, 1)
                .get("h2", 1, 1, "k", 20, 30, null)
                .ops(dir);
        assertTrue(check(ops).isOk());
        CheckResult lin = linearizability(ops);
        assertEquals(CheckResult.Verdict.VIOLATION, lin.verdict());
        assertEquals("k", lin.key());
    }
}
