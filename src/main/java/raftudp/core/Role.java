package raftudp.core;

/** The role a node plays in its current term. */
public enum Role {
    FOLLOWER,
    /** Running a pre-vote (thesis §9.6): term not yet incremented. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
