package raftudp.sim;

import raftudp.core.DataLostException;
import raftudp.core.Entry;
import raftudp.core.Raft;
import raftudp.core.Role;
import raftudp.node.Node;
import raftudp.node.NodeSettings;
import raftudp.node.Replica;
import raftudp.storage.StorageException;
import raftudp.transport.FaultyTransport;
import raftudp.wire.DropReason;
import raftudp.wire.MessageClass;
import raftudp.wire.WireLimits;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated machine running one {@link Node}, the production node at the datagram level:
 * its own tick timer (with a little drift), its own clocks, its own disk, and a process
 * that can crash and restart from that disk. What the node sends is datagrams, handed to
 * the simulated network; what it receives is datagrams, which it decodes, reassembles and
 * admits as a real node does.
 */
final class SimNode {
    /** Wall-clock time at simulated time 0 (2023-11-14), so skewed clocks stay positive. */
    static final long EPOCH_MS = 1_700_000_000_000L;
    private final int id;
    private final Simulation sim;
    private final SimParams p;
    private final SplittableRandom random;
    /** The node's disk: survives crashes (but not what was never synced). */
    private final SimStorage storage;
    private final int tickPeriodMs;
    private final long clockSkewMs;
    private final NodeSettings settings;
    /** Admin requests would set rules on this fault layer; the simulator sends none. */
    private final FaultyTransport faults;
    private Node node;
    private Replica<InetSocketAddress> replica;
    private int incarnation;
    private boolean lost;
    /** Where this boot's monotonic clock starts (a fresh process, a fresh origin). */
    private long bootNanos;
    private Role lastRole;
    private long lastTerm;
    /** Leader replication messages sent since successful sync number {@link #earlyAtSync}. */
    private int earlySent;
    private long earlyAtSync = -1;

    SimNode(int id, Simulation sim, SimParams p, SplittableRandom random) {
        this.id = id;
        this.sim = sim;
        this.p = p;
        this.random = random;
        this.storage = new SimStorage(random.split(), p.faults().crashInSyncRate(), p.faults().tornWriteRate());
        this.tickPeriodMs = p.cluster().tickMs() - 1 + random.nextInt(3); // clocks drift a little
        this.clockSkewMs = random.nextInt(10_000) - 5_000;      // and disagree on the time
        this.settings = NodeSettings.defaults().withSnapshotEvery(p.cluster().snapshotEveryEntries())
                .withClusterKey(p.cluster().clusterKey());
        this.faults = new FaultyTransport(new NoTransport(), random.nextLong());
    }

    /** From now on the disk never dies inside sync and has room (the liveness phase). */
    void disableDiskCrashes() {
        storage.disableCrashes();
    }

    SimStorage storage() {
        return storage;
    }

    int id() {
        return id;
    }

    boolean up() {
        return replica != null;
    }

    /** True once the node stopped because its data was lost (it is never started again). */
    boolean lost() {
        return lost;
    }

    Replica<InetSocketAddress> replica() {
        return replica;
    }

    Node node() {
        return node;
    }

    /** Boots (or reboots) the process from what the disk holds. */
    void start() {
        incarnation++;
        bootNanos = random.nextLong(1L << 50);
        Node.Clock clock = new Node.Clock() {
            @Override
            public long nanos() {
                return bootNanos + sim.now() * 1_000_000L;
            }

            @Override
            public long wallMs() {
                return EPOCH_MS + sim.now() + clockSkewMs;
            }
        };
        Node.Environment env = new Node.Environment(clock, random.nextLong(), WireLimits.DEFAULT, this::output,
                faults, null, counters -> { });
        node = new Node(sim.cluster(), p.config(id), settings, storage, env);
        replica = node.replica();
        Raft r = replica.raft();
        sim.checker.restarted(id, r.snapshot() == null ? 0 : r.snapshot().index());
        replica.observe(new Replica.Observer() {
            @Override
            public void applied(Entry e) {
                sim.checker.applied(id, e);
            }

            @Override
            public void restored(long index) {
                sim.checker.restarted(id, index);
            }
        });
        lastRole = r.role();
        lastTerm = r.term();
        sim.note("start node " + id + " term " + r.term() + " last " + r.lastIndex() + " commit " + r.commitIndex());
        int inc = incarnation;
        sim.schedule(random.nextInt(tickPeriodMs) + 1, () -> tick(inc));
    }

    /** The node's datagrams, to the simulated network. */
    private void output(int fromPort, InetSocketAddress to, List<byte[]> datagrams, boolean pastFaults) {
        countEarly(fromPort);
        sim.transmit(new InetSocketAddress(Simulation.nodeAddress(id), fromPort), to, datagrams);
    }

