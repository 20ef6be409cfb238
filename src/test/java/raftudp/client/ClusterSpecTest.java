package raftudp.client;

import org.junit.jupiter.api.Test;
import raftudp.config.ClusterConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -d selection; the list's syntax is {@link ClusterConfig}'s (tested in the wire package). */
class ClusterSpecTest {

    private static void assertFails(String expectedPart, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expectedPart), "message: " + e.getMessage());
    }

    @Test
    void nodeIsSelectedByIndexHostOrHostPort() {
        ClusterConfig testbed = ClusterConfig.testbed();
        assertEquals(0, ClusterSpec.select(testbed, "10.0.1.1"));
        assertEquals(2, ClusterSpec.select(testbed, "2"));
        ClusterConfig lo = ClusterConfig.parsePeers("127.0.0.1:9000,127.0.0.1:9010");
        assertEquals(1, ClusterSpec.select(lo, "127.0.0.1:9013"));
        assertEquals(1, ClusterSpec.select(lo, "127.0.0.1:9010"));
        assertFails("matches nodes [0, 1]", () -> ClusterSpec.select(lo, "127.0.0.1"));
        assertFails("node index 3 is not in the cluster of 3 nodes (0..2)", () -> ClusterSpec.select(testbed, "3"));
        assertFails("-d 10.0.9.9 is not a node of the cluster [10.0.1.1:39316, 10.0.2.2:39316, 10.0.3.3:39316]",
                () -> ClusterSpec.select(testbed, "10.0.9.9"));
        assertFails("-d 10.0.1.1:x: port 'x' is not a number", () -> ClusterSpec.select(testbed, "10.0.1.1:x"));
        assertFails("-d: the host is missing", () -> ClusterSpec.select(testbed, ":9000"));
    }
}
