package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import raftudp.netns.ChildJvm;
import raftudp.netns.NetnsLab;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.PcapNetnsSupport.Host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: measures pcap against kernel UDP between two namespaces on one veth pair,
 * 100-byte payloads, each endpoint in its own JVM (full JIT). Run as root with
 * {@code mvn -q -B test -Dtest=PcapBenchmark -Dpcap.bench=true}; prints a table and writes
 * it to {@code target/pcap-bench.txt}. Bounded: {@link #BLAST_COUNT} datagrams or
 * {@link #BLAST_MS} ms per throughput run, {@link #PINGS} round trips per latency run.
 */
@EnabledIfSystemProperty(named = "pcap.bench", matches = "true")
class PcapBenchmark {
    static final int PAYLOAD_BYTES = 100;
    static final int BLAST_COUNT = 300_000;
    static final long BLAST_MS = 10_000;
    static final int PINGS = 20_000;
    static final int WARMUP_PINGS = 5_000;
    static final int ROUNDS = 3;

    @Test
    void pcapVersusKernelUdp() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-5s %5s %12s %12s %8s %10s %10s %10s %6s", "mode", "round", "sent/s", "received/s",
                "loss%", "rtt p50us", "rtt p90us", "rtt p99us", "lost"));
        try (NetnsLab lab = NetnsLab.create()) {
            List<Host> hosts = PcapNetnsSupport.pair(lab);
            for (int round = 1; round <= ROUNDS; round++) {
                for (String mode : List.of("pcap", "udp")) {
                    rows.add(measure(lab, hosts, mode, round));
                }
            }
        }
        String table = String.join("\n", rows) + "\n";
        System.out.println(table);
        Files.writeString(Path.of("target", "pcap-bench.txt"), table);
    }

    /** b's count once it stops growing (the sender's queues drained), at most 15 s later. */
    private static String[] settled(ChildJvm pb) throws InterruptedException {
        String[] last = pb.call("count").split(" ");
        for (int i = 0; i < 30; i++) {
            Thread.sleep(500);
            String[] now = pb.call("count").split(" ");
            if (now[0].equals(last[0])) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static String measure(NetnsLab lab, List<Host> hosts, String mode, int round) throws Exception {
        String a = hosts.get(0).address().getHostAddress();
        String b = hosts.get(1).address().getHostAddress();
        List<String> flags = List.of("-Dpeer.lifeMs=120000");
        String name = "bench-" + mode + round;
        try (ChildJvm pa = ChildJvm.start(lab, hosts.get(0).namespace(), name + "-a", PcapPeer.class, flags);
             ChildJvm pb = ChildJvm.start(lab, hosts.get(1).namespace(), name + "-b", PcapPeer.class, flags)) {
            pa.call("start " + mode + " " + a + " 7001");
            pb.call("start " + mode + " " + b + " 7002");
            Duration slow = Duration.ofSeconds(60);
            pb.call("echo on");
            pa.call("pingpong " + b + " 7002 7001 " + WARMUP_PINGS + " " + PAYLOAD_BYTES, slow);
            String[] rtt = pa.call("pingpong " + b + " 7002 7001 " + PINGS + " " + PAYLOAD_BYTES, slow).split(" ");
            pb.call("echo off");
            Thread.sleep(200);
            pb.call("reset");
            String[] sent = pa.call("blast " + b + " 7002 7001 " + BLAST_COUNT + " " + PAYLOAD_BYTES + " " + BLAST_MS,
                    slow).split(" ");
            String[] count = settled(pb);
            long received = Long.parseLong(count[0]);
            long sentN = Long.parseLong(sent[0]);
            double sentPerS = sentN * 1000.0 / Math.max(1, Long.parseLong(sent[1]));
            double rxSeconds = (Long.parseLong(count[2]) - Long.parseLong(count[1])) / 1e9;
            double receivedPerS = (received - 1) / Math.max(1e-9, rxSeconds); // between b's first and last datagram
            return String.format("%-5s %5d %12.0f %12.0f %8.1f %10s %10s %10s %6s", mode, round, sentPerS,
                    receivedPerS, 100.0 * (sentN - received) / sentN, rtt[0], rtt[1], rtt[2], rtt[3]);
        }
    }
}
