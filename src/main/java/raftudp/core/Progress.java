package raftudp.core;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower (§5.3 nextIndex/matchIndex), with the flow control
 * that bounds what is in flight.
 *
 * <ul>
 *   <li>PROBE: we do not know where the follower's log matches ours; at most one append is
 *       in flight (paused until a reply or the next heartbeat).</li>
 *   <li>REPLICATE: the follower is known to match up to {@code match}; appends are
 *       pipelined, at most {@code inflightAppendsMax} unacknowledged.</li>
 *   <li>SNAPSHOT: the entries the follower needs were compacted; snapshot chunks are sent,
 *       at most {@code inflightSnapshotChunksMax} unacknowledged.</li>
 * </ul>
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    final int id;
    State state = State.PROBE;
    long match;
    long next;
    /** PROBE: an append is outstanding; cleared by a reply or a heartbeat reply. */
    boolean probeSent;
    /** Last index of each unacknowledged append, oldest first (REPLICATE). */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    /** Highest ReadIndex round this follower acknowledged. */
    long readAck;

    // SNAPSHOT state
    Snapshot sending;
    /** {@code sending.checksum()}, computed once per transfer. */
    long sendingChecksum;
    long snapshotAcked;
    long snapshotSentTo;
    boolean snapshotSentAll;
    /** Ack offset at which we last went back to resend (one rewind per offset). */
    long snapshotRewoundAt = -1;

    /** Ticks since the acknowledged offset last advanced. */
    int snapshotIdleTicks;
    /** Ticks until a lost-data claim from this follower is believed again (0: now). */
    int lostClaimCooldown;
    /** Match seen at the previous heartbeat reply: unchanged while behind means stalled. */
    long matchAtLastHeartbeat = -1;

    Progress(int id, long next) {
        this.id = id;
        this.next = next;
    }

    void becomeProbe() {
        state = State.PROBE;
        next = match + 1;
        probeSent = false;
        inflight.clear();
        sending = null;
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflight.clear();
        sending = null;
    }

    void becomeSnapshot(Snapshot s) {
        state = State.SNAPSHOT;
        inflight.clear();
        probeSent = false;
        sending = s;
        sendingChecksum = s.checksum();
        snapshotAcked = 0;
        snapshotSentTo = 0;
        snapshotSentAll = false;
        snapshotRewoundAt = -1;
        snapshotIdleTicks = 0;
    }

    /** Records a successful append up to {@code index}; true if match advanced. */
    boolean maybeUpdate(long index) {
        boolean advanced = false;
        if (index > match) {
            match = index;
            advanced = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.pollFirst();
        }
        return advanced;
    }

    /** Snapshot transfer: go back to the last acknowledged offset and resend from there. */
    void rewindSnapshot() {
        snapshotSentTo = snapshotAcked;
        snapshotSentAll = false;
        snapshotIdleTicks = 0;
    }

    /** Whether another append may be sent now. */
    boolean isPaused(int inflightMax) {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflight.size() >= inflightMax;
            case SNAPSHOT -> true;
        };
    }

    /** Records that an append ending at {@code lastIndex} went out. */
    void sentAppend(long lastIndex, int entryCount) {
        switch (state) {
            case PROBE -> probeSent = true;
            case REPLICATE -> {
                if (entryCount > 0) {
                    inflight.addLast(lastIndex);
                    next = lastIndex + 1;
                }
            }
            case SNAPSHOT -> throw new IllegalStateException("append while sending a snapshot");
        }
    }

    @Override
    public String toString() {
        return id + ":" + state + "(match=" + match + ", next=" + next + ")";
    }
}
