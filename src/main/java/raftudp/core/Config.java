package raftudp.core;

import java.util.List;

/**
 * Static configuration of one Raft node. Time is counted in ticks; the runtime decides how
 * long a tick is. Every limit has its unit last in its name.
 *
 * @param id                        this node's id; must be in {@code nodes}
 * @param nodes                     ids of all voting members, this node included
 * @param electionTicksMin          lower bound (inclusive) of the randomized election timeout;
 *                                  also the check-quorum and leader-lease period
 * @param electionTicksMax          upper bound (exclusive) of the randomized election timeout
 * @param heartbeatTicks            leader heartbeat period
 * @param preVote                   run a pre-vote before incrementing the term (thesis §9.6)
 * @param checkQuorum               leader steps down without a quorum's contact for an
 *                                  election timeout; followers then honour a leader lease
 * @param appendEntriesMax          most entries in one AppendRequest
 * @param appendBytesMax            most entry bytes in one AppendRequest (at least one entry
 *                                  is always sent)
 * @param inflightAppendsMax        unacknowledged AppendRequests per follower (pipelining window)
 * @param snapshotChunkBytesMax     bytes of snapshot data in one chunk
 * @param inflightSnapshotChunksMax unacknowledged snapshot chunks per follower
 * @param uncommittedEntriesMax     proposals beyond this many uncommitted entries are refused
 * @param pendingReadsMax           ReadIndex requests waiting at the leader
 */
public record Config(int id, List<Integer> nodes, int electionTicksMin, int electionTicksMax,
                     int heartbeatTicks, boolean preVote, boolean checkQuorum,
                     int appendEntriesMax, int appendBytesMax, int inflightAppendsMax,
                     int snapshotChunkBytesMax, int inflightSnapshotChunksMax,
                     int uncommittedEntriesMax, int pendingReadsMax) {

    /** Entry bytes per AppendRequest so that a batch fits one 1500-byte Ethernet frame. */
    public static final int DATAGRAM_APPEND_BYTES = 1300;

    public Config {
        nodes = List.copyOf(nodes);
        require(nodes.contains(id), "id " + id + " not in nodes " + nodes);
        require(nodes.stream().distinct().count() == nodes.size(), "duplicate node ids " + nodes);
        require(nodes.stream().allMatch(n -> n >= 0 && n < 65535), "node ids are 0..65534");
        require(heartbeatTicks >= 1, "heartbeatTicks >= 1");
        require(electionTicksMin > heartbeatTicks, "electionTicksMin must exceed heartbeatTicks");
        require(electionTicksMax > electionTicksMin, "electionTicksMax must exceed electionTicksMin");
        require(appendEntriesMax >= 1 && appendBytesMax >= 1, "append limits >= 1");
        require(inflightAppendsMax >= 1, "inflightAppendsMax >= 1");
        require(snapshotChunkBytesMax >= 1 && inflightSnapshotChunksMax >= 1, "snapshot limits >= 1");
        require(uncommittedEntriesMax >= 1 && pendingReadsMax >= 1, "queue limits >= 1");
    }

    /** Defaults for a cluster of {@code nodes}: 10 ticks heartbeat-to-election ratio. */
    public static Config defaults(int id, List<Integer> nodes) {
        return new Config(id, nodes, 10, 20, 1, true, true, 64, DATAGRAM_APPEND_BYTES, 32,
                1200, 16, 10_000, 10_000);
    }

    /** Copy with another election range and heartbeat period. */
    public Config withTimeouts(int electionMin, int electionMax, int heartbeat) {
        return new Config(id, nodes, electionMin, electionMax, heartbeat, preVote, checkQuorum,
                appendEntriesMax, appendBytesMax, inflightAppendsMax, snapshotChunkBytesMax,
                inflightSnapshotChunksMax, uncommittedEntriesMax, pendingReadsMax);
    }

    /** Copy with pre-vote and check-quorum set. */
    public Config withElectionFeatures(boolean preVote, boolean checkQuorum) {
        return new Config(id, nodes, electionTicksMin, electionTicksMax, heartbeatTicks, preVote,
                checkQuorum, appendEntriesMax, appendBytesMax, inflightAppendsMax,
                snapshotChunkBytesMax, inflightSnapshotChunksMax, uncommittedEntriesMax, pendingReadsMax);
    }

    /** Copy with other replication limits. */
    public Config withReplication(int entriesMax, int bytesMax, int inflightMax, int chunkBytesMax,
                                  int inflightChunksMax) {
        return new Config(id, nodes, electionTicksMin, electionTicksMax, heartbeatTicks, preVote,
                checkQuorum, entriesMax, bytesMax, inflightMax, chunkBytesMax, inflightChunksMax,
                uncommittedEntriesMax, pendingReadsMax);
    }

    /** Number of votes (or acks) that make a majority. */
    public int quorum() {
        return nodes.size() / 2 + 1;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("invalid raft config: " + what);
        }
    }
}
