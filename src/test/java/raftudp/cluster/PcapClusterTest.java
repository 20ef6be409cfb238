package raftudp.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raftudp.kv.Value;
import raftudp.netns.CaptureCheck;
import raftudp.netns.NetnsLab;
import raftudp.netns.NodeProcess;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.PcapNetnsSupport.Host;
import raftudp.netns.RelayTransport;
import raftudp.netns.Tcpdump;
import raftudp.config.ClusterConfig;
import raftudp.transport.Transport;
import raftudp.wire.MessageType;
import raftudp.wire.RaftHeader;
import raftudp.wire.StatusReport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster suite over the {@code pcap} transport, on a wire: each node is a
 * {@code raft-node} child JVM ({@code --transport pcap}) in its own network namespace, the
 * three joined by a bridge (h1..h3 on 10.99.1.0/24, made by the test; nothing touches the
 * machine's own network). The test client sits on a fourth host, h4: its datagrams are
 * sent and captured there by a {@link RelayTransport} child, so every message crosses the
 * veths and the bridge as an Ethernet/IPv4/UDP frame built by pcap. Stopping a node is a
 * SIGKILL of its JVM. Needs root; CI runs it (as root) and must not skip it.
 */
class PcapClusterTest extends AbstractClusterTest {
    /** UDP port of the test client on h4. */
    private static final int CLIENT_PORT = 40_000;
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static NetnsLab lab;
    private static List<Host> hosts;
    private final Map<Integer, NodeProcess> processes = new HashMap<>();

    @BeforeAll
    static void createNetwork() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        lab = NetnsLab.create();
        hosts = PcapNetnsSupport.lan(lab, NODES + 1);
    }

    @AfterAll
    static void deleteNetwork() {
        if (lab != null) {
            lab.close();
        }
    }

    private static String peers(int size) {
        return hosts.subList(0, size).stream().map(h -> h.address().getHostAddress()).collect(Collectors.joining(","));
    }

    private static Host clientHost() {
        return hosts.get(NODES);
    }

    @Override
    protected ClusterConfig clusterOf(int size) {
        return ClusterConfig.parsePeers(peers(size));
    }

    @Override
    protected Transport newTransport(InetAddress address) {
        throw new UnsupportedOperationException("the pcap suite runs nodes and client in namespaces");
    }

    @Override
    protected InetSocketAddress clientEndpoint() {
        return new InetSocketAddress(clientHost().address(), CLIENT_PORT);
    }

    @Override
    protected NodeHandle startNode(int id, Path dataDir) throws Exception {
        NodeProcess p = NodeProcess.start(lab, hosts.get(id).namespace(), "node" + id + "-" + STARTS.incrementAndGet(),
                NodeProcess.pcapArgs(id, peers(NODES), dataDir, settings()));
        processes.put(id, p);
        return p::kill;
    }

    @Override
    protected TestClient newClient() throws Exception {
        Host h = clientHost();
        Transport relay = new RelayTransport(lab, h.namespace(), "pcap", h.address(),
                "client-relay-" + STARTS.incrementAndGet());
        return new TestClient(cluster, relay, CLIENT_PORT, new Random().nextLong());
    }

    /**
     * A capture on the interface of the node that becomes leader while the old leader is
     * frozen (SIGSTOP: its host stays up, so its kernel has no reason for ICMP) holds only
     * well-formed IPv4/UDP frames with valid IPv4 and UDP checksums, all on the cluster's
     * ports, no ICMP port-unreachable, and Raft messages of every kind an election, a write
     * and a read produce.
     */
    @Test
    void aCaptureOnTheNewLeaderAcrossAnElection_isWellFormedUdpWithValidChecksums_andNoIcmp() throws Exception {
        int old = awaitStableLeader();
        long oldTerm = status(old).orElseThrow().term();
        put("before", Value.of(1));
        List<Integer> followers = new ArrayList<>();
        Map<Integer, Tcpdump> dumps = new LinkedHashMap<>();
        try {
            for (int i = 0; i < NODES; i++) {
                if (i != old) {
                    followers.add(i);
                    Path file = Path.of("target", "netns-logs", lab.id(), "cluster-node" + i + ".pcap");
                    dumps.put(i, Tcpdump.start(lab, hosts.get(i).namespace(), hosts.get(i).iface(), file));
                }
            }
            int next;
            processes.get(old).pause();
            try {
                next = Await.value("a follower leads a term above " + oldTerm + " and the other follows it", TIMEOUT,
                        () -> newLeaderAmong(followers, oldTerm));
                client.assumeLeader(next);
                put("during", Value.of("the old leader is frozen"));
                assertEquals(Value.of("the old leader is frozen"), get("during"));
            } finally {
                processes.get(old).resume();
            }
            awaitStableLeader();
            assertEquals(Value.of(1), get("before"));
            Path file = dumps.get(next).stop();
            checkCapture(file);
            String decoded = Tcpdump.decode(lab, hosts.get(next).namespace(), file);
            assertFalse(decoded.contains("bad cksum") || decoded.contains("bad udp cksum"), decoded);
        } finally {
            dumps.values().forEach(Tcpdump::close);
        }
    }

    /** The leader among {@code candidates} at a term above {@code term} that every candidate follows, if any. */
    private Optional<Integer> newLeaderAmong(List<Integer> candidates, long term) {
        int leader = -1;
        for (int i : candidates) {
            Optional<StatusReport> s = client.status(i, Duration.ofMillis(300));
            if (s.isEmpty() || s.get().term() <= term || s.get().leaderId() < 0
                    || (leader >= 0 && s.get().leaderId() != leader)) {
                return Optional.empty();
            }
            leader = s.get().leaderId();
        }
        return candidates.contains(leader) ? Optional.of(leader) : Optional.empty();
    }

    private void checkCapture(Path file) throws Exception {
        CaptureCheck.Summary s = CaptureCheck.check(file);
        assertEquals(List.of(), s.problems(), "malformed frames");
        assertEquals(0, s.udpChecksumPartial(), "every frame is built by pcap with a full UDP checksum: " + s);
        assertEquals(0, s.icmpPortUnreachable(), "the port guards keep the kernels quiet");
        assertTrue(s.udp() > 0, s.toString());
        Set<Integer> ports = new HashSet<>(List.of(CLIENT_PORT));
        for (int i = 0; i < NODES; i++) {
            ports.addAll(cluster.node(i).ports().ports());
        }
        EnumSet<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (CaptureCheck.UdpFrame f : s.udpFrames()) {
            assertTrue(ports.contains(f.dstPort()) && ports.contains(f.srcPort()), "a frame on our ports: " + f);
            byte[] h = f.payloadHead();
            assertTrue(h.length >= 4 && ((h[0] & 0xFF) << 8 | (h[1] & 0xFF)) == RaftHeader.MAGIC
                    && h[2] == RaftHeader.VERSION, "a Raft datagram: " + f);
            for (MessageType t : MessageType.values()) {
                if (t.code() == (h[3] & 0xFF)) {
                    seen.add(t);
                }
            }
        }
        EnumSet<MessageType> expected = EnumSet.of(MessageType.VOTE_REQUEST, MessageType.VOTE_RESPONSE,
                MessageType.APPEND_REQUEST, MessageType.APPEND_RESPONSE, MessageType.HEARTBEAT,
                MessageType.HEARTBEAT_RESPONSE, MessageType.CLIENT_REQUEST, MessageType.CLIENT_RESPONSE,
                MessageType.STATUS_REQUEST, MessageType.STATUS_RESPONSE);
        assertTrue(seen.containsAll(expected), "Raft messages seen on the new leader's wire: " + seen + " ("
                + s.udp() + " frames)");
    }
}
