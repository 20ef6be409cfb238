package raftudp.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import raftudp.cluster.LoopbackPorts;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.wire.ClusterKey;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** raft-node's command line: every bad argument says what is wrong and exits non-zero. */
class NodeMainArgumentsTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> NodeMain.commandLine(new NodeMain())
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                      | Missing required parameter: 'INDEX'",
        "3                                       | node index 3 is out of range: the cluster has 3 node(s), so INDEX is 0..2",
        "-1                                      | node index -1 is out of range",
        "x                                       | Invalid value for positional parameter at index 0 (INDEX): 'x'",
        "1 --peers 127.0.0.1:40000               | node index 1 is out of range: the cluster has 1 node(s)",
        "0 --peers 127.0.0.1:4x                  | --peers item 1 ('127.0.0.1:4x'): '4x' is not a port number",
        "0 --peers 127.0.0.1 --cluster c.txt     | --cluster and --peers both give the node list",
        "0 --cluster /nonexistent/cluster.txt    | cannot read cluster file /nonexistent/cluster.txt",
        "0 --election-ticks 60-30                | the election timeout range 60-30 is empty",
        "0 --election-ticks 30                   | --election-ticks '30': expected MIN-MAX",
        "0 --election-ticks a-b                  | MIN and MAX must be whole numbers",
        "0 --heartbeat-ticks 40                  | must exceed the heartbeat period (40 ticks)",
        "0 --heartbeat-ticks 0                   | heartbeat must be at least 1 tick",
        "0 --tick-ms 0                           | tick must be 1..60000 ms",
        "0 --tick-ms fast                        | Invalid value for option '--tick-ms': 'fast' is not an int",
        "0 --fsync sometimes                     | --fsync 'sometimes': use always, batch or never",
        "0 --transport tcp                       | 'tcp' is not a transport: use auto, udp or pcap",
        "0 --log-level LOUD                      | --log-level 'LOUD': use TRACE, DEBUG, INFO, WARN, ERROR or OFF",
        "0 --snapshot-every 0                    | snapshot interval must be at least 1 entry",
        "0 --fsync-batch-ms 0                    | --fsync-batch-ms must be at least 1",
        "0 --frobnicate                          | Unknown option: '--frobnicate'",
        "0 --fault delay:5ms                     | --fault 'delay:5ms': expected TARGET=RULE",
        "0 --fault h2=delay:5ms                  | the target is '*' (every destination) or an IPv4 address like 10.0.2.2, not 'h2'",
        "0 --fault 10.0.2.02=delay:5ms           | not '10.0.2.02'",
        "0 --fault 10.0.2.2=delay:5              | --fault '10.0.2.2=delay:5': delay:5: give whole milliseconds",
        "0 --fault 10.0.2.2=loss:5%,loss:6%      | 'loss' given twice",
        "0 --fault 10.0.2.2=lag:5ms              | unknown fault 'lag': use loss, delay, jitter or dup",
        "0 --fault *=delay:5ms --fault *=loss:1% | --fault: target * given twice",
        "0 --cluster-key /nonexistent/k          | --cluster-key: cluster key file /nonexistent/k does not exist",
        "0 --cluster-key                         | Missing required parameter for option '--cluster-key' (FILE)",
    })
    void badArgument_isExplained_withExitCode2(String args, String expected) {
        Run r = run(args.isEmpty() ? new String[0] : args.trim().split("\\s+"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected.trim()), "expected '" + expected.trim() + "' in:\n" + r.err());
        assertTrue(r.err().startsWith("raft-node: "), r.err());
        assertTrue(r.err().endsWith("Try 'raft-node --help' for more.\n"), r.err());
        assertTrue(!r.err().contains("Usage:"), "one line and a pointer, not the usage:\n" + r.err());
    }

    @Test
    void anOptionGivenTwice_isOneLineAndAPointerToTheHelp() {
        Run r = run("0", "--data-dir", "a", "--data-dir", "b");
        assertEquals(2, r.code(), r.err());
        assertEquals("raft-node: option '--data-dir' (DIR) should be specified only once\n"
                + "Try 'raft-node --help' for more.\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aMistypedOption_getsASuggestion() {
        Run r = run("0", "--data-dri", "a");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("raft-node: Unknown options: '--data-dri', 'a'\n"), r.err());
        assertTrue(r.err().contains("--data-dir"), "suggested: " + r.err());
        assertTrue(r.err().endsWith("Try 'raft-node --help' for more.\n"), r.err());
    }

    @Test
    void aKeyFileOfTheWrongLength_isExplained_withExitCode2(@TempDir Path tmp) throws Exception {
        Path k = tmp.resolve("k");
        Files.writeString(k, "too short\r\n");
        Run r = run("0", "--cluster-key", k.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--cluster-key: cluster key file " + k + ": a cluster key is 16..1024 bytes, "
                + "this one 9"), r.err());
        Files.write(k, new byte[1025]);
        Run big = run("0", "--cluster-key", k.toString());
        assertEquals(2, big.code(), big.err());
        assertTrue(big.err().contains("this one 1025"), big.err());
    }

    @Test
    void theKeyAndAllowAdmin_reachTheSettings_andTheStartLinesSayWhatTheNodeAccepts(@TempDir Path tmp)
            throws Exception {
        Path k = tmp.resolve("cluster.key");
        Files.writeString(k, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("rw-r-----"));
        NodeMain main = new NodeMain();
        new CommandLine(main).parseArgs("1", "--cluster-key", k.toString(), "--allow-admin");
        NodeSettings s = main.plan().settings();
        assertEquals(ClusterKey.of("0123456789abcdef0123456789abcdef".getBytes()), s.clusterKey(),
                "the file's bytes without the newline");
        assertTrue(s.allowAdmin());
        NodeMain plain = new NodeMain();
        new CommandLine(plain).parseArgs("1");
        assertEquals(NodeSettings.defaults(), plain.plan().settings(), "by default: no key, no admin");

        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base, InetAddress.getLoopbackAddress())) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", tmp.resolve("d").toString(),
                    "--cluster-key", k.toString());
            assertTrue(r.out().contains("raft-node 0: cluster key " + s.clusterKey().fingerprint() + " (32 bytes)"),
                    r.out());
            assertTrue(r.err().contains("WARNING: cluster key file " + k + " is readable by its group (rw-r-----)"),
                    r.err());
            Run open = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", tmp.resolve("d").toString());
            assertTrue(open.out().contains("no cluster key: admin requests refused (no --allow-admin)"), open.out());
            assertTrue(!open.err().contains("WARNING: cluster key"), open.err());
        }
    }

    @Test
    void help_andVersion_exitZero() {
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--election-ticks=MIN-MAX"), help.out());
        assertTrue(help.out().contains("base..base+4"), help.out());
        Run version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("raft-node "), version.out());
    }

    @Test
    void lockedDataDirectory_refusesToStart_withExitCode1(@TempDir Path tmp) {
        Path dir = tmp.resolve("node-0");
        int base = LoopbackPorts.freeBase(5);
        try (FileStorage held = FileStorage.open(FileStorageOptions.defaults(dir))) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", dir.toString());
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("cannot start node 0: data directory"), r.err());
            assertTrue(r.err().contains("is already open"), r.err());
        }
    }

    @Test
    void storedTermAboveTheCeiling_refusesToStart_withExitCode1_sayingWhatToDo(@TempDir Path tmp) {
        Path dir = tmp.resolve("node-0");
        try (FileStorage old = FileStorage.open(FileStorageOptions.defaults(dir))) {
            old.saveHardState(new raftudp.core.HardState(Long.MAX_VALUE, -1, 0)); // what older versions let in
            old.sync();
        }
        int base = LoopbackPorts.freeBase(5);
        Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", dir.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cannot start node 0") && r.err().contains("above the term ceiling")
                && r.err().contains("Term ceiling"), r.err());
        FileStorage.open(FileStorageOptions.defaults(dir)).close(); // the failed start let go of it
    }

    @Test
    void portInUse_refusesToStart_withExitCode1_andReleasesTheDataDirectory(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("node-0");
        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base + 3, InetAddress.getLoopbackAddress())) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", dir.toString());
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("cannot bind UDP 127.0.0.1:" + (base + 3)), r.err());
        }
        FileStorage.open(FileStorageOptions.defaults(dir)).close(); // the failed start let go of it
    }

    @Test
    void startLine_listsTheFaultRules(@TempDir Path tmp) throws Exception {
        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base, InetAddress.getLoopbackAddress())) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", tmp.resolve("d").toString(),
                    "--fault", "10.0.2.2=loss:1%,delay:5ms", "--fault", "*=jitter:2ms");
            assertTrue(r.out().contains("faults 10.0.2.2=delay:5ms,loss:1% *=jitter:2ms"), r.out());
        }
    }

    @Test
    void startLine_saysWhichTransportWasChosenAndWhy(@TempDir Path tmp) {
        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base, InetAddress.getLoopbackAddress())) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", tmp.resolve("d").toString());
            assertTrue(r.out().contains("transport udp (auto: 127.0.0.1 is a loopback address"), r.out());
        } catch (java.net.SocketException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theArgumentsAChildNodeIsGivenCarryTheSuitesSettings(@TempDir Path tmp) {
        NodeSettings custom = NodeSettings.defaults().withTimeouts(7, 3, 20, 45).withSnapshotEvery(500);
        java.util.List<String> args = raftudp.netns.NodeProcess.pcapArgs(1, "127.0.0.1:40000,127.0.0.1:40010",
                tmp.resolve("d"), custom);
        NodeMain main = new NodeMain();
        new CommandLine(main).parseArgs(args.toArray(new String[0]));
        assertEquals(custom, main.plan().settings());
    }

    @Test
    void theLogFileIsTheOption_elseNodeIndexInRaftudpLogDir_elseNone(@TempDir Path tmp) {
        java.util.Map<String, String> env = java.util.Map.of("RAFTUDP_LOG_DIR", tmp.resolve("logs").toString());
        NodeMain fromEnv = new NodeMain(env::get);
        new CommandLine(fromEnv).parseArgs("2");
        assertEquals(java.util.Optional.of(tmp.resolve("logs/node-2.log")), fromEnv.plan().logFile());
        NodeMain option = new NodeMain(env::get);
        new CommandLine(option).parseArgs("2", "--log-file", "n.log");
        assertEquals(java.util.Optional.of(Path.of("n.log")), option.plan().logFile(), "the option wins");
        NodeMain none = new NodeMain(name -> null);
        new CommandLine(none).parseArgs("2");
        assertEquals(java.util.Optional.empty(), none.plan().logFile());
    }

    @Test
    void aNodeStartedWithRaftudpLogDir_logsToItsFile_andSaysSoInOneLine(@TempDir Path tmp) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level before = root.getLevel();
        Path logs = tmp.resolve("logs");
        Path data = tmp.resolve("d");
        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base, InetAddress.getLoopbackAddress())) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = NodeMain.commandLine(new NodeMain(java.util.Map.of("RAFTUDP_LOG_DIR", logs.toString())::get))
                    .setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute("0", "--peers", "127.0.0.1:" + base, "--data-dir", data.toString(), "--log-level", "info");
            assertEquals(1, code, "the vote port is taken: " + err);
        } finally {
            root.setLevel(before);
            ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent> file = root.getAppender("FILE");
            root.detachAppender(file);
            file.stop();
        }
        java.util.List<String> lines = Files.readAllLines(logs.resolve("node-0.log"));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* INFO .*node 0: data directory " + java.util.regex.Pattern
                .quote(data.toAbsolutePath() + ", log file " + logs.resolve("node-0.log").toAbsolutePath()))),
                lines.toString());
    }

    @Test
    void aLogFileThatCannotBeOpened_isAWarning_andTheNodeGoesOn(@TempDir Path tmp) throws Exception {
        Path plain = tmp.resolve("plain");
        Files.writeString(plain, "");
        int base = LoopbackPorts.freeBase(5);
        try (DatagramSocket taken = new DatagramSocket(base, InetAddress.getLoopbackAddress())) {
            Run r = run("0", "--peers", "127.0.0.1:" + base, "--data-dir", tmp.resolve("d").toString(),
                    "--log-file", plain.resolve("node-0.log").toString());
            assertTrue(r.err().contains("raft-node: WARNING: cannot log to " + plain.resolve("node-0.log") + " ("),
                    r.err());
            assertTrue(r.err().contains("); logging to stderr only"), r.err());
            assertTrue(r.err().contains("cannot start node 0"), "it went on to start: " + r.err());
        }
    }
}
