package raftudp.cluster;

import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.config.ClusterConfig;
import raftudp.node.NodeMain;
import raftudp.transport.udp.UdpTransport;
import raftudp.wire.StatusReport;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Measures what the timeout defaults of {@code raft-node} are chosen from (docs/timeouts.md):
 * a 3-node cluster of real {@code raft-node} processes ({@link NodeMain} in child JVMs) on
 * loopback UDP, FileStorage with fsync ALWAYS, for several (tick, heartbeat, election) settings:
 * <ul>
 *   <li>RTT of a status request to the leader, and latency of a write (one fsync on a majority);</li>
 *   <li>failover: time from killing the leader's process (SIGKILL) to another node reporting
 *       itself leader of a higher term, and to the first write committed after it; repeated
 *       {@code --rounds} times (the killed node is restarted from its data directory each time);</li>
 *   <li>stability, while the leader is alive for {@code --quiet-s} seconds idle then as long with the
 *       client writing without pause (fsyncs, allocation, the JVMs competing for the cores):
 *       the followers' gaps between two contacts of the leader (heartbeat period plus every delay)
 *       over 50, 100, 200 and 400 ms, the vote requests sent (every election attempt, pre-votes
 *       included: with pre-vote and check-quorum a lone follower's attempt fails without a new term)
 *       and term changes.</li>
 * </ul>
 * Not a test. Run:
 * <pre>
 * mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) raftudp.cluster.FailoverBench \
 *     [--rounds 10] [--quiet-s 20] [--setting TICK:HEARTBEAT:MIN-MAX ...]
 * </pre>
 */
