package raftudp.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.netns.NetnsLab;
import raftudp.netns.NodeProcess;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.PcapNetnsSupport.Host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code raft-client --raw} (packets crafted by pcap from the {@code -s} address) on a
 * client host h4 against three pcap {@code raft-node}s on h1..h3, each host its own
 * namespace on one bridge, as in the original project's Mininet flow. Needs root; CI runs it.
 */
class RawClientNetnsTest {
    private static final int NODES = 3;
    /** One client run: a JVM start plus finding the leader of a cluster that may still be electing. */
    private static final long RUN_TIMEOUT_MS = 60_000;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static NetnsLab lab;
    private static List<Host> hosts;
    private static final List<NodeProcess> nodes = new ArrayList<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        lab = NetnsLab.create();
        hosts = PcapNetnsSupport.lan(lab, NODES + 1);
        for (int i = 0; i < NODES; i++) {
            nodes.add(NodeProcess.start(lab, hosts.get(i).namespace(), "raw-node" + i,
                    NodeProcess.pcapArgs(i, peers(), tmp.resolve("node-" + i))));
        }
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(NodeProcess::terminate);
        nodes.clear();
        if (lab != null) {
            lab.close();
        }
    }

    private static String peers() {
        return hosts.subList(0, NODES).stream().map(h -> h.address().getHostAddress())
                .collect(Collectors.joining(","));
    }

    /** What one run of the client printed on stdout, and its exit code. */
    private record Run(int exit, String out) {
    }

    /** {@code raft-client --raw -s <h4> --peers <h1..h3> ARGS...} inside h4. */
    private static Run client(String... args) throws Exception {
        Host h = hosts.get(NODES);
        List<String> cmd = new ArrayList<>(List.of("--raw", "-s", h.address().getHostAddress(), "--peers", peers(),
                "--timeout-ms", "30000", "--log-level", "info"));
        cmd.addAll(List.of(args));
        String name = "raw-client-" + RUNS.incrementAndGet();
        Process p = lab.spawn(h.namespace(), name, NetnsLab.javaCommand(ClientMain.class, NodeProcess.JVM_FLAGS,
                cmd.toArray(String[]::new)));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(stdout unreadable: " + e + ")";
            }
        });
        if (!p.waitFor(RUN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("raft-client " + String.join(" ", args) + " did not end within " + RUN_TIMEOUT_MS + " ms"
                    + stderr(name));
        }
        return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS) + stderr(name));
    }

    private static String stderr(String name) throws IOException {
        Path log = lab.logFile(name);
        return Files.exists(log) ? "\n--- stderr ---\n" + Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void putThenGet_returnsTheValue() throws Exception {
        Run put = client("put", "greeting", "hello");
        assertEquals(0, put.exit(), put.out());
        assertTrue(put.out().startsWith("OK: greeting = \"hello\""), put.out());
        assertTrue(put.out().contains("pcap transport on eth0"), "crafted with pcap: " + put.out());
        Run get = client("-d", "1", "get", "greeting");
        assertEquals(0, get.exit(), get.out());
        assertTrue(get.out().startsWith("greeting = \"hello\""), get.out());
    }

    @Test
    void dashDa_appendsToTheLog_evenZero() throws Exception {
        Run first = client("-d", hosts.get(2).address().getHostAddress(), "--key", "rawlog", "-da", "0");
        assertEquals(0, first.exit(), first.out());
        assertTrue(first.out().startsWith("OK: appended 0 to rawlog; rawlog now holds 1 value"), first.out());
        Run second = client("--key", "rawlog", "-da", "7");
        assertEquals(0, second.exit(), second.out());
        assertTrue(second.out().startsWith("OK: appended 7 to rawlog; rawlog now holds 2 values"), second.out());
        Run get = client("get", "rawlog");
        assertEquals(0, get.exit(), get.out());
        assertTrue(get.out().startsWith("rawlog = [0, 7]"), get.out());
    }
}
