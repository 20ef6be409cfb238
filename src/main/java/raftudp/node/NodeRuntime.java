package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.DataLostException;
import raftudp.core.Raft;
import raftudp.storage.RaftStorage;
import raftudp.transport.FaultyTransport;
import raftudp.transport.Pacer;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.transport.pcap.PcapTransport;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ErrorResponse;
import raftudp.logging.RateLimitedLog;
import raftudp.wire.StatusReport;
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
 * A running node: the thin threaded shell around a {@link Node} (which owns the replica,
 * decoders, encoding, counters and answers, and is deterministic). The shell adds one
 * event-loop thread, a bounded inbox that the transport's I/O threads fill through the
 * node's thread-safe receiver, the tick timer, the pacer and the transport.
 *
 * <p>The loop, each turn: tick the core if a tick is due ({@link NodeSettings#tickMs()});
 * take up to {@link NodeSettings#batchInputsMax()} inputs from the inbox and step them all;
 * then call {@link Node#flush()} once. That is the group commit: the batch's entries and
 * hard state reach storage in one {@code sync()}, so one fsync covers every proposal,
 * vote and append of the batch, and nothing of it is acknowledged, voted or answered before
 * that fsync. The one exception is the leader's replication of its current term
 * ({@code Ready.sendFirst}, thesis §10.2.1): it is handed to the transport before the fsync
 * starts, so that the followers' fsyncs overlap the leader's.
 * Status requests of the batch are answered after the drain.
 *
 * <p>Raft messages go out encoded, from this node's port of their class to the peer's port
 * of that class; client answers go from the client port to the source address and port of
 * the request; all through the pacer and the fault layer. Threading: the Replica and the storage are touched by the
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
 * {@link Node#REFUSALS_PER_SECOND} a second.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    /** How long {@link #close()} waits for the loop to finish its turn. */
    private static final long STOP_WAIT_MS = 10_000;

    private final int id;
    private final ClusterConfig.NodeAddress self;
    private final NodeSettings settings;
    private final RaftStorage storage;
    /** The transport given, always wrapped in the fault layer (rules set at run time). */
    private final FaultyTransport transport;
    /** Spaces the datagrams of multi-datagram messages ({@link NodeSettings#paceGapMicros()}). */
    private final Pacer pacer;
    private final BlockingQueue<NodeInput> inbox;
    private final RateLimitedLog warnings;
    /** The node itself: touched by the loop thread only, but for its thread-safe receiver. */
    private final Node node;
    private final Thread loop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private boolean closed;

    private NodeRuntime(ClusterConfig cluster, int id, NodeSettings settings, RaftStorage storage,
                        Transport transport, LongSupplier wallClockMs) {
        this.id = id;
        this.self = cluster.node(id);
        this.settings = settings;
        this.storage = storage;
        SecureRandom seeds = new SecureRandom();
        this.transport = transport instanceof FaultyTransport f ? f : new FaultyTransport(transport, seeds.nextLong());
        this.pacer = new Pacer(settings.paceGapMicros(), "node-" + id + "-pacer");
        this.inbox = new ArrayBlockingQueue<>(settings.inboxMessagesMax());
        this.warnings = new RateLimitedLog(LOG, NodeRuntime::monotonicMs, 10_000);
        Node.Clock clock = Node.Clock.systemWith(wallClockMs);
        Node.Environment env = new Node.Environment(clock, seeds.nextLong(),
                WireLimits.forHeap(Runtime.getRuntime().maxMemory()), this::transmit, this.transport, this::offer,
                this::shellCounters);
        this.node = new Node(cluster, id, settings, storage, env);
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
            rt.transport.start(new HashSet<>(rt.self.ports().ports()), rt.node.receiver());
        } catch (TransportException | RuntimeException e) {
            closeQuietly(storage, rt.transport);
            throw e;
        }
        if (rt.node.replica().raft().term() >= Raft.TERM_MAX) {
            LOG.warn("node {}: the stored term {} is at the ceiling {}: this node follows and votes but can never "
                    + "campaign (see docs/node.md, \"Term ceiling\")", id, rt.node.replica().raft().term(), Raft.TERM_MAX);
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
        node.counters().inboxDrops.increment();
        warnings.warn("inbox", () -> "node " + id + ": event loop inbox full (" + settings.inboxMessagesMax()
                + " inputs): dropping input; see node.inbox_drops");
        return false;
    }

    /** Hands {@code input} to the loop as the receiver would, past decoding and admission (tests). */
    boolean deliver(NodeInput input) {
        return offer(input);
    }

    /** The node's output: paced, then through the fault layer (or past it: answers to admin requests). */
    private void transmit(int fromPort, InetSocketAddress to, List<byte[]> datagrams, boolean pastFaults) {
        pacer.send(pastFaults ? transport::sendUnfaulted : transport::send, fromPort, to, datagrams);
    }

    // ---------------------------------------------------------------- the loop

    private void runLoop() {
        try {
            loopUntilStopped();
        } catch (DataLostException e) {
            failure = e;
            running = false;
            LOG.error("node {}: stopping: {}", id, e.getMessage());
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
        List<NodeInput> batch = new ArrayList<>(settings.batchInputsMax());
        while (running) {
            long now = System.nanoTime();
            boolean ticked = false;
            if (now - nextTick >= 0) {
                node.tick();
                ticked = true;
                nextTick += tickNanos;
                if (now - nextTick > 3 * tickNanos) {
                    node.counters().ticksLate.increment(); // do not replay missed ticks in a burst
                    nextTick = now + tickNanos;
                }
            }
            NodeInput first = ticked ? inbox.poll() : inbox.poll(nextTick - now, TimeUnit.NANOSECONDS);
            if (first != null) {
                batch.add(first);
                inbox.drainTo(batch, settings.batchInputsMax() - 1);
                node.step(batch);
                batch.clear();
            }
            node.flush();
        }
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

    /** The shell's counters in the node's status report: inbox, pacer, transport. */
    private void shellCounters(Map<String, Long> c) {
        c.put("node.inbox_depth", (long) inbox.size());
        c.put("pace.gap_us", pacer.gapMicros());
        c.put("pace.datagrams", pacer.paced());
        c.put("pace.dropped", pacer.dropped());
        transportCounters(c);
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
                result.complete(query.apply(node.replica()));
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
        return query(r -> node.status(), timeout);
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
        return node.wireStats();
    }

    /** Inputs dropped because the inbox was full. */
    public long inboxDrops() {
        return node.counters().inboxDrops.sum();
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
