package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import raftudp.check.ChaosEvents.FaultWindow;
import raftudp.check.Unavailability.Gap;

/** {@link Unavailability} on crafted timelines (times in seconds, converted to nanoseconds). */
class ChaosCheckUnavailabilityTest {
    private static final long S = 1_000_000_000L;

    private static long[] okAt(long... seconds) {
        long[] out = new long[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = seconds[i] * S;
        }
        return out;
    }

    private static FaultWindow window(long id, String kind, long fromS, long toS) {
        return new FaultWindow(id, kind, fromS * S, toS * S, "");
    }

    @Test
    void when_serviceStopsDuringAWindow_then_theGapRunsToTheFirstOkAfterIt() {
        Map<String, Gap> gaps = Unavailability.longestPerKind(okAt(11, 1, 2, 3, 10),
                List.of(window(1, "kill", 4, 6)), 0, 20 * S);
        Gap g = gaps.get("kill");
        assertEquals(3 * S, g.fromT());
        assertEquals(10 * S, g.toT());
        assertEquals(7.0, g.seconds(), 1e-9);
        assertTrue(g.recovered());
    }

    @Test
    void when_aKindHasSeveralWindows_then_theLongestGapOfAnyWindowIsReported() {
        Map<String, Gap> gaps = Unavailability.longestPerKind(okAt(1, 2, 3, 10, 11, 12, 13, 30),
                List.of(window(1, "pause", 11, 12), window(2, "pause", 14, 15), window(3, "loss", 1, 3)), 0, 40 * S);
        assertEquals(17.0, gaps.get("pause").seconds(), 1e-9);
        assertEquals(2, gaps.get("pause").window().id());
        assertEquals(1.0, gaps.get("loss").seconds(), 1e-9);
    }

    @Test
    void when_aWindowSpansSeveralGaps_then_theLongestOneCounts() {
        Gap g = Unavailability.longestPerKind(okAt(1, 2, 8, 9, 11, 20),
                List.of(window(1, "partition-leader", 3, 10)), 0, 30 * S).get("partition-leader");
        assertEquals(2 * S, g.fromT());
        assertEquals(8 * S, g.toT());
    }

    @Test
    void when_nothingSucceedsAfterTheWindow_then_theGapRunsToTheEndUnrecovered() {
        Gap g = Unavailability.longestPerKind(okAt(1, 2), List.of(window(1, "majority-down", 5, 6)), 0, 30 * S)
                .get("majority-down");
        assertEquals(2 * S, g.fromT());
        assertEquals(30 * S, g.toT());
        assertFalse(g.recovered());
    }

    @Test
    void when_nothingSucceededBeforeTheWindow_then_theGapStartsAtTheRunStart() {
        Gap g = Unavailability.longestPerKind(okAt(9), List.of(window(1, "kill", 2, 3)), S, 30 * S).get("kill");
        assertEquals(S, g.fromT());
        assertEquals(9 * S, g.toT());
    }

    @Test
    void when_aWindowIsOpen_then_itLastsToTheRunEnd() {
        FaultWindow open = new FaultWindow(1, "disk-full", 5 * S, Long.MAX_VALUE, "");
        Gap g = Unavailability.longestPerKind(okAt(1, 6, 7, 25), List.of(open), 0, 30 * S).get("disk-full");
        assertEquals(7 * S, g.fromT());
        assertEquals(25 * S, g.toT());
    }
}
