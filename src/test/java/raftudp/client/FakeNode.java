package raftudp.client;

import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.KvEntry;
import raftudp.kv.KvStore;
import raftudp.kv.Result;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.wire.MessageClass;
import raftudp.wire.StatusReport;
import raftudp.wire.StatusRequest;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a raftudp node on its client port, for client tests: it decodes client
 * and status requests with the real wire codec and answers as its {@link Policy} says.
 * The store behind it is the real {@link KvStore} (shared by the nodes of a fake cluster,
 * as if replicated), so sessions behave as on a real node. Records every request it
 * receives, for assertions and for waiting on events.
 */
final class FakeNode implements AutoCloseable {

    /** What a node does with a client request. Runs on the network's thread: must not block. */
    @FunctionalInterface
    interface Policy {
        void handle(FakeNode node, Request request);
    }

    /** A client request as received, with where it came from. */
    record Request(InetSocketAddress from, ClientRequest request) {
        long clientId() {
            return request.clientId();
        }

        long seq() {
            return request.seq();
        }
    }

    /** The store shared by a fake cluster, and what was applied to it. */
    static final class Store {
        final KvStore kv = new KvStore(3_600_000, 100_000);
        /** Every (clientId, seq) whose command changed or read the store for the first time. */
        final List<String> applied = new CopyOnWriteArrayList<>();
        private final java.util.Set<String> seenKeys = new java.util.HashSet<>();

        synchronized Result apply(ClientRequest r) {
            if (!r.command().isWrite()) {
                applied.add("read " + r.seq());
                return kv.read((raftudp.kv.Command.Get) r.command());
            }
            String key = r.clientId() + "/" + r.seq();
            Result result = kv.apply(new KvEntry(r.clientId(), r.seq(), 0, r.command()));
            if (!(result instanceof Result.SessionExpired) && seenKeys.add(key)) {
                applied.add(key);
            }
            return result;
        }
    }

    final int id;
    final InetSocketAddress address;
    private final Transport transport;
    private final Store store;
    private final WireCodec codec = new WireCodec(0xFFFF, 1, WireLimits.DEFAULT, new WireStats());
    private final WireDecoder decoder = new WireDecoder(new WireStats(), () -> System.nanoTime() / 1_000_000, "fake");
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Request> arrivals = new LinkedBlockingQueue<>();
    private volatile Policy policy;
    private volatile boolean answersStatus = true;
    private final java.util.concurrent.atomic.AtomicInteger statusRequests = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String role = "FOLLOWER";
    private volatile int leaderId = -1;
    private final List<Runnable> held = new ArrayList<>();

    FakeNode(int id, InetSocketAddress address, Transport transport, Store store, Policy policy)
            throws TransportException {
        this.id = id;
        this.address = address;
        this.transport = transport;
        this.store = store;
        this.policy = policy;
        transport.start(Set.of(address.getPort()), this::onDatagram);
    }

    void policy(Policy p) {
        policy = p;
    }

    void answersStatus(boolean yes) {
        answersStatus = yes;
    }

    void role(String r, int leader) {
        role = r;
        leaderId = leader;
    }

    /** Status requests received so far. */
    int statusRequests() {
        return statusRequests.get();
    }

    /** Requests received so far, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The next request received after the ones already awaited; fails the test after {@code timeout}. */
    Request awaitRequest(Duration timeout) throws InterruptedException {
        Request r = arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("node " + id + " received no request within " + timeout);
        }
        return r;
    }

    // ---- actions for policies ----

    /** Applies the request to the store and answers OK with its result. */
    void answerOk(Request r) {
        answer(r, ClientResponse.ok(r.request(), store.apply(r.request())));
    }

    /** Applies the request and returns the OK answer without sending it (to send later, or twice). */
    ClientResponse applyAndPrepare(Request r) {
        return ClientResponse.ok(r.request(), store.apply(r.request()));
    }

    void notLeader(Request r, int hint) {
        answer(r, ClientResponse.notLeader(r.request(), hint));
    }

    void retry(Request r) {
        answer(r, ClientResponse.retry(r.request(), -1));
    }

    /** Sends {@code response} to the request's sender. */
    void answer(Request r, ClientResponse response) {
        sendTo(r.from(), response);
    }

    /** Keeps an action to run later with {@link #releaseHeld()}. */
    synchronized void hold(Runnable action) {
        held.add(action);
    }

    /** Runs (on the caller's thread) every held action, in order. */
    void releaseHeld() {
        List<Runnable> now;
        synchronized (this) {
            now = new ArrayList<>(held);
            held.clear();
        }
        now.forEach(Runnable::run);
    }

    void sendTo(InetSocketAddress to, Object message) {
        for (byte[] d : codec.encode(message)) {
            transport.send(address.getPort(), to, d);
        }
    }

    /**
     * Sends {@code response} to the request's sender from another thread, its datagrams
     * {@code gapMillis} apart: a large answer on a slow, paced link. Returns that thread.
     */
    Thread answerSlowly(Request r, ClientResponse response, long gapMillis) {
        List<byte[]> datagrams = codec.encode(response);
        Thread t = new Thread(() -> {
            for (byte[] d : datagrams) {
                transport.send(address.getPort(), r.from(), d);
                try {
                    Thread.sleep(gapMillis); // the link's pace, not a wait for an event
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fake-node-slow-answer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    StatusReport report() {
        return new StatusReport(id, role, 3, leaderId, 10, 9, 1, 12, Map.of(),
                Map.of("rx.datagrams", 100L + id, "tx.datagrams", 90L, "drop.SHORT", 2L, "drop.BAD_MAGIC", 1L));
    }

    private void onDatagram(InetSocketAddress from, int port, ByteBuffer payload) {
        Optional<WireDecoder.Received> got = decoder.decode(payload, from, MessageClass.CLIENT);
        if (got.isEmpty()) {
            return;
        }
        Object m = got.get().message();
        if (m instanceof StatusRequest) {
            statusRequests.incrementAndGet();
            if (answersStatus) {
                sendTo(from, report());
            }
        } else if (m instanceof ClientRequest) {
            Request r = new Request(from, (ClientRequest) m);
            requests.add(r);
            arrivals.add(r);
            policy.handle(this, r);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
