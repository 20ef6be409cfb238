package raftudp.sim;

import org.junit.jupiter.api.Test;
import raftudp.core.Entry;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every safety check is shown to fire on a hand-made violation, and to stay quiet on a good history. */
class SafetyCheckerTest {
    private static Entry e(long index, long term, int data) {
        return new Entry(index, term, Entry.Kind.NORMAL, new byte[]{(byte) data});
    }

    @Test
    void twoLeadersInOneTermAreReported() {
        SafetyChecker c = new SafetyChecker();
        c.leader(3, 0);
        c.leader(3, 0);
        c.leader(4, 1);
        assertTrue(c.ok());
        c.leader(4, 2);
        assertFalse(c.ok());
        assertTrue(c.violations().get(0).contains("both lead term 4"));
    }

    @Test
    void differentEntriesAppliedAtSameIndexAreReported() {
        SafetyChecker c = new SafetyChecker();
        c.applied(0, e(1, 1, 1));
        c.applied(1, e(1, 1, 1));
        assertTrue(c.ok());
        c.applied(2, e(1, 1, 9));
        assertFalse(c.ok());
    }

    @Test
    void applyingOutOfOrderIsReported() {
        SafetyChecker c = new SafetyChecker();
        c.applied(0, e(1, 1, 1));
        c.applied(0, e(3, 1, 1));
        assertFalse(c.ok());
    }

    @Test
    void logsThatAgreeOnATermButDifferBeforeAreReported() {
        SafetyChecker c = new SafetyChecker();
        SafetyChecker.LogView a = SafetyChecker.view(0, 1, List.of(e(1, 1, 1), e(2, 1, 2), e(3, 2, 3)));
        SafetyChecker.LogView good = SafetyChecker.view(1, 1, List.of(e(1, 1, 1), e(2, 1, 2), e(3, 2, 3), e(4, 2, 4)));
        SafetyChecker.LogView divergingTail = SafetyChecker.view(2, 1, List.of(e(1, 1, 1), e(2, 1, 2), e(3, 3, 7)));
        c.logMatching(List.of(a, good, divergingTail));
        assertTrue(c.ok(), c.violations().toString());
        SafetyChecker.LogView bad = SafetyChecker.view(3, 1, List.of(e(1, 1, 1), e(2, 1, 5), e(3, 2, 3)));
        c.logMatching(List.of(a, bad));
        assertFalse(c.ok());
        assertTrue(c.violations().get(0).contains("differ at 2"));
    }

    @Test
    void leaderMissingACommittedEntryIsReported() {
        SafetyChecker c = new SafetyChecker();
        c.applied(0, e(1, 1, 1));
        c.applied(0, e(2, 1, 2));
        c.leaderCompleteness(SafetyChecker.view(1, 1, List.of(e(1, 1, 1), e(2, 1, 2), e(3, 2, 0))));
        c.leaderCompleteness(SafetyChecker.view(1, 2, List.of(e(2, 1, 2)))); // entry 1 in its snapshot
        assertTrue(c.ok(), c.violations().toString());
        c.leaderCompleteness(SafetyChecker.view(2, 1, List.of(e(1, 1, 1))));
        assertFalse(c.ok());
        SafetyChecker d = new SafetyChecker();
        d.applied(0, e(1, 1, 1));
        d.leaderCompleteness(SafetyChecker.view(2, 1, List.of(e(1, 2, 1))));
        assertFalse(d.ok(), "a different entry at a committed index is a violation too");
    }
}
