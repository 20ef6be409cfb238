package raftudp.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.cluster.Await;
import raftudp.cluster.MemoryNetwork;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.transport.Transport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;
import raftudp.wire.ErrorResponse;
import raftudp.wire.FaultEntry;
import raftudp.wire.FaultRequest;
import raftudp.wire.FaultResponse;
import raftudp.wire.MessageClass;
import raftudp.wire.RaftHeader;
import raftudp.wire.StatusReport;
import raftudp.wire.StatusRequest;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One node's runtime over the in-memory network: inbox, group commit, status, bad input. */
class NodeRuntimeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int CLIENT_PORT = 5000;
    private final MemoryNetwork network = new MemoryNetwork();
    private final ClusterConfig cluster = ClusterConfig.parsePeers("10.9.0.1:40000");
    private final WireCodec codec = new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats());
    private final WireDecoder decoder = new WireDecoder(new WireStats(), System::currentTimeMillis, "test");
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private Transport client;
    private NodeRuntime node;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        client = network.transport(InetAddress.getByName("10.9.0.99"));
        client.start(Set.of(CLIENT_PORT), (from, port, data) -> {
            synchronized (decoder) {
                decoder.decode(data, from, MessageClass.CLIENT).ifPresent(r -> answers.add(r.message()));
            }
        });
    }

    private NodeRuntime startNode(NodeSettings settings) throws Exception {
        return startNode(settings, FileStorageOptions.defaults(tmp.resolve("node-0")));
    }

    private NodeRuntime startNode(NodeSettings settings, FileStorageOptions options) throws Exception {
        FileStorage storage = FileStorage.open(options);
        node = NodeRuntime.start(cluster, 0, settings, storage, network.transport(cluster.node(0).address()));
        return node;
    }

    private static NodeSettings fast() {
        return NodeSettings.defaults().withTimeouts(5, 2, 10, 20);
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        client.close();
        network.close();
    }

    private void send(Object message, MessageClass to) {
        for (byte[] d : codec.encode(message)) {
            sendRaw(d, to);
        }
    }

    private void sendRaw(byte[] datagram, MessageClass to) {
        client.send(CLIENT_PORT, cluster.node(0).socketOf(to), datagram);
    }

    private StatusReport awaitLeader(NodeRuntime rt) {
        return Await.value("node 0 leads", TIMEOUT, () -> {
            try {
                StatusReport s = rt.status(TIMEOUT);
                return s.role().equals("LEADER") ? java.util.Optional.of(s) : java.util.Optional.empty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void statusRequest_onTheClientPort_isAnsweredWithRoleIndexesAndCounters() throws Exception {
        awaitLeader(startNode(fast()));
        send(new StatusRequest(), MessageClass.CLIENT);
        StatusReport s = (StatusReport) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("LEADER", s.role());
        assertEquals(0, s.leaderId());
        assertTrue(s.lastLogIndex() >= 1, "the leader's no-op entry: " + s);
        assertTrue(s.commitIndex() >= 1 && s.appliedIndex() >= 1, s.toString());
        for (String c : new String[]{"rx.STATUS_REQUEST", "node.ticks", "node.inbox_drops", "storage.fsyncs",
                "storage.syncs", "kv.keys"}) {
            assertTrue(s.counters().containsKey(c), c + " in " + s.counters());
        }
    }

    @Test
    void faultRequests_setShowAndClearRules_andTheDelayIsInForce() throws Exception {
        awaitLeader(startNode(fast().withAllowAdmin(true)));
        send(FaultRequest.set(new FaultEntry("10.9.0.99", 0, 200, 0, 0)), MessageClass.CLIENT);
        FaultResponse set = (FaultResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(new FaultResponse(0, java.util.List.of(new FaultEntry("10.9.0.99", 0, 200, 0, 0))), set,
                "answered at once (past the rule) with the rules in force");
        long t0 = System.nanoTime();
        send(new StatusRequest(), MessageClass.CLIENT);
        StatusReport s = (StatusReport) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 200, "the status answer to 10.9.0.99 was held back 200 ms: " + ms + " ms");
        assertEquals(0L, s.counters().get("fault.delayed"), "the report was made before it was held back");
        assertEquals(1L, node.status(TIMEOUT).counters().get("fault.delayed"));
        for (String c : new String[]{"fault.lost", "fault.duplicated", "fault.overflow", "fault.queued"}) {
            assertTrue(s.counters().containsKey(c), c + " in " + s.counters());
        }
        send(FaultRequest.set(new FaultEntry("*", 10_000, 0, 0, 0)), MessageClass.CLIENT);
        assertEquals(2, ((FaultResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).rules().size());
        send(FaultRequest.clear("10.9.0.99"), MessageClass.CLIENT);
        assertEquals(java.util.List.of(new FaultEntry("*", 10_000, 0, 0, 0)),
                ((FaultResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).rules());
        send(FaultRequest.clearAll(), MessageClass.CLIENT);
        assertEquals(java.util.List.of(), ((FaultResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).rules());
        send(FaultRequest.show(), MessageClass.CLIENT);
        assertEquals(java.util.List.of(), ((FaultResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).rules());
        assertTrue(node.faults().rules().isEmpty());
        assertEquals(5L, node.status(TIMEOUT).counters().get("node.admin_accepted"), "five fault requests");
    }

    @Test
    void withoutAKeyOrAllowAdmin_aFaultRequestIsRefusedWithAnErrorResponse_andNothingChanges() throws Exception {
        awaitLeader(startNode(fast()));
        send(FaultRequest.set(new FaultEntry("10.9.0.99", 0, 200, 0, 0)), MessageClass.CLIENT);
        Object answer = answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(ErrorResponse.adminDisabled(0), answer);
        ErrorResponse e = (ErrorResponse) answer;
        assertEquals(ErrorResponse.ADMIN_DISABLED, e.code());
        assertTrue(e.text().contains("--allow-admin") && e.text().contains("--cluster-key"), e.text());
        assertTrue(node.faults().rules().isEmpty(), "no rule installed: " + node.faults().rules());
        StatusReport s = node.status(TIMEOUT);
        assertEquals(1L, s.counters().get("node.admin_refused"));
        assertEquals(0L, s.counters().get("node.admin_accepted"));
        assertEquals(1L, s.counters().get("rx.FAULT_REQUEST"), "delivered by the wire, refused by the node");
        assertEquals(1L, s.counters().get("tx.ERROR_RESPONSE"));
    }

    @Test
    void withAKey_theReplayWindowFollowsTheNodesOwnClock() throws Exception {
        ClusterKey key = ClusterKey.of("node runtime test key 0123456789".getBytes());
        long nodeClock = 1_000_000_000_000L; // 2001-09-09: this node's wall clock, injected
        FileStorage storage = FileStorage.open(FileStorageOptions.defaults(tmp.resolve("node-0")));
        node = NodeRuntime.start(cluster, 0, fast().withClusterKey(key), storage,
                network.transport(cluster.node(0).address()), () -> nodeClock);
        awaitLeader(node);
        WireCodec keyed = new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats(), key);
        FaultEntry rule = new FaultEntry("10.9.0.7", 0, 3, 0, 0);
        for (byte[] d : keyed.encode(FaultRequest.set(rule).issuedAt(System.currentTimeMillis()))) {
            sendRaw(d, MessageClass.CLIENT); // today's time: years off the node's clock
        }
        Await.await("the request dropped as REPLAYED", TIMEOUT,
                () -> node.wireStats().dropped(raftudp.wire.DropReason.REPLAYED) == 1);
        assertTrue(node.faults().rules().isEmpty());
        for (byte[] d : keyed.encode(FaultRequest.set(rule).issuedAt(nodeClock - 29_000))) {
            sendRaw(d, MessageClass.CLIENT);
        }
        Await.await("the request applied", TIMEOUT, () -> !node.faults().rules().isEmpty());
        assertEquals(1L, node.status(TIMEOUT).counters().get("node.admin_accepted"));
        assertEquals(1, node.wireStats().dropped(raftudp.wire.DropReason.REPLAYED));
    }

    @Test
    void refusalsAreRateLimited_theRestAreCountedAndNotAnswered() throws Exception {
        awaitLeader(startNode(fast()));
        int sent = 60;
        long t0 = System.nanoTime();
        for (int i = 0; i < sent; i++) {
            send(FaultRequest.clearAll(), MessageClass.CLIENT);
        }
        StatusReport s = Await.value("all " + sent + " refused", TIMEOUT, () -> {
            try {
                StatusReport r = node.status(TIMEOUT);
                return r.counters().get("node.admin_refused") == sent ? java.util.Optional.of(r)
                        : java.util.Optional.empty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        long unanswered = s.counters().get("node.admin_refusals_unanswered");
        long answered = sent - unanswered;
        assertTrue(answered >= Node.REFUSALS_PER_SECOND, "a full bucket at start: " + answered);
        assertTrue(answered <= Node.REFUSALS_PER_SECOND + Math.ceil(seconds * Node.REFUSALS_PER_SECOND),
                answered + " refusals answered in " + seconds + " s");
        assertEquals(answered, s.counters().get("tx.ERROR_RESPONSE"));
        for (long i = 0; i < answered; i++) {
            assertTrue(answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS) instanceof ErrorResponse);
        }
    }

    @Test
    void badDatagrams_areCountedByReason_andTheNodeKeepsServing() throws Exception {
        NodeRuntime rt = startNode(fast());
        awaitLeader(rt);
        sendRaw(new byte[]{1, 2, 3}, MessageClass.VOTE);
        send(new StatusRequest(), MessageClass.APPEND);
        Await.await("both drops counted", TIMEOUT, () -> rt.wireStats().datagramsDropped() == 2);
        send(new StatusRequest(), MessageClass.CLIENT);
        StatusReport s = (StatusReport) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1L, s.counters().get("drop.SHORT"));
        assertEquals(1L, s.counters().get("drop.WRONG_PORT"));
    }

    @Test
    void fullInbox_dropsAndCounts_withoutBlockingTheIoThread() throws Exception {
        NodeRuntime rt = startNode(fast().withLoopLimits(4, 1024));
        awaitLeader(rt);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        Thread blocker = new Thread(() -> {
            try {
                rt.query(r -> {
                    blocking.countDown();
                    awaitUninterruptibly(release);
                    return null;
                }, TIMEOUT);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        blocker.start();
        assertTrue(blocking.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the loop is busy");
        for (int i = 0; i < 20; i++) {
            send(new StatusRequest(), MessageClass.CLIENT);
        }
        Await.await("inputs beyond the inbox dropped", TIMEOUT, () -> rt.inboxDrops() >= 16);
        release.countDown();
        blocker.join();
        Await.await("queued ones answered", TIMEOUT, () -> answers.size() >= 1);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void writesOfOneBatch_shareOneSync() throws Exception {
        NodeRuntime rt = startNode(fast());
        awaitLeader(rt);
        long syncsBefore = rt.status(TIMEOUT).counters().get("storage.syncs"); // before the loop is blocked
        CountDownLatch release = new CountDownLatch(1);
        Thread blocker = new Thread(() -> {
            try {
                rt.query(r -> {
                    awaitUninterruptibly(release);
                    return null;
                }, TIMEOUT);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        blocker.start();
        int writes = 50;
        for (int i = 1; i <= writes; i++) {
            send(new ClientRequest(77, i, new Command.Put("k" + i, Value.of(i))), MessageClass.CLIENT);
        }
        Await.await("all writes queued", TIMEOUT, () -> rt.wireStats().messagesReceived() >= writes);
        release.countDown();
        blocker.join();
        for (int i = 0; i < writes; i++) {
            ClientResponse r = (ClientResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(ClientResponse.Status.OK, r.status(), String.valueOf(r));
        }
        long syncs = rt.status(TIMEOUT).counters().get("storage.syncs") - syncsBefore;
        assertTrue(syncs <= 5, writes + " writes took " + syncs + " syncs");
    }

    @Test
    void batchFsyncPolicy_answersWrites_andSyncsOnEveryTick() throws Exception {
        NodeRuntime rt = startNode(fast(), FileStorageOptions.builder(tmp.resolve("node-0"))
                .fsyncPolicy(raftudp.storage.FsyncPolicy.BATCH).batch(20, 1 << 20).build());
        awaitLeader(rt);
        for (int i = 1; i <= 3; i++) {
            send(new ClientRequest(5, i, new Command.Put("b" + i, Value.of(i))), MessageClass.CLIENT);
            ClientResponse r = (ClientResponse) answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(ClientResponse.Status.OK, r.status(), String.valueOf(r));
        }
        long syncs = rt.status(TIMEOUT).counters().get("storage.syncs");
        Await.await("ticks keep calling sync() (the BATCH bound holds only so)", TIMEOUT, () -> {
            try {
                return rt.status(TIMEOUT).counters().get("storage.syncs") >= syncs + 20;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void indexOutOfRange_isRefused_andClosesWhatItWasGiven() throws Exception {
        FileStorage storage = FileStorage.open(FileStorageOptions.defaults(tmp.resolve("x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeRuntime.start(cluster, 1,
                NodeSettings.defaults(), storage, network.transport(cluster.node(0).address())));
        assertTrue(e.getMessage().contains("node index 1 is out of range"), e.getMessage());
        FileStorage.open(FileStorageOptions.defaults(tmp.resolve("x"))).close(); // released
    }

    @Test
    void queryAfterClose_failsClearly() throws Exception {
        NodeRuntime rt = startNode(fast());
        rt.close();
        rt.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> rt.status(TIMEOUT));
    }
}
