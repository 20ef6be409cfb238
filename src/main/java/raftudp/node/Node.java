package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.config.ClusterConfig;
import raftudp.core.Config;
import raftudp.core.DataLostException;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.kv.ClientResponse;
import raftudp.logging.RateLimitedLog;
import raftudp.storage.FileStorage;
import raftudp.storage.FsyncPolicy;
import raftudp.storage.RaftStorage;
import raftudp.transport.DatagramSink;
import raftudp.transport.FaultyTransport;
import raftudp.wire.ClusterKey;
import raftudp.wire.ErrorResponse;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;
import raftudp.wire.ReplayGuard;
import raftudp.wire.StatusReport;
import raftudp.wire.WireCodec;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One node at the datagram level, deterministic: datagrams in (source address, local port,
 * bytes), ticks in, datagrams out. It owns the {@link Replica} (core, storage, key-value
 * store), the per-port decoders and reassembly ({@link NodeReceiver}), admission, encoding,
 * the counters, status answers and admin (fault-rule) answers. It owns no thread, socket or
 * timer, and reads no clock of its own: time comes from the injected {@link Clock}, and
 * randomness from the seed it is given. The production runtime ({@link NodeRuntime}) is a
 * thin shell around it (loop thread, inbox, tick timer, pacer, transport); the simulator
 * drives it directly, on the same bytes.
 *
 * <p>Driving it: {@link #receive} a datagram (or, from another thread, let {@link #receiver()}
 * decode it and hand the input to {@link #step}); {@link #tick()} every
 * {@link NodeSettings#tickMs()}; then {@link #flush()}, once per batch: the group commit
 * (one {@code sync()} for the batch's entries and hard state), after which the batch's
 * answers leave. Everything but {@link #receiver()} is for one thread only.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Partial messages past their timeout are freed this often. */
    static final long EXPIRE_INTERVAL_MS = 1_000;
    /** Refusals answered per second (and at most this many in a burst); the rest are dropped and counted. */
    static final int REFUSALS_PER_SECOND = 10;
    /**
     * Status answers per second (and in a burst): a 64-byte StatusRequest draws about 2 KB, so
     * an unlimited node would amplify a forged source 30 times; the rest are dropped and counted.
     */
    static final int STATUS_ANSWERS_PER_SECOND = 200;

    /** Where a node's datagrams go. Must not throw. */
    public interface Output {
        /**
         * Sends the datagrams of one message from local port {@code fromPort} to {@code to};
         * {@code pastFaults} for answers to admin requests, which no fault rule may hold back.
         */
        void send(int fromPort, InetSocketAddress to, List<byte[]> datagrams, boolean pastFaults);
    }

    /** The node's time. */
    public interface Clock {
        /** Monotonic time in nanoseconds (reassembly timeouts, rate limits, gap counters). */
        long nanos();

        /** Wall-clock time, ms since the epoch (stamped into proposals; the admin replay window). */
        long wallMs();

        /** The system's monotonic clock, with {@code wallClockMs} as the wall clock. */
        static Clock systemWith(java.util.function.LongSupplier wallClockMs) {
            return new Clock() {
                @Override
                public long nanos() {
                    return System.nanoTime();
                }

                @Override
                public long wallMs() {
                    return wallClockMs.getAsLong();
                }
            };
        }
    }

    /**
     * What the node gets from its surroundings.
     *
     * @param clock         its time
     * @param seed          its randomness (election timeouts, message ids)
     * @param receiveLimits the decoders' limits (production scales reassembly memory to the heap)
     * @param output        where its datagrams go
     * @param faults        the fault layer that admin requests set rules on
     * @param inbox         where {@link #receiver()} hands decoded inputs, or null to step them at once
     * @param shellCounters adds the shell's counters (inbox, pacer, transport) to status reports
     */
    public record Environment(Clock clock, long seed, WireLimits receiveLimits, Output output, FaultyTransport faults,
                              Predicate<NodeInput> inbox, Consumer<Map<String, Long>> shellCounters) {
        public Environment {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(receiveLimits, "receiveLimits");
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(faults, "faults");
            Objects.requireNonNull(shellCounters, "shellCounters");
        }
    }

    private final ClusterConfig cluster;
    private final int id;
    private final ClusterConfig.NodeAddress self;
    private final NodeSettings settings;
    private final RaftStorage storage;
    private final Environment env;
    private final Clock clock;
    private final WireStats wireStats = new WireStats();
    private final NodeCounters counters = new NodeCounters();
    private final WireCodec codec;
    private final NodeReceiver receiver;
    private final Replica<InetSocketAddress> replica;
    private final RateLimitedLog warnings;
    private final boolean syncOnTick;
    private final TokenBucket refusals;
    private final TokenBucket statusAnswers;
    private final List<InetSocketAddress> statusWaiters = new ArrayList<>();
    private boolean tickedSinceFlush;
    private long nextExpireMs;
    /** Last heartbeat or append from a leader: sender, term, time. */
    private int lastContactFrom = -1;
    private long lastContactTerm = -1;
    private long lastContactNanos;

    /**
     * Recovers node {@code id} of {@code cluster} from {@code storage}.
     *
     * @throws IllegalArgumentException when {@code id} is not a node of {@code cluster}
     */
    public Node(ClusterConfig cluster, int id, NodeSettings settings, RaftStorage storage, Environment env) {
        this(cluster, checkedConfig(cluster, id, settings), settings, storage, env);
    }

    private static Config checkedConfig(ClusterConfig cluster, int id, NodeSettings settings) {
        if (id < 0 || id >= cluster.size()) {
            throw new IllegalArgumentException("node index " + id + " is out of range: the cluster has "
                    + cluster.size() + " node(s), 0.." + (cluster.size() - 1));
        }
        return settings.raftConfig(id, cluster.ids());
    }

    /**
     * Recovers node {@code raft.id()} of {@code cluster} from {@code storage}, with the core
     * tuned by {@code raft} rather than by {@code settings}' timeouts (the simulator varies
     * every limit of the core).
     *
     * @throws IllegalArgumentException when {@code raft}'s members are not {@code cluster}'s
     */
    public Node(ClusterConfig cluster, Config raft, NodeSettings settings, RaftStorage storage, Environment env) {
        if (!raft.nodes().equals(cluster.ids())) {
            throw new IllegalArgumentException("the core's members " + raft.nodes() + " are not the cluster's "
                    + cluster.ids());
        }
        int id = raft.id();
        this.cluster = cluster;
        this.id = id;
        this.self = cluster.node(id);
        this.settings = settings;
        this.storage = storage;
        this.env = env;
        this.clock = env.clock();
        SplittableRandom random = new SplittableRandom(env.seed());
        ClusterKey key = settings.clusterKey();
        this.codec = new WireCodec(id, random.nextInt(), WireLimits.DEFAULT, wireStats, key, clock::wallMs);
        this.warnings = new RateLimitedLog(LOG, this::monotonicMs, 10_000);
        Predicate<NodeInput> inbox = env.inbox() != null ? env.inbox() : in -> {
            handle(in);
            return true;
        };
        this.receiver = new NodeReceiver(id, cluster, wireStats, this::monotonicMs, inbox, counters,
                new NodeReceiver.Decoding(env.receiveLimits(), key,
                        key == null ? null : new ReplayGuard(clock::wallMs)));
        Replica.Options options = new Replica.Options(settings.snapshotEveryEntries(),
                Replica.Options.defaults().sessionTimeoutMs(), Replica.Options.defaults().sessionsMax());
        SplittableRandom replicaRandom = random.split();
        this.replica = new Replica<>(raft, storage, replicaRandom::nextInt,
                new Out(), options, clock::wallMs);
        this.syncOnTick = storage instanceof FileStorage fs && fs.options().fsyncPolicy() == FsyncPolicy.BATCH;
        this.refusals = new TokenBucket(REFUSALS_PER_SECOND, clock::nanos);
        this.statusAnswers = new TokenBucket(STATUS_ANSWERS_PER_SECOND, clock::nanos);
        this.nextExpireMs = monotonicMs() + EXPIRE_INTERVAL_MS;
    }

    private long monotonicMs() {
        return clock.nanos() / 1_000_000;
    }

    // ---------------------------------------------------------------- input

    /**
     * The decoding half, safe to call from the transport's I/O threads: decodes, admits and
     * hands what a datagram completes to the environment's inbox.
     */
    public DatagramSink receiver() {
        return receiver;
    }

    /** A datagram that arrived at local port {@code localPort} from {@code from}. Call {@link #flush()} after. */
    public void receive(InetSocketAddress from, int localPort, ByteBuffer datagram) {
        receiver.received(from, localPort, datagram);
    }

    /** One tick of logical time. Call {@link #flush()} after. */
    public void tick() {
        replica.tick();
        counters.ticks.increment();
        tickedSinceFlush = true;
    }

    /** Steps a batch of decoded inputs (from {@link #receiver()}'s inbox). Call {@link #flush()} after. */
    void step(List<NodeInput> batch) {
        counters.batches.increment();
        for (NodeInput in : batch) {
            handle(in);
        }
    }

    /**
     * Ends a batch: the group commit (the batch's entries and hard state in one sync, then
     * what waited for it: votes, acks, answers), status answers, and freeing partial
     * messages past their timeout when that is due.
     */
    public void flush() {
        replica.drain();
        if (replica.dataLost() != null) {
            throw new DataLostException(replica.dataLost()); // ends the node's loop: it must not take part
        }
        if (tickedSinceFlush && syncOnTick) {
            storage.sync(); // BATCH: the fsync bound holds only while sync() keeps being called
        }
        tickedSinceFlush = false;
        answerStatus();
        if (monotonicMs() - nextExpireMs >= 0) {
            receiver.expire();
            nextExpireMs = monotonicMs() + EXPIRE_INTERVAL_MS;
        }
    }

    /** Handles one input; an exception is a bug, counted and logged, and the node keeps serving. */
    private void handle(NodeInput in) {
        try {
            handleOne(in);
        } catch (RuntimeException e) {
            // Remote input passed the decoder and admission, so this is a bug; the node keeps
            // serving (DESIGN.md: nothing from the network stops a node).
            counters.inputErrors.increment();
            if (warnings.warn("input_error", () -> "node " + id + ": handling " + NodeInput.describe(in)
                    + " failed; input dropped, the node keeps serving: " + e)) {
                LOG.error("node {}: the failure above, with its stack (a bug: please report it)", id, e);
            }
        }
    }

    private void handleOne(NodeInput in) {
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
        // Wake: nothing to do
    }

    // ---------------------------------------------------------------- output

    /** The replica's output, encoded here. */
    private final class Out implements Replica.Outbox<InetSocketAddress> {
        @Override
        public void send(Message m) {
            MessageClass c = MessageType.of(m).messageClass();
            transmit(m, self.ports().portOf(c), cluster.node(m.to()).socketOf(c), false);
        }

        @Override
        public void reply(InetSocketAddress client, ClientResponse response) {
            transmit(response, self.ports().client(), client, false);
        }
    }

    private void transmit(Object message, int fromPort, InetSocketAddress to, boolean pastFaults) {
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
        env.output().send(fromPort, to, datagrams, pastFaults);
    }

    private void answerStatus() {
        if (statusWaiters.isEmpty()) {
            return;
        }
        try {
            StatusReport report = status();
            for (InetSocketAddress c : statusWaiters) {
                if (statusAnswers.take()) {
                    transmit(report, self.ports().client(), c, false);
                } else {
                    counters.statusUnanswered.increment(); // beyond the rate: not a reflector
                }
            }
        } catch (RuntimeException e) {
            // a bug in a status display must not stop consensus
            LOG.error("node {}: cannot build a status report: {}", id, e.toString(), e);
        }
        statusWaiters.clear();
    }

    /**
     * Applies a fault request and answers with the rules now in force, when admin requests
     * are allowed (see {@link NodeRuntime}); refuses it otherwise. The answer goes past the
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
        FaultyTransport faults = env.faults();
        try {
            Faults.apply(faults, f.request());
            LOG.info("node {}: fault {} from {}: rules now {}", id, f.request().op(), f.client(),
                    Faults.describe(faults.rules()));
        } catch (IllegalStateException e) {
            warnings.warn("fault", () -> "node " + id + ": fault request from " + f.client() + " not applied: "
                    + e.getMessage());
        }
        transmit(Faults.response(id, faults), self.ports().client(), f.client(), true);
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
        transmit(ErrorResponse.adminDisabled(id), self.ports().client(), f.client(), true);
    }

    /** Measures the gaps between a leader's heartbeats and appends (see {@link NodeCounters#leaderGapsOver}). */
    private void noticeLeaderContact(Message m) {
        if (!(m instanceof Message.Heartbeat || m instanceof Message.AppendRequest)) {
            return;
        }
        long now = clock.nanos();
        if (m.from() == lastContactFrom && m.term() == lastContactTerm) {
            counters.leaderGap(TimeUnit.NANOSECONDS.toMillis(now - lastContactNanos));
        }
        lastContactFrom = m.from();
        lastContactTerm = m.term();
        lastContactNanos = now;
    }

    // ---------------------------------------------------------------- looking at it

    /** This node's status report, as a status request on the client port gets it. */
    public StatusReport status() {
        Replica.NodeStatus s = replica.status();
        Map<String, Long> c = new TreeMap<>(wireStats.snapshot());
        counters.putInto(c);
        replica.raft().refusals().forEach((r, n) -> c.put("refused." + r.name(), n));
        c.put("node.pending_requests", (long) replica.pendingRequests());
        c.put("node.partial_messages", (long) receiver.partialMessages());
        c.put("wire.reassembly_bytes_max", env.receiveLimits().reassemblyBytesMax());
        c.put("wire.message_bytes_max", (long) env.receiveLimits().messageBytesMax());
        c.put("kv.keys", (long) s.keys());
        if (storage instanceof FileStorage fs) {
            c.put("storage.fsyncs", fs.fsyncCount());
            c.put("storage.syncs", fs.syncCount());
            c.put("storage.bytes_written", fs.bytesWritten());
        }
        env.shellCounters().accept(c);
        int leader = s.leader() == Raft.NONE ? -1 : s.leader();
        return new StatusReport(id, s.role().name(), s.term(), leader, s.commitIndex(), s.appliedIndex(),
                s.firstIndex(), s.lastIndex(), s.matchIndex(), c);
    }

    public int id() {
        return id;
    }

    /** Where this node listens. */
    public ClusterConfig.NodeAddress address() {
        return self;
    }

    /** The replica (core, storage, key-value store). */
    public Replica<InetSocketAddress> replica() {
        return replica;
    }

    /** The wire counters (thread-safe). */
    public WireStats wireStats() {
        return wireStats;
    }

    NodeCounters counters() {
        return counters;
    }

    /**
     * Inputs whose handling threw: each one a bug, caught so that the node kept serving (the
     * simulator fails a seed on the first).
     */
    public long inputErrors() {
        return counters.inputErrors.sum();
    }

    /** Partial messages held in reassembly over all ports. */
    public int partialMessages() {
        return receiver.partialMessages();
    }
}
