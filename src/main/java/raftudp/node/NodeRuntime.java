package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.kv.ClientResponse;
import raftudp.storage.FileStorage;
import raftudp.storage.FsyncPolicy;
import raftudp.storage.RaftStorage;
import raftudp.transport.FaultyTransport;
import raftudp.transport.Pacer;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.transport.pcap.PcapTransport;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;
import raftudp.wire.ErrorResponse;
import raftudp.wire.FaultResponse;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;
import raftudp.logging.RateLimitedLog;
import raftudp.wire.ReplayGuard;
import raftudp.wire.StatusReport;
import raftudp.wire.WireCodec;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A running node: one event-loop thread that owns the {@link Replica} (the Raft core, its
 * storage and the key-value store), fed through a bounded inbox by the transport's I/O
 * threads ({@link NodeReceiver}).
 *
 * <p>The loop, each turn: tick the core if a tick is due ({@link NodeSettings#tickMs()});
 * take up to {@link NodeSettings#batchInputsMax()} inputs from the inbox and step them all;
 * then call {@link Replica#drain()} once. That is the group commit: the batch's entries and
 * hard state reach storage in one {@code sync()}, so one fsync covers every proposal,
 * vote and append of the batch, and nothing of it is acknowledged, voted or answered before
 * that fsync. The one exception is the leader's replication of its current term
 * ({@code Ready.sendFirst}, thesis §10.2.1): it is handed to the transport before the fsync
 * starts, so that the followers' fsyncs overlap the leader's.
 * Status requests of the batch are answered after the drain.
 *
 * <p>Raft messages go out encoded by {@link WireCodec}, from this node's port of their class
 * to the peer's port of that class; client answers go from the client port to the source
 * address and port of the request. Threading: the Replica and the storage are touched by the
 * loop thread only (and by {@link #close()} once the loop has ended); everything else here
 * is thread-safe.
 *
 * <p>A broken invariant or a storage failure in the loop stops the node: the loop ends,
 * {@link #failure()} says why, and {@link #awaitStopped} returns.
 *
 * <p><b>Authentication</b> ({@code docs/wire-format.md} §10). With a cluster key
 * ({@link NodeSettings#clusterKey()}) everything the node sends is authenticated and its
 * decoders take only authenticated datagrams. Admin requests (FaultRequests) are applied
 * when they authenticated, or, without a key, when {@link NodeSettings#allowAdmin()} says
 * so; otherwise they are refused with an {@link ErrorResponse}, at most
 * {@link #REFUSALS_PER_SECOND} a second.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    /** Partial messages past their timeout are freed this often while nothing arrives. */
    private static final long EXPIRE_INTERVAL_MS = 1_000;
    /** How long {@link #close()} waits for the loop to finish its turn. */
    private static final long STOP_WAIT_MS = 10_000;
    /** Refusals answered per second (and at most this many in a burst); the rest are dropped and counted. */
    static final int REFUSALS_PER_SECOND = 10;
    /**
     * Status answers per second (and in a burst): a 64-byte StatusRequest draws about 2 KB, so
     * an unlimited node would amplify a forged source 30 times; the rest are dropped and counted.
     */
    static final int STATUS_ANSWERS_PER_SECOND = 200;

    private final ClusterConfig cluster;
    private final int id;
    private final ClusterConfig.NodeAddress self;
    private final NodeSettings settings;
    private final RaftStorage storage;
    /** The transport given, always wrapped in the fault layer (rules set at run time). */
    private final FaultyTransport transport;
    private final WireStats wireStats = new WireStats();
    private final NodeCounters counters = new NodeCounters();
    private final WireCodec codec;
    /** Spaces the datagrams of multi-datagram messages ({@link NodeSettings#paceGapMicros()}). */
    private final Pacer pacer;
    private final BlockingQueue<NodeInput> inbox;
    private final NodeReceiver receiver;
    /** The decoders' limits: reassembly memory scaled to this JVM's heap ({@link WireLimits#forHeap}). */
    private final WireLimits receiveLimits;
    private final Replica<InetSocketAddress> replica;
    private final RateLimitedLog warnings;
    private final boolean syncOnTick;
    private final Thread loop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private boolean closed;
    /** Last heartbeat or append from a leader: sender, term, time (loop thread only). */
    private int lastContactFrom = -1;
    private long lastContactTerm = -1;
    private long lastContactNanos;
    /** Answers to unverified sources that may go out now (loop thread only). */
    private final TokenBucket refusals = new TokenBucket(REFUSALS_PER_SECOND, System::nanoTime);
    private final TokenBucket statusAnswers = new TokenBucket(STATUS_ANSWERS_PER_SECOND, System::nanoTime);

    private NodeRuntime(ClusterConfig cluster, int id, NodeSettings settings, RaftStorage storage,
                        Transport transport, LongSupplier wallClockMs) {
        this.cluster = cluster;
        this.id = id;
        this.self = cluster.node(id);
        this.settings = settings;
        this.storage = storage;
        SecureRandom seeds = new SecureRandom();
        this.transport = transport instanceof FaultyTransport f ? f : new FaultyTransport(transport, seeds.nextLong());
        ClusterKey key = settings.clusterKey();
        this.codec = new WireCodec(id, seeds.nextInt(), WireLimits.DEFAULT, wireStats, key);
        this.pacer = new Pacer(settings.paceGapMicros(), "node-" + id + "-pacer");
        this.inbox = new ArrayBlockingQueue<>(settings.inboxMessagesMax());
        this.warnings = new RateLimitedLog(LOG, NodeRuntime::monotonicMs, 10_000);
        this.receiveLimits = WireLimits.forHeap(Runtime.getRuntime().maxMemory());
        this.receiver = new NodeReceiver(id, cluster, wireStats, NodeRuntime::monotonicMs, this::offer, counters,
                new NodeReceiver.Decoding(receiveLimits, key,
                        key == null ? null : new ReplayGuard(wallClockMs)));
        Replica.Options options = new Replica.Options(settings.snapshotEveryEntries(),
                Replica.Options.defaults().sessionTimeoutMs(), Replica.Options.defaults().sessionsMax());
        SplittableRandom random = new SplittableRandom(seeds.nextLong());
        this.replica = new Replica<>(settings.raftConfig(id, cluster.ids()), storage, random::nextInt, new Out(),
                options, wallClockMs);
        this.syncOnTick = storage instanceof FileStorage fs && fs.options().fsyncPolicy() == FsyncPolicy.BATCH;
        this.loop = new Thread(this::runLoop, "node-" + id + "-loop");
    }

    /**
     * Starts node {@code id} of {@code cluster}: recovers the replica from {@code storage},
     * starts {@code transport} on the node's five ports, then the event loop. The runtime
     * owns storage and transport from here on and closes both, also when starting fails.
     *
     * @throws TransportException when the transport cannot start (port taken, no permission)
     * @throws IllegalArgumentException when {@code id} is not a node of {@code cluster}
     */
    public static NodeRuntime start(ClusterConfig cluster, int id, NodeSettings settings, RaftStorage storage,
                                    Transport transport) throws TransportException {
        return start(cluster, id, settings, storage, transport, System::currentTimeMillis);
    }

    /**
     * {@link #start(ClusterConfig, int, NodeSettings, RaftStorage, Transport)} with another wall
     * clock (ms since the epoch) than the system's: the time stamped into proposed entries and
     * the clock of the admin replay window. For tests.
     */
    public static NodeRuntime start(ClusterConfig cluster, int id, NodeSettings settings, RaftStorage storage,
                                    Transport transport, LongSupplier wallClockMs) throws TransportException {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(wallClockMs, "wallClockMs");
        NodeRuntime rt;
        try {
            if (id < 0 || id >= cluster.size()) {
                throw new IllegalArgumentException("node index " + id + " is out of range: the cluster has "
                        + cluster.size() + " node(s), 0.." + (cluster.size() - 1));
            }
            rt = new NodeRuntime(cluster, id, settings, storage, transport, wallClockMs);
        } catch (RuntimeException e) {
            closeQuietly(storage, transport);
            throw e;
        }
        try {
            rt.transport.start(new HashSet<>(rt.self.ports().ports()), rt.receiver);
        } catch (TransportException | RuntimeException e) {
            closeQuietly(storage, rt.transport);
            throw e;
        }
        if (rt.replica.raft().term() >= Raft.TERM_MAX) {
            LOG.warn("node {}: the stored term {} is at the ceiling {}: this node follows and votes but can never "
                    + "campaign (see docs/node.md, \"Term ceiling\")", id, rt.replica.raft().term(), Raft.TERM_MAX);
        }
        rt.loop.start();
        LOG.info("node {}: started at {} over {} ({}), cluster of {}, fault rules: {}; {}", id, rt.self,
                rt.transport.name(), settings.describe(), cluster.size(), Faults.describe(rt.transport.rules()),
                settings.describeSecurity());
        return rt;
    }

    private static void closeQuietly(RaftStorage storage, Transport transport) {
        try {
            storage.close();
        } catch (RuntimeException e) {
            LOG.warn("closing storage after a failed start: {}", e.toString());
        } finally {
            transport.close();
        }
    }

    private static long monotonicMs() {
        return System.nanoTime() / 1_000_000;
    }

    // ---------------------------------------------------------------- the I/O side

    /** Hands an input to the loop without blocking; counts and drops it when the inbox is full. */
    private boolean offer(NodeInput input) {
        if (inbox.offer(input)) {
            return true;
        }
        counters.inboxDrops.increment();
        warnings.warn("inbox", () -> "node " + id + ": event loop inbox full (" + settings.inboxMessagesMax()
                + " inputs): dropping input; see node.inbox_drops");
        return false;
    }

    /** Hands {@code input} to the loop as the receiver would, past decoding and admission (tests). */
    boolean deliver(NodeInput input) {
        return offer(input);
    }

    /** The replica's output: encoded on the loop thread, sent through the transport. */
    private final class Out implements Replica.Outbox<InetSocketAddress> {
        @Override
        public void send(Message m) {
            MessageClass c = MessageType.of(m).messageClass();
            transmit(m, self.ports().portOf(c), cluster.node(m.to()).socketOf(c));
        }

        @Override
        public void reply(InetSocketAddress client, ClientResponse response) {
            transmit(response, self.ports().client(), client);
        }
    }

    private void transmit(Object message, int fromPort, InetSocketAddress to) {
        List<byte[]> datagrams;
        try {
            datagrams = codec.encode(message);
        } catch (IllegalArgumentException e) {
            counters.encodeFailures.increment();
            warnings.warn("encode", () -> "node " + id + ": cannot send " + NodeInput.describe(message) + ": "
                    + e.getMessage());
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {}: tx {} to {} ({} datagram(s))", id, NodeInput.describe(message), to, datagrams.size());
        }
        pacer.send(transport::send, fromPort, to, datagrams);
    }

    // ---------------------------------------------------------------- the loop

    private void runLoop() {
        try {
            loopUntilStopped();
        } catch (Throwable t) {
            failure = t;
            running = false;
            LOG.error("node {}: stopping after an unrecoverable error: {}", id, t.toString(), t);
        } finally {
            stopped.countDown();
        }
    }

    private void loopUntilStopped() throws InterruptedException {
        final long tickNanos = TimeUnit.MILLISECONDS.toNanos(settings.tickMs());
        long nextTick = System.nanoTime() + tickNanos;
        long nextExpire = monotonicMs() + EXPIRE_INTERVAL_MS;
        List<NodeInput> batch = new ArrayList<>(settings.batchInputsMax());
        List<InetSocketAddress> statusWaiters = new ArrayList<>();
        while (running) {
            long now = System.nanoTime();
            boolean ticked = false;
            if (now - nextTick >= 0) {
                replica.tick();
                counters.ticks.increment();
                ticked = true;
                nextTick += tickNanos;
                if (now - nextTick > 3 * tickNanos) {
                    counters.ticksLate.increment(); // do not replay missed ticks in a burst
                    nextTick = now + tickNanos;
                }
            }
            NodeInput first = ticked ? inbox.poll() : inbox.poll(nextTick - now, TimeUnit.NANOSECONDS);
            if (first != null) {
                batch.add(first);
                inbox.drainTo(batch, settings.batchInputsMax() - 1);
                step(batch, statusWaiters);
                batch.clear();
            }
            replica.drain();
            if (ticked && syncOnTick) {
                storage.sync(); // BATCH: the fsync bound holds only while sync() keeps being called
            }
            answerStatus(statusWaiters);
            if (monotonicMs() - nextExpire >= 0) {
                receiver.expire();
                nextExpire = monotonicMs() + EXPIRE_INTERVAL_MS;
            }
        }
    }

    private void answerStatus(List<InetSocketAddress> waiters) {
        if (waiters.isEmpty()) {
            return;
        }
        try {
            StatusReport report = statusReport();
            for (InetSocketAddress c : waiters) {
                if (statusAnswers.take()) {
                    transmit(report, self.ports().client(), c);
                } else {
                    counters.statusUnanswered.increment(); // beyond the rate: not a reflector
                }
            }
        } catch (RuntimeException e) {
            // a bug in a status display must not stop consensus
            LOG.error("node {}: cannot build a status report: {}", id, e.toString(), e);
        }
        waiters.clear();
    }

    private void step(List<NodeInput> batch, List<InetSocketAddress> statusWaiters) {
        counters.batches.increment();
        for (NodeInput in : batch) {
            try {
                stepOne(in, statusWaiters);
            } catch (RuntimeException e) {
                // Remote input passed the decoder and admission, so this is a bug; the loop
                // keeps serving (DESIGN.md: nothing from the network stops a node).
                counters.inputErrors.increment();
                if (warnings.warn("input_error", () -> "node " + id + ": handling " + NodeInput.describe(in)
                        + " failed; input dropped, the node keeps serving: " + e)) {
                    LOG.error("node {}: the failure above, with its stack (a bug: please report it)", id, e);
                }
            }
        }
    }

    private void stepOne(NodeInput in, List<InetSocketAddress> statusWaiters) {
        if (in instanceof NodeInput.Peer p) {
            counters.inputs.increment();
            noticeLeaderContact(p.message());
            replica.receive(p.message());
        } else if (in instanceof NodeInput.Client c) {
            counters.inputs.increment();
            replica.submit(c.request(), c.client());
        } else if (in instanceof NodeInput.Status s) {
            counters.inputs.increment();
            statusWaiters.add(s.client());
        } else if (in instanceof NodeInput.Fault f) {
            counters.inputs.increment();
            answerFault(f);
        } else if (in instanceof NodeInput.Task t) {
            t.work().run();
        }
        // Wake: nothing to do, the loop re-reads `running`
    }

    /**
     * Applies a fault request and answers with the rules now in force, when admin requests
     * are allowed (see the class comment); refuses it otherwise. The answer goes past the
     * rules: whoever can set a fault can always clear it.
     */
    private void answerFault(NodeInput.Fault f) {
        if (settings.clusterKey() != null && !f.authenticated()) {
            // not expected: with a key the decoders deliver authenticated messages only
            counters.adminRefused.increment();
            return;
        }
        if (settings.clusterKey() == null && !settings.allowAdmin()) {
            refuseAdmin(f);
            return;
        }
        counters.adminAccepted.increment();
        try {
            Faults.apply(transport, f.request());
            LOG.info("node {}: fault {} from {}: rules now {}", id, f.request().op(), f.client(),
                    Faults.describe(transport.rules()));
        } catch (IllegalStateException e) {
            warnings.warn("fault", () -> "node " + id + ": fault request from " + f.client() + " not applied: "
                    + e.getMessage());
        }
        sendUnfaulted(Faults.response(id, transport), f.client());
    }

    /**
     * Refuses an admin request to a node without key and without {@code --allow-admin}:
     * counts it, and answers an {@link ErrorResponse} unless the token bucket of
     * {@link #REFUSALS_PER_SECOND} a second is empty (a forged source address must not make
     * the node a reflector).
     */
    private void refuseAdmin(NodeInput.Fault f) {
        counters.adminRefused.increment();
        warnings.warn("admin", () -> "node " + id + ": refused a fault request (" + f.request().op() + ") from "
                + f.client() + ": admin requests are disabled (no --cluster-key, no --allow-admin); see "
                + "node.admin_refused");
        if (!refusals.take()) {
            counters.adminRefusalsUnanswered.increment();
            return;
        }
        sendUnfaulted(ErrorResponse.adminDisabled(id), f.client());
    }

    /** Sends past the fault rules: answers to admin requests. */
    private void sendUnfaulted(Object message, InetSocketAddress to) {
        List<byte[]> datagrams;
        try {
            datagrams = codec.encode(message);
        } catch (IllegalArgumentException e) {
            counters.encodeFailures.increment();
            return;
        }
        pacer.send(transport::sendUnfaulted, self.ports().client(), to, datagrams);
    }

    /** Measures the gaps between a leader's heartbeats and appends (see {@link NodeCounters#leaderGapsOver}). */
    private void noticeLeaderContact(Message m) {
        if (!(m instanceof Message.Heartbeat || m instanceof Message.AppendRequest)) {
            return;
        }
        long now = System.nanoTime();
        if (m.from() == lastContactFrom && m.term() == lastContactTerm) {
            counters.leaderGap(TimeUnit.NANOSECONDS.toMillis(now - lastContactNanos));
        }
        lastContactFrom = m.from();
        lastContactTerm = m.term();
        lastContactNanos = now;
    }

    /** The transport's own counters (frames, ARP, send failures), under valid counter names. */
    private void transportCounters(Map<String, Long> c) {
        Map<String, Long> t = new TreeMap<>(transport.counters());
        if (transport.inner() instanceof PcapTransport p) {
            t.putAll(p.counters());
        } else if (transport.inner() instanceof UdpTransport u) {
            t.put("udp.send_failures", u.sendFailures());
        }
        t.forEach((name, value) -> {
            if (name.matches("[A-Za-z0-9._-]{1,64}") && value != null) {
                c.put(name, value);
            }
        });
    }

    /** This node's status report (loop thread only). */
    private StatusReport statusReport() {
        Replica.NodeStatus s = replica.status();
        Map<String, Long> c = new TreeMap<>(wireStats.snapshot());
        counters.putInto(c);
        replica.raft().refusals().forEach((r, n) -> c.put("refused." + r.name(), n));
        c.put("node.inbox_depth", (long) inbox.size());
        c.put("node.pending_requests", (long) replica.pendingRequests());
        c.put("node.partial_messages", (long) receiver.partialMessages());
        c.put("pace.gap_us", pacer.gapMicros());
        c.put("pace.datagrams", pacer.paced());
        c.put("pace.dropped", pacer.dropped());
        c.put("wire.reassembly_bytes_max", receiveLimits.reassemblyBytesMax());
        c.put("wire.message_bytes_max", (long) receiveLimits.messageBytesMax());
        c.put("kv.keys", (long) s.keys());
        transportCounters(c);
        if (storage instanceof FileStorage fs) {
            c.put("storage.fsyncs", fs.fsyncCount());
            c.put("storage.syncs", fs.syncCount());
            c.put("storage.bytes_written", fs.bytesWritten());
        }
        int leader = s.leader() == Raft.NONE ? -1 : s.leader();
        return new StatusReport(id, s.role().name(), s.term(), leader, s.commitIndex(), s.appliedIndex(),
                s.firstIndex(), s.lastIndex(), s.matchIndex(), c);
    }

    // ---------------------------------------------------------------- for callers

    /**
     * Runs {@code query} on the loop thread and returns its result: the only safe way to
     * look at the replica from outside. For tests, tools and the status display.
     *
     * @throws TimeoutException      when the loop does not get to it within {@code timeout}
     * @throws IllegalStateException when the node has stopped
     */
    public <T> T query(Function<Replica<InetSocketAddress>, T> query, Duration timeout)
            throws TimeoutException, InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        NodeInput.Task task = new NodeInput.Task(() -> {
            try {
                result.complete(query.apply(replica));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        if (!running) {
            throw new IllegalStateException("node " + id + " has stopped");
        }
        if (!inbox.offer(task, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("node " + id + ": inbox full for " + timeout);
        }
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("query failed on node " + id, e.getCause());
        }
    }

    /** The status report, as a status request on the client port would get it. */
    public StatusReport status(Duration timeout) throws TimeoutException, InterruptedException {
        return query(r -> statusReport(), timeout);
    }

    public int id() {
        return id;
    }

    /** Where this node listens. */
    public ClusterConfig.NodeAddress address() {
        return self;
    }

    /** The node's fault layer: its rules can be read and set from any thread. */
    public FaultyTransport faults() {
        return transport;
    }

    /** The wire counters (thread-safe). */
    public WireStats wireStats() {
        return wireStats;
    }

    /** Inputs dropped because the inbox was full. */
    public long inboxDrops() {
        return counters.inboxDrops.sum();
    }

    /** True until the loop has ended (closed, or stopped by a failure). */
    public boolean isRunning() {
        return running && stopped.getCount() > 0;
    }

    /** Why the loop stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Waits until the loop has ended; true if it did within the timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the node: ends the loop (after its current turn), closes the storage (what was
     * synced stays; the data-directory lock is released), then the transport. Idempotent;
     * safe from any thread, a shutdown hook included.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        inbox.offer(new NodeInput.Wake()); // no interrupt: it would close the storage's file channels
        boolean ended;
        try {
            ended = stopped.await(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        try {
            if (ended) {
                storage.close();
            } else {
                LOG.error("node {}: the event loop did not stop within {} ms; leaving the storage to the OS",
                        id, STOP_WAIT_MS);
            }
        } catch (RuntimeException e) {
            LOG.error("node {}: closing storage: {}", id, e.toString());
        } finally {
            pacer.close();
            transport.close();
        }
        LOG.info("node {}: stopped{}", id, failure == null ? "" : " after a failure: " + failure);
    }
}
