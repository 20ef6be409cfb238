package raftudp.client;

import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * One logical client's session: a random non-zero client id and a dense sequence of writes
 * (1, 2, 3, …), so that the cluster applies each write at most once however often it is
 * retried. Writes of one session run one at a time (the cluster keeps only a session's
 * last answer); use one session per concurrent logical client. Reads need no session.
 *
 * <p>When the outcome of a write is unknown (the cluster answered {@code SessionExpired},
 * or no leader answered before the deadline while the session had no acknowledged write
 * yet), the session starts over with a new client id, so that its next write is not
 * refused; {@link #clientId()} changes. Thread-safe.
 */
public final class ClientSession {
    private final RaftClient client;
    private long clientId;
    private long lastSeq;
    /** True once the cluster acknowledged a write of this client id: it knows the session. */
    private boolean established;

    ClientSession(RaftClient client) {
        this.client = client;
        renew();
    }

    /** The current client id (it changes when the session starts over). */
    public synchronized long clientId() {
        return clientId;
    }

    /** The seq of the last write sent in this session, 0 before the first. */
    public synchronized long lastSeq() {
        return lastSeq;
    }

    /** Stores {@code value} under {@code key}: {@link Result.Ok} with the previous value (null when absent). */
    public Result put(String key, Value value) throws RaftClientException {
        return write(new Command.Put(key, value));
    }

    /** Reads {@code key}; sessionless, same as {@link RaftClient#get}. */
    public Result get(String key) throws RaftClientException {
        return client.get(key);
    }

    /** Removes {@code key}: {@link Result.Ok} with the previous value (null when it was absent). */
    public Result delete(String key) throws RaftClientException {
        return write(new Command.Delete(key));
    }

    /**
     * Stores {@code update} when {@code key} holds {@code expected} (null: when absent):
     * {@link Result.Ok}, else {@link Result.CasFailed} with the current value.
     */
    public Result cas(String key, Value expected, Value update) throws RaftClientException {
        return write(new Command.Cas(key, expected, update));
    }

    /**
     * Appends a scalar to the list under {@code key}, creating it: {@link Result.Appended}
     * with the new length, or {@link Result.WrongType} when the key holds a scalar.
     */
    public Result append(String key, Value value) throws RaftClientException {
        return write(new Command.Append(key, value));
    }

    /**
     * Sends a write with the session's next seq, retried with that same seq until answered.
     *
     * @return the cluster's result; never {@link Result.SessionExpired}
     * @throws RaftClientException {@link RaftClientException.Kind#OUTCOME_UNKNOWN} when the cluster
     *                             had forgotten the session, or as {@link RaftClient} documents
     */
    public synchronized Result write(Command command) throws RaftClientException {
        if (!command.isWrite()) {
            throw new IllegalArgumentException("not a write: " + command);
        }
        client.checkOpen();
        long seq = ++lastSeq;
        Result r;
        try {
            r = client.call(clientId, seq, command);
        } catch (RaftClientException e) {
            if (!established) {
                renew(); // a first write that may never have arrived: the cluster may not know this id
            }
            throw e;
        }
        if (r instanceof Result.SessionExpired) {
            long old = clientId;
            renew();
            throw new RaftClientException(RaftClientException.Kind.OUTCOME_UNKNOWN, "session " + Texts.clientId(old)
                    + " expired on the cluster: the outcome of " + Texts.command(command)
                    + " is unknown (it may have been applied before; nothing was applied now). Started session "
                    + Texts.clientId(clientId) + "; not retried");
        }
        established = true;
        return r;
    }

    private void renew() {
        clientId = client.newClientId();
        lastSeq = 0;
        established = false;
    }
}
