package raftudp.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.config.ClusterConfig;
import raftudp.node.NodeRuntime;
import raftudp.node.NodeSettings;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.Transport;
import raftudp.wire.StatusReport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.cluster.Await.await;

/**
 * The cluster scenarios, run against every transport (Apache Ratis style): a subclass
 * says where the nodes live ({@link #clusterOf}), how a host reaches the network
 * ({@link #newTransport}) and where the test client sits ({@link #clientEndpoint}).
 * Nodes run in this JVM as {@link NodeRuntime}s on {@link FileStorage} in a temporary
 * directory; a subclass that must run them elsewhere (a child process in a network
 * namespace) overrides {@link #startNode}, and {@link #newClient} if the client must live
 * there too.
 *
 * <p>Nothing here waits on the clock for synchronisation: every wait is a condition with a
 * deadline ({@link Await}), observed through the wire protocol (client and status requests).
 */
public abstract class AbstractClusterTest {
    /** Deadline of every wait for the cluster. Generous: CI machines are shared and slow. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(30);
    protected static final int NODES = 3;

    @TempDir
    protected Path tmp;
    protected ClusterConfig cluster;
    protected TestClient client;
    private final List<NodeHandle> nodes = new ArrayList<>();

    /** A running node as the suite sees it: something to stop. */
    @FunctionalInterface
    public interface NodeHandle {
        /** Stops the node (its data directory stays). */
        void stop();
    }

    /** The cluster's {@code size} nodes: their addresses and ports. */
    protected abstract ClusterConfig clusterOf(int size) throws Exception;

    /** A transport for a host (a node or the client) at {@code address}. */
    protected abstract Transport newTransport(InetAddress address);

    /** Where the test client sends from and listens. */
    protected abstract InetSocketAddress clientEndpoint() throws Exception;

    /** The nodes' settings: the defaults (chosen in docs/timeouts.md). */
    protected NodeSettings settings() {
        return NodeSettings.defaults();
    }

    /** Starts node {@code id} of {@link #cluster} from {@code dataDir} (in this JVM). */
    protected NodeHandle startNode(int id, Path dataDir) throws Exception {
        FileStorage storage = FileStorage.open(FileStorageOptions.builder(dataDir).commitPersistIntervalMs(100).build());
        NodeRuntime rt = NodeRuntime.start(cluster, id, settings(), storage, newTransport(cluster.node(id).address()));
        return rt::close;
    }

    @BeforeEach
    void startCluster() throws Exception {
        cluster = clusterOf(NODES);
        for (int i = 0; i < NODES; i++) {
            nodes.add(startNode(i, dataDir(i)));
        }
        client = newClient();
    }

    /**
     * The test client: in this JVM, through {@link #newTransport} at {@link #clientEndpoint}.
     * A subclass whose nodes cannot be reached from this JVM's network namespace gives it a
     * transport that relays through a process inside the test network.
     */
    protected TestClient newClient() throws Exception {
        InetSocketAddress c = clientEndpoint();
        return new TestClient(cluster, newTransport(c.getAddress()), c.getPort(), new Random().nextLong());
    }

    @AfterEach
    void stopCluster() {
        if (client != null) {
            client.close();
        }
        for (int i = 0; i < nodes.size(); i++) {
            stop(i);
        }
    }

    protected Path dataDir(int id) {
        return tmp.resolve("node-" + id);
    }

    protected void stop(int id) {
        NodeHandle h = nodes.set(id, null);
        if (h != null) {
            h.stop();
        }
    }

    protected void restart(int id) throws Exception {
        assertEquals(null, nodes.get(id), "node " + id + " is running");
        nodes.set(id, startNode(id, dataDir(id)));
    }

    // ---------------------------------------------------------------- observation

    protected Optional<StatusReport> status(int id) {
        return client.status(id, Duration.ofMillis(500));
    }

    /** Waits until every running node reports the same leader in the same term; returns it. */
    protected int awaitStableLeader() {
        return Await.value("one leader that every running node follows", TIMEOUT, () -> {
            int leader = -1;
            long term = -1;
            int leaders = 0;
            for (int i = 0; i < NODES; i++) {
                if (nodes.get(i) == null) {
                    continue;
                }
                Optional<StatusReport> s = status(i);
                if (s.isEmpty() || s.get().leaderId() < 0 || (term >= 0 && s.get().term() != term)
                        || (leader >= 0 && s.get().leaderId() != leader)) {
                    return Optional.empty();
                }
                leader = s.get().leaderId();
                term = s.get().term();
                leaders += s.get().role().equals("LEADER") ? 1 : 0;
            }
            return leaders == 1 ? Optional.of(leader) : Optional.empty();
        });
    }

    /** Waits until every running node has applied at least {@code index}. */
    protected void awaitAllApplied(long index) {
        await("every running node applied index " + index, TIMEOUT, () -> {
            for (int i = 0; i < NODES; i++) {
                if (nodes.get(i) != null && status(i).map(s -> s.appliedIndex() < index).orElse(true)) {
                    return false;
                }
            }
            return true;
        });
    }

    protected long commitIndexOf(int id) {
        return Await.value("status of node " + id, TIMEOUT, () -> status(id)).commitIndex();
    }

    protected ClientResponse put(String key, Value value) {
        ClientResponse r = client.write(new Command.Put(key, value), TIMEOUT);
        assertTrue(r.result() instanceof Result.Ok, "put " + key + ": " + r);
        return r;
    }

