package raftudp.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * A test bench of {@link Raft} cores joined by an in-memory message queue that the test
 * controls: messages are delivered in FIFO order by {@link #stabilize()}, and a filter can
 * drop any of them. Every Ready is carried out faithfully (persisted state is recorded so
 * a node can be restarted from it).
 */
final class CoreCluster {
    final Map<Integer, Raft> nodes = new LinkedHashMap<>();
    final Map<Integer, List<Entry>> applied = new HashMap<>();
    final Map<Integer, List<ReadState>> reads = new HashMap<>();
    final Map<Integer, Persisted> disk = new HashMap<>();
    final ArrayDeque<Message> queue = new ArrayDeque<>();
    final List<Message> sent = new ArrayList<>();
    /** The messages of {@link #sent} that came out of a Ready's {@code sendFirst}. */
    final List<Message> sentFirst = new ArrayList<>();
    Predicate<Message> drop = m -> false;
    /**
     * Nodes whose machine dies at their next Ready after its {@code sendFirst} went out and
     * before anything was persisted; each restarts at once from its disk.
     */
    final java.util.Set<Integer> crashBeforePersist = new java.util.HashSet<>();
    private final SplittableRandom random;
    private final java.util.function.IntFunction<Config> configs;
    /** Each node's data-directory incarnation; a wipe gives a node a new one. */
    private final Map<Integer, Long> incarnations = new HashMap<>();

    /** What a node persisted: enough to restart it. */
    static final class Persisted {
        HardState hard = HardState.EMPTY;
        Snapshot snapshot;
        final List<Entry> entries = new ArrayList<>();
    }

    CoreCluster(int size, long seed) {
        this(size, seed, id -> Config.defaults(id, IntStream.range(0, size).boxed().toList()));
    }

    CoreCluster(int size, long seed, java.util.function.IntFunction<Config> configs) {
        this.random = new SplittableRandom(seed);
        this.configs = configs;
        for (int i = 0; i < size; i++) {
            disk.put(i, new Persisted());
            start(i);
        }
    }

    /** (Re)starts node {@code id} from what it persisted. */
    Raft start(int id) {
        Persisted p = disk.get(id);
        SplittableRandom r = random.split();
        Raft raft = new Raft(configs.apply(id), p.hard, p.snapshot, p.entries, r::nextInt, s -> true,
                SnapshotSink.MEMORY, incarnations.computeIfAbsent(id, Raft::defaultIncarnation));
        nodes.put(id, raft);
        applied.put(id, new ArrayList<>());
        reads.put(id, new ArrayList<>());
        return raft;
    }

    Raft node(int id) {
        return nodes.get(id);
    }

    /** Node {@code id} restarts on an empty disk, with a new incarnation (an operator wiped its data directory). */
    Raft wipe(int id) {
        disk.put(id, new Persisted());
        incarnations.put(id, incarnations.get(id) + 0x100_0000L);
        return start(id);
    }

    /** Drops every message to or from {@code ids}. */
    void isolate(Integer... ids) {
        List<Integer> cut = List.of(ids);
        drop = m -> cut.contains(m.from()) || cut.contains(m.to());
    }

    void heal() {
        drop = m -> false;
    }

    /** Ticks node {@code id} {@code n} times, draining its Ready after each tick. */
    void tick(int id, int n) {
        for (int i = 0; i < n; i++) {
            node(id).tick();
            drain(id);
        }
    }

    /** Ticks {@code id} until its election timeout fires, then delivers everything. */
    void campaign(int id) {
        Raft r = node(id);
        long term = r.term();
        Role before = r.role();
        int guard = 0;
        while (r.role() == before && r.term() == term && guard++ < 1000) {
            r.tick();
            drain(id);
        }
        stabilize();
    }

    /** Elects {@code id} and delivers until quiet; asserts it led. */
    Raft elect(int id) {
        campaign(id);
        if (node(id).role() != Role.LEADER) {
            throw new AssertionError("node " + id + " was not elected: " + node(id));
        }
        return node(id);
    }

    /**
     * Ticks every node but {@code exclude}, one tick each in turn, delivering after each
     * round, until one of them leads. Returns the new leader.
     */
    Raft electNewLeader(int exclude) {
        for (int round = 0; round < 10_000; round++) {
            for (Raft r : nodes.values()) {
                if (r.id() != exclude) {
                    r.tick();
                    drain(r.id());
                }
            }
            stabilize();
            for (Raft r : nodes.values()) {
                if (r.id() != exclude && r.role() == Role.LEADER) {
                    return r;
                }
            }
        }
        throw new AssertionError("no leader emerged");
    }

    void drain(int id) {
        Raft r = node(id);
        while (r.hasReady()) {
            Ready rd = r.ready();
            sentFirst.addAll(rd.sendFirst());
            post(rd.sendFirst()); // may leave before the persist (thesis §10.2.1)
            if (crashBeforePersist.contains(id)) {
                crashBeforePersist.remove(id);
                start(id); // the machine died: nothing of rd reached its disk
                return;
            }
            Persisted p = disk.get(id);
            if (rd.snapshot() != null) {
                p.snapshot = rd.snapshot();
                p.entries.removeIf(e -> e.index() <= rd.snapshot().index());
            }
            if (!rd.entries().isEmpty()) {
                long first = rd.entries().get(0).index();
                p.entries.removeIf(e -> e.index() >= first);
                p.entries.addAll(rd.entries());
            }
            if (rd.hardState() != null) {
                p.hard = rd.hardState();
            }
            post(rd.messages());
            applied.get(id).addAll(rd.committed());
            reads.get(id).addAll(rd.readStates());
            r.advance(rd);
        }
    }

    void post(List<Message> messages) {
        for (Message m : messages) {
            sent.add(m);
            if (!drop.test(m)) {
                queue.addLast(m);
            }
        }
    }

    /** Delivers queued messages (and everything they cause) until nothing is left. */
    void stabilize() {
        for (int id : nodes.keySet()) {
            drain(id);
        }
        int guard = 0;
        while (!queue.isEmpty()) {
            if (guard++ > 1_000_000) {
                throw new AssertionError("no quiescence");
            }
            Message m = queue.pollFirst();
            Raft to = nodes.get(m.to());
            if (to == null) {
                continue;
            }
            to.step(m);
            drain(m.to());
        }
    }

    /** Delivers exactly the queued messages matching {@code which}; keeps the others queued. */
    void deliverOnly(Predicate<Message> which) {
        List<Message> keep = new ArrayList<>();
        List<Message> go = new ArrayList<>();
        while (!queue.isEmpty()) {
            Message m = queue.pollFirst();
            (which.test(m) ? go : keep).add(m);
        }
        queue.addAll(keep);
        for (Message m : go) {
            nodes.get(m.to()).step(m);
            drain(m.to());
        }
    }

    /** Proposes at {@code id} and delivers everything. */
    Raft.Proposal propose(int id, String data) {
        Raft.Proposal p = node(id).propose(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        stabilize();
        return p;
    }

    /** Ticks the leader once per heartbeat period and delivers. */
    void heartbeat(int leader) {
        tick(leader, node(leader).config().heartbeatTicks());
        stabilize();
    }

    List<Message> sentOfType(Class<? extends Message> type) {
        return sent.stream().filter(type::isInstance).toList();
    }

    static String text(Entry e) {
        return new String(e.data(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
