package raftudp.sim;

import raftudp.check.CheckResult;
import raftudp.check.Linearizability;
import raftudp.check.Operation;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.core.Role;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.node.Replica;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One seeded run of a simulated cluster (TigerBeetle VOPR style). Network (delay, loss,
 * duplication, reordering, partitions), clocks, disks (lost unsynced writes, crashes inside
 * sync) and process crashes are all simulated from the seed, so a seed replays exactly.
 *
 * <p>Safety phase: faults and client load; the {@link SafetyChecker} watches every step.
 * Liveness phase: every fault heals; a fresh write must commit within a bound. Then the
 * nodes must converge to byte-identical state machines, and the client history must be
 * linearizable.
 */
final class Simulation {
    /** What a run found. {@code failure} is null when every check passed. */
    record Outcome(long seed, String failure, long traceHash, String trace, Stats stats) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Counters of one run. */
    record Stats(long events, long messages, long dropped, long crashes, long crashesAfterEarlySend,
                 long leaderChanges, int opsOk, int opsUnknown, long simMs) {
    }

    private record Event(long time, long seq, Runnable action) {
    }

    private final SimParams p;
    private final SplittableRandom random;
    private final boolean tracing;
    private final StringBuilder trace = new StringBuilder();
    private long traceHash = 1125899906842597L;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long now;
    private long eventSeq;

    private final SimNode[] nodes;
    private final List<SimClient> clients = new ArrayList<>();
    private final List<Operation> history = new ArrayList<>();
    final SafetyChecker checker = new SafetyChecker();
    private int[] partitionOf;
    /** Directed links cut one way (from * 64 + to). */
    private final java.util.Set<Integer> blocked = new java.util.HashSet<>();
    private boolean faultsOn = true;
    private String failure;
    private long events;
    private long messages;
    private long dropped;
    private long crashes;
    private long crashesAfterEarlySend;
    private long leaderChanges;

    Simulation(SimParams params, boolean tracing) {
        this.p = params;
        this.random = new SplittableRandom(params.seed());
        this.tracing = tracing;
        this.nodes = new SimNode[params.nodes()];
        this.partitionOf = new int[params.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(i, this, p, random.split());
        }
    }

    long now() {
        return now;
    }

    int size() {
        return nodes.length;
    }

    void schedule(long delayMs, Runnable action) {
        queue.add(new Event(now + Math.max(0, delayMs), eventSeq++, action));
    }

    void note(String what) {
        String line = now + " " + what;
        traceHash = traceHash * 31 + line.hashCode();
        if (tracing) {
            trace.append(line).append('\n');
        }
    }

    void fail(String what) {
        if (failure == null) {
            failure = "t=" + now + "ms: " + what;
            note("FAIL " + what);
        }
    }

    // ---------------------------------------------------------------- run

