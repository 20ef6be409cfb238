package raftudp.kv;

import java.util.Objects;

/**
 * What a leader puts in the data of a Raft log entry for the key-value layer.
 *
 * <p>{@code clientId} names a client session; {@link #NO_SESSION} (0) means "no session":
 * the command is applied every time it is seen, without deduplication, and {@code seq}
 * is ignored. For any other client, {@code seq} numbers its requests from 1, and a
 * retry carries the same {@code seq} as the original (see {@link KvStore#apply}).
 *
 * <p>{@code timestampMs} is the proposing leader's wall clock in milliseconds since the
 * epoch. It travels in the log so that every replica expires sessions at the same
 * point of the log, whatever its own clock says.
 *
 * @param clientId    session id, or 0 for none
 * @param seq         request number within the session: at least 1 when {@code clientId != 0},
 *                    at least 0 otherwise
 * @param timestampMs the proposing leader's clock, not negative
 * @param command     the operation
 */
public record KvEntry(long clientId, long seq, long timestampMs, Command command) {

    /** The client id of entries applied without a session. */
    public static final long NO_SESSION = 0;

    /** @throws IllegalArgumentException when seq or timestampMs is out of range */
    public KvEntry {
        Objects.requireNonNull(command, "command");
        String problem = problem(clientId, seq, timestampMs);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** An entry without a session (seq 0). */
    public static KvEntry unsessioned(long timestampMs, Command command) {
        return new KvEntry(NO_SESSION, 0, timestampMs, command);
    }

    /** True when this entry belongs to a client session (it is deduplicated). */
    public boolean hasSession() {
        return clientId != NO_SESSION;
    }

    /** Why these fields do not make an entry, or null when they do. Shared with the decoder. */
    static String problem(long clientId, long seq, long timestampMs) {
        if (timestampMs < 0) {
            return "timestampMs must not be negative, got " + timestampMs;
        }
        if (clientId != NO_SESSION && seq < 1) {
            return "seq starts at 1 for a client session, got " + seq;
        }
        if (seq < 0) {
            return "seq must not be negative, got " + seq;
        }
        return null;
    }
}
