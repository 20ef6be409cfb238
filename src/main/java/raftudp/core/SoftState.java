package raftudp.core;

/**
 * What a node is, as opposed to what it must remember: its role, the leader it knows
 * ({@link Raft#NONE} when none) and its term. Not persisted. A {@link Ready} carries it when
 * it changed since the previous Ready, so a runtime reacts to elections, step-downs and new
 * leaders from the core's own account, without polling or timers.
 */
public record SoftState(Role role, int leader, long term) {
}
