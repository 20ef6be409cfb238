package raftudp.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a leader knows and does during one term of leadership (§5.3, §5.4, §7, thesis
 * §3.10 and §6.4): a {@link Progress} per follower, flow-controlled appends, snapshot
 * transfer, the commit rule, heartbeats with ReadIndex rounds, check-quorum and leadership
 * transfer. Created when a node wins an election, dropped when it steps down; the term
 * never changes during its life.
 */
final class Leadership {
    private final Config cfg;
    private final RaftLog log;
    private final long term;
    private final PendingReads reads;
    private final Supplier<Snapshot> snapshot;
    private final Consumer<Message> send;
    private final Consumer<Refusal> refuse;
    private final Map<Integer, Progress> progress = new LinkedHashMap<>();

    private int heartbeatElapsed;
    private int checkQuorumElapsed;
    private boolean appendsDue;
    private boolean readHeartbeatDue;
    private int transferTarget = Raft.NONE;
    private int transferElapsed;

    /**
     * Takes office: progress for every follower, and the term's first entry, which records
     * {@code members} (the log's membership, or at formation the one the grants made).
     */
    Leadership(Config cfg, RaftLog log, long term, List<Integer> peers, Membership members, PendingReads reads,
               Supplier<Snapshot> snapshot, Consumer<Message> send, Consumer<Refusal> refuse) {
        this.cfg = cfg;
        this.refuse = refuse;
        this.log = log;
        this.term = term;
        this.reads = reads;
        this.snapshot = snapshot;
        this.send = send;
        for (int p : peers) {
            progress.put(p, new Progress(p, log.lastIndex() + 1));
        }
        // The term's first entry is its no-op: it lets earlier-term entries commit (§5.4.2) and
        // makes the commit index current for ReadIndex. It records the membership, so that every
        // term's log says who the members are (snapshots received from a leader do not).
        log.append(new Entry(log.lastIndex() + 1, term, Entry.Kind.MEMBERS, members.encode()));
        appendsDue = true;
    }

    /** One tick. Returns false when check-quorum says to step down (§6.2). */
    boolean tick() {
        heartbeatElapsed++;
        if (++checkQuorumElapsed >= cfg.electionTicksMin()) {
            checkQuorumElapsed = 0;
            if (cfg.checkQuorum() && !quorumRecentlyActive()) {
                return false;
            }
        }
        if (transferTarget != Raft.NONE && ++transferElapsed >= cfg.electionTicksMin()) {
            transferTarget = Raft.NONE; // thesis §3.10: abort a transfer that did not finish in time
        }
        for (Progress pr : progress.values()) {
            if (pr.lostClaimCooldown > 0) {
                pr.lostClaimCooldown--;
            }
            if (pr.state == Progress.State.SNAPSHOT && ++pr.snapshotIdleTicks >= snapshotIdleTicksMax()) {
                pr.rewindSnapshot();
                sendSnapshotChunks(pr);
            }
        }
        if (heartbeatElapsed >= cfg.heartbeatTicks()) {
            broadcastHeartbeat();
        }
        return true;
    }

    /** Ticks without progress after which a snapshot transfer resends from the last ack. */
    private int snapshotIdleTicksMax() {
        return Math.max(2 * cfg.heartbeatTicks(), cfg.electionTicksMin() / 2);
    }

    private boolean quorumRecentlyActive() {
        int active = 1;
        for (Progress pr : progress.values()) {
            if (pr.recentActive) {
                active++;
            }
            pr.recentActive = false;
        }
        return active >= cfg.quorum();
    }

    /** New entries were appended: send them at the next flush. */
    void entriesAppended() {
        appendsDue = true;
    }

    int transferTarget() {
        return transferTarget;
    }

