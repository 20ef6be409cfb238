package raftudp.kv;

/**
 * The cluster's answer to a {@link ClientRequest}.
 *
 * @param status     what happened
 * @param leaderHint with {@link Status#NOT_LEADER}: the node believed to lead, or -1
 * @param result     with {@link Status#OK}: the state machine's answer; otherwise null
 */
public record ClientResponse(long clientId, long seq, Status status, int leaderHint, Result result) {

    /** Outcome classes a client acts on. Stable wire codes. */
    public enum Status {
        /** Applied (or read) and answered; {@code result} holds the answer. */
        OK(0),
        /** Not the leader: nothing done; ask {@code leaderHint} (or another node when -1). */
        NOT_LEADER(1),
        /**
         * Not answered now (busy, or leadership changed while the request was in flight):
         * the outcome is unknown; retry with the same (clientId, seq), which applies it at
         * most once.
         */
        RETRY(2);

        public final int code;

        Status(int code) {
            this.code = code;
        }

        /** The status for a wire code, or null if unknown. */
        public static Status ofCode(int code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return null;
        }
    }

    public static ClientResponse ok(ClientRequest r, Result result) {
        return ok(r, result, -1);
    }

    /** An OK answer naming the leader the answering node knows (itself, when it leads), or -1. */
    public static ClientResponse ok(ClientRequest r, Result result, int leaderHint) {
        return new ClientResponse(r.clientId(), r.seq(), Status.OK, leaderHint, result);
    }

    public static ClientResponse notLeader(ClientRequest r, int leaderHint) {
        return new ClientResponse(r.clientId(), r.seq(), Status.NOT_LEADER, leaderHint, null);
    }

    public static ClientResponse retry(ClientRequest r, int leaderHint) {
        return new ClientResponse(r.clientId(), r.seq(), Status.RETRY, leaderHint, null);
    }
}