    /**
     * Counts the leader's replication messages sent since the last successful sync: those of
     * the Ready whose sync is under way ({@code Ready.sendFirst} leaves before the persist).
     * Replication is what leaves the heartbeat, append and snapshot ports.
     */
    private void countEarly(int fromPort) {
        MessageClass c = sim.cluster().node(id).ports().classOfPort(fromPort).orElse(MessageClass.CLIENT);
        boolean replication = c == MessageClass.HEARTBEAT || c == MessageClass.APPEND || c == MessageClass.SNAPSHOT;
        if (!replication || replica == null || replica.raft().role() != Role.LEADER) {
            return;
        }
        if (earlyAtSync != storage.syncs()) {
            earlyAtSync = storage.syncs();
            earlySent = 0;
            if (p.faults().crashAfterEarlySendRate() > 0 && random.nextDouble() < p.faults().crashAfterEarlySendRate()) {
                storage.crashAtNextSync(); // die after the early send, before the persist
            }
        }
        earlySent++;
    }

    /**
     * Drop reasons an honest cluster can produce on a lossy, duplicating, reordering network:
     * late and duplicated chunks, partial messages given up on, and chunks whose message id a
     * restarted sender reused. Any other drop of an honest datagram is a bug of the decoder
     * or of admission (a rule that refuses what a correct node sends).
     */
    private static final java.util.Set<DropReason> HONEST_DROPS = java.util.EnumSet.of(DropReason.DUPLICATE_CHUNK,
            DropReason.LATE_CHUNK, DropReason.INCONSISTENT_CHUNK, DropReason.EVICTED, DropReason.EXPIRED,
            DropReason.ABANDONED);

    /** What this boot's decoders and admission dropped that honest traffic never should, or "". */
    String dishonestDrops() {
        if (node == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long n = node.wireStats().dropped(r);
            if (n > 0 && !HONEST_DROPS.contains(r)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(r).append('=').append(n);
            }
        }
        return sb.toString();
    }

    void crash() {
        String drops = dishonestDrops();
        if (!drops.isEmpty()) {
            sim.fail("node " + id + " dropped honest datagrams: " + drops);
        }
        replica = null;
        node = null;
        incarnation++;
        storage.crash();
    }

    private void tick(int inc) {
        if (inc != incarnation) {
            return;
        }
        guarded(() -> node.tick());
        if (inc == incarnation) {
            sim.schedule(tickPeriodMs, () -> tick(inc));
        }
    }

    /** A datagram from {@code from} arrives at local port {@code localPort}. */
    void receive(InetSocketAddress from, int localPort, byte[] datagram) {
        guarded(() -> node.receive(from, localPort, ByteBuffer.wrap(datagram)));
    }

    void transfer(int to) {
        guarded(() -> replica.transferLeadership(to));
    }

    /** Runs an input then flushes (the group commit); a crash inside sync takes the node down. */
    private void guarded(Runnable input) {
        try {
            input.run();
            node.flush();
        } catch (StorageException e) {
            // the node stops on a storage failure, as NodeRuntime's loop does (docs/node.md)
            sim.storageFailed(this, "storage failure (" + e.getMessage() + "), node stopped");
            return;
        } catch (DataLostException e) {
            lost = true;
            sim.dataLost(this, e.getMessage());
            return;
        } catch (SimStorage.Crash c) {
            if (earlyAtSync == storage.syncs() && earlySent > 0) {
                sim.crashedAfterEarlySend(this, earlySent);
            } else {
                sim.crash(this, "crash in sync");
            }
            return;
        }
        observe();
    }

    private void observe() {
        Raft r = replica.raft();
        if (r.role() == Role.LEADER) {
            sim.checker.leader(r.term(), id);
            if (lastRole != Role.LEADER || lastTerm != r.term()) {
                sim.leaderElected(this);
                sim.checker.leaderCompleteness(logView());
            }
        }
        if (r.term() < lastTerm) {
            sim.fail("node " + id + " term went back from " + lastTerm + " to " + r.term());
        }
        lastRole = r.role();
        lastTerm = r.term();
        if (node.inputErrors() > 0) {
            sim.fail("node " + id + ": an input threw inside the node (node.input_errors " + node.inputErrors()
                    + "; a bug, see the log)");
        }
        if (!sim.checker.ok()) {
            sim.fail(String.join("; ", sim.checker.violations()));
        }
    }

    SafetyChecker.LogView logView() {
        return Simulation.view(id, replica.raft());
    }

    /** Nothing is sent through it: the simulator carries the node's datagrams itself. */
    private static final class NoTransport implements raftudp.transport.Transport {
        @Override
        public void start(java.util.Set<Integer> ports, raftudp.transport.DatagramSink sink) {
        }

        @Override
        public void send(int fromPort, InetSocketAddress to, byte[] payload) {
            throw new IllegalStateException("the simulator carries datagrams itself");
        }

        @Override
        public String name() {
            return "simulated";
        }

        @Override
        public void close() {
        }
    }
}
