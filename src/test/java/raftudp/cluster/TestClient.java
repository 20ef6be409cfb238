package raftudp.cluster;

import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.config.ClusterConfig;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.wire.MessageClass;
import raftudp.wire.RaftHeader;
import raftudp.wire.StatusReport;
import raftudp.wire.StatusRequest;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A minimal client speaking the wire protocol through a {@link Transport}, for the cluster
 * tests (the real client library lives in {@code raftudp.client}). Writes carry a session
 * (a random clientId, seq 1, 2, 3, ...) and are retried with the same (clientId, seq);
 * reads are sessionless (clientId 0, a fresh seq each). Follows NOT_LEADER hints, and when
 * no leader is known asks every node's status.
 */
public final class TestClient implements AutoCloseable {
    private final ClusterConfig cluster;
    private final Transport transport;
    private final int port;
    private final WireCodec codec;
    private final WireDecoder decoder;
    private final long clientId;
    private long seq;
    private long readSeq;
    private int leaderGuess;
    private final Map<String, CompletableFuture<ClientResponse>> pending = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<StatusReport>> statuses = new ConcurrentHashMap<>();

    /** Starts listening on {@code port} of {@code transport}'s host. */
    public TestClient(ClusterConfig cluster, Transport transport, int port, long seed) throws TransportException {
        SplittableRandom random = new SplittableRandom(seed);
        this.cluster = cluster;
        this.transport = transport;
        this.port = port;
        WireStats stats = new WireStats();
        this.codec = new WireCodec(RaftHeader.NO_NODE, random.nextInt(), WireLimits.DEFAULT, stats);
        this.decoder = new WireDecoder(stats, () -> System.nanoTime() / 1_000_000, "test client");
        long id = random.nextLong();
        this.clientId = id == 0 ? 1 : id;
        this.readSeq = random.nextLong() >>> 2;
        transport.start(Set.of(port), this::received);
    }

    private void received(InetSocketAddress from, int localPort, ByteBuffer payload) {
        Optional<WireDecoder.Received> got;
        synchronized (decoder) {
            got = decoder.decode(payload, from, MessageClass.CLIENT);
        }
        got.ifPresent(r -> {
            if (r.message() instanceof ClientResponse resp) {
                CompletableFuture<ClientResponse> f = pending.get(key(resp.clientId(), resp.seq()));
                if (f != null) {
                    f.complete(resp);
                }
            } else if (r.message() instanceof StatusReport s) {
                CompletableFuture<StatusReport> f = statuses.get(s.nodeId());
                if (f != null) {
                    f.complete(s);
                }
            }
        });
    }

    private static String key(long clientId, long seq) {
        return clientId + ":" + seq;
    }

    private void sendTo(int node, Object message) {
        InetSocketAddress to = cluster.node(node).socketOf(MessageClass.CLIENT);
        for (byte[] d : codec.encode(message)) {
            transport.send(port, to, d);
        }
    }

    /** Sends {@code request} to {@code node} once; empty when no answer came within {@code timeout}. */
    public Optional<ClientResponse> call(int node, ClientRequest request, Duration timeout) {
        String k = key(request.clientId(), request.seq());
        CompletableFuture<ClientResponse> f = new CompletableFuture<>();
        pending.put(k, f);
        try {
            sendTo(node, request);
            return Optional.of(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            pending.remove(k, f);
        }
    }

    /** Asks {@code node} for its status; empty when it does not answer within {@code timeout}. */
    public Optional<StatusReport> status(int node, Duration timeout) {
        CompletableFuture<StatusReport> f = new CompletableFuture<>();
        statuses.put(node, f);
        try {
            sendTo(node, new StatusRequest());
            return Optional.of(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            statuses.remove(node, f);
        }
    }

    /** The next write request of this client's session (seq 1, 2, 3, ...). */
    public ClientRequest nextWrite(Command command) {
        return new ClientRequest(clientId, ++seq, command);
    }

    /** A sessionless read request. */
    public ClientRequest nextRead(Command.Get get) {
        return new ClientRequest(0, ++readSeq, get);
    }

    /** Runs a write to completion: an OK answer, following redirects and retrying the same seq. */
    public ClientResponse write(Command command, Duration timeout) {
        return execute(nextWrite(command), timeout, Duration.ofSeconds(2));
    }

    /** A linearizable read through the leader. */
    public ClientResponse read(String key, Duration timeout) {
        return execute(nextRead(new Command.Get(key)), timeout, Duration.ofSeconds(2));
    }

    /**
     * Sends {@code request} until a node answers OK: to the leader it believes in, then where
     * NOT_LEADER points, and when nobody is known to the node that claims leadership.
     *
     * @param tryTimeout how long one attempt waits for an answer (a 1 MiB value needs longer)
     */
    public ClientResponse execute(ClientRequest request, Duration timeout, Duration tryTimeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int target = leaderGuess;
        String last = "no attempt";
        while (System.nanoTime() - deadline < 0) {
            Optional<ClientResponse> r = call(target, request, tryTimeout);
            if (r.isPresent() && r.get().status() == ClientResponse.Status.OK) {
                leaderGuess = target;
                return r.get();
            }
            last = r.map(x -> x.status() + " from node ").orElse("no answer from node ") + target;
            int hint = r.map(ClientResponse::leaderHint).orElse(-1);
            target = hint >= 0 && hint != target ? hint : findLeader(Duration.ofMillis(200)).orElse(target);
        }
        throw new AssertionError("request " + request.clientId() + ":" + request.seq() + " got no OK within "
                + timeout.toMillis() + " ms; last: " + last);
    }

    /** The node that reports itself leader (at the highest term) within {@code timeout}, if any. */
    public Optional<Integer> findLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<Integer> best = Optional.empty();
        do {
            long bestTerm = -1;
            for (int i = 0; i < cluster.size(); i++) {
                Optional<StatusReport> s = status(i, Duration.ofMillis(50));
                if (s.isPresent() && s.get().role().equals("LEADER") && s.get().term() > bestTerm) {
                    bestTerm = s.get().term();
                    best = Optional.of(i);
                }
            }
        } while (best.isEmpty() && System.nanoTime() - deadline < 0);
        return best;
    }

    /** Sends the next requests to {@code id} first (a leader found by other means). */
    public void assumeLeader(int id) {
        leaderGuess = id;
    }

    public long clientId() {
        return clientId;
    }

    @Override
    public void close() {
        transport.close();
    }
}
