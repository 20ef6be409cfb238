package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raftudp.cluster.LoopbackPorts;
import raftudp.wire.ClusterConfig;
import raftudp.node.NodeRuntime;
import raftudp.node.NodeSettings;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.FaultRule;
import raftudp.transport.udp.UdpTransport;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** raft-client fault against a real node on loopback (kernel UDP). */
@Timeout(60)
class FaultCommandTest {
    private NodeRuntime node;
    private String peers;
    private String twoPeers;

    @TempDir
    Path tmp;

    @BeforeEach
    void startNode() throws Exception {
        int base = LoopbackPorts.freeBase(5);
        peers = "127.0.0.1:" + base;
        twoPeers = peers + ",127.0.0.1:" + LoopbackPorts.freeBase(5); // node 1: nobody there
        ClusterConfig cluster = ClusterConfig.parsePeers(peers);
        node = NodeRuntime.start(cluster, 0, NodeSettings.defaults(), FileStorage.open(FileStorageOptions
                .defaults(tmp.resolve("n0"))), new UdpTransport(InetAddress.getLoopbackAddress()));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private Cli.Run run(String peerList, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--peers";
        all[1] = peerList;
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(ClientMain::defaultTransport, all);
    }

    @Test
    void setShowAndClear_printTheRulesInForce() {
        Cli.Run set = run(peers, "fault", "set", "10.0.2.2", "delay:5ms", "loss:1%");
        assertEquals(0, set.code(), set.toString());
        assertTrue(set.out().contains("node 0 (127.0.0.1:"), set.toString());
        assertTrue(set.out().contains("10.0.2.2 delay:5ms,loss:1%"), set.toString());
        assertEquals(Map.of("10.0.2.2", FaultRule.parse("delay:5ms,loss:1%")), node.faults().rules());

        Cli.Run star = run(peers, "-d", "0", "fault", "set", "*", "jitter:2ms,dup:0.5%");
        assertEquals(0, star.code(), star.toString());
        assertTrue(star.out().contains(": * jitter:2ms,dup:0.5%; 10.0.2.2 delay:5ms,loss:1%"), star.toString());

        Cli.Run show = run(peers, "fault", "show");
        assertEquals(star.out(), show.out(), "show lists the same rules");

        Cli.Run clearOne = run(peers, "fault", "clear", "10.0.2.2");
        assertEquals(0, clearOne.code(), clearOne.toString());
        assertTrue(clearOne.out().contains(": * jitter:2ms,dup:0.5%\n"), clearOne.toString());

        Cli.Run clearAll = run(peers, "fault", "clear");
        assertEquals(0, clearAll.code(), clearAll.toString());
        assertTrue(clearAll.out().contains(": no fault rules"), clearAll.toString());
        assertTrue(node.faults().rules().isEmpty());
    }

    @Test
    void aNodeThatDoesNotAnswer_isAnError_andTheOthersStillPrint() {
        Cli.Run warm = run(peers, "fault", "show"); // the first run in this JVM loads the classes
        assertEquals(0, warm.code(), warm.toString());
        Cli.Run r = run(twoPeers, "fault", "--wait-ms", "300", "set", "*", "delay:1ms");
        assertEquals(ClientMain.EXIT_UNAVAILABLE, r.code(), r.toString());
        assertTrue(r.out().contains("node 0 (127.0.0.1:"), r.toString());
        assertTrue(r.err().contains("node 1 (127.0.0.1:") && r.err().contains("did not answer within"), r.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "fault                          | give show, set or clear",
        "fault set h2 delay:5ms          | target 'h2': give an IPv4 address like 10.0.2.2, or '*'",
        "fault set 10.0.2.2              | Missing required parameter: 'RULE'",
        "fault set 10.0.2.2 delay:5      | rule: delay:5: give whole milliseconds",
        "fault set 10.0.2.2 loss:200%    | rule: loss:200%: 0..100 %",
        "fault clear 10.0.2             | target '10.0.2'",
        "fault --wait-ms 0 show          | --wait-ms 0 outside 1..3600000",
    })
    void badArguments_areUsageErrors(String args, String expected) {
        Cli.Run r = Cli.run(Cli.NO_NETWORK, args.trim().split("\\s+"));
        assertEquals(ClientMain.EXIT_USAGE, r.code(), r.toString());
        assertTrue(r.err().contains(expected.trim()), r.toString());
    }
}
