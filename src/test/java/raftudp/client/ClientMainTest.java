package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raftudp.kv.ClientResponse;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.transport.TransportException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** raft-client's commands against fake nodes: output lines and exit codes. */
@Timeout(60)
class ClientMainTest {
    /** The fake cluster's nodes 127.0.0.1-3, client port 9994 = base 9991 + 3. */
    private static final String PEERS = "127.0.0.1:9991,127.0.0.2:9991,127.0.0.3:9991";
    private FakeCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Cli.Run run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--peers";
        all[1] = PEERS;
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(Cli.on(cluster), all);
    }

    private static void assertRun(int code, String outPart, Cli.Run r) {
        assertEquals(code, r.code(), r.toString());
        assertTrue(r.out().contains(outPart), r.toString());
    }

    @Test
    void originalFormAppendsTypedValuesToTheLogThroughAFollower() throws Exception {
        cluster = new FakeCluster(3, 2);
        assertRun(0, "OK: appended 1 to log; log now holds 1 value [leader: node 2, 127.0.0.3:9994]",
                run("-s", "127.0.0.11", "-d", "127.0.0.1", "-da", "1"));
        assertEquals(1, cluster.node(0).requests().size(), "-d names a follower, which was asked first");
        assertEquals("127.0.0.11", cluster.node(2).requests().get(0).from().getAddress().getHostAddress(),
                "sent from the -s address");
        assertRun(0, "appended 0 to log; log now holds 2 values", run("-d", "0", "-da", "0"));
        assertRun(0, "appended \"\" to log", run("-da", ""));
        assertRun(0, "appended 0x00ff to log", run("-da", "0x00ff"));
        assertRun(0, "appended \"hello\" to log", run("-da", "hello"));
        assertRun(0, "appended \"1\" to log", run("--type", "string", "-da", "1"));
        assertRun(0, "log = [1, 0, \"\", 0x00ff, \"hello\", \"1\"]", run("get", "log"));
    }

    @Test
    void putGetDeleteAndCasPrintTheirAnswers(@TempDir Path dir) throws Exception {
        cluster = new FakeCluster(3, 0);
        assertRun(0, "OK: k = 0 (previous: absent)", run("put", "k", "0"));
        assertRun(0, "k = 0", run("get", "k"));
        assertRun(0, "OK: k = \"5\" (previous: 0)", run("put", "k", "5", "--type", "string"));
        Path f = dir.resolve("v.bin");
        Files.write(f, new byte[]{1, 2, 3});
        assertRun(0, "OK: f = 0x010203", run("put", "f", "@" + f));
        assertRun(0, "OK: deleted f (previous: 0x010203)", run("delete", "f"));
        assertRun(0, "OK: f was already absent", run("delete", "f"));
        assertRun(6, "f: not found", run("get", "f"));
        assertRun(0, "OK: c = 1 (previous: absent)", run("cas", "c", "-", "1"));
        assertRun(1, "CAS FAILED: c is 1, not 5; nothing changed", run("cas", "c", "5", "2"));
        assertRun(0, "OK: c = 2 (previous: 1)", run("cas", "c", "1", "2"));
        assertRun(1, "REFUSED: c holds a single value, not a list", run("-da", "1", "--key", "c"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-da 0x0g                       | -da: bad hex value '0x0g': 'g' at position 4 is not a hex digit",
        "-da hex:abc                    | odd number of hex digits (3)",
        "-da @/nonexistent/v.bin        | cannot read value file /nonexistent/v.bin: no such file",
        "--type int -da x               | -da: 'x' is not an integer",
        "--type float put k 1           | unknown value type 'float'",
        "put k                          | Missing required parameter: 'VALUE'",
        "put k 99999999999999999999     | does not fit in a 64-bit integer",
        "--peers 127.0.0.1:x get k      | --peers item 1 ('127.0.0.1:x'): 'x' is not a port number",
        "-d 9 get k                     | node index 9 is not in the cluster of 3 nodes (0..2)",
        "-d 10.9.9.9 -da 1              | -d 10.9.9.9 is not a node of the cluster",
        "--raw get k                    | --raw needs -s ADDRESS",
        "--timeout-ms 0 get k           | --timeout-ms 0 outside 1..3600000",
        "--cluster x.txt get k          | give either --peers or --cluster, not both",
        "-da 1 put k v                  | -da cannot be combined with the put command",
        "bench --clients 0              | --clients 0 outside 1..1024",
        "bench --read-ratio 2           | --read-ratio 2.0 outside 0..1",
        "bench --ops 0                  | --ops 0 must be at least 1",
        "status --wait-ms 0             | --wait-ms 0 outside 1..3600000",
        "watch --count -1               | --count -1 must be 0 (no end) or more",
        "--log-level loud get k         | --log-level loud is not one of error, warn, info, debug, trace, off",
        "-s ::1 get k                   | -s ::1 is not an IPv4 address",
        "--source-port 70000 get k      | --source-port 70000 outside 0..65535",
        "frobnicate                     | Unmatched argument",
        "get                            | Missing required parameter: 'KEY'",
        "get k --timeout-ms 1 --timeout-ms 2 | option '--timeout-ms' (MS) should be specified only once",
        "status --wait-ms soon          | Invalid value for option '--wait-ms': 'soon' is not a long",
        "''                             | nothing to do: give -da VALUE or a command",
    })
    void badArgumentsSayWhatIsWrongAndExit2(String args, String message) {
        List<String> words = new java.util.ArrayList<>();
        if (!args.contains("--peers")) {
            words.addAll(List.of("--peers", PEERS));
        }
        if (!args.isEmpty()) {
            words.addAll(List.of(args.split("\\s+")));
        }
        Cli.Run r = Cli.run(Cli.NO_NETWORK, words.toArray(new String[0]));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("raft-client: ") && r.err().contains(message), r.toString());
        assertTrue(r.err().contains("--help' for more."), r.toString());
        assertTrue(!r.err().contains("Usage:"), "one line and a pointer, not the usage: " + r);
        assertEquals("", r.out());
    }

    @Test
    void aBadArgumentOfASubcommandPointsToItsHelp() {
        Cli.Run r = Cli.run(Cli.NO_NETWORK, "put", "k", "0x0");
        assertEquals("raft-client: VALUE: bad hex value '0x0': odd number of hex digits (1); each byte takes two\n"
                + "Try 'raft-client put --help' for more.\n", r.err());
    }

    @Test
    void helpDescribesTheOriginalFormAndExitCodes() {
        Cli.Run r = Cli.run(Cli.NO_NETWORK, "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("-da=VALUE"), r.out());
        assertTrue(r.out().contains("inserted this value into the Raft log"), r.out());
        assertTrue(r.out().contains("Exit codes:\n  0  done\n"), r.out());
        assertTrue(r.out().contains("\n  6  key not found (get)\n"), r.out());
        assertEquals(0, Cli.run(Cli.NO_NETWORK, "bench", "--help").code());
    }

    @Test
    void noLeaderExitsWith3AndSaysWhatEachNodeAnswered() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.nodes.forEach(n -> n.policy((x, r) -> x.notLeader(r, -1)));
        Cli.Run r = run("--timeout-ms", "2000", "put", "k", "1");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().startsWith("raft-client: no leader answered within 2 s; last answers: node 0 (127.0.0.1:9994): "),
                r.toString());
        assertTrue(r.err().contains("): not the leader (no leader known)"), r.toString());
    }

    @Test
    void sessionExpiredExitsWith4AndSaysTheOutcomeIsUnknown() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> n.answer(r, ClientResponse.ok(r.request(), new Result.SessionExpired())));
        Cli.Run r = Cli.run(Cli.on(cluster), "--peers", "127.0.0.1:9991", "put", "k", "1");
        assertEquals(4, r.code(), r.toString());
        assertTrue(r.err().contains("the outcome of put k = 1 is unknown"), r.toString());
    }

    @Test
    void aTransportThatCannotStartExitsWith5() {
        Cli.Run r = Cli.run((src, raw, iface) -> {
            throw new TransportException("capture needs root or CAP_NET_RAW");
        }, "--raw", "-s", "127.0.0.11", "get", "k");
        assertEquals(5, r.code(), r.toString());
        assertEquals("raft-client: cannot start the pcap transport at -s 127.0.0.11: capture needs root or CAP_NET_RAW\n",
                r.err());
    }

    @Test
    void statusShowsATableAndTheLeader() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.node(1).answersStatus(false);
        Cli.Run r = run("status", "--wait-ms", "1000");
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("id  address         role      term  leader  commit  applied  last  rx   tx  drops"),
                r.out());
        assertTrue(lines[1].startsWith("0   127.0.0.1:9994  LEADER    3     0       10      9        12    100  90  3"),
                r.out());
        assertTrue(lines[2].contains("no answer within 1 s"), r.out());
        assertEquals("leader: node 0 (127.0.0.1:9994), term 3", lines[4]);

        Cli.Run one = run("-d", "1", "status", "--wait-ms", "100");
        assertEquals(3, one.code(), one.toString());
        assertEquals(2, one.out().split("\n").length - 1, "a header and node 1's line: " + one.out());
    }

    @Test
    void statusOfOneFollowerNamesTheLeaderItReports() throws Exception {
        cluster = new FakeCluster(3, 2);
        Cli.Run one = run("-d", "0", "status", "--wait-ms", "1000");
        assertEquals(0, one.code(), one.toString());
        String[] lines = one.out().split("\n");
        assertEquals(3, lines.length, "a header, node 0's line and the summary: " + one.out());
        assertTrue(lines[1].startsWith("0   127.0.0.1:9994  FOLLOWER  3     2 "), one.out());
        assertEquals("leader: node 2 (127.0.0.3:9994), term 3, as node 0 reports", lines[2]);
        assertTrue(cluster.node(0).statusRequests() >= 1, "node 0 was asked");
        assertEquals(0, cluster.node(1).statusRequests() + cluster.node(2).statusRequests(), "only node 0 was asked");

        cluster.node(2).answersStatus(false);
        Cli.Run watch = run("watch", "--count", "1", "--wait-ms", "300");
        assertTrue(watch.out().contains("leader: node 2 (127.0.0.3:9994), term 3, as nodes 0 and 1 report"),
                watch.out());
    }

    @Test
    void watchRepeatsTheTableCountTimes() throws Exception {
        cluster = new FakeCluster(3, 0);
        Cli.Run r = run("watch", "--count", "3", "--interval-ms", "10");
        assertEquals(0, r.code(), r.toString());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("-- ")).count(), r.out());
        assertTrue(r.out().contains("(3/3)"), r.out());
    }

    @Test
    void benchStopsAtItsOperationBoundAndReportsPercentiles(@TempDir Path dir) throws Exception {
        cluster = new FakeCluster(3, 1);
        Path json = dir.resolve("bench.json");
        Cli.Run r = run("bench", "--clients", "3", "--duration", "60", "--ops", "200", "--value-bytes", "0",
                "--read-ratio", "0.25", "--keys", "5", "--json", json.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(": 200 operations ("), r.out());
        assertTrue(r.out().contains("errors 0, timeouts 0"), r.out());
        assertTrue(r.out().matches("(?s).*latency ms:  p50 [0-9.]+  p90 [0-9.]+  p99 [0-9.]+  p99\\.9 [0-9.]+  max [0-9.]+.*"),
                r.out());
        String j = Files.readString(json);
        assertTrue(j.contains("\"ops\": 200,"), j);
        assertTrue(j.contains("\"latency_ms\": {\"p50\": "), j);
        assertTrue(j.contains("\"p99_9\": "), j);
    }

    @Test
    void benchStopsAtItsDuration() throws Exception {
        cluster = new FakeCluster(1, 0);
        long start = System.nanoTime();
        Cli.Run r = Cli.run(Cli.on(cluster), "--peers", "127.0.0.1:9991", "bench", "--clients", "2", "--duration", "0.3",
                "--ops", "1000000000");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, r.code(), r.toString());
        assertTrue(tookMs < 10_000, "bounded by --duration: " + tookMs + " ms");
        assertTrue(r.out().matches("(?s).*done in [0-9.]+ s: [1-9][0-9]* operations.*"), r.out());
    }

    @Test
    void storeHoldsWhatTheCommandsWrote() throws Exception {
        cluster = new FakeCluster(1, 0);
        Cli.run(Cli.on(cluster), "--peers", "127.0.0.1:9991", "put", "e", "");
        assertEquals(new Result.Found(Value.of("")), cluster.store.kv.read(new raftudp.kv.Command.Get("e")));
    }
}
