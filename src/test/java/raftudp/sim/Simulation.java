package raftudp.sim;

import raftudp.check.CheckResult;
import raftudp.check.Linearizability;
import raftudp.check.Operation;
import raftudp.core.Raft;
import raftudp.core.Role;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.config.ClusterConfig;
import raftudp.wire.PortMap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

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
    record Stats(long events, long messages, long datagrams, long dropped, long crashes, long crashesAfterEarlySend,
                 long diskFulls, long tornCrashes,
                 long leaderChanges, int opsOk, int opsUnknown, long simMs, long wipes, long lostNodes) {
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

    /** Port every simulated client sends from. */
    static final int CLIENT_PORT = 40_000;
    private final ClusterConfig cluster;
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
    private long datagrams;
    /** Datagrams lost in the network (one-way cuts, partitions, loss). */
    private long dropped;
    private long crashes;
    /** Disks wiped; nodes stopped because they found their data lost. */
    private long wipes;
    private long crashesAfterEarlySend;
    private long diskFulls;
    private long leaderChanges;

    Simulation(SimParams params, boolean tracing) {
        this.p = params;
        this.random = new SplittableRandom(params.seed());
        this.tracing = tracing;
        this.nodes = new SimNode[params.nodes()];
        List<ClusterConfig.NodeAddress> members = new ArrayList<>();
        for (int i = 0; i < params.nodes(); i++) {
            members.add(new ClusterConfig.NodeAddress(nodeAddress(i), PortMap.DEFAULT));
        }
        this.cluster = new ClusterConfig(members);
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
        return tracing ? runLogged() : SimLogs.quietly(this::runLogged);
    }

    private Outcome runLogged() {
        try {
            runPhases();
        } catch (RuntimeException | AssertionError e) {
            fail("exception outside a node: " + e + " at " + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 6)));
        }
        int ok = (int) history.stream().filter(o -> o.output() != null).count();
        Stats stats = new Stats(events, messages, datagrams, dropped, crashes, crashesAfterEarlySend, diskFulls,
                Arrays.stream(nodes).mapToLong(n -> n.storage().tornCrashes()).sum(), leaderChanges, ok,
                history.size() - ok, now, wipes, Arrays.stream(nodes).filter(SimNode::lost).count());
        return new Outcome(p.seed(), failure, traceHash, trace.toString(), stats);
    }

    private void runPhases() {
        note("params " + p.summary());
        for (SimNode n : nodes) {
            n.start();
        }
        for (int i = 0; i < p.workload().clients(); i++) {
            SimClient c = new SimClient(i, this, random.split(), history, p);
            clients.add(c);
            schedule(random.nextInt(200), () -> c.start(null));
        }
        scheduleFault();
        runUntil(p.phases().safetyMs());
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
            if (!n.up() && !n.lost()) {
                n.start();
            }
        }
        note("healed: all nodes up (except those that lost their data), no partition, no loss");
        long healedAt = now;
        SimClient probe = new SimClient(clients.size(), this, random.split(), history, p);
        clients.add(probe);
        probe.stop();
        probe.start(new Command.Put("liveness", Value.of(healedAt)));
        long deadline = healedAt + p.phases().livenessMsMax();
        while (failure == null && probe.waiting() && !queue.isEmpty() && queue.peek().time <= deadline) {
            step();
        }
        if (failure == null && probe.completed() == 0) {
            fail("liveness: no write committed within " + p.phases().livenessMsMax() + "ms after healing: "
                    + appliedIndexes());
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

    /** The nodes that take part: all but those stopped because their data was lost. */
    private List<SimNode> members() {
        return Arrays.stream(nodes).filter(n -> !n.lost()).toList();
    }

    private boolean converged() {
        if (members().stream().anyMatch(n -> !n.up())) {
            return false;
        }
        long applied = members().get(0).replica().raft().appliedIndex();
        for (SimNode n : members()) {
            Raft r = n.replica().raft();
            if (r.appliedIndex() != applied || r.commitIndex() != applied) {
                return false;
            }
        }
        return members().stream().anyMatch(n -> n.replica().raft().role() == Role.LEADER);
    }

    private String appliedIndexes() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append(n.up() ? n.replica().raft().toString() : "node " + n.id() + (n.lost() ? " lost" : " down"))
                    .append(' ');
        }
        return sb.toString();
    }

    private void checkFinal() {
        for (SimNode n : nodes) {
            String drops = n.dishonestDrops();
            if (!drops.isEmpty()) {
                fail("node " + n.id() + " dropped honest datagrams: " + drops);
                return;
            }
        }
        checker.logMatching(members().stream().map(SimNode::logView).toList());
        if (!checker.ok()) {
            fail(String.join("; ", checker.violations()));
            return;
        }
        SimNode firstNode = members().get(0);
        byte[] first = firstNode.replica().kv().snapshot();
        for (SimNode n : members()) {
            if (!Arrays.equals(first, n.replica().kv().snapshot())) {
                fail("state machines differ after convergence: node " + firstNode.id() + " vs node " + n.id());
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
        schedule(50 + random.nextInt(p.faults().everyMsMax()), () -> {
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
                if (p.faults().crashes()) {
                    crashAndRestartLater(kind == 1 && leader != null ? leader : nodes[random.nextInt(nodes.length)]);
                }
            }
            case 2 -> {
                if (p.faults().partitions()) {
                    int groups = 2 + random.nextInt(2);
                    int[] part = new int[nodes.length];
                    for (int i = 0; i < nodes.length; i++) {
                        part[i] = random.nextInt(groups);
                    }
                    partition(part);
                }
            }
            case 3, 4 -> {
                if (p.faults().partitions() && leader != null) {
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
                if (p.faults().partitions()) {
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
                if (p.faults().diskFull()) {
                    SimNode n = leader != null && random.nextBoolean() ? leader : nodes[random.nextInt(nodes.length)];
                    fillDisk(n, 200 + random.nextInt(3_000));
                }
            }
        }
    }

    /** Node {@code n}'s disk is full for {@code ms}: its syncs fail, and it stops, until then. */
    private void fillDisk(SimNode n, int ms) {
        if (n.storage().full()) {
            return;
        }
        diskFulls++;
        note("disk full on node " + n.id() + " for " + ms + "ms");
        n.storage().setFull(true);
        schedule(ms, () -> {
            n.storage().setFull(false);
            note("disk of node " + n.id() + " has room again");
        });
    }

    /** A node stopped on a storage failure (its disk is full): a supervisor restarts it later. */
    void storageFailed(SimNode n, String why) {
        crash(n, why);
        schedule(50 + random.nextInt(1_000), () -> {
            if (faultsOn && !n.up() && !n.lost()) {
                n.start();
            }
        });
    }

    private void crashAndRestartLater(SimNode n) {
        if (!n.up()) {
            return;
        }
        crash(n, "crash");
        // at most a minority less one wiped, so that a majority keeps its data and the cluster can go on
        boolean wipe = p.faults().wipes() && random.nextBoolean() && wipes < (nodes.length - 1) / 2;
        if (wipe) {
            wipes++;
        }
        schedule(50 + random.nextInt(3_000), () -> {
            if (faultsOn && !n.up()) {
                if (wipe) {
                    note("wipe the disk of node " + n.id());
                    n.storage().wipe();
                }
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
            if (faultsOn && !n.up() && !n.lost()) {
                n.start();
            }
        });
    }

    /** A node found that its data directory is not the one it joined with, and stopped: it stays down. */
    void dataLost(SimNode n, String why) {
        note("node " + n.id() + " stopped, its data lost: " + why);
        n.crash();
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
        return p.network().delayMsMin() + random.nextInt(p.network().delayMsMax() - p.network().delayMsMin() + 1);
    }

    private boolean lost() {
        return faultsOn && p.network().dropRate() > 0 && random.nextDouble() < p.network().dropRate();
    }

    private boolean duplicated() {
        return faultsOn && p.network().duplicateRate() > 0 && random.nextDouble() < p.network().duplicateRate();
    }

    /**
     * Node {@code i}'s address: 127.0.0.(i+1). Only ever an address in memory: the simulated
     * network carries the datagrams, nothing reaches a socket.
     */
    static InetAddress nodeAddress(int i) {
        return ipv4(127, 0, 0, i + 1);
    }

    /** Client {@code c}'s address and port: 127.0.1.(c+1), port 40000. */
    static InetSocketAddress clientAddress(int c) {
        return new InetSocketAddress(ipv4(127, 0, 1, c + 1), CLIENT_PORT);
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The members, as every node's cluster file would list them. */
    ClusterConfig cluster() {
        return cluster;
    }

    /** Node index (>= 0) or client index (as -1 - c) of an address of the simulation. */
    private static int endpoint(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return b[2] == 0 ? (b[3] & 0xFF) - 1 : -1 - ((b[3] & 0xFF) - 1);
    }

    /**
     * Sends the datagrams of one message. Each datagram travels on its own: lost,
     * duplicated and delayed apart from the others (so the chunks of a message arrive out of
     * order, twice, or not at all, and reassembly sees it). Partitions and one-way cuts
     * separate nodes; clients reach every node, through loss, duplication and delay.
     */
    void transmit(InetSocketAddress from, InetSocketAddress to, List<byte[]> datagrams) {
        int src = endpoint(from);
        int dst = endpoint(to);
        messages++;
        for (byte[] d : datagrams) {
            this.datagrams++;
            if ((src >= 0 && dst >= 0 && !connected(src, dst)) || lost()) {
                dropped++;
                continue;
            }
            int copies = duplicated() ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                schedule(delay(), () -> deliver(from, src, to, dst, d));
            }
        }
    }

    private void deliver(InetSocketAddress from, int src, InetSocketAddress to, int dst, byte[] datagram) {
        if (dst < 0) {
            clientById(-1 - dst).onDatagram(from, datagram);
            return;
        }
        if (dst >= nodes.length) {
            return; // nobody at that address
        }
        SimNode n = nodes[dst];
        if (n.up() && (src < 0 || connected(src, dst))) {
            n.receive(from, to.getPort(), datagram);
        }
    }

    private SimClient clientById(int id) {
        return clients.get(id);
    }

    /** Entries of node logs, for checks. */
    static SafetyChecker.LogView view(int id, Raft r) {
        return SafetyChecker.view(id, r.firstIndex(), r.lastIndex(), r::entryAt);
    }

}
