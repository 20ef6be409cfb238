package raftudp.kv;

import java.util.Objects;

/**
 * A client's request to the cluster. {@code (clientId, seq)} identifies it for
 * exactly-once application: a retry carries the same pair (see {@link KvStore}).
 * {@code clientId} 0 asks for no session (no dedupe).
 */
public record ClientRequest(long clientId, long seq, Command command) {
    public ClientRequest {
        Objects.requireNonNull(command, "command");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0");
        }
    }
}
