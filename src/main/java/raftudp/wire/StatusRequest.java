package raftudp.wire;

/** Asks a node for its {@link StatusReport}; sent on the client port, no body. */
public record StatusRequest() {
}