    protected Value get(String key) {
        ClientResponse r = client.read(key, TIMEOUT);
        assertTrue(r.result() instanceof Result.Found, "get " + key + ": " + r);
        return ((Result.Found) r.result()).value();
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    void threeNodes_electExactlyOneLeader_thatAllFollow() {
        int leader = awaitStableLeader();
        StatusReport s = status(leader).orElseThrow();
        assertEquals("LEADER", s.role());
        assertEquals(NODES - 1, s.matchIndex().keySet().stream().filter(p -> p != leader).count(),
                "the leader tracks every peer: " + s.matchIndex());
    }

    @Test
    void write_isReplicatedToEveryNode() {
        awaitStableLeader();
        put("replicated", Value.of("everywhere"));
        int leader = awaitStableLeader();
        awaitAllApplied(commitIndexOf(leader));
        assertEquals(Value.of("everywhere"), get("replicated"));
    }

    @Test
    void follower_redirectsToTheLeader_andTheWriteThroughTheLeaderSucceeds() {
        int leader = awaitStableLeader();
        int follower = (leader + 1) % NODES;
        ClientRequest req = client.nextWrite(new Command.Put("redirected", Value.of(7)));
        ClientResponse r = client.call(follower, req, Duration.ofSeconds(5)).orElseThrow();
        assertEquals(ClientResponse.Status.NOT_LEADER, r.status(), r.toString());
        assertEquals(leader, r.leaderHint(), "the follower names the leader");
        assertEquals(req.clientId(), r.clientId(), "clientId echoed");
        assertEquals(req.seq(), r.seq(), "seq echoed");
        ClientResponse ok = client.execute(req, TIMEOUT, Duration.ofSeconds(2));
        assertEquals(ClientResponse.Status.OK, ok.status());
        assertEquals(Value.of(7), get("redirected"));
    }

    @Test
    void zero_emptyValues_andAOneMebibyteValue_roundTrip() {
        awaitStableLeader();
        byte[] big = new byte[1 << 20];
        new Random(42).nextBytes(big);
        Map<String, Value> values = new LinkedHashMap<>();
        values.put("zero", Value.of(0));
        values.put("empty-string", Value.of(""));
        values.put("empty-bytes", Value.of(new byte[0]));
        values.put("mebibyte", Value.of(big));
        for (Map.Entry<String, Value> e : values.entrySet()) {
            ClientRequest req = client.nextWrite(new Command.Put(e.getKey(), e.getValue()));
            ClientResponse r = client.execute(req, TIMEOUT, Duration.ofSeconds(10));
            assertTrue(r.result() instanceof Result.Ok, e.getKey() + ": " + r);
        }
        for (Map.Entry<String, Value> e : values.entrySet()) {
            ClientRequest req = client.nextRead(new Command.Get(e.getKey()));
            ClientResponse r = client.execute(req, TIMEOUT, Duration.ofSeconds(10));
            assertEquals(new Result.Found(e.getValue()), r.result(), e.getKey());
        }
    }

    @Test
    void leaderKilled_aNewLeaderIsElected_andEveryAcknowledgedWriteSurvives() {
        awaitStableLeader();
        Map<String, Value> acked = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            put("before-" + i, Value.of(i));
            acked.put("before-" + i, Value.of(i));
        }
        int old = awaitStableLeader();
        stop(old);
        int next = awaitStableLeader();
        assertNotEquals(old, next);
        put("after", Value.of("new leader"));
        acked.put("after", Value.of("new leader"));
        for (Map.Entry<String, Value> e : acked.entrySet()) {
            assertEquals(e.getValue(), get(e.getKey()), e.getKey());
        }
    }

    @Test
    void restartedFollower_catchesUpFromItsDataDirectory() throws Exception {
        awaitStableLeader();
        for (int i = 0; i < 5; i++) {
            put("early-" + i, Value.of(i));
        }
        int leader = awaitStableLeader();
        awaitAllApplied(commitIndexOf(leader));
        int follower = (leader + 1) % NODES;
        StatusReport before = status(follower).orElseThrow();
        stop(follower);
        for (int i = 0; i < 5; i++) {
            put("late-" + i, Value.of(i));
        }
        restart(follower);
        StatusReport recovered = Await.value("restarted node answers", TIMEOUT, () -> status(follower));
        assertTrue(recovered.lastLogIndex() >= before.lastLogIndex() && recovered.term() >= before.term(),
                "recovered " + recovered + " holds what it had: " + before);
        long commit = commitIndexOf(awaitStableLeader());
        await("node " + follower + " applied " + commit, TIMEOUT,
                () -> status(follower).map(s -> s.appliedIndex() >= commit).orElse(false));
    }

    @Test
    void wholeClusterRestart_keepsEveryAcknowledgedWrite() throws Exception {
        awaitStableLeader();
        for (int i = 0; i < 5; i++) {
            put("durable-" + i, Value.of("v" + i));
        }
        for (int i = 0; i < NODES; i++) {
            stop(i);
        }
        for (int i = 0; i < NODES; i++) {
            restart(i);
        }
        awaitStableLeader();
        for (int i = 0; i < 5; i++) {
            assertEquals(Value.of("v" + i), get("durable-" + i));
        }
    }
}
