package raftudp.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.cluster.Await;
import raftudp.cluster.LoopbackPorts;
import raftudp.cluster.TestClient;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.StatusReport;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@code raft-node} main in a child JVM on loopback: it answers status and a
 * write, refuses a second process on its data directory, and on SIGTERM stops cleanly and
 * lets go of the directory.
 */
class NodeProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path tmp;

    private Process node(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), NodeMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile()).start();
        processes.add(p);
        return p;
    }

    private String output(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".out")) + Files.readString(tmp.resolve(name + ".err"));
    }

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void node_answersStatus_refusesASecondProcess_andStopsCleanlyOnSigterm() throws Exception {
        int base = LoopbackPorts.freeBase(5);
        Path dir = tmp.resolve("data");
        Process node = node("node", "0", "--peers", "127.0.0.1:" + base, "--data-dir", dir.toString(),
                "--log-level", "INFO");
        ClusterConfig cluster = ClusterConfig.parsePeers("127.0.0.1:" + base);
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (TestClient client = new TestClient(cluster, new UdpTransport(lo), LoopbackPorts.freeBase(1), 7)) {
            StatusReport s = Await.value("node 0 leads its one-node cluster", TIMEOUT,
                    () -> client.status(0, Duration.ofMillis(200)).filter(r -> r.role().equals("LEADER")));
            assertEquals(0, s.nodeId());
            assertTrue(s.counters().containsKey("udp.send_failures"), "transport counters: " + s.counters());
            assertTrue(client.write(new Command.Put("k", Value.of(0)), TIMEOUT).result() instanceof Result.Ok);
            assertEquals(new Result.Found(Value.of(0)), client.read("k", TIMEOUT).result());
        }

        int otherBase = LoopbackPorts.freeBase(5);
        Process second = node("second", "0", "--peers", "127.0.0.1:" + otherBase, "--data-dir", dir.toString());
        assertTrue(second.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "a second node on the directory exits");
        assertEquals(1, second.exitValue(), output("second"));
        assertTrue(output("second").contains("is in use by another process (pid " + node.pid() + ")"),
                output("second"));

        node.destroy(); // SIGTERM
        assertTrue(node.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "node exits on SIGTERM");
        assertTrue(node.exitValue() == 143 || node.exitValue() == 0, "exit " + node.exitValue() + "\n" + output("node"));
        String out = output("node");
        assertTrue(out.contains("node 0: shutting down (signal)") && out.contains("node 0: stopped"), out);
        assertFalse(out.contains("ERROR"), out);
        try (FileStorage storage = FileStorage.open(FileStorageOptions.defaults(dir))) {
            assertFalse(storage.load().entries().isEmpty(), "the write is on disk");
        }
    }
}
