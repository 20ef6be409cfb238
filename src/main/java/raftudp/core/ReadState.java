package raftudp.core;

/**
 * Outcome of a ReadIndex request (thesis §6.4). When {@code ok}, the request may be served
 * from the state machine once it has applied {@code index}; otherwise leadership was lost
 * before the read was confirmed and the client should retry (at the leader).
 */
public record ReadState(long requestId, long index, boolean ok) {
}
