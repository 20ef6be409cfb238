package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.check.ChaosCheckFixtures.MS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.check.ChaosCheckFixtures.History;
import raftudp.check.ChaosHistory.ClientOp;
import raftudp.check.ChaosHistory.Outcome;
import raftudp.kv.Result;

/** Reading and pairing history and events files: {@link ChaosHistory}, {@link ChaosEvents}, {@link JsonLines}. */
class ChaosCheckHistoryTest {
    @TempDir
    Path dir;

    private List<ClientOp> read(String text, List<String> warnings) {
        return ChaosHistory.read(List.of(ChaosCheckFixtures.write(dir.resolve("h.jsonl"), text)), warnings);
    }

    private ChaosInputException refused(String text) {
        return assertThrows(ChaosInputException.class, () -> read(text, new ArrayList<>()));
    }

    @Test
    void when_invokeAndCompletionShareAnId_then_theyPairIntoOneOperation() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "h1-1-1", 10, 20, 1)
                .get("h1", 1, 2, "k", 30, 40, List.of("h1-1-1"))
                .append("h1", 2, 1, "k", "h1-2-1", 50, 60, "ok", "\"result\":\"wrong_type\"")
                .append("h1", 2, 2, "k", "h1-2-2", 70, 80, "fail", "\"error\":\"nothing sent\"")
                .ops(dir);
        assertEquals(4, ops.size());
        assertEquals(new Result.Appended(1), ops.get(0).result());
        assertEquals(10 * MS, ops.get(0).invokeT());
        assertEquals(20 * MS, ops.get(0).completeT());
        assertEquals(List.of("h1-1-1"), ops.get(1).readValues());
        assertEquals(new Result.WrongType(), ops.get(2).result());
        assertEquals(-1, ops.get(2).appendedLength());
        assertEquals(Outcome.FAIL, ops.get(3).outcome());
        assertEquals("nothing sent", ops.get(3).error());
    }

    @Test
    void when_invokeHasNoCompletion_then_theOperationIsUnknownAndNeverReturns() {
        List<ClientOp> ops = new History().appendNoCompletion("h1", 1, 1, "k", "v", 10).ops(dir);
        assertEquals(Outcome.UNKNOWN, ops.get(0).outcome());
        assertEquals(Operation.NEVER, ops.get(0).completeT());
        assertNull(ops.get(0).result());
    }

    @Test
    void when_convertedForTheLinearizabilityChecker_then_failedOpsAreLeftOutAndUnknownOnesPend() {
        List<ClientOp> ops = new History()
                .append("h1", 1, 1, "k", "a", 10, 20, 1)
                .append("h1", 1, 2, "k", "b", 30, 40, "fail", "\"error\":\"x\"")
                .append("h2", 7, 1, "k", "c", 50, 60, "unknown", "\"error\":\"timeout\"")
                .ops(dir);
        Map<Integer, String> names = new HashMap<>();
        List<Operation> lin = ChaosHistory.toOperations(ops, 0, names);
        assertEquals(2, lin.size());
        assertFalse(lin.get(0).isUnknown());
        assertTrue(lin.get(1).isUnknown());
        assertEquals(Operation.NEVER, lin.get(1).returnTime());
        assertEquals(Map.of(1, "h1/1", 2, "h2/7"), names);
    }

    @Test
    void when_lastLineIsTruncatedWithoutNewline_then_itIsIgnoredWithAWarning() {
        String good = new History().append("h1", 1, 1, "k", "a", 10, 20, 1).text();
        List<String> warnings = new ArrayList<>();
        List<ClientOp> ops = read(good + "{\"type\":\"invoke\",\"process\":\"h1\",\"cli", warnings);
        assertEquals(1, ops.size());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("h.jsonl:3"), warnings.get(0));
    }

    @Test
    void when_aMiddleLineIsInvalid_then_inputErrorNamesFileAndLine() {
        String good = new History().append("h1", 1, 1, "k", "a", 10, 20, 1).text();
        ChaosInputException e = refused("{\"type\":\"invoke\",\"process\":\n" + good);
        assertTrue(e.getMessage().contains("h.jsonl:1"), e.getMessage());
    }

    @Test
    void when_invalidLastLineEndsWithNewline_then_itIsAnInputError() {
        ChaosInputException e = refused("{\"type\":\"invoke\"\n");
        assertTrue(e.getMessage().contains("h.jsonl:1"), e.getMessage());
    }

    @Test
    void when_completionIsNotAfterInvoke_then_inputError() {
        ChaosInputException e = refused(new History().append("h1", 1, 1, "k", "a", 20, 20, 1).text());
        assertTrue(e.getMessage().contains("not after"), e.getMessage());
    }

    @Test
    void when_completionHasNoInvoke_then_inputError() {
        ChaosInputException e = refused("{\"type\":\"ok\",\"process\":\"h1\",\"client\":1,\"op\":1,\"f\":\"get\","
                + "\"key\":\"k\",\"t\":5,\"result\":null}\n");
        assertTrue(e.getMessage().contains("without an invoke"), e.getMessage());
    }

    @Test
    void when_completionDisagreesWithItsInvoke_then_inputError() {
        String text = "{\"type\":\"invoke\",\"process\":\"h1\",\"client\":1,\"op\":1,\"f\":\"append\",\"key\":\"k\","
                + "\"value\":\"a\",\"t\":5}\n"
                + "{\"type\":\"ok\",\"process\":\"h1\",\"client\":1,\"op\":1,\"f\":\"append\",\"key\":\"other\","
                + "\"value\":\"a\",\"t\":6,\"result\":1}\n";
        assertTrue(refused(text).getMessage().contains("does not match"));
    }

    @Test
    void when_operationIsInvokedTwice_then_inputError() {
        String line = "{\"type\":\"invoke\",\"process\":\"h1\",\"client\":1,\"op\":1,\"f\":\"get\",\"key\":\"k\",\"t\":5}\n";
        assertTrue(refused(line + line).getMessage().contains("already has an invoke"));
    }

    @Test
    void when_okAppendHasABadResult_then_inputError() {
        refused(new History().append("h1", 1, 1, "k", "a", 1, 2, "ok", "\"result\":0").text());
        refused(new History().append("h1", 1, 1, "k", "a", 1, 2, "ok", "").text());
    }

    @Test
    void when_eventsHaveWindowsLeadersAndPhases_then_windowsPairAndLeaderChangesCount() {
        List<String> lines = new ArrayList<>();
        lines.add(ChaosCheckFixtures.phase(0, "start"));
        lines.addAll(ChaosCheckFixtures.fault(7, "kill", 100, 300));
        lines.add(ChaosCheckFixtures.leader(50, "h1", 1));
        lines.add(ChaosCheckFixtures.leader(60, "h1", 1));
        lines.add(ChaosCheckFixtures.leader(200, null, 1));
        lines.add(ChaosCheckFixtures.leader(400, "h2", 2));
        lines.add(ChaosCheckFixtures.leader(500, "h2", 3));
        lines.add("{\"t\":" + 600 * MS + ",\"kind\":\"wipe\",\"phase\":\"start\",\"id\":8}");
        ChaosEvents ev = ChaosEvents.read(ChaosCheckFixtures.writeLines(dir.resolve("e.jsonl"), lines), new ArrayList<>());
        assertEquals(2, ev.faults().size());
        assertEquals(new ChaosEvents.FaultWindow(7, "kill", 100 * MS, 300 * MS, "kill 7"), ev.faults().get(0));
        assertTrue(ev.faults().get(1).isOpen());
        assertEquals(2, ev.leaderChanges());
        assertEquals(0, ev.firstPhase("start"));
    }

    @Test
    void when_aFaultSparesTheLeader_then_aChangeOfLeaderOrTermAroundItsWindowCountsAsADeposition() {
        ChaosEvents.FaultWindow follower = new ChaosEvents.FaultWindow(1, "kill", 100 * MS, 300 * MS, "kill -9 h2");
        ChaosEvents.FaultWindow leaderKill = new ChaosEvents.FaultWindow(2, "kill", 100 * MS, 300 * MS,
                "kill -9 h1 (leader)");
        ChaosEvents.FaultWindow allLinks = new ChaosEvents.FaultWindow(3, "loss", 100 * MS, 300 * MS, "every link");
        assertTrue(ChaosEvents.sparesLeader(follower));
        assertFalse(ChaosEvents.sparesLeader(leaderKill));
        assertFalse(ChaosEvents.sparesLeader(allLinks), "no single victim");
        long after = 200 * MS;
        ChaosEvents steady = new ChaosEvents(List.of(), List.of(new ChaosEvents.LeaderSeen(50 * MS, "h1", 1),
                new ChaosEvents.LeaderSeen(150 * MS, null, 1), new ChaosEvents.LeaderSeen(250 * MS, "h1", 1)), List.of());
        assertFalse(steady.leaderChangedAround(follower, 1000 * MS, after), "a missed poll is no change");
        ChaosEvents newTerm = new ChaosEvents(List.of(), List.of(new ChaosEvents.LeaderSeen(50 * MS, "h1", 1),
                new ChaosEvents.LeaderSeen(450 * MS, "h1", 2)), List.of());
        assertTrue(newTerm.leaderChangedAround(follower, 1000 * MS, after), "same leader, new term, 150 ms after the end");
        assertFalse(newTerm.leaderChangedAround(follower, 1000 * MS, 100 * MS), "too late to be the fault's doing");
        ChaosEvents noLeaderBefore = new ChaosEvents(List.of(), List.of(new ChaosEvents.LeaderSeen(150 * MS, "h3", 2)),
                List.of());
        assertFalse(noLeaderBefore.leaderChangedAround(follower, 1000 * MS, after), "nobody to depose");
    }

    @Test
    void when_faultEndsWithoutStart_then_inputError() {
        List<String> lines = List.of(ChaosCheckFixtures.fault(3, "pause", 1, 2).get(1));
        Path file = ChaosCheckFixtures.writeLines(dir.resolve("e.jsonl"), lines);
        assertThrows(ChaosInputException.class, () -> ChaosEvents.read(file, new ArrayList<>()));
    }
}
