package raftudp.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.transport.Pacer;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.wire.ErrorResponse;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;
import raftudp.wire.RaftHeader;
import raftudp.wire.FaultRequest;
import raftudp.wire.FaultResponse;
import raftudp.wire.StatusReport;
import raftudp.wire.StatusRequest;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client of a raftudp cluster: sends key-value operations and status requests as UDP
 * datagrams (wire format in {@code docs/wire-format.md}) over a {@link Transport} bound at
 * the client's source address, and waits for the answers.
 *
 * <p><b>Finding the leader.</b> An operation goes to the leader found last, or to
 * {@link ClientOptions#firstNode()}. A {@code NOT_LEADER} answer sends it to the hinted
 * node at once (or, with no hint, to the next node after a backoff); an attempt not
 * answered within {@link ClientOptions#attemptTimeoutMs()} and a {@code RETRY} answer are
 * retried after an exponential backoff with jitter. The node that answers OK is remembered
 * as the leader. After {@link ClientOptions#deadlineMs()} (or
 * {@link ClientOptions#attemptsMax()} sends) the operation fails with
 * {@link RaftClientException.Kind#NO_LEADER} and a message listing each node's last answer.
 *
 * <p><b>Exactly-once writes.</b> Writes travel in a {@link ClientSession}: a random
 * non-zero client id and a dense sequence 1, 2, 3, …; every retry of a write carries the
 * same (clientId, seq), so the cluster applies it at most once. A session has one write
 * in flight at a time. Reads are sessionless: client id 0 and a sequence number unique to
 * the read, which the node echoes so that answers are matched to their read. An answer
 * that matches no operation in flight (a late duplicate) is ignored and counted.
 *
 * <p><b>Authentication.</b> With {@link ClientOptions#clusterKey()} every request is
 * authenticated, and only authenticated answers are taken (others are dropped and counted
 * in the wire counters); fault requests carry this host's wall clock, which must agree with
 * the nodes' within 30 s ({@code docs/wire-format.md} §10.4).
 *
 * <p><b>Threads.</b> Thread-safe. Any number of threads may call it; operations of one
 * session are serialised, so give each concurrent logical client its own
 * {@link #newSession()}. {@link #put} and the other write methods of this class use one
 * shared default session. At most {@link ClientOptions#inFlightMax()} operations wait for
 * answers at once; a caller beyond that waits for a slot until its deadline
 * ({@link RaftClientException.Kind#BUSY}). Answers are decoded on the transport's thread
 * and handed to the waiting caller through a bounded mailbox.
 */
public final class RaftClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftClient.class);
    /** Answers one operation's mailbox holds; more are dropped (they would be duplicates). */
    static final int MAILBOX_CAPACITY = 64;

    private final ClientOptions options;
    private final Transport transport;
    private final Pacer pacer;
    private final Map<InetSocketAddress, Integer> nodeByAddress = new HashMap<>();
    private final WireStats wireStats = new WireStats();
    private final WireCodec codec;
    private final WireDecoder decoder;
    private final Random random;
    private final Semaphore inFlight;
    private final Map<RequestKey, Mailbox> pending = new ConcurrentHashMap<>();
    private final Set<Mailbox> statusWaiters = ConcurrentHashMap.newKeySet();
    private final Set<Mailbox> faultWaiters = ConcurrentHashMap.newKeySet();
    private final AtomicInteger leader = new AtomicInteger(-1);
    private final AtomicLong nextReadSeq;
    private final LongAdder staleAnswers = new LongAdder();
    private final LongAdder droppedAnswers = new LongAdder();
    private final LongAdder unexpectedMessages = new LongAdder();
    private final ClientSession defaultSession;
    private volatile boolean closed;

    /** Identifies a request and its answers: the (clientId, seq) the node echoes. */
    record RequestKey(long clientId, long seq) {
    }

    /** An answer as handed to a waiting caller; {@code node} is -1 when the sender is unknown. */
    record Answer(int node, InetSocketAddress from, Object message) {
    }

    /**
     * One node's answer to a fault request: the rules it has in force, or its refusal.
     *
     * @param rules   the rules in force after the request (null when refused)
     * @param refusal why the node refused the request (null when it applied it)
     */
    public record FaultAnswer(FaultResponse rules, ErrorResponse refusal) {
        public FaultAnswer {
            if ((rules == null) == (refusal == null)) {
                throw new IllegalArgumentException("a fault answer holds rules or a refusal");
            }
        }

        public boolean refused() {
            return refusal != null;
        }
    }

    private RaftClient(ClientOptions options, Transport transport) {
        this.options = options;
        this.transport = transport;
        this.pacer = new Pacer(options.paceGapMicros(), "raft-client-pacer");
        for (int i = 0; i < options.nodes().size(); i++) {
            nodeByAddress.putIfAbsent(options.nodes().get(i), i);
        }
        long seed = options.seed() != 0 ? options.seed() : new SecureRandom().nextLong();
        this.random = new Random(seed);
        this.codec = new WireCodec(RaftHeader.NO_NODE, random.nextInt(), WireLimits.DEFAULT, wireStats,
                options.clusterKey());
        this.decoder = new WireDecoder(wireStats, RaftClient::nowMs, "client", options.clusterKey());
        this.decoder.admitChunksWith(this::noteChunk);
        this.inFlight = new Semaphore(options.inFlightMax(), true);
        this.nextReadSeq = new AtomicLong(1 + (random.nextLong() >>> 2));
        this.defaultSession = new ClientSession(this);
    }

    /**
     * Starts a client: starts {@code transport} on {@link ClientOptions#localPort()} and
     * receives the answers there. The client owns the transport and closes it.
     *
     * @throws TransportException when the transport cannot start (address not local, port in use, no permission)
     */
    public static RaftClient start(ClientOptions options, Transport transport) throws TransportException {
        RaftClient client = new RaftClient(options, transport);
        try {
            transport.start(Set.of(options.localPort()), client::onDatagram);
        } catch (TransportException | RuntimeException e) {
            transport.close();
            throw e;
        }
        return client;
    }

    /** A new session (a fresh random client id, seq from 1) for one logical client. */
    public ClientSession newSession() {
        return new ClientSession(this);
    }

    /** Stores {@code value} under {@code key} in the default session; see {@link ClientSession#put}. */
    public Result put(String key, Value value) throws RaftClientException {
        return defaultSession.put(key, value);
    }

    /** Reads {@code key} (sessionless, linearizable): {@link Result.Found} or {@link Result.NotFound}. */
    public Result get(String key) throws RaftClientException {
        return read(new Command.Get(key));
    }

    /** Removes {@code key} in the default session; see {@link ClientSession#delete}. */
    public Result delete(String key) throws RaftClientException {
        return defaultSession.delete(key);
    }

    /** Compare-and-set in the default session; see {@link ClientSession#cas}. */
    public Result cas(String key, Value expected, Value update) throws RaftClientException {
        return defaultSession.cas(key, expected, update);
    }

    /** Appends to the list under {@code key} in the default session; see {@link ClientSession#append}. */
    public Result append(String key, Value value) throws RaftClientException {
        return defaultSession.append(key, value);
    }

    /** Runs any command: writes in the default session, reads without one. */
    public Result execute(Command command) throws RaftClientException {
        return command.isWrite() ? defaultSession.write(command) : read((Command.Get) command);
    }

    /** A read: client id 0 and a sequence number no other read of this client uses. */
    Result read(Command.Get get) throws RaftClientException {
        Result r = call(0, nextReadSeq.getAndIncrement(), get);
        if (r instanceof Result.SessionExpired) {
            throw new RaftClientException(RaftClientException.Kind.OUTCOME_UNKNOWN, "the cluster answered SessionExpired "
                    + "to " + Texts.command(get) + ", which carries no session: does the node speak this client's protocol?");
        }
        return r;
    }

    /**
     * Asks node {@code node} for its status, resending every attempt timeout.
     *
     * @param waitMs how long to wait for the answer
     * @throws RaftClientException {@link RaftClientException.Kind#NO_ANSWER} when it does not answer in time
     */
    public StatusReport status(int node, long waitMs) throws RaftClientException {
        NodeStatus s = status(List.of(node), waitMs).get(0);
        if (!s.answered()) {
            throw new RaftClientException(RaftClientException.Kind.NO_ANSWER,
                    describe(node) + " did not answer a status request within " + Texts.millis(waitMs));
        }
        return s.report();
    }

    /** Asks every node for its status; a node that does not answer within {@code waitMs} gets an error line. */
    public List<NodeStatus> statusAll(long waitMs) throws RaftClientException {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < options.nodes().size(); i++) {
            all.add(i);
        }
        return status(all, waitMs);
    }

    /**
     * Asks the given nodes (indexes in the node list) for their status; a node that does
     * not answer within {@code waitMs} gets an error line. One line per node, in the order given.
     */
    public List<NodeStatus> status(List<Integer> nodes, long waitMs) throws RaftClientException {
        for (int n : nodes) {
            if (n < 0 || n >= options.nodes().size()) {
                throw new IllegalArgumentException("node " + n + " outside 0.." + (options.nodes().size() - 1));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        acquire(deadline, "status");
        Mailbox box = new Mailbox(2 * options.nodes().size() + MAILBOX_CAPACITY);
        statusWaiters.add(box);
        try {
            Map<Integer, StatusReport> got = new TreeMap<>();
            awaitStatus(nodes, box, deadline, got);
            List<NodeStatus> out = new ArrayList<>();
            for (int n : nodes) {
                StatusReport r = got.get(n);
                out.add(new NodeStatus(n, options.nodes().get(n), r,
                        r == null ? "no answer within " + Texts.millis(waitMs) : null));
            }
            return out;
        } finally {
            statusWaiters.remove(box);
            inFlight.release();
        }
    }

    private void awaitStatus(List<Integer> nodes, Mailbox box, long deadline, Map<Integer, StatusReport> got)
            throws RaftClientException {
        long attemptNanos = TimeUnit.MILLISECONDS.toNanos(options.attemptTimeoutMs());
        while (got.size() < nodes.size()) {
            for (int n : nodes) {
                if (!got.containsKey(n)) {
                    send(n, new StatusRequest());
                }
            }
            long resendAt = Math.min(deadline, System.nanoTime() + attemptNanos);
            Answer a;
            while (got.size() < nodes.size() && (a = box.poll(resendAt)) != null) {
                if (a.node() >= 0 && nodes.contains(a.node()) && a.message() instanceof StatusReport) {
                    got.put(a.node(), (StatusReport) a.message());
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return;
            }
        }
    }

    /**
     * Sends a fault request to each of {@code nodes} (resending every attempt timeout) and
     * collects their answers: the rules each has in force afterwards, or its refusal. Setting
     * and clearing are idempotent, so a resent request does no harm. With a cluster key each
     * send is stamped with this host's wall clock (a new message, hence a new MAC: the nodes'
     * replay window does not take a resend for a replay).
     *
     * @return the answers by node; a node that did not answer within {@code waitMs} is missing
     */
    public Map<Integer, FaultAnswer> fault(List<Integer> nodes, FaultRequest request, long waitMs)
            throws RaftClientException {
        for (int n : nodes) {
            if (n < 0 || n >= options.nodes().size()) {
                throw new IllegalArgumentException("node " + n + " outside 0.." + (options.nodes().size() - 1));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        acquire(deadline, "fault");
        Mailbox box = new Mailbox(2 * options.nodes().size() + MAILBOX_CAPACITY);
        faultWaiters.add(box);
        try {
            Map<Integer, FaultAnswer> got = new TreeMap<>();
            long attemptNanos = TimeUnit.MILLISECONDS.toNanos(options.attemptTimeoutMs());
            while (got.size() < nodes.size() && System.nanoTime() - deadline < 0) {
                for (int n : nodes) {
                    if (!got.containsKey(n)) {
                        send(n, options.clusterKey() != null ? request.issuedAt(System.currentTimeMillis())
                                : request.issuedAt(0));
                    }
                }
                long resendAt = Math.min(deadline, System.nanoTime() + attemptNanos);
                Answer a;
                while (got.size() < nodes.size() && (a = box.poll(resendAt)) != null) {
                    if (a.node() >= 0 && nodes.contains(a.node())) {
                        if (a.message() instanceof FaultResponse r) {
                            got.put(a.node(), new FaultAnswer(r, null));
                        } else if (a.message() instanceof ErrorResponse e) {
                            got.put(a.node(), new FaultAnswer(null, e));
                        }
                    }
                }
            }
            return got;
        } finally {
            faultWaiters.remove(box);
            inFlight.release();
        }
    }

    /** The node believed to lead (the last that answered an operation OK), or -1 when unknown. */
    public int leader() {
        return leader.get();
    }

    /** The nodes' client addresses; the index is the node id. */
    public List<InetSocketAddress> nodes() {
        return options.nodes();
    }

    /** The options this client runs with. */
    public ClientOptions options() {
        return options;
    }

    /**
     * Counters: the wire layer's ({@link WireStats#snapshot()}) and the client's own:
     * {@code client.answers_stale} (answers for no operation in flight: late duplicates),
     * {@code client.answers_dropped} (a full mailbox), {@code client.unexpected} (messages a
     * client does not take).
     */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>(wireStats.snapshot());
        m.put("client.answers_stale", staleAnswers.sum());
        m.put("client.answers_dropped", droppedAnswers.sum());
        m.put("client.unexpected", unexpectedMessages.sum());
        return m;
    }

    /** Stops: callers waiting for answers fail with {@link RaftClientException.Kind#CLOSED}; closes the transport. */
    @Override
    public void close() {
        closed = true;
        for (Mailbox box : pending.values()) {
            box.close();
        }
        for (Mailbox box : statusWaiters) {
            box.close();
        }
        for (Mailbox box : faultWaiters) {
            box.close();
        }
        pacer.close();
        transport.close();
    }

    // ---- package-private machinery used by Call and ClientSession ----

    /**
     * Sends request (clientId, seq, command) until it is answered OK or the deadline passes.
     *
     * @throws IllegalStateException when the same (clientId, seq) is already in flight (a caller bug)
     */
    Result call(long clientId, long seq, Command command) throws RaftClientException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.deadlineMs());
        acquire(deadline, Texts.command(command));
        RequestKey key = new RequestKey(clientId, seq);
        Mailbox box = new Mailbox(MAILBOX_CAPACITY);
        if (pending.putIfAbsent(key, box) != null) {
            inFlight.release();
            throw new IllegalStateException("request " + key + " is already in flight");
        }
        if (closed) {
            box.close(); // close() may have run before this mailbox was registered
        }
        try {
            return new Call(this, new ClientRequest(clientId, seq, command), box, deadline).run();
        } finally {
            pending.remove(key);
            inFlight.release();
        }
    }

    private void acquire(long deadline, String what) throws RaftClientException {
        checkOpen();
        try {
            long waitNanos = Math.max(0, deadline - System.nanoTime());
            if (!inFlight.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
                throw new RaftClientException(RaftClientException.Kind.BUSY, "too many operations in flight (at most "
                        + options.inFlightMax() + "); " + what + " was not sent");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RaftClientException(RaftClientException.Kind.INTERRUPTED, "interrupted; " + what + " was not sent");
        }
    }

    void checkOpen() throws RaftClientException {
        if (closed) {
            throw new RaftClientException(RaftClientException.Kind.CLOSED, "the client is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Encodes and sends {@code message} to node {@code node}'s client port; returns its datagrams (0: closed). */
    int send(int node, Object message) {
        if (closed) {
            return 0;
        }
        InetSocketAddress to = options.nodes().get(node);
        List<byte[]> datagrams = codec.encode(message);
        pacer.send(transport::send, options.localPort(), to, datagrams);
        return datagrams.size();
    }

    /** Where an operation starts: the known leader, else the first node. */
    int startNode() {
        int l = leader.get();
        return l >= 0 ? l : options.firstNode();
    }

    void leaderFound(int node) {
        if (node >= 0) {
            leader.set(node);
        }
    }

    void leaderLost(int node) {
        leader.compareAndSet(node, -1);
    }

    /** A random long in [0, bound). */
    long randomBelow(long bound) {
        synchronized (random) {
            return bound <= 1 ? 0 : Math.floorMod(random.nextLong(), bound);
        }
    }

    /** A random non-zero client id. */
    long newClientId() {
        synchronized (random) {
            long id;
            do {
                id = random.nextLong();
            } while (id == 0);
            return id;
        }
    }

    /** {@code node 1 (10.0.2.2:39316)}. */
    String describe(int node) {
        return "node " + node + " (" + Texts.address(options.nodes().get(node)) + ")";
    }

    private void offer(Mailbox box, Answer a) {
        if (!box.offer(a)) {
            droppedAnswers.increment();
        }
    }

    // ---- receiving ----

    private void onDatagram(InetSocketAddress from, int localPort, ByteBuffer payload) {
        Optional<WireDecoder.Received> received;
        synchronized (decoder) {
            received = decoder.decode(payload, from, MessageClass.CLIENT);
        }
        if (received.isEmpty()) {
            return;
        }
        Object m = received.get().message();
        int node = nodeOf(from, received.get().sourceId());
        if (m instanceof ClientResponse) {
            ClientResponse r = (ClientResponse) m;
            Mailbox box = pending.get(new RequestKey(r.clientId(), r.seq()));
            if (box == null) {
                staleAnswers.increment();
                LOG.debug("ignored an answer for ({}, {}) from {}: no such operation in flight", r.clientId(), r.seq(), from);
                return;
            }
            offer(box, new Answer(node, from, r));
        } else if (m instanceof StatusReport) {
            for (Mailbox box : statusWaiters) {
                offer(box, new Answer(node, from, m));
            }
        } else if (m instanceof FaultResponse || m instanceof ErrorResponse) {
            for (Mailbox box : faultWaiters) {
                offer(box, new Answer(node, from, m));
            }
        } else {
            unexpectedMessages.increment();
            LOG.debug("ignored a {} from {}", received.get().type(), from);
        }
    }

    /**
     * Sees every chunk of a multi-datagram message before it is buffered: one of an answer to
     * an operation in flight tells that operation its answer is coming (a paced 1 MiB value
     * takes longer than an attempt timeout to arrive). Admits every chunk: what does not
     * belong is dropped once whole, as before.
     */
    private String noteChunk(RaftHeader h, Object origin) {
        if (h.typeCode() == MessageType.CLIENT_RESPONSE.code()) {
            Mailbox box = pending.get(new RequestKey(h.indexA(), h.indexB()));
            if (box != null) {
                box.chunkArrived();
            }
        }
        return null;
    }

    /** The node that sent a message: by its address, else by the header's source id; -1 when neither fits. */
    private int nodeOf(InetSocketAddress from, int sourceId) {
        Integer byAddress = nodeByAddress.get(from);
        if (byAddress != null) {
            return byAddress;
        }
        return sourceId >= 0 && sourceId < options.nodes().size() ? sourceId : -1;
    }

    static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }
}