    void transfer(int target) {
        if (target == cfg.id() || target == transferTarget) {
            return;
        }
        transferTarget = target;
        transferElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) {
            send.accept(new Message.TimeoutNow(term, cfg.id(), target));
        } else {
            sendAppend(pr, true); // an empty append exposes a gap at once
        }
    }

    /** A read arrived: register it now, or once an entry of this term commits. */
    void read(long requestId) {
        if (log.term(log.commit()) != term) {
            reads.awaitCommit(requestId); // commit index not known current until our no-op commits
        } else if (cfg.quorum() == 1) {
            reads.confirmNow(requestId, log.commit());
        } else {
            reads.register(requestId, log.commit());
            readHeartbeatDue = true;
        }
    }

    void step(Message m) {
        if (m instanceof Message.AppendResponse r) {
            handleAppendResponse(r);
        } else if (m instanceof Message.HeartbeatResponse r) {
            handleHeartbeatResponse(r);
        } else if (m instanceof Message.SnapshotResponse r) {
            handleSnapshotResponse(r);
        } // a rival leader's messages of our term never get here: Raft refuses them (RIVAL_LEADER)
    }

    boolean hasWork() {
        return appendsDue || readHeartbeatDue;
    }

    /** Sends what was deferred to batch it: new entries, the heartbeat of a read round. */
    void flush() {
        if (appendsDue) {
            appendsDue = false;
            for (Progress pr : progress.values()) {
                sendAppends(pr);
            }
        }
        if (readHeartbeatDue) {
            broadcastHeartbeat();
        }
    }

    Map<Integer, Long> matchIndexes() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (Progress pr : progress.values()) {
            out.put(pr.id, pr.match);
        }
        return out;
    }

    private void handleAppendResponse(Message.AppendResponse r) {
        if (r.index() > log.lastIndex()) {
            // a follower cannot hold, nor reject at, an index we never had: a forged or buggy answer
            refuse.accept(Refusal.BAD_ACK);
            return;
        }
        Progress pr = progress.get(r.from());
        pr.recentActive = true;
        if (r.success()) {
            if (pr.maybeUpdate(r.index())) {
                if (pr.state == Progress.State.PROBE) {
                    pr.becomeReplicate();
                } else if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.sending.index()) {
                    pr.becomeProbe();
                }
                maybeCommit();
                if (r.from() == transferTarget && pr.match == log.lastIndex()) {
                    send.accept(new Message.TimeoutNow(term, cfg.id(), r.from()));
                }
            }
            sendAppends(pr);
            return;
        }
        boolean stale = switch (pr.state) {
            case REPLICATE -> r.index() <= pr.match;
            case PROBE -> r.index() != pr.next - 1;
            case SNAPSHOT -> true;
        };
        if (stale) {
            return;
        }
        if (pr.state == Progress.State.PROBE && r.conflictTerm() == 0 && r.conflictIndex() - 1 < pr.match) {
            // The answer to the current probe says its log ends before what it acknowledged: it
            // lost its data. Counted, and its match goes down to what it says it holds, so that
            // it is sent what it lacks. Believing this claim is safe: a lower match can only
            // delay a commit (the commit index never goes back), never make one; a forged one
            // costs resending from the index it claims (a snapshot, if compacted), so it is
            // believed at most once per election timeout per follower. (The follower's lost
            // votes and acknowledgements are another matter: see docs/simulation.md, "Wiped
            // disks".)
            if (pr.lostClaimCooldown == 0) {
                refuse.accept(Refusal.FOLLOWER_LOST_ENTRIES);
                pr.match = Math.max(0, r.conflictIndex() - 1);
                pr.lostClaimCooldown = cfg.electionTicksMin();
            } else {
                refuse.accept(Refusal.LOST_ENTRIES_CLAIM_REPEATED);
            }
        }
        // §5.3 fast backtracking: skip the follower's whole conflicting term at once
        long next = r.conflictIndex();
        if (r.conflictTerm() > 0) {
            long last = log.lastIndexOfTerm(r.conflictTerm());
            if (last > 0) {
                next = last + 1;
            }
        }
        long probeAt = Math.max(pr.match + 1, Math.min(Math.min(next, r.index()), log.lastIndex() + 1));
        boolean backtracked = pr.state != Progress.State.PROBE || probeAt < pr.next;
        pr.becomeProbe();
        pr.next = probeAt;
        if (!backtracked) {
            // Rejected where the probe already stood (a follower whose log is shorter than what
            // it once acknowledged: it lost its data): the same probe would be rejected the same
            // way. It goes again at the next heartbeat round, so a follower gets at most one
            // probe per round whatever it answers, never a storm at network speed.
            pr.probeSent = true;
            return;
        }
        sendAppend(pr, true);
    }

    private void handleHeartbeatResponse(Message.HeartbeatResponse r) {
        if (r.readContext() > reads.round()) {
            refuse.accept(Refusal.BAD_ACK); // an ack of a read round not yet started would confirm reads early
            return;
        }
        Progress pr = progress.get(r.from());
        pr.recentActive = true;
        if (r.readContext() > pr.readAck) {
            pr.readAck = r.readContext();
            reads.confirmUpTo(quorumReadRound());
        }
        boolean stalled = pr.match == pr.matchAtLastHeartbeat;
        pr.matchAtLastHeartbeat = pr.match;
        if (pr.match < log.lastIndex()) {
            if (pr.state == Progress.State.PROBE) {
                pr.probeSent = false; // the probe may have been lost: send it again
                sendAppend(pr, true);
            } else if (pr.state == Progress.State.REPLICATE && stalled) {
                pr.becomeProbe(); // no progress for a heartbeat round: resend from match + 1
                sendAppend(pr, true);
            }
        }
    }

    private void handleSnapshotResponse(Message.SnapshotResponse r) {
        if (r.snapshotIndex() > log.lastIndex()) {
            refuse.accept(Refusal.BAD_ACK); // a snapshot beyond our log: no such snapshot was sent
            return;
        }
        Progress pr = progress.get(r.from());
        pr.recentActive = true;
        if (r.done()) {
            // the follower holds everything through snapshotIndex (installed or committed)
            pr.maybeUpdate(r.snapshotIndex());
            if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.sending.index()) {
                pr.becomeProbe();
                sendAppend(pr, true);
            }
            return;
        }
        if (pr.state != Progress.State.SNAPSHOT || pr.sending.index() != r.snapshotIndex()) {
            return;
        }
        if (r.nextOffset() > pr.snapshotAcked) {
            pr.snapshotAcked = Math.min(r.nextOffset(), pr.sending.data().size());
            pr.snapshotIdleTicks = 0;
        } else if (r.nextOffset() < pr.snapshotAcked) {
            pr.snapshotAcked = Math.max(0, r.nextOffset()); // the follower lost its partial copy
            pr.rewindSnapshot();
        } else if (pr.snapshotSentTo > pr.snapshotAcked && pr.snapshotRewoundAt != pr.snapshotAcked) {
            // a duplicate ack: the chunk at that offset was lost; go back once per offset
            // (if the resent chunk is lost too, the idle timer in tick() goes back again)
            pr.snapshotRewoundAt = pr.snapshotAcked;
            pr.rewindSnapshot();
        }
        sendSnapshotChunks(pr);
    }

    /** §5.3/§5.4.2: commit the highest index a quorum holds, if it is of our term. */
    void maybeCommit() {
        long[] matches = new long[progress.size() + 1];
        int i = 0;
        matches[i++] = log.unstableFrom() - 1; // our own log counts once it is durable
        for (Progress pr : progress.values()) {
            matches[i++] = pr.match;
        }
        Arrays.sort(matches);
        long quorumIndex = matches[matches.length - cfg.quorum()];
        if (quorumIndex > log.commit() && log.term(quorumIndex) == term) {
            log.commitTo(quorumIndex);
            if (reads.hasAwaitingCommit()) {
                for (long id : reads.drainAwaitingCommit()) {
                    read(id);
                }
            }
        }
    }

    private long quorumReadRound() {
        long[] acks = new long[progress.size() + 1];
        int i = 0;
        acks[i++] = reads.round();
        for (Progress pr : progress.values()) {
            acks[i++] = pr.readAck;
        }
        Arrays.sort(acks);
        return acks[acks.length - cfg.quorum()];
    }

    private void broadcastHeartbeat() {
        heartbeatElapsed = 0;
        readHeartbeatDue = false;
        for (Progress pr : progress.values()) {
            // never let a follower commit past what it is known to hold
            long commit = Math.min(pr.match, log.commit());
            send.accept(new Message.Heartbeat(term, cfg.id(), pr.id, commit, reads.round(),
                    log.members().incarnationOf(pr.id)));
        }
    }

    /** Sends as many appends to {@code pr} as flow control allows. */
    private void sendAppends(Progress pr) {
        while (pr.next <= log.lastIndex() && sendAppend(pr, false)) {
            // keep filling the window
        }
    }

    /**
     * Sends one AppendRequest (or starts a snapshot when the entries it needs were
     * compacted). Returns false when no entries were sent.
     */
    private boolean sendAppend(Progress pr, boolean allowEmpty) {
        if (pr.isPaused(cfg.inflightAppendsMax())) {
            return false;
        }
        long prev = pr.next - 1;
        if (prev < log.snapshotIndex()) {
            pr.becomeSnapshot(snapshot.get());
            sendSnapshotChunks(pr);
            return false;
        }
        List<Entry> entries = pr.next <= log.lastIndex()
                ? log.slice(pr.next, log.lastIndex(), cfg.appendEntriesMax(), cfg.appendBytesMax())
                : List.of();
        if (entries.isEmpty() && !allowEmpty && pr.state == Progress.State.REPLICATE) {
            return false;
        }
        send.accept(new Message.AppendRequest(term, cfg.id(), pr.id, prev, log.term(prev), log.commit(), entries));
        pr.sentAppend(prev + entries.size(), entries.size());
        return !entries.isEmpty();
    }

    private void sendSnapshotChunks(Progress pr) {
        SnapshotData data = pr.sending.data();
        long size = data.size();
        long window = (long) cfg.snapshotChunkBytesMax() * cfg.inflightSnapshotChunksMax();
        while (!pr.snapshotSentAll && pr.snapshotSentTo - pr.snapshotAcked < window) {
            long off = pr.snapshotSentTo;
            long end = Math.min(size, off + cfg.snapshotChunkBytesMax());
            boolean last = end == size;
            send.accept(new Message.SnapshotChunk(term, cfg.id(), pr.id, pr.sending.index(), pr.sending.term(),
                    size, pr.sendingChecksum, off, data.read(off, (int) (end - off)), last));
            pr.snapshotSentTo = end;
            pr.snapshotSentAll = last;
        }
    }
}
