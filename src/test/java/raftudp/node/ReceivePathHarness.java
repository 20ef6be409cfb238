package raftudp.node;

import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.core.Role;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.storage.MemoryStorage;
import raftudp.config.ClusterConfig;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;
import raftudp.wire.RaftHeader;
import raftudp.wire.WireCodec;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Three replicas behind the node's real receive path, in one thread, deterministic: every
 * datagram, between nodes or from an attacker, goes through {@link NodeReceiver} (decoder,
 * reassembly, {@link Admission}) into the replica ({@link raftudp.core.Raft} and the
 * key-value store), and everything a replica sends is encoded by {@link WireCodec}. Time is a
 * counter. Unlike the node's event loop, nothing here catches an exception: one that gets
 * out of the receive path fails the fuzz run that caused it.
 *
 * <p>It also watches the invariants a hostile datagram must never break: on every node the
 * term never falls and never passes {@link Raft#TERM_MAX}, the commit index never falls and
 * applied &le; commit &le; last; across the cluster, one leader per term and no committed
 * entry changed (checked by {@link #checkCluster}, which holds only while every forged
 * datagram comes from a non-member source: a host that can forge a member's address is
 * outside what the node can defend without a cluster key).
 */
final class ReceivePathHarness {
    static final ClusterConfig CLUSTER = ClusterConfig.testbed();
    /** The attacker's host: a non-member address. */
    static final InetSocketAddress OUTSIDER = new InetSocketAddress("10.0.1.11", 7777);
    /** A well-behaved client. */
    static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.2.22", 5000);

    /** A datagram on the harness's network. */
    record Datagram(InetSocketAddress from, int to, MessageClass toClass, byte[] bytes) {
    }

    final class Node {
        final int id;
        final WireStats stats = new WireStats();
        final NodeCounters counters = new NodeCounters();
        final WireCodec codec;
        final ArrayDeque<NodeInput> inbox = new ArrayDeque<>();
        final NodeReceiver receiver;
        final Replica<InetSocketAddress> replica;
        long admitted;
        long lastTerm;
        long lastCommit;

        Node(int id, long seed) {
            this.id = id;
            this.codec = new WireCodec(id, (int) seed, WireLimits.DEFAULT, stats);
            this.receiver = new NodeReceiver(id, CLUSTER, stats, () -> nowMs, in -> {
                admitted++;
                return inbox.add(in);
            }, counters, NodeReceiver.Decoding.plain());
            SplittableRandom r = new SplittableRandom(seed);
            Replica.Options options = new Replica.Options(snapshotEvery, 60_000, 1_000);
            this.replica = new Replica<>(NodeSettings.defaults().withTimeouts(10, 2, 6, 12).raftConfig(id,
                    CLUSTER.ids()), new MemoryStorage(), r::nextInt, new Out(this), options, () -> nowMs);
        }

        Raft raft() {
            return replica.raft();
        }
    }

    private final class Out implements Replica.Outbox<InetSocketAddress> {
        private final Node node;

        Out(Node node) {
            this.node = node;
        }

        @Override
        public void send(Message m) {
            MessageClass c = MessageType.of(m).messageClass();
            for (byte[] d : node.codec.encode(m)) {
                network.add(new Datagram(CLUSTER.node(node.id).socketOf(c), m.to(), c, d));
            }
        }

        @Override
        public void reply(InetSocketAddress client, ClientResponse response) {
            node.codec.encode(response); // the answer's encoding is exercised; it goes nowhere
            if (response.status() == ClientResponse.Status.OK) {
                okAnswers++;
            }
        }
    }

    final Node[] nodes;
    final ArrayDeque<Datagram> network = new ArrayDeque<>();
    /** Real datagrams seen on the network, for the attacker to mutate and replay (bounded). */
    final List<byte[]> captures = new ArrayList<>();
    private final int snapshotEvery;
    private final WireCodec clientCodec = new WireCodec(RaftHeader.NO_NODE, 1, WireLimits.DEFAULT, new WireStats());
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private final Map<Long, Long> committedTerm = new HashMap<>();
    long nowMs;
    long okAnswers;
    long injected;
    private long clientSeq;
    private final long clientId;

    ReceivePathHarness(long seed, int snapshotEvery) {
        this.snapshotEvery = snapshotEvery;
        this.clientId = seed | 1;
        nodes = new Node[CLUSTER.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i, seed * 31 + i);
        }
    }

    /** A datagram from {@code from} to node {@code to}'s port of {@code toClass}, handled at once. */
    void inject(InetSocketAddress from, int to, MessageClass toClass, byte[] bytes) {
        injected++;
        Node n = nodes[to];
        n.receiver.received(from, CLUSTER.node(to).ports().portOf(toClass), ByteBuffer.wrap(bytes));
        process(n);
    }

    /** Delivers up to {@code max} datagrams of the network, in order, to their nodes. */
    void deliver(int max) {
        for (int i = 0; i < max && !network.isEmpty(); i++) {
            Datagram d = network.poll();
            if (captures.size() < 512) {
                captures.add(d.bytes());
            } else {
                captures.set((int) (injected % 512), d.bytes());
            }
            Node n = nodes[d.to()];
            n.receiver.received(d.from(), CLUSTER.node(d.to()).ports().portOf(d.toClass()), ByteBuffer.wrap(d.bytes()));
            process(n);
        }
    }

    /** One tick on every node (10 ms of time). */
    void tick() {
        nowMs += 10;
        for (Node n : nodes) {
            n.replica.tick();
            n.replica.drain();
            check(n);
        }
    }

    /** Ticks and delivers until a leader is known to every node, or {@code ticksMax} ticks passed. */
    int settle(int ticksMax) {
        for (int t = 0; t < ticksMax; t++) {
            tick();
            deliver(10_000);
            int leader = nodes[0].raft().leader();
            boolean agreed = leader != Raft.NONE;
            for (Node n : nodes) {
                agreed &= n.raft().leader() == leader && n.raft().term() == nodes[0].raft().term();
            }
            if (agreed && nodes[leader].raft().role() == Role.LEADER) {
                return leader;
            }
        }
        return Raft.NONE;
    }

    /** A well-formed sessioned write from the good client to node {@code to}, through the wire. */
    void clientWrite(int to, raftudp.kv.Command command) {
        for (byte[] d : clientCodec.encode(new ClientRequest(clientId, ++clientSeq, command))) {
            nodes[to].receiver.received(CLIENT, CLUSTER.node(to).ports().client(), ByteBuffer.wrap(d));
        }
        process(nodes[to]);
    }

    private void process(Node n) {
        while (!n.inbox.isEmpty()) {
            NodeInput in = n.inbox.poll();
            if (in instanceof NodeInput.Peer p) {
                n.replica.receive(p.message());
            } else if (in instanceof NodeInput.Client c) {
                n.replica.submit(c.request(), c.client());
            } // status and fault requests: answered by the runtime, not part of the core's path
            n.replica.drain();
            check(n);
        }
    }

    /** The per-node invariants; a violation is an AssertionError naming the node. */
    private void check(Node n) {
        Raft r = n.raft();
        if (r.term() < n.lastTerm || r.term() > Raft.TERM_MAX) {
            throw new AssertionError("node " + n.id + ": term went from " + n.lastTerm + " to " + r.term());
        }
        if (r.commitIndex() < n.lastCommit) {
            throw new AssertionError("node " + n.id + ": commit went from " + n.lastCommit + " to " + r.commitIndex());
        }
        if (r.appliedIndex() > r.commitIndex() || r.commitIndex() > r.lastIndex()) {
            throw new AssertionError("node " + n.id + ": applied " + r.appliedIndex() + ", commit " + r.commitIndex()
                    + ", last " + r.lastIndex());
        }
        n.lastTerm = r.term();
        n.lastCommit = r.commitIndex();
        long accounted = n.stats.messagesReceived() - n.stats.messagesRejected() - n.admitted;
        if (accounted != 0) {
            throw new AssertionError("node " + n.id + ": " + n.stats.messagesReceived() + " messages delivered, "
                    + n.stats.messagesRejected() + " refused by admission, " + n.admitted + " admitted");
        }
    }

    /**
     * The cluster invariants (Raft §5.2 election safety, §5.4 state-machine safety): one leader
     * per term, and every index committed anywhere holds the same term wherever it is held.
     */
    void checkCluster() {
        for (Node n : nodes) {
            Raft r = n.raft();
            if (r.role() == Role.LEADER) {
                Integer other = leaderOfTerm.putIfAbsent(r.term(), n.id);
                if (other != null && other != n.id) {
                    throw new AssertionError("two leaders in term " + r.term() + ": " + other + " and " + n.id);
                }
            }
            long from = Math.max(r.firstIndex(), r.commitIndex() - 64);
            for (long i = from; i <= r.commitIndex(); i++) {
                long t = r.termAt(i);
                if (t < 0) {
                    continue;
                }
                Long seen = committedTerm.putIfAbsent(i, t);
                if (seen != null && seen != t) {
                    throw new AssertionError("committed index " + i + " holds term " + seen + " and term " + t
                            + " (node " + n.id + ")");
                }
            }
        }
    }

    /** Datagrams received over all nodes. */
    long datagramsReceived() {
        long n = 0;
        for (Node node : nodes) {
            n += node.stats.datagramsReceived();
        }
        return n;
    }
}
