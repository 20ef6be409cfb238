package raftudp.core;

/**
 * The state a node must persist before it answers anyone (§5.1 Figure 2 "persistent
 * state", plus the commit index so a restart re-applies without waiting for a leader).
 *
 * @param term     latest term this node has seen
 * @param votedFor node this node voted for in {@code term}, or {@link #NO_VOTE}
 * @param commit   highest index known committed
 */
public record HardState(long term, int votedFor, long commit) {
    public static final int NO_VOTE = -1;
    public static final HardState EMPTY = new HardState(0, NO_VOTE, 0);

    public HardState {
        if (term < 0 || commit < 0 || votedFor < NO_VOTE) {
            throw new IllegalArgumentException("bad hard state " + term + "/" + votedFor + "/" + commit);
        }
    }
}
