package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raftudp.cluster.LoopbackPorts;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;
import raftudp.node.NodeRuntime;
import raftudp.node.NodeSettings;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.FaultRule;
import raftudp.transport.udp.UdpTransport;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        startNode(NodeSettings.defaults().withAllowAdmin(true));
    }

    /** (Re)starts node 0 on the same ports with {@code settings}. */
    private void startNode(NodeSettings settings) throws Exception {
        if (node != null) {
            node.close();
        }
        node = NodeRuntime.start(ClusterConfig.parsePeers(peers), 0, settings, FileStorage.open(FileStorageOptions
                .defaults(tmp.resolve("n0"))), new UdpTransport(InetAddress.getLoopbackAddress()));
    }

    /** A key file readable by its owner only, unless {@code mode} says otherwise. */
    private Path keyFile(String name, String text, String mode) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
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

    @Test
    void aNodeWithoutKeyOrAllowAdmin_refuses_theClientPrintsWhy_andTheRulesStayUnchanged() throws Exception {
        startNode(NodeSettings.defaults());
        Cli.Run r = run(peers, "fault", "set", "10.0.2.2", "delay:5ms");
        assertEquals(ClientMain.EXIT_REFUSED, r.code(), r.toString());
        assertTrue(r.err().contains("node 0 (127.0.0.1:") && r.err().contains("refused set (ADMIN_DISABLED): "
                + "admin requests are disabled on this node: start it with --allow-admin, or give both node and "
                + "client --cluster-key"), r.toString());
        assertTrue(node.faults().rules().isEmpty(), node.faults().rules().toString());
        assertEquals(1L, node.status(java.time.Duration.ofSeconds(10)).counters().get("node.admin_refused"));
        Cli.Run show = run(peers, "fault", "show");
        assertEquals(ClientMain.EXIT_REFUSED, show.code(), "show is an admin request too: " + show);
    }

    @Test
    void withTheNodesKey_faultCommandsWork_withoutItOrWithAnotherTheNodeDoesNotAnswer() throws Exception {
        String key = "q2V0aGVyZSBpcyBubyBzcG9vbiwgb25seSBrZXlzLg==\n";
        startNode(NodeSettings.defaults().withClusterKey(ClusterKey.read(keyFile("node.key", key, "rw-------"))));
        Path mine = keyFile("client.key", key, "rw-------");
        Cli.Run set = run(peers, "--cluster-key", mine.toString(), "fault", "set", "10.0.2.2", "delay:5ms");
        assertEquals(0, set.code(), set.toString());
        assertTrue(set.out().contains("10.0.2.2 delay:5ms"), set.toString());
        assertEquals(Map.of("10.0.2.2", FaultRule.parse("delay:5ms")), node.faults().rules());
        assertTrue(set.err().isEmpty(), "no permission warning for a 0600 file: " + set);

        Cli.Run after = run(peers, "fault", "show", "--cluster-key", mine.toString()); // also after the command
        assertEquals(0, after.code(), after.toString());

        Cli.Run without = run(peers, "fault", "--wait-ms", "500", "clear");
        assertEquals(ClientMain.EXIT_UNAVAILABLE, without.code(), without.toString());
        assertTrue(without.err().contains("a node started with --cluster-key ignores requests without it"),
                without.toString());
        Path other = keyFile("other.key", "another key of enough bytes", "rw-r--r--");
        Cli.Run wrong = run(peers, "--cluster-key", other.toString(), "fault", "--wait-ms", "500", "clear");
        assertEquals(ClientMain.EXIT_UNAVAILABLE, wrong.code(), wrong.toString());
        assertTrue(wrong.err().contains("does it have the same --cluster-key"), wrong.toString());
        assertTrue(wrong.err().contains("warning: cluster key file " + other + " is readable by others (rw-r--r--)"),
                wrong.toString());
        assertEquals(Map.of("10.0.2.2", FaultRule.parse("delay:5ms")), node.faults().rules(), "nothing cleared");
        Map<String, Long> c = node.status(java.time.Duration.ofSeconds(10)).counters();
        assertTrue(c.getOrDefault("drop.UNAUTHENTICATED", 0L) >= 1, c.toString());
        assertTrue(c.getOrDefault("drop.BAD_MAC", 0L) >= 1, c.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--cluster-key /nonexistent/k fault show | --cluster-key: cluster key file /nonexistent/k does not exist",
        "fault show --cluster-key /nonexistent/k | --cluster-key: cluster key file /nonexistent/k does not exist",
        "--cluster-key /nonexistent/k put a 1    | cluster key file /nonexistent/k does not exist",
        "--cluster-key /nonexistent/k status     | cluster key file /nonexistent/k does not exist",
    })
    void aMissingKeyFile_isAUsageError(String args, String expected) {
        Cli.Run r = Cli.run(Cli.NO_NETWORK, args.trim().split("\\s+"));
        assertEquals(ClientMain.EXIT_USAGE, r.code(), r.toString());
        assertTrue(r.err().contains(expected.trim()), r.toString());
    }

    @Test
    void aShortOrEmptyKeyFile_isAUsageError() throws Exception {
        Path shortKey = keyFile("short.key", "fifteen bytes..\n", "rw-------");
        Cli.Run r = Cli.run(Cli.NO_NETWORK, "--cluster-key", shortKey.toString(), "fault", "show");
        assertEquals(ClientMain.EXIT_USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("--cluster-key: cluster key file " + shortKey + ": a cluster key is 16..1024 "
                + "bytes, this one 15"), r.toString());
        assertTrue(r.err().contains("head -c 32 /dev/urandom | base64"), "says how to make one: " + r);
        Path empty = keyFile("empty.key", "", "rw-------");
        Cli.Run e = Cli.run(Cli.NO_NETWORK, "--cluster-key", empty.toString(), "get", "k");
        assertEquals(ClientMain.EXIT_USAGE, e.code(), e.toString());
        assertTrue(e.err().contains("this one 0"), e.toString());
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
