package raftudp.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.cluster.Await;
import raftudp.cluster.MemoryNetwork;
import raftudp.cluster.TestClient;
import raftudp.core.Raft;
import raftudp.core.Snapshot;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.Transport;
import raftudp.config.ClusterConfig;
import raftudp.wire.Craft;
import raftudp.wire.MessageClass;
import raftudp.wire.StatusReport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single crafted datagrams against running nodes (issue 8's findings, one test each): each is
 * a counted drop or refusal, nothing changes that should not, and the cluster keeps serving.
 * The datagrams are built from the spec field by field ({@link Craft}), as Scapy users do.
 *
 * <p>The cluster is the testbed's three nodes on the in-memory network. Node 2 is stopped once
 * the cluster has formed (which takes every node): its address and ports then belong to the
 * "spoofer", which can therefore send exactly what a member would (the case only a cluster key
 * can tell apart). The "outsider" is a
 * non-member host on the testbed's client address.
 */
class HostileInputTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int VOTE_REQUEST = 1;
    private static final int APPEND_REQUEST = 3;
    private static final int HEARTBEAT = 5;
    private static final int SNAPSHOT_CHUNK = 7;
    private static final int TIMEOUT_NOW = 9;
    private static final int CLIENT_REQUEST = 16;
    private static final int CLIENT_RESPONSE = 17;
    private static final int FLAG_PRE_VOTE = 0x01;
    private static final int FLAG_LAST = 0x10;

    private final MemoryNetwork network = new MemoryNetwork();
    private final ClusterConfig cluster = ClusterConfig.testbed();
    private final NodeRuntime[] nodes = new NodeRuntime[2];
    private Transport outsider;
    private Transport spoofer;
    private TestClient client;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        NodeRuntime node2 = null;
        for (int i = 0; i < 3; i++) {
            FileStorage storage = FileStorage.open(FileStorageOptions.defaults(tmp.resolve("node-" + i)));
            NodeRuntime n = NodeRuntime.start(cluster, i, NodeSettings.defaults().withTimeouts(5, 4, 20, 40), storage,
                    network.transport(cluster.node(i).address()));
            if (i < nodes.length) {
                nodes[i] = n;
            } else {
                node2 = n;
            }
        }
        Await.await("the cluster formed (its membership entry committed on nodes 0 and 1)", TIMEOUT,
                () -> status(0).commitIndex() >= 1 && status(1).commitIndex() >= 1);
        node2.close();
        outsider = network.transport(InetAddress.getByName("10.0.1.11"));
        outsider.start(Set.of(7777), (from, port, data) -> { });
        spoofer = network.transport(cluster.node(2).address());
        spoofer.start(new HashSet<>(cluster.node(2).ports().ports()), (from, port, data) -> { });
        client = new TestClient(cluster, network.transport(InetAddress.getByName("10.0.1.11")), 0x9994,
                new Random().nextLong());
    }

    @AfterEach
    void stop() {
        client.close();
        for (NodeRuntime n : nodes) {
            n.close();
        }
        outsider.close();
        spoofer.close();
        network.close();
    }

    private StatusReport status(int id) {
        try {
            return nodes[id].status(TIMEOUT);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private long counter(int id, String name) {
        return status(id).counters().getOrDefault(name, 0L);
    }

    private void awaitCounter(int id, String name, long atLeast) {
        Await.await("node " + id + " " + name + " >= " + atLeast, TIMEOUT, () -> counter(id, name) >= atLeast);
    }

    /** The leader of a stable term (both running nodes agree, and it is one of them), after a write went through it. */
    private int awaitLeaderAndWrite(String key) {
        int leader = Await.value("a leader both nodes follow", TIMEOUT, () -> {
            StatusReport a = status(0);
            StatusReport b = status(1);
            return a.leaderId() >= 0 && a.leaderId() < nodes.length && a.leaderId() == b.leaderId()
                    && a.term() == b.term()
                    ? java.util.Optional.of(a.leaderId()) : java.util.Optional.empty();
        });
        assertWrites(key);
        return leader;
    }

    private void assertWrites(String key) {
        ClientResponse r = client.write(new Command.Put(key, Value.of(1)), TIMEOUT);
        assertEquals(ClientResponse.Status.OK, r.status(), "the cluster serves: " + r);
    }

    private void assertAllRunning() {
        for (NodeRuntime n : nodes) {
            assertTrue(n.isRunning(), "node " + n.id() + " stopped: " + n.failure());
            assertEquals(0L, counter(n.id(), "node.input_errors"), "no exception reached the loop");
        }
    }

    private static InetSocketAddress at(ClusterConfig c, int id, MessageClass cls) {
        return c.node(id).socketOf(cls);
    }

    private void fromOutsider(int to, MessageClass cls, byte[] datagram) {
        outsider.send(7777, at(cluster, to, cls), datagram);
    }

    private void fromSpoofer(int to, MessageClass cls, byte[] datagram) {
        spoofer.send(cluster.node(2).ports().portOf(cls), at(cluster, to, cls), datagram);
    }

    /** Sends as member {@code as} would: from its address and its port of the class (IP spoofing). */
    private void spoofing(int as, int to, MessageClass cls, byte[] datagram) {
        network.transport(cluster.node(as).address()).send(cluster.node(as).ports().portOf(cls),
                at(cluster, to, cls), datagram);
    }

    @Test
    void clientRequest_withASessionAndSeqZero_isDroppedAsBadSession_onEveryNode() {
        awaitLeaderAndWrite("before");
        byte[] d = Craft.type(CLIENT_REQUEST).indexA(42).indexB(0).payload(Craft.putInt("k", 1)).bytes();
        fromOutsider(0, MessageClass.CLIENT, d);
        fromOutsider(1, MessageClass.CLIENT, d);
        awaitCounter(0, "drop.BAD_SESSION", 1);
        awaitCounter(1, "drop.BAD_SESSION", 1);
        assertAllRunning();
        assertWrites("after");
    }

    @Test
    void heartbeatsAndVotesAtTheLargestTerms_areDroppedAsTermCeiling_andNoTermMoves() {
        awaitLeaderAndWrite("before");
        long term = status(0).term();
        long[] terms = {Long.MAX_VALUE, Raft.TERM_MAX + 1};
        for (int to = 0; to < 2; to++) {
            for (long t : terms) {
                fromSpoofer(to, MessageClass.HEARTBEAT, Craft.type(HEARTBEAT).from(2).to(to).term(t).bytes());
                fromSpoofer(to, MessageClass.VOTE, Craft.type(VOTE_REQUEST).from(2).to(to).term(t).indexA(1 << 20)
                        .logTerm(t).bytes());
                fromSpoofer(to, MessageClass.VOTE, Craft.type(VOTE_REQUEST).flags(FLAG_PRE_VOTE).from(2).to(to)
                        .term(t).indexA(1 << 20).logTerm(t).bytes());
            }
        }
        awaitCounter(0, "drop.TERM_CEILING", 6);
        awaitCounter(1, "drop.TERM_CEILING", 6);
        assertEquals(term, status(0).term());
        assertEquals(term, status(1).term());
        assertAllRunning();
        assertWrites("after");
    }

    @Test
    void snapshotChunk_withTheLastFlagAndGarbage_isRefused_andTheFollowerKeepsServing() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        long term = status(follower).term();
        byte[] garbage = "not a snapshot at all".getBytes();
        long rightCrc = new Snapshot(50, term, garbage).checksum();
        for (long crc : new long[]{rightCrc ^ 0x5a5a, rightCrc}) { // a wrong checksum, then garbage that matches it
            spoofing(leader, follower, MessageClass.SNAPSHOT, Craft.type(SNAPSHOT_CHUNK).flags(FLAG_LAST).from(leader)
                    .to(follower).term(term).indexA(50).logTerm(term).commitIndex(crc)
                    .payload(Craft.snapshotBody(garbage.length, garbage)).bytes());
        }
        awaitCounter(follower, "refused.BAD_SNAPSHOT", 2);
        assertTrue(status(follower).lastLogIndex() < 50, "nothing installed: " + status(follower));
        assertEquals(leader, status(follower).leaderId());
        assertAllRunning();
        assertWrites("after");
    }

    @Test
    void appendClaimingAMembersId_fromAnotherHost_isDroppedAsWrongSource_andCommitsNothing() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        StatusReport before = status(follower);
        byte[] forged = Craft.type(APPEND_REQUEST).from(leader).to(follower).term(before.term() + 5)
                .indexA(before.lastLogIndex()).indexB(before.lastLogIndex() + 1).logTerm(before.term())
                .commitIndex(before.lastLogIndex() + 1)
                .payload(Craft.entries(Craft.kvPut("forged", 1), before.term() + 5)).bytes();
        fromOutsider(follower, MessageClass.APPEND, forged);
        awaitCounter(follower, "drop.WRONG_SOURCE", 1);
        assertEquals(before.term(), status(follower).term());
        assertWrites("after");
        assertEquals(ClientResponse.Status.OK, client.read("forged", TIMEOUT).status());
        assertTrue(client.read("forged", TIMEOUT).result() instanceof raftudp.kv.Result.NotFound,
                "the forged entry was never applied");
        assertAllRunning();
    }

    @Test
    void appendFromTheRightAddressButAnotherPort_isDroppedAsWrongSource() throws Exception {
        int leader = awaitLeaderAndWrite("before");
        Transport sameHost = network.transport(cluster.node(2).address());
        sameHost.start(Set.of(4444), (from, port, data) -> { });
        try {
            sameHost.send(4444, at(cluster, leader, MessageClass.VOTE),
                    Craft.type(TIMEOUT_NOW).from(2).to(leader).term(status(leader).term()).bytes());
            awaitCounter(leader, "drop.WRONG_SOURCE", 1);
        } finally {
            sameHost.close();
        }
        assertAllRunning();
    }

    @Test
    void timeoutNow_fromANonMemberHost_movesNoLeadership_andUnknownIdsAreNotMembers() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        long term = status(leader).term();
        fromOutsider(follower, MessageClass.VOTE, Craft.type(TIMEOUT_NOW).from(leader).to(follower).term(term).bytes());
        fromOutsider(follower, MessageClass.VOTE, Craft.type(TIMEOUT_NOW).from(7).to(follower).term(term).bytes());
        awaitCounter(follower, "drop.WRONG_SOURCE", 1);
        awaitCounter(follower, "drop.NOT_MEMBER", 1);
        assertWrites("after");
        assertEquals(leader, status(follower).leaderId());
        assertEquals(term, status(follower).term(), "no campaign was started");
        assertAllRunning();
    }

    @Test
    void misaddressedRaftMessages_andAnswersSentToANode_areCountedByReason() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        long term = status(follower).term();
        fromSpoofer(follower, MessageClass.HEARTBEAT, Craft.type(HEARTBEAT).from(2).to(leader).term(term).bytes());
        fromOutsider(follower, MessageClass.CLIENT, Craft.type(CLIENT_RESPONSE).indexA(1).indexB(1)
                .payload(new byte[]{1, (byte) 0xFF, (byte) 0xFF}).bytes()); // NOT_LEADER, no hint
        awaitCounter(follower, "drop.MISADDRESSED", 1);
        awaitCounter(follower, "drop.UNEXPECTED_TYPE", 1);
        assertAllRunning();
    }

    @Test
    void claimsThatNoCorrectSenderMakes_areDroppedAsBadClaimOrBadEntry() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        long term = status(follower).term();
        long last = status(follower).lastLogIndex();
        // a vote request whose last log term is above its own term
        fromSpoofer(follower, MessageClass.VOTE, Craft.type(VOTE_REQUEST).from(2).to(follower).term(term + 1)
                .indexA(last).logTerm(term + 2).bytes());
        // an append whose entry data is not a key-value entry: it would stop every node that applied it
        fromSpoofer(follower, MessageClass.APPEND, Craft.type(APPEND_REQUEST).from(2).to(follower).term(term)
                .indexA(last).indexB(last + 1).logTerm(term)
                .payload(Craft.entries(new byte[]{7}, term)).bytes());
        awaitCounter(follower, "drop.BAD_CLAIM", 1);
        awaitCounter(follower, "drop.BAD_ENTRY", 1);
        assertEquals(term, status(follower).term());
        assertAllRunning();
        assertWrites("after");
    }

    /**
     * Without a cluster key, an append spoofed from the leader's address and port whose membership
     * entry names the follower by another incarnation: the follower's log records its own, so it
     * refuses the claim instead of stopping as a node that lost its data.
     */
    @Test
    void anAppendWhoseMembershipNamesTheFollowerOtherwise_isRefused_andTheFollowerKeepsServing() {
        int leader = awaitLeaderAndWrite("before");
        int follower = 1 - leader;
        StatusReport before = status(follower);
        long term = before.term();
        long last = before.lastLogIndex();
        long[] forged = {0x4242, 0x4242, 0x4242};
        long refusedBefore = counter(follower, "refused.INCARNATION_MISMATCH");
        spoofing(leader, follower, MessageClass.APPEND, Craft.type(APPEND_REQUEST).from(leader).to(follower).term(term)
                .indexA(last).indexB(last + 1).logTerm(term).commitIndex(last + 1)
                .payload(Craft.entries(2, Craft.members(forged), term)).bytes());
        awaitCounter(follower, "refused.INCARNATION_MISMATCH", refusedBefore + 1);
        assertAllRunning();
        assertWrites("after");
        assertEquals(leader, status(follower).leaderId());
    }

    @Test
    void chunksOfARaftMessageFromANonMember_areDroppedBeforeTheyAreBuffered() {
        int leader = awaitLeaderAndWrite("before");
        // the reassembly flood of make hostile: chunks of a 1000-chunk "append from a member"
        for (int i = 0; i < 10; i++) {
            fromOutsider(leader, MessageClass.APPEND, Craft.type(APPEND_REQUEST).from(1 - leader).to(leader).term(1)
                    .chunk(i, 1000).messageId(77).payload(new byte[1400]).bytes());
        }
        // and a chunked message of a type whose body is always empty, whoever sends it
        fromSpoofer(leader, MessageClass.VOTE, Craft.type(VOTE_REQUEST).from(2).to(leader).term(1).chunk(0, 2)
                .payload(new byte[10]).bytes());
        awaitCounter(leader, "drop.UNADMITTED_CHUNK", 10);
        awaitCounter(leader, "drop.BAD_CHUNK", 1);
        StatusReport s = status(leader);
        assertEquals(0L, s.counters().get("node.partial_messages"), "nothing held for them");
        assertEquals(0L, s.counters().getOrDefault("rx.chunks_buffered", 0L));
        assertTrue(s.counters().get("wire.reassembly_bytes_max") >= 8L << 20, String.valueOf(s.counters()));
        assertAllRunning();
        assertWrites("after");
    }

    @Test
    void aFloodOfStatusRequests_isAnsweredAtTheNodesRateOnly() {
        int leader = awaitLeaderAndWrite("before");
        byte[] ask = Craft.type(18).bytes(); // StatusRequest: 64 bytes that draw ~2 KB
        for (int i = 0; i < 1_000; i++) {
            fromOutsider(leader, MessageClass.CLIENT, ask);
        }
        awaitCounter(leader, "rx.STATUS_REQUEST", 1_000);
        Await.await("the flood handled", TIMEOUT, () -> counter(leader, "node.status_unanswered")
                + Node.STATUS_ANSWERS_PER_SECOND * 3L >= 1_000);
        assertTrue(counter(leader, "node.status_unanswered") > 0, "a forged source is not answered without limit");
        assertAllRunning();
    }

    @Test
    void anInputThatThrowsInTheLoop_isCountedAndDropped_andTheNodeKeepsServing() {
        int leader = awaitLeaderAndWrite("before");
        // past admission (which would drop it as BAD_SESSION): the loop's own safety net
        ClientRequest bad = new ClientRequest(42, 0, new Command.Put("k", Value.of(1)));
        assertTrue(nodes[leader].deliver(new NodeInput.Client(bad, new InetSocketAddress("10.0.1.11", 7777))));
        awaitCounter(leader, "node.input_errors", 1);
        assertTrue(nodes[leader].isRunning(), "stopped: " + nodes[leader].failure());
        assertWrites("after");
        Map<String, Long> c = status(leader).counters();
        assertEquals(1L, c.get("node.input_errors"), String.valueOf(c));
    }
}
