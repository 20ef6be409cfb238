package raftudp.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.wire.PortMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSpecTest {

    private static void assertFails(String expectedPart, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expectedPart), "message: " + e.getMessage());
    }

    @Test
    void defaultIsTheTestbedOnDefaultPorts() {
        List<ClusterNode> nodes = ClusterSpec.testbed();
        assertEquals(3, nodes.size());
        assertEquals("10.0.2.2", nodes.get(1).address().getHostAddress());
        assertEquals(0x9994, nodes.get(2).clientAddress().getPort());
    }

    @Test
    void peersWithBasePortsUseFiveConsecutivePorts() {
        List<ClusterNode> nodes = ClusterSpec.parsePeers("127.0.0.1:9000, 127.0.0.1:9010,127.0.0.1:9020");
        assertEquals(new PortMap(9000, 9001, 9002, 9003, 9004), nodes.get(0).ports());
        assertEquals(9013, nodes.get(1).clientAddress().getPort());
        assertEquals("127.0.0.1:9023", nodes.get(2).toString());
    }

    @Test
    void peersWithoutPortUseDefaults() {
        List<ClusterNode> nodes = ClusterSpec.parsePeers("10.0.1.1,10.0.2.2");
        assertEquals(PortMap.DEFAULT, nodes.get(1).ports());
    }

    @Test
    void badPeersSayWhichEntryAndWhy() {
        assertFails("--peers entry 2 ('') is empty", () -> ClusterSpec.parsePeers("10.0.1.1,,10.0.2.2"));
        assertFails("port 'x' is not a number", () -> ClusterSpec.parsePeers("127.0.0.1:x"));
        assertFails("port 0 outside 1..65535", () -> ClusterSpec.parsePeers("127.0.0.1:0"));
        assertFails("leaves no room for its 5 ports", () -> ClusterSpec.parsePeers("127.0.0.1:65533"));
        assertFails("reuses 127.0.0.1:9003", () -> ClusterSpec.parsePeers("127.0.0.1:9000,127.0.0.1:9003"));
        assertFails("the host is missing", () -> ClusterSpec.parsePeers(":9000"));
        assertFails("IPv6 is not supported", () -> ClusterSpec.parsePeers("[::1]:9000"));
    }

    @Test
    void clusterFileTakesHostsPortsAndComments(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.txt");
        Files.writeString(f, "# a loopback cluster\n\n127.0.0.1 9000 9001 9002 9003 9004  # node 0\n"
                + "   127.0.0.2\n127.0.0.3:7000\n");
        List<ClusterNode> nodes = ClusterSpec.readFile(f);
        assertEquals(3, nodes.size());
        assertEquals(9003, nodes.get(0).ports().client());
        assertEquals(PortMap.DEFAULT, nodes.get(1).ports());
        assertEquals(7003, nodes.get(2).ports().client());
    }

    @Test
    void badClusterFilesSayWhichLine(@TempDir Path dir) {
        assertFails("f line 2: expected '<host>' or '<host> <vote> <heartbeat> <append> <client> <snapshot>', got 3 words",
                () -> ClusterSpec.parseLines(List.of("10.0.1.1", "10.0.2.2 1 2"), "f"));
        assertFails("f line 1: every message class needs its own port",
                () -> ClusterSpec.parseLines(List.of("10.0.1.1 1 1 2 3 4"), "f"));
        assertFails("f lists no node", () -> ClusterSpec.parseLines(List.of("# nothing"), "f"));
        assertFails("does not exist", () -> ClusterSpec.readFile(dir.resolve("missing")));
    }

    @Test
    void nodeIsSelectedByIndexHostOrHostPort() {
        List<ClusterNode> testbed = ClusterSpec.testbed();
        assertEquals(0, ClusterSpec.select(testbed, "10.0.1.1"));
        assertEquals(2, ClusterSpec.select(testbed, "2"));
        List<ClusterNode> lo = ClusterSpec.parsePeers("127.0.0.1:9000,127.0.0.1:9010");
        assertEquals(1, ClusterSpec.select(lo, "127.0.0.1:9013"));
        assertEquals(1, ClusterSpec.select(lo, "127.0.0.1:9010"));
        assertFails("matches nodes [0, 1]", () -> ClusterSpec.select(lo, "127.0.0.1"));
        assertFails("node index 3 is not in the cluster of 3 nodes (0..2)", () -> ClusterSpec.select(testbed, "3"));
        assertFails("-d 10.0.9.9 is not a node of the cluster", () -> ClusterSpec.select(testbed, "10.0.9.9"));
    }
}
