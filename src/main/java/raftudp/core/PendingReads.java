package raftudp.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * ReadIndex bookkeeping at the leader (thesis §6.4). A read registers the commit index
 * and a fresh round number; the leader's next heartbeat carries the round; once a quorum
 * echoed a round at least that high, the leader was still leader after the read arrived,
 * so the read may be served at the registered index.
 *
 * <p>Reads that arrive before the leader committed an entry of its own term wait in
 * {@code awaitingCommit} (its commit index may be stale until then).
 */
final class PendingReads {
    private record Pending(long requestId, long index, long round) {
    }

    private final ArrayDeque<Pending> confirming = new ArrayDeque<>();
    private final ArrayDeque<Long> awaitingCommit = new ArrayDeque<>();
    private final List<ReadState> done = new ArrayList<>();
    private long round;

    int size() {
        return confirming.size() + awaitingCommit.size();
    }

    long round() {
        return round;
    }

    void awaitCommit(long requestId) {
        awaitingCommit.addLast(requestId);
    }

    boolean hasAwaitingCommit() {
        return !awaitingCommit.isEmpty();
    }

    /** Moves every read that waited for the term's first commit to confirmation. */
    List<Long> drainAwaitingCommit() {
        List<Long> out = new ArrayList<>(awaitingCommit);
        awaitingCommit.clear();
        return out;
    }

    /** Registers a read at {@code commitIndex}; returns the round a quorum must echo. */
    long register(long requestId, long commitIndex) {
        round++;
        confirming.addLast(new Pending(requestId, commitIndex, round));
        return round;
    }

    /** Serves at once (single-node cluster: the leader alone is a quorum). */
    void confirmNow(long requestId, long commitIndex) {
        done.add(new ReadState(requestId, commitIndex, true));
    }

    /** A quorum echoed rounds up to {@code quorumRound}: release the reads it confirms. */
    void confirmUpTo(long quorumRound) {
        while (!confirming.isEmpty() && confirming.peekFirst().round() <= quorumRound) {
            Pending p = confirming.pollFirst();
            done.add(new ReadState(p.requestId(), p.index(), true));
        }
    }

    /** Leadership lost: every waiting read fails (the client retries at the new leader). */
    void failAll() {
        for (Pending p : confirming) {
            done.add(new ReadState(p.requestId(), 0, false));
        }
        for (long id : awaitingCommit) {
            done.add(new ReadState(id, 0, false));
        }
        confirming.clear();
        awaitingCommit.clear();
    }

    boolean hasDone() {
        return !done.isEmpty();
    }

    List<ReadState> takeDone() {
        List<ReadState> out = new ArrayList<>(done);
        done.clear();
        return out;
    }
}
