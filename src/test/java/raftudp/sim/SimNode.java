package raftudp.sim;

import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.core.Role;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.node.Replica;

import java.util.SplittableRandom;

/**
 * A simulated machine running one {@link Replica}: its own tick timer (with a little
 * drift), its own disk, and a process that can crash and restart from that disk.
 */
final class SimNode {
    /** Wall-clock time at simulated time 0 (2023-11-14), so skewed clocks stay positive. */
    private static final long EPOCH_MS = 1_700_000_000_000L;
    private final int id;
    private final Simulation sim;
    private final SimParams p;
    private final SplittableRandom random;
    /** The node's disk: survives crashes (but not what was never synced). */
    private final SimStorage storage;
    private final int tickPeriodMs;
    private final long clockSkewMs;
    private Replica<Integer> replica;
    private int incarnation;
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
        this.storage = new SimStorage(random.split(), p.crashInSyncRate());
        this.tickPeriodMs = p.tickMs() - 1 + random.nextInt(3); // clocks drift a little
        this.clockSkewMs = random.nextInt(10_000) - 5_000;      // and disagree on the time
    }

    /** From now on the disk never dies inside sync (the liveness phase). */
    void disableDiskCrashes() {
        storage.disableCrashes();
    }

    int id() {
        return id;
    }

    boolean up() {
        return replica != null;
    }

    Replica<Integer> replica() {
        return replica;
    }

    /** Boots (or reboots) the process from what the disk holds. */
    void start() {
        incarnation++;
        Replica.Outbox<Integer> out = new Replica.Outbox<>() {
            @Override
            public void send(Message m) {
                countEarly(m);
                sim.send(m);
            }

            @Override
            public void reply(Integer client, ClientResponse response) {
                sim.reply(client, response);
            }
        };
        replica = new Replica<>(p.config(id), storage, random.split()::nextInt, out, sim.replicaOptions(),
                () -> EPOCH_MS + sim.now() + clockSkewMs);
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

    /**
     * Counts the leader's replication messages sent since the last successful sync: those of
     * the Ready whose sync is under way ({@code Ready.sendFirst} leaves before the persist).
     */
    private void countEarly(Message m) {
        boolean replication = m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk;
        if (!replication || replica == null || replica.raft().role() != Role.LEADER) {
            return;
        }
        if (earlyAtSync != storage.syncs()) {
            earlyAtSync = storage.syncs();
            earlySent = 0;
            if (p.crashAfterEarlySendRate() > 0 && random.nextDouble() < p.crashAfterEarlySendRate()) {
                storage.crashAtNextSync(); // die after the early send, before the persist
            }
        }
        earlySent++;
    }

    void crash() {
        replica = null;
        incarnation++;
        storage.disk.crash();
    }

    private void tick(int inc) {
        if (inc != incarnation) {
            return;
        }
        guarded(() -> replica.tick());
        if (inc == incarnation) {
            sim.schedule(tickPeriodMs, () -> tick(inc));
        }
    }

    void receive(Message m) {
        guarded(() -> replica.receive(m));
    }

    void submit(ClientRequest r, int client) {
        guarded(() -> replica.submit(r, client));
    }

    void transfer(int to) {
        guarded(() -> replica.transferLeadership(to));
    }

    /** Runs an input then drains; a crash inside sync takes the node down. */
    private void guarded(Runnable input) {
        try {
            input.run();
            replica.drain();
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
        if (!sim.checker.ok()) {
            sim.fail(String.join("; ", sim.checker.violations()));
        }
    }

    SafetyChecker.LogView logView() {
        return Simulation.view(id, replica.raft());
    }
}
