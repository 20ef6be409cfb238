package raftudp.core;

/**
 * A node's stored term is above {@link Raft#TERM_MAX}: data written by an older version
 * that adopted a forged term. Such a node could never campaign, so it does not start.
 */
public final class TermCeilingException extends IllegalStateException {
    public TermCeilingException(String message) {
        super(message);
    }
}
