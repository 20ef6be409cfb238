package raftudp.client;

/**
 * An operation did not complete. The {@link Kind} says what is known about its outcome;
 * the message says it in words, e.g. {@code "no leader answered within 10 s; last answers: …"}.
 */
public final class RaftClientException extends Exception {

    /** Why an operation did not complete, and what is known about its effect. */
    public enum Kind {
        /**
         * No node accepted it before the deadline (no leader, nodes down or unreachable). A
         * write may or may not have been applied (at most once).
         */
        NO_LEADER,
        /**
         * The cluster answered {@code SessionExpired}: the session was forgotten, so the write
         * may already have been applied earlier; nothing was applied now. The session was
         * replaced by a new one; retrying is the caller's decision.
         */
        OUTCOME_UNKNOWN,
        /** A node did not answer a status request in time. */
        NO_ANSWER,
        /** Too many operations in flight ({@link ClientOptions#inFlightMax()}); nothing was sent. */
        BUSY,
        /**
         * The calling thread was interrupted while it waited; a write may or may not have
         * been applied (at most once). The interrupt flag is set again.
         */
        INTERRUPTED,
        /** The client was closed; a write in flight may or may not have been applied (at most once). */
        CLOSED
    }

    private final Kind kind;

    public RaftClientException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** What happened. */
    public Kind kind() {
        return kind;
    }
}
