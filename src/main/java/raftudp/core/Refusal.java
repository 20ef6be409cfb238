package raftudp.core;

/**
 * Why the core refused a message that passed the wire's and the node's checks: a remote
 * claim that contradicts what this node knows to be true. Each refusal is counted
 * ({@link Raft#refusals()}); none of them stops the node, because a remote party (a buggy,
 * forged or replayed sender) is not this node's own storage.
 */
public enum Refusal {
    /**
     * An AppendRequest whose entries differ from entries this node already holds as committed.
     * Log Matching and Leader Completeness (§5.3, §5.4) say a real leader never sends one;
     * nothing of the request is applied and it is not answered.
     */
    COMMITTED_CONFLICT,
    /**
     * A snapshot whose reassembled image fails its CRC32C or the state machine's own check.
     * Nothing is installed; the follower answers with offset 0 so that the leader restarts
     * the transfer.
     */
    BAD_SNAPSHOT,
    /**
     * A leader's message (AppendRequest, Heartbeat, SnapshotChunk, TimeoutNow) of this node's
     * own term while this node leads that term: election safety (§5.2) says it is false.
     * Ignored, not answered.
     */
    RIVAL_LEADER,
    /**
     * An answer to this leader that acknowledges what it never sent: an AppendResponse at an
     * index beyond its log, a SnapshotResponse for a snapshot beyond its log, a
     * HeartbeatResponse for a read round not yet started. Believing one would commit or
     * confirm reads on nothing; it is ignored.
     */
    BAD_ACK,
    /**
     * An AppendResponse from a follower whose log now ends before the index it acknowledged to
     * this leader: it lost its data (restarted on an empty or older data directory). Its acks
     * were counted toward commitment and are gone. Counted so that an operator sees it
     * ({@code refused.FOLLOWER_LOST_ENTRIES}); the leader lowers its match for the follower to
     * what the follower holds and sends it the rest (a lower match only delays commits; a forged
     * claim costs a resend from the index it names), at
     * most one probe per heartbeat round. Its lost votes are not repaired: see
     * docs/simulation.md, "Wiped disks".
     */
    FOLLOWER_LOST_ENTRIES,
    /**
     * At a leader: a {@link #FOLLOWER_LOST_ENTRIES} claim from a follower whose previous claim
     * was believed less than an election timeout ago. Ignored (the follower is probed from
     * where it stands, as for any rejection): a forged claim is believed at most once per
     * election timeout per follower, so it cannot draw a resend of the whole log each round.
     */
    LOST_ENTRIES_CLAIM_REPEATED,
    /**
     * A response whose sender's incarnation is not the one this node's {@link Membership} records
     * for it (at any node whose log records one: leaders and candidates are the ones that act on
     * responses), or a Heartbeat that names this node by another incarnation than
     * the one its own log records: the data directory that answered is not the one that joined
     * the cluster (wiped, replaced), or the claim is forged. The response is ignored before its
     * term or anything else in it is believed: a wiped node's vote or acknowledgement is never
     * counted. (A node whose own log records another incarnation for it, or that has no record
     * and is named otherwise by a leader, knows its data is gone: {@link Raft#dataLost()}.)
     */
    INCARNATION_MISMATCH,
    /**
     * A campaign this node did not start because its term is at {@link Raft#TERM_MAX}: the
     * next term would pass the ceiling.
     */
    TERM_CEILING
}
