package raftudp.wire;

/**
 * Classes of messages that travel on separate UDP ports (see {@link PortMap}), so that a
 * switch, a firewall rule or a capture filter can tell them apart by port alone.
 */
public enum MessageClass {
    /** VoteRequest, VoteResponse (pre-votes included) and TimeoutNow. */
    VOTE,
    /** Heartbeat and HeartbeatResponse. */
    HEARTBEAT,
    /** AppendRequest and AppendResponse. */
    APPEND,
    /** ClientRequest, ClientResponse, StatusRequest, StatusResponse, FaultRequest, FaultResponse, ErrorResponse. */
    CLIENT,
    /** SnapshotChunk and SnapshotResponse. */
    SNAPSHOT
}
