package raftudp.wire;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StatusReportTest {

    private static StatusReport report(int node, String role, int leader, Map<Integer, Long> match,
                                       Map<String, Long> counters) {
        return new StatusReport(node, role, 1, leader, 2, 2, 1, 3, match, counters);
    }

    @Test
    void mapsAreCopiedSortedAndUnmodifiable() {
        Map<String, Long> counters = new HashMap<>(Map.of("b", 2L, "a", 1L, "A", 0L));
        StatusReport r = report(0, "LEADER", 0, Map.of(2, 5L, 1, 4L), counters);
        counters.put("c", 3L);
        assertEquals(List.of("A", "a", "b"), List.copyOf(r.counters().keySet()));
        assertEquals(List.of(1, 2), List.copyOf(r.matchIndex().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> r.counters().put("x", 1L));
        assertEquals(r, report(0, "LEADER", 0, Map.of(1, 4L, 2, 5L), Map.of("a", 1L, "b", 2L, "A", 0L)));
    }

    @Test
    void outOfRangeFieldsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> report(65535, "LEADER", 0, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "LEADER", -2, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "", 0, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "LEA DER", 0, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "x".repeat(65), 0, Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "LEADER", 0, Map.of(65535, 1L), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "LEADER", 0, Map.of(1, -1L), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> report(0, "LEADER", 0, Map.of(), Map.of("é", 1L)));
        assertThrows(IllegalArgumentException.class,
                () -> new StatusReport(0, "LEADER", -1, 0, 0, 0, 0, 0, Map.of(), Map.of()));
        assertEquals(-1, report(0, "x".repeat(64), -1, Map.of(), Map.of("a-b_c.D9", Long.MIN_VALUE)).leaderId());
    }

    @Test
    void wireLimitsRefuseContradictions() {
        assertThrows(IllegalArgumentException.class, () -> WireLimits.DEFAULT.withDatagramBytesMax(64));
        assertThrows(IllegalArgumentException.class, () -> WireLimits.DEFAULT.withDatagramBytesMax(65_508));
        assertThrows(IllegalArgumentException.class, () -> WireLimits.DEFAULT.withReassembly(1000, 999, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> WireLimits.DEFAULT.withReassembly(1000, 1000, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> WireLimits.DEFAULT.withReassembly(1000, 1000, 1, 0));
        assertEquals(1472, WireLimits.DEFAULT.datagramBytesMax());
        assertEquals(64 << 20, WireLimits.DEFAULT.messageBytesMax());
        assertEquals(3 * 8 + 16 + 8, WireLimits.chargeBytes(3, 1, 8), "8 per slot, 16 per chunk held, payload");
    }
}
