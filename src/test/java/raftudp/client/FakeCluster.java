package raftudp.client;

import raftudp.transport.TransportException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake nodes on a {@link MemoryNetwork}, 127.0.0.(i+1) port 9994 each, sharing one store.
 * By default node {@code leader} applies and answers OK and the others answer NOT_LEADER
 * with it as hint.
 */
final class FakeCluster implements AutoCloseable {
    static final int CLIENT_PORT = 9994;

    final MemoryNetwork network = new MemoryNetwork();
    final FakeNode.Store store = new FakeNode.Store();
    final List<FakeNode> nodes = new ArrayList<>();
    private final List<RaftClient> clients = new ArrayList<>();
    private volatile int leader;

    FakeCluster(int size, int leader) throws TransportException, UnknownHostException {
        this.leader = leader;
        for (int i = 0; i < size; i++) {
            InetAddress host = InetAddress.getByName("127.0.0." + (i + 1));
            InetSocketAddress at = new InetSocketAddress(host, CLIENT_PORT);
            FakeNode node = new FakeNode(i, at, network.transport(host), store, this::standard);
            node.role(i == leader ? "LEADER" : "FOLLOWER", leader);
            nodes.add(node);
        }
    }

    /** The standard policy: the leader answers OK, the others redirect to it. */
    void standard(FakeNode node, FakeNode.Request r) {
        if (node.id == leader) {
            node.answerOk(r);
        } else {
            node.notLeader(r, leader);
        }
    }

    void leader(int l) {
        leader = l;
    }

    FakeNode node(int i) {
        return nodes.get(i);
    }

    List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (FakeNode n : nodes) {
            out.add(n.address);
        }
        return out;
    }

    /** Short timeouts so that tests of retries and deadlines run fast. */
    ClientOptions fastOptions() {
        return ClientOptions.of(addresses()).withAttemptTimeoutMs(50).withBackoffMs(1, 10).withDeadlineMs(5_000)
                .withSeed(42);
    }

    RaftClient client(ClientOptions options) throws TransportException, UnknownHostException {
        RaftClient c = RaftClient.start(options, network.transport(InetAddress.getByName("127.0.0.100")));
        clients.add(c);
        return c;
    }

    @Override
    public void close() {
        for (RaftClient c : clients) {
            c.close();
        }
        for (FakeNode n : nodes) {
            n.close();
        }
        network.close();
    }
}
