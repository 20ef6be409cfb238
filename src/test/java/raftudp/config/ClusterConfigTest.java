package raftudp.config;

import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterConfigTest {

    @Test
    void testbed_isTheThreeTestbedHostsWithDefaultPorts() {
        ClusterConfig c = ClusterConfig.testbed();
        assertEquals(3, c.size());
        assertEquals("10.0.1.1", c.node(0).address().getHostAddress());
        assertEquals("10.0.2.2", c.node(1).address().getHostAddress());
        assertEquals("10.0.3.3", c.node(2).address().getHostAddress());
        for (ClusterConfig.NodeAddress n : c.nodes()) {
            assertEquals(PortMap.DEFAULT, n.ports());
        }
        assertEquals(new InetSocketAddress(c.node(1).address(), 0x9998), c.node(1).socketOf(MessageClass.APPEND));
    }

    @Test
    void peers_basePort_meansFivePortsInClassOrder() {
        ClusterConfig c = ClusterConfig.parsePeers("127.0.0.1:40000, 127.0.0.1:40010,127.0.0.1:40020");
        assertEquals(new PortMap(40010, 40011, 40012, 40013, 40014), c.node(1).ports());
        assertEquals(List.of(0, 1, 2), c.ids());
    }

    @Test
    void peers_hostWithoutPort_usesDefaultPorts() {
        ClusterConfig c = ClusterConfig.parsePeers("127.0.0.1,127.0.0.2,127.0.0.3");
        assertEquals(PortMap.DEFAULT, c.node(2).ports());
        assertEquals("127.0.0.3", c.node(2).address().getHostAddress());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:40000,                 | item 2 ('')",
        "127.0.0.1:40000,127.0.0.1:x      | item 2 ('127.0.0.1:x'): 'x' is not a port",
        "127.0.0.1:65533                  | port 65533 outside 1..65531",
        "127.0.0.1:0                      | port 0 outside",
        "300.0.0.1                        | not an IPv4 address (300 > 255)",
        "no_such host                     | neither an IPv4 address nor a host name",
        "127.0.0.1:40000,127.0.0.1:40002  | nodes 0 and 1 both use 127.0.0.1:40002",
        "127.0.0.1,127.0.0.1              | nodes 0 and 1 both use",
    })
    void peers_invalid_isRefusedNamingTheItem(String peers, String expected) {
        ClusterConfig.ClusterConfigException e = assertThrows(ClusterConfig.ClusterConfigException.class,
                () -> ClusterConfig.parsePeers(peers));
        assertTrue(e.getMessage().contains(expected.trim()), e.getMessage());
    }

    @Test
    void file_withCommentsBlankLinesAndAllThreeForms() throws Exception {
        ClusterConfig c = ClusterConfig.parseLines(List.of(
                "# three nodes on one laptop",
                "",
                "127.0.0.1 41000 41001 41002 41003 41004   # explicit ports",
                "127.0.0.1:42000",
                "   10.0.3.3"), "test");
        assertEquals(new PortMap(41000, 41001, 41002, 41003, 41004), c.node(0).ports());
        assertEquals(new PortMap(42000, 42001, 42002, 42003, 42004), c.node(1).ports());
        assertEquals(PortMap.DEFAULT, c.node(2).ports());
    }

    @Test
    void file_isReadFromDisk(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.txt");
        Files.writeString(f, "127.0.0.1:43000\n127.0.0.1:43010\n");
        assertEquals(2, ClusterConfig.parseFile(f).size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1 1 2 3 4               | line 2 ('127.0.0.1 1 2 3 4'): expected <host> or <host> followed by 5 ports",
        "127.0.0.1 1 2 3 4 4             | line 2 ('127.0.0.1 1 2 3 4 4'): every message class needs its own port",
        "127.0.0.1 1 2 3 4 70000         | line 2 ('127.0.0.1 1 2 3 4 70000'): port 70000 outside 1..65535",
        "1.2.3                           | line 2 ('1.2.3'): '1.2.3' is not an IPv4 address",
    })
    void file_invalidLine_isRefusedNamingTheLine(String badLine, String expected) {
        ClusterConfig.ClusterConfigException e = assertThrows(ClusterConfig.ClusterConfigException.class,
                () -> ClusterConfig.parseLines(List.of("127.0.0.1:40000", badLine), "cluster file c.txt"));
        assertTrue(e.getMessage().startsWith("cluster file c.txt line 2"), e.getMessage());
        assertTrue(e.getMessage().contains(expected.trim()), e.getMessage());
    }

    @Test
    void file_withoutNodes_orUnreadable_isRefused(@TempDir Path dir) {
        ClusterConfig.ClusterConfigException e = assertThrows(ClusterConfig.ClusterConfigException.class,
                () -> ClusterConfig.parseLines(List.of("# nothing", ""), "cluster file empty.txt"));
        assertTrue(e.getMessage().contains("lists no node"), e.getMessage());
        e = assertThrows(ClusterConfig.ClusterConfigException.class,
                () -> ClusterConfig.parseFile(dir.resolve("missing.txt")));
        assertTrue(e.getMessage().contains("cannot read cluster file"), e.getMessage());
    }

    @Test
    void clientAddress_mapsBackToItsNode() {
        ClusterConfig c = ClusterConfig.testbed();
        assertEquals(2, c.idOfClientAddress(c.node(2).socketOf(MessageClass.CLIENT)).getAsInt());
        assertTrue(c.idOfClientAddress(c.node(2).socketOf(MessageClass.VOTE)).isEmpty());
    }
}