public final class FailoverBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int[] GAPS_MS = {50, 100, 200, 400};

    /** One setting: tick length and timeouts in ticks. */
    record Setting(int tickMs, int heartbeatTicks, int electionMin, int electionMax) {
        static Setting parse(String s) {
            String[] f = s.split("[:-]");
            return new Setting(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]));
        }

        List<String> args() {
            return List.of("--tick-ms", "" + tickMs, "--heartbeat-ticks", "" + heartbeatTicks,
                    "--election-ticks", electionMin + "-" + electionMax);
        }

        @Override
        public String toString() {
            return tickMs + " ms, hb " + heartbeatTicks + " (" + tickMs * heartbeatTicks + " ms), election "
                    + electionMin + "-" + electionMax + " (" + tickMs * electionMin + "-" + tickMs * electionMax + " ms)";
        }
    }

    private final Setting setting;
    private final Path dir;
    private final ClusterConfig cluster = LoopbackPorts.cluster(3);
    private final String peers;
    private final Process[] nodes = new Process[3];
    private TestClient client;

    private FailoverBench(Setting setting, Path dir) {
        this.setting = setting;
        this.dir = dir;
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            p.append(i == 0 ? "" : ",").append("127.0.0.1:").append(cluster.node(i).ports().vote());
        }
        this.peers = p.toString();
    }

    public static void main(String[] args) throws Exception {
        int rounds = 10;
        int quietS = 20;
        List<Setting> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quiet-s" -> quietS = Integer.parseInt(args[++i]);
                case "--setting" -> settings.add(Setting.parse(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (settings.isEmpty()) {
            settings = List.of(new Setting(10, 1, 10, 20), new Setting(10, 2, 15, 30), new Setting(10, 5, 30, 60),
                    new Setting(10, 10, 50, 100));
        }
        System.out.println("load average at start: " + loadAverage());
        System.out.println("| setting | status RTT p50 / p99 ms | write p50 / p99 ms | new leader ms: min / p50 / max"
                + " | first write after kill ms: p50 / max | leader contacts / gaps over " + Arrays.toString(GAPS_MS)
                + " ms in " + quietS + " s idle + " + quietS + " s busy | writes while busy | vote requests sent"
                + " (pre-votes included) | term changes |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Setting s : settings) {
            FailoverBench b = new FailoverBench(s, Files.createTempDirectory("failover-bench"));
            try {
                System.out.println(b.run(rounds, quietS));
            } finally {
                b.stopAll();
            }
        }
        System.out.println("load average at end: " + loadAverage());
    }

    private String run(int rounds, int quietS) throws Exception {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        client = new TestClient(cluster, new UdpTransport(LOOPBACK), LoopbackPorts.freeBase(1), 1);
        int leader = stableLeader();
        client.assumeLeader(leader);
        double[] rtt = new double[300];
        for (int i = 0; i < rtt.length; i++) {
            long t = System.nanoTime();
            client.status(leader, TIMEOUT).orElseThrow();
            rtt[i] = ms(System.nanoTime() - t);
        }
        double[] writes = new double[200];
        for (int i = 0; i < writes.length; i++) {
            long t = System.nanoTime();
            client.write(new Command.Put("w" + i, Value.of(i)), TIMEOUT);
            writes[i] = ms(System.nanoTime() - t);
        }
        long termBefore = client.status(leader, TIMEOUT).orElseThrow().term();
        long[] gapsBefore = gaps();
        Thread.sleep(quietS * 1000L); // idle: the leader's heartbeats alone keep the followers quiet
        long busyWrites = 0;
        long busyUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(quietS);
        while (System.nanoTime() - busyUntil < 0) {
            client.write(new Command.Put("busy", Value.of(busyWrites++)), TIMEOUT);
        }
        long termChanges = client.status(stableLeader(), TIMEOUT).orElseThrow().term() - termBefore;
        long[] gapsAfter = gaps();
        StringBuilder gapText = new StringBuilder().append(gapsAfter[0] - gapsBefore[0]);
        for (int i = 1; i < gapsAfter.length - 1; i++) {
            gapText.append(" / ").append(gapsAfter[i] - gapsBefore[i]);
        }
        double[] elect = new double[rounds];
        double[] firstWrite = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] f = failover();
            elect[r] = f[0];
            firstWrite[r] = f[1];
        }
        return "| " + setting + " | " + fmt(pct(rtt, 50)) + " / " + fmt(pct(rtt, 99)) + " | " + fmt(pct(writes, 50))
                + " / " + fmt(pct(writes, 99)) + " | " + fmt(pct(elect, 0)) + " / " + fmt(pct(elect, 50)) + " / "
                + fmt(pct(elect, 100)) + " | " + fmt(pct(firstWrite, 50)) + " / " + fmt(pct(firstWrite, 100))
                + " | " + gapText + " | " + busyWrites + " | " + (gapsAfter[GAPS_MS.length + 1]
                - gapsBefore[GAPS_MS.length + 1]) + " | " + termChanges + " |";
    }

    /** Kills the leader; returns ms to a new leader and to the first write committed; restarts it. */
    private double[] failover() throws Exception {
        int old = stableLeader();
        long oldTerm = client.status(old, TIMEOUT).orElseThrow().term();
        long t0 = System.nanoTime();
        nodes[old].destroyForcibly();
        int next = -1;
        while (next < 0) {
            for (int i = 0; i < 3 && next < 0; i++) {
                if (i != old) {
                    Optional<StatusReport> s = client.status(i, Duration.ofMillis(20));
                    if (s.isPresent() && s.get().role().equals("LEADER") && s.get().term() > oldTerm) {
                        next = i;
                    }
                }
            }
            if (System.nanoTime() - t0 > TIMEOUT.toNanos()) {
                throw new IllegalStateException("no new leader within " + TIMEOUT);
            }
        }
        long t1 = System.nanoTime();
        client.assumeLeader(next);
        client.write(new Command.Put("after", Value.of(t1)), TIMEOUT);
        long t2 = System.nanoTime();
        nodes[old].waitFor();
        start(old);
        stableLeader();
        return new double[]{ms(t1 - t0), ms(t2 - t0)};
    }

    private void start(int id) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(), "" + id,
                "--peers", peers, "--data-dir", dir.resolve("node-" + id).toString(), "--log-level", "WARN"));
        cmd.addAll(setting.args());
        nodes[id] = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("node-" + id + ".err").toFile()).start();
    }

    private void stopAll() {
        if (client != null) {
            client.close();
        }
        for (Process p : nodes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    /** The leader once all three nodes answer and agree on it. */
    private int stableLeader() {
        return Await.value("a stable leader", TIMEOUT, () -> {
            int leader = -1;
            for (int i = 0; i < 3; i++) {
                Optional<StatusReport> s = client.status(i, Duration.ofMillis(200));
                if (s.isEmpty() || s.get().leaderId() < 0 || (leader >= 0 && leader != s.get().leaderId())) {
                    return Optional.empty();
                }
                leader = s.get().leaderId();
            }
            return Optional.of(leader);
        });
    }

    /** Leader contacts, gaps over {@link #GAPS_MS} and vote requests sent, summed over the nodes. */
    private long[] gaps() {
        long[] sum = new long[2 + GAPS_MS.length];
        for (int i = 0; i < 3; i++) {
            var c = client.status(i, TIMEOUT).orElseThrow().counters();
            sum[0] += c.getOrDefault("node.leader_contacts", 0L);
            for (int g = 0; g < GAPS_MS.length; g++) {
                sum[g + 1] += c.getOrDefault("node.leader_gap_over_" + GAPS_MS[g] + "ms", 0L);
            }
            sum[GAPS_MS.length + 1] += c.getOrDefault("tx.VOTE_REQUEST", 0L);
        }
        return sum;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    private static String fmt(double v) {
        return v < 10 ? String.format("%.2f", v) : String.format("%.0f", v);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
