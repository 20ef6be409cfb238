package raftudp.client;

import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * How a {@link RaftClient} reaches the cluster and how long it tries. Every limit is
 * bounded and checked; {@link #of} gives the defaults and the {@code with…} methods
 * change one field.
 *
 * @param nodes            the nodes' client addresses; index = node id (as in leader hints)
 * @param firstNode        the node asked first while no leader is known
 * @param localPort        the client's UDP source port; 0 lets the transport pick one
 * @param deadlineMs       an operation not answered within this is given up
 *                         ({@link RaftClientException.Kind#NO_LEADER})
 * @param attemptTimeoutMs how long the first attempt waits for an answer before it is retried; the wait
 *                         doubles after each unanswered attempt, up to 8 times this
 * @param backoffBaseMs    first backoff before a retry; doubles per retry, with jitter
 * @param backoffMaxMs     largest backoff
 * @param attemptsMax      most sends of one operation (redirects included)
 * @param inFlightMax      most operations waiting for an answer at once, over all callers
 * @param seed             seed of client ids, read ids and jitter; 0 picks an unpredictable one
 * @param clusterKey       the cluster key: requests are authenticated and answers must be; null for none
 * @param paceGapMicros    least time between two datagrams of one multi-datagram request (a large
 *                         value); 0 sends them back to back (see {@link raftudp.transport.Pacer})
 */
public record ClientOptions(List<InetSocketAddress> nodes, int firstNode, int localPort, long deadlineMs,
                            long attemptTimeoutMs, long backoffBaseMs, long backoffMaxMs, int attemptsMax,
                            int inFlightMax, long seed, ClusterKey clusterKey, long paceGapMicros) {

    public static final long DEADLINE_MS_DEFAULT = 10_000;
    public static final long ATTEMPT_TIMEOUT_MS_DEFAULT = 300;
    public static final long BACKOFF_BASE_MS_DEFAULT = 20;
    public static final long BACKOFF_MAX_MS_DEFAULT = 1_000;
    public static final int ATTEMPTS_MAX_DEFAULT = 1_000;
    public static final int IN_FLIGHT_MAX_DEFAULT = 1_024;
    /** Bound of {@link #inFlightMax()}. */
    public static final int IN_FLIGHT_LIMIT = 65_536;

    /** @throws IllegalArgumentException naming the field that is out of range */
    public ClientOptions {
        nodes = List.copyOf(nodes);
        require(!nodes.isEmpty() && nodes.size() <= ClusterConfig.NODES_MAX, "nodes: 1.." + ClusterConfig.NODES_MAX);
        require(firstNode >= 0 && firstNode < nodes.size(), "firstNode " + firstNode + " outside 0.." + (nodes.size() - 1));
        require(localPort >= 0 && localPort <= 0xFFFF, "localPort " + localPort + " outside 0..65535");
        require(deadlineMs >= 1 && deadlineMs <= 3_600_000, "deadlineMs " + deadlineMs + " outside 1..3600000");
        require(attemptTimeoutMs >= 1 && attemptTimeoutMs <= 60_000,
                "attemptTimeoutMs " + attemptTimeoutMs + " outside 1..60000");
        require(backoffBaseMs >= 1 && backoffMaxMs >= backoffBaseMs && backoffMaxMs <= 60_000,
                "backoff: need 1 <= backoffBaseMs <= backoffMaxMs <= 60000");
        require(attemptsMax >= 1 && attemptsMax <= 1_000_000, "attemptsMax " + attemptsMax + " outside 1..1000000");
        require(inFlightMax >= 1 && inFlightMax <= IN_FLIGHT_LIMIT,
                "inFlightMax " + inFlightMax + " outside 1.." + IN_FLIGHT_LIMIT);
        require(paceGapMicros >= 0 && paceGapMicros <= 100_000, "paceGapMicros " + paceGapMicros + " outside 0..100000");
    }

    /** The defaults for {@code nodes}: ask node 0 first, any source port. */
    public static ClientOptions of(List<InetSocketAddress> nodes) {
        return new ClientOptions(nodes, 0, 0, DEADLINE_MS_DEFAULT, ATTEMPT_TIMEOUT_MS_DEFAULT, BACKOFF_BASE_MS_DEFAULT,
                BACKOFF_MAX_MS_DEFAULT, ATTEMPTS_MAX_DEFAULT, IN_FLIGHT_MAX_DEFAULT, 0, null, 0);
    }

    /** A copy that spaces the datagrams of multi-datagram requests {@code gapMicros} apart (0: back to back). */
    public ClientOptions withPacing(long gapMicros) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, clusterKey, gapMicros);
    }

    public ClientOptions withFirstNode(int node) {
        return new ClientOptions(nodes, node, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withLocalPort(int port) {
        return new ClientOptions(nodes, firstNode, port, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withDeadlineMs(long ms) {
        return new ClientOptions(nodes, firstNode, localPort, ms, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withAttemptTimeoutMs(long ms) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, ms, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withBackoffMs(long baseMs, long maxMs) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, baseMs, maxMs,
                attemptsMax, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withAttemptsMax(int n) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                n, inFlightMax, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withInFlightMax(int n) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, n, seed, clusterKey, paceGapMicros);
    }

    public ClientOptions withSeed(long s) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, s, clusterKey, paceGapMicros);
    }

    /** A copy that authenticates with {@code key} (null: none). */
    public ClientOptions withClusterKey(ClusterKey key) {
        return new ClientOptions(nodes, firstNode, localPort, deadlineMs, attemptTimeoutMs, backoffBaseMs, backoffMaxMs,
                attemptsMax, inFlightMax, seed, key, paceGapMicros);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("bad client options: " + what);
        }
    }
}