    Outcome run() {
        try {
            runPhases();
        } catch (RuntimeException | AssertionError e) {
            fail("exception outside a node: " + e + " at " + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 6)));
        }
        int ok = (int) history.stream().filter(o -> o.output() != null).count();
        Stats stats = new Stats(events, messages, dropped, crashes, crashesAfterEarlySend, leaderChanges, ok, history.size() - ok, now);
        return new Outcome(p.seed(), failure, traceHash, trace.toString(), stats);
    }

    private void runPhases() {
        note("params " + p.summary());
        for (SimNode n : nodes) {
            n.start();
        }
        for (int i = 0; i < p.clients(); i++) {
            SimClient c = new SimClient(i, this, random.split(), history, p);
            clients.add(c);
            schedule(random.nextInt(200), () -> c.start(null));
        }
        scheduleFault();
        runUntil(p.safetyPhaseMs());
        if (failure == null) {
            liveness();
        }
        for (SimClient c : clients) {
            c.abandon();
        }
        if (failure == null) {
            checkFinal();
        }
    }

    private void runUntil(long end) {
        while (failure == null && !queue.isEmpty() && queue.peek().time <= end) {
            step();
        }
        now = Math.max(now, end);
    }

    private void step() {
        Event e = queue.poll();
        now = e.time;
        events++;
        try {
            e.action.run();
        } catch (RuntimeException | AssertionError ex) {
            fail("exception: " + ex + " at " + Arrays.toString(Arrays.copyOf(ex.getStackTrace(), 6)));
        }
    }

    /** Heal everything, then a fresh write must commit within the bound. */
    private void liveness() {
        faultsOn = false;
        partitionOf = new int[nodes.length];
        blocked.clear();
        for (SimNode n : nodes) {
            n.disableDiskCrashes();
            if (!n.up()) {
                n.start();
            }
        }
        note("healed: all nodes up, no partition, no loss");
        long healedAt = now;
        SimClient probe = new SimClient(clients.size(), this, random.split(), history, p);
        clients.add(probe);
        probe.stop();
        probe.start(new Command.Put("liveness", Value.of(healedAt)));
        long deadline = healedAt + p.livenessPhaseMsMax();
        while (failure == null && probe.waiting() && !queue.isEmpty() && queue.peek().time <= deadline) {
            step();
        }
        if (failure == null && probe.completed() == 0) {
            fail("liveness: no write committed within " + p.livenessPhaseMsMax() + "ms after healing");
            return;
        }
        note("liveness: write committed " + (now - healedAt) + "ms after healing");
        for (SimClient c : clients) {
            c.stop();
        }
        long settle = now + 5_000;
        while (failure == null && !queue.isEmpty() && queue.peek().time <= settle
                && clients.stream().anyMatch(SimClient::waiting)) {
            step();
        }
        // let every node catch up with the leader's commit index
        long converge = now + 10_000;
        while (failure == null && !queue.isEmpty() && queue.peek().time <= converge && !converged()) {
            step();
        }
        if (failure == null && !converged()) {
            fail("convergence: nodes did not reach the same applied index: " + appliedIndexes());
        }
    }

    private boolean converged() {
        if (Arrays.stream(nodes).anyMatch(n -> !n.up())) {
            return false;
        }
        long applied = nodes[0].replica().raft().appliedIndex();
        for (SimNode n : nodes) {
            Raft r = n.replica().raft();
            if (r.appliedIndex() != applied || r.commitIndex() != applied) {
                return false;
            }
        }
        return Arrays.stream(nodes).anyMatch(n -> n.replica().raft().role() == Role.LEADER);
    }

    private String appliedIndexes() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append(n.up() ? n.replica().raft().toString() : "node " + n.id() + " down").append(' ');
        }
        return sb.toString();
    }

    private void checkFinal() {
        checker.logMatching(Arrays.stream(nodes).map(SimNode::logView).toList());
        if (!checker.ok()) {
            fail(String.join("; ", checker.violations()));
            return;
        }
        byte[] first = nodes[0].replica().kv().snapshot();
        for (SimNode n : nodes) {
            if (!Arrays.equals(first, n.replica().kv().snapshot())) {
                fail("state machines differ after convergence: node 0 vs node " + n.id());
                return;
            }
        }
        CheckResult lin = Linearizability.check(history);
        if (!lin.isOk()) {
            fail("linearizability " + lin.verdict() + " on key " + lin.key() + ": " + lin.explanation());
        }
    }

    // ---------------------------------------------------------------- faults

    private void scheduleFault() {
        schedule(50 + random.nextInt(p.faultEveryMsMax()), () -> {
            if (!faultsOn) {
                return;
            }
            injectFault();
            scheduleFault();
        });
    }

    private void injectFault() {
        int kind = random.nextInt(10);
        SimNode leader = currentLeader();
        switch (kind) {
            case 0, 1 -> {
                if (p.crashes()) {
                    crashAndRestartLater(kind == 1 && leader != null ? leader : nodes[random.nextInt(nodes.length)]);
                }
            }
            case 2 -> {
                if (p.partitions()) {
                    int groups = 2 + random.nextInt(2);
                    int[] part = new int[nodes.length];
                    for (int i = 0; i < nodes.length; i++) {
                        part[i] = random.nextInt(groups);
                    }
                    partition(part);
                }
            }
            case 3, 4 -> {
                if (p.partitions() && leader != null) {
                    // cut the leader off, alone or with one follower (a minority in 5 nodes)
                    int[] part = new int[nodes.length];
                    part[leader.id()] = 1;
                    if (kind == 4 && nodes.length == 5) {
                        part[(leader.id() + 1 + random.nextInt(nodes.length - 1)) % nodes.length] = 1;
                    }
                    partition(part);
                }
            }
            case 5, 6 -> {
                blocked.clear();
                partition(new int[nodes.length]);
            }
            case 7 -> {
                if (p.partitions()) {
                    int from = random.nextInt(nodes.length);
                    int to = random.nextInt(nodes.length);
                    if (from != to) {
                        blocked.add(from * 64 + to);
                        note("block link " + from + " -> " + to);
                    }
                }
            }
            case 8 -> {
                if (leader != null) {
                    int to = random.nextInt(nodes.length);
                    note("transfer leadership " + leader.id() + " -> " + to);
                    leader.transfer(to);
                }
            }
            default -> {
            }
        }
    }

    private void crashAndRestartLater(SimNode n) {
        if (!n.up()) {
            return;
        }
        crash(n, "crash");
        schedule(50 + random.nextInt(3_000), () -> {
            if (faultsOn && !n.up()) {
                n.start();
            }
        });
    }

    private void partition(int[] part) {
        partitionOf = part;
        note("partition " + Arrays.toString(part));
    }

    private SimNode currentLeader() {
        SimNode best = null;
        for (SimNode n : nodes) {
            if (n.up() && n.replica().raft().role() == Role.LEADER
                    && (best == null || n.replica().raft().term() > best.replica().raft().term())) {
                best = n;
            }
        }
        return best;
    }

    void crash(SimNode n, String why) {
        crashes++;
        note(why + " node " + n.id());
        n.crash();
    }

    /**
     * A leader died in sync after that Ready's replication had left (thesis §10.2.1):
     * followers may hold entries its disk lost. It comes back later in the safety phase, so
     * that it rejoins as a follower of the term it led, with a shorter log than theirs.
     */
    void crashedAfterEarlySend(SimNode n, int early) {
        crashesAfterEarlySend++;
        crash(n, "crash in sync after " + early + " replication message(s) left early");
        schedule(50 + random.nextInt(3_000), () -> {
            if (faultsOn && !n.up()) {
                n.start();
            }
        });
    }

    void leaderElected(SimNode n) {
        leaderChanges++;
        note("leader " + n.id() + " term " + n.replica().raft().term());
    }

    // ---------------------------------------------------------------- network

    private boolean connected(int a, int b) {
        return partitionOf[a] == partitionOf[b] && !blocked.contains(a * 64 + b);
    }

    private int delay() {
        return p.delayMsMin() + random.nextInt(p.delayMsMax() - p.delayMsMin() + 1);
    }

    private boolean lost() {
        return faultsOn && p.dropRate() > 0 && random.nextDouble() < p.dropRate();
    }

    private boolean duplicated() {
        return faultsOn && p.duplicateRate() > 0 && random.nextDouble() < p.duplicateRate();
    }

    /** A node sends a Raft message. */
    void send(Message m) {
        messages++;
        if (!connected(m.from(), m.to()) || lost()) {
            dropped++;
            return;
        }
        int copies = duplicated() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            schedule(delay(), () -> {
                SimNode to = nodes[m.to()];
                if (to.up() && connected(m.from(), m.to())) {
                    to.receive(m);
                }
            });
        }
    }

    /** A client sends a request to a node. */
    void clientSend(int client, int node, ClientRequest r) {
        if (lost()) {
            return;
        }
        schedule(delay(), () -> {
            SimNode n = nodes[node];
            if (n.up()) {
                n.submit(r, client);
            }
        });
    }

    /** A node answers a client. */
    void reply(int client, ClientResponse r) {
        if (lost()) {
            return;
        }
        int copies = duplicated() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            schedule(delay(), () -> clientById(client).onResponse(r));
        }
    }

    private SimClient clientById(int id) {
        return clients.get(id);
    }

    /** Entries of node logs, for checks. */
    static SafetyChecker.LogView view(int id, Raft r) {
        return SafetyChecker.view(id, r.firstIndex(), r.lastIndex(), r::entryAt);
    }

    Replica.Options replicaOptions() {
        return new Replica.Options(p.snapshotEveryEntries(), 3_600_000, 100_000);
    }
}
