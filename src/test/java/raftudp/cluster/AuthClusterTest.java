package raftudp.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import raftudp.client.ClientOptions;
import raftudp.client.NodeStatus;
import raftudp.client.RaftClient;
import raftudp.client.RaftClientException;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.node.NodeRuntime;
import raftudp.node.NodeSettings;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.FaultRule;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;
import raftudp.wire.DropReason;
import raftudp.wire.FaultEntry;
import raftudp.wire.FaultRequest;
import raftudp.wire.FaultResponse;
import raftudp.wire.MessageClass;
import raftudp.wire.RaftHeader;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-node cluster on loopback (kernel UDP) whose nodes share a cluster key
 * (docs/wire-format.md §10): the keyed client works; unauthenticated datagrams, sessionless
 * writes and replayed or stale admin requests are dropped and counted, never answered.
 * "Not answered" is observed through the node's counters, not by waiting for silence.
 */
@Timeout(120)
class AuthClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final ClusterKey KEY = ClusterKey.of("a loopback test key, not a secret".getBytes());
    private static final int NODES = 3;

    @TempDir
    Path tmp;
    private ClusterConfig cluster;
    private final List<NodeRuntime> nodes = new ArrayList<>();
    private final List<RaftClient> clients = new ArrayList<>();

    @BeforeEach
    void startCluster() throws Exception {
        cluster = LoopbackPorts.cluster(NODES);
        for (int i = 0; i < NODES; i++) {
            FileStorage storage = FileStorage.open(FileStorageOptions.builder(tmp.resolve("node-" + i)).build());
            nodes.add(NodeRuntime.start(cluster, i, NodeSettings.defaults().withClusterKey(KEY), storage,
                    new UdpTransport(LOOPBACK)));
        }
    }

    @AfterEach
    void stopCluster() {
        clients.forEach(RaftClient::close);
        nodes.forEach(NodeRuntime::close);
    }

    private RaftClient client(ClusterKey key) throws Exception {
        return client(key, TIMEOUT);
    }

    private RaftClient client(ClusterKey key, Duration deadline) throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        cluster.nodes().forEach(n -> addresses.add(n.socketOf(MessageClass.CLIENT)));
        RaftClient c = RaftClient.start(ClientOptions.of(addresses).withDeadlineMs(deadline.toMillis())
                .withClusterKey(key), new UdpTransport(LOOPBACK));
        clients.add(c);
        return c;
    }

    private static List<Integer> all() {
        return List.of(0, 1, 2);
    }

    private long dropped(int node, DropReason reason) {
        return nodes.get(node).wireStats().dropped(reason);
    }

    private void awaitDropped(int node, DropReason reason, long atLeast) {
        Await.await("node " + node + " counted " + atLeast + " " + reason, TIMEOUT,
                () -> dropped(node, reason) >= atLeast);
    }

    @Test
    void theKeyedClient_writesReadsAsksStatusAndChangesFaultRules() throws Exception {
        RaftClient c = client(KEY);
        assertTrue(c.put("k", Value.of("authenticated")) instanceof Result.Ok);
        assertEquals(new Result.Found(Value.of("authenticated")), c.get("k"));
        for (NodeStatus s : c.statusAll(TIMEOUT.toMillis())) {
            assertTrue(s.answered(), s.toString());
        }
        FaultEntry rule = new FaultEntry("10.0.2.2", 0, 5, 0, 0);
        Map<Integer, RaftClient.FaultAnswer> set = c.fault(all(), FaultRequest.set(rule), TIMEOUT.toMillis());
        assertEquals(NODES, set.size(), set.toString());
        for (int i = 0; i < NODES; i++) {
            assertFalse(set.get(i).refused(), set.toString());
            assertEquals(List.of(rule), set.get(i).rules().rules());
            assertEquals(Map.of("10.0.2.2", FaultRule.of(rule)), nodes.get(i).faults().rules());
        }
        Map<Integer, RaftClient.FaultAnswer> cleared = c.fault(all(), FaultRequest.clearAll(), TIMEOUT.toMillis());
        assertEquals(NODES, cleared.size(), cleared.toString());
        for (int i = 0; i < NODES; i++) {
            assertTrue(nodes.get(i).faults().rules().isEmpty());
            assertEquals(0, dropped(i, DropReason.UNAUTHENTICATED) + dropped(i, DropReason.BAD_MAC),
                    "node " + i + ": " + nodes.get(i).wireStats());
        }
    }

    @Test
    void unauthenticatedDatagrams_andSessionlessWrites_areDroppedSilently_andCounted() throws Exception {
        RaftClient keyed = client(KEY);
        assertTrue(keyed.put("before", Value.of(1)) instanceof Result.Ok); // a leader exists

        RaftClient plain = client(null);
        Map<Integer, RaftClient.FaultAnswer> got = plain.fault(List.of(0), FaultRequest.set(
                new FaultEntry("*", 1_000_000, 0, 0, 0)), 1_000);
        assertEquals(Map.of(), got, "a keyed node does not answer an unauthenticated fault request");
        awaitDropped(0, DropReason.UNAUTHENTICATED, 1);
        assertTrue(nodes.get(0).faults().rules().isEmpty(), "and applies nothing");
        NodeStatus s = plain.statusAll(500).get(1);
        assertFalse(s.answered(), "not even a status request: " + s);
        awaitDropped(1, DropReason.UNAUTHENTICATED, 1);

        // A sessionless Put, properly authenticated, to every node: no node takes it.
        WireCodec codec = new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats(), KEY);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            for (int i = 0; i < NODES; i++) {
                for (byte[] d : codec.encode(new ClientRequest(0, 0, new Command.Put("sessionless", Value.of(1))))) {
                    socket.send(new DatagramPacket(d, d.length, cluster.node(i).socketOf(MessageClass.CLIENT)));
                }
            }
            for (int i = 0; i < NODES; i++) {
                awaitDropped(i, DropReason.SESSIONLESS_WRITE, 1);
            }
        }
        assertEquals(new Result.NotFound(), keyed.get("sessionless"), "never applied");
        assertEquals(new Result.Found(Value.of(1)), keyed.get("before"), "sessionless reads still work");
    }

    @Test
    void anAuthenticatedFaultRequest_isAppliedOnce_aReplayOrAStaleOneIsDroppedAsReplayed() throws Exception {
        WireCodec codec = new WireCodec(RaftHeader.NO_NODE, 77, WireLimits.DEFAULT, new WireStats(), KEY);
        WireDecoder decoder = new WireDecoder(new WireStats(), () -> System.nanoTime() / 1_000_000, "admin", KEY);
        InetSocketAddress node0 = cluster.node(0).socketOf(MessageClass.CLIENT);
        FaultEntry rule = new FaultEntry("10.0.3.3", 0, 7, 0, 0);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            byte[] set = codec.encode(FaultRequest.set(rule).issuedAt(System.currentTimeMillis())).get(0);
            socket.send(new DatagramPacket(set, set.length, node0));
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            socket.receive(p);
            Optional<WireDecoder.Received> answer = decoder.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()),
                    p.getSocketAddress());
            assertTrue(answer.isPresent() && answer.get().authenticated(), "an authenticated answer");
            assertEquals(new FaultResponse(0, List.of(rule)), answer.get().message());

            nodes.get(0).faults().clearRules();
            socket.send(new DatagramPacket(set, set.length, node0));           // the same bytes again
            awaitDropped(0, DropReason.REPLAYED, 1);
            assertTrue(nodes.get(0).faults().rules().isEmpty(), "the replay re-installed nothing");

            byte[] stale = codec.encode(FaultRequest.set(rule).issuedAt(System.currentTimeMillis() - 60_000)).get(0);
            socket.send(new DatagramPacket(stale, stale.length, node0));
            awaitDropped(0, DropReason.REPLAYED, 2);
            byte[] early = codec.encode(FaultRequest.set(rule).issuedAt(System.currentTimeMillis() + 60_000)).get(0);
            socket.send(new DatagramPacket(early, early.length, node0));
            awaitDropped(0, DropReason.REPLAYED, 3);
            assertTrue(nodes.get(0).faults().rules().isEmpty(), "nothing outside the window was applied");
            assertEquals(1L, nodes.get(0).status(TIMEOUT).counters().get("node.admin_accepted"));
        }
    }

    @Test
    void aClientWithAnotherKey_getsNoAnswer_andItsDatagramsAreBadMacs() throws Exception {
        RaftClient other = client(ClusterKey.of("some other key, also 33 bytes long".getBytes()), Duration.ofSeconds(2));
        try {
            other.put("k", Value.of(1));
            throw new AssertionError("a write with the wrong key was answered");
        } catch (RaftClientException e) {
            assertEquals(RaftClientException.Kind.NO_LEADER, e.kind(), e.getMessage());
        }
        assertTrue(dropped(0, DropReason.BAD_MAC) + dropped(1, DropReason.BAD_MAC) + dropped(2, DropReason.BAD_MAC) >= 1);
        assertEquals(new Result.NotFound(), client(KEY, TIMEOUT).get("k"), "nothing was written");
    }
}
