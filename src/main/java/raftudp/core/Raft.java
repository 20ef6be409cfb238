package raftudp.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Raft protocol for one node, as a deterministic state machine. It does no I/O, reads
 * no clock and starts no thread: time enters through {@link #tick()}, randomness through
 * the injected {@link RandomSource}, and everything it wants done leaves through
 * {@link #ready()}. Not thread-safe: one thread drives it.
 *
 * <p>Driving loop: feed inputs ({@link #tick()}, {@link #step(Message)},
 * {@link #propose(byte[])}, {@link #readIndex(long)}, {@link #transferLeadership(int)}),
 * then while {@link #hasReady()}: take {@link #ready()}, carry it out in the order its
 * Javadoc gives, call {@link #advance(Ready)}.
 *
 * <p>Section numbers cite the Raft paper (Ongaro &amp; Ousterhout 2014) and, where marked
 * "thesis", Ongaro's dissertation (2014).
 */
public final class Raft {
    /** No node (no leader known, no transfer target). */
    public static final int NONE = -1;
    /** Committed entries handed out in one Ready at most. */
    static final int APPLY_BATCH_MAX = 4096;

    /** What became of a client request. */
    public enum Status { OK, NOT_LEADER, BUSY }

    /** Result of {@link #propose(byte[])}: index and term are set when OK. */
    public record Proposal(Status status, long index, long term, int leaderHint) {
    }

    private final Config cfg;
    private final RandomSource random;
    private final RaftLog log;
    private final List<Integer> peers;

    private long term;
    private int votedFor;
    private int leader = NONE;
    private Role role = Role.FOLLOWER;

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    private final Map<Integer, Boolean> votes = new LinkedHashMap<>();
    private final Map<Integer, Progress> progress = new LinkedHashMap<>();
    private boolean appendsDue;
    private int transferTarget = NONE;
    private int transferElapsed;

    private Snapshot snapshot;
    private Snapshot snapshotToPersist;
    private final SnapshotReceiver receiver = new SnapshotReceiver();
    private final PendingReads reads = new PendingReads();
    private boolean readHeartbeatDue;

    private List<Message> outbox = new ArrayList<>();
    private HardState handedOutHardState;
    private boolean readyOutstanding;

    /**
     * A node restarting from what its storage holds (all empty for a new node).
     *
     * @param hard     last persisted hard state
     * @param snapshot last persisted snapshot, or null; the runtime restores its state
     *                 machine from it before driving the node
     * @param entries  persisted entries following the snapshot
     */
    public Raft(Config cfg, HardState hard, Snapshot snapshot, List<Entry> entries, RandomSource random) {
        this.cfg = cfg;
        this.random = random;
        this.snapshot = snapshot;
        this.log = new RaftLog(snapshot, entries, hard.commit());
        this.term = hard.term();
        this.votedFor = hard.votedFor();
        this.peers = cfg.nodes().stream().filter(n -> n != cfg.id()).toList();
        this.handedOutHardState = new HardState(term, votedFor, log.commit());
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time. */
    public void tick() {
        requireNoReadyOutstanding();
        if (role == Role.LEADER) {
            tickLeader();
        } else if (++electionElapsed >= randomizedElectionTimeout) {
            campaign(false);
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= cfg.electionTicksMin()) {
            electionElapsed = 0;
            if (cfg.checkQuorum() && !quorumRecentlyActive()) {
                becomeFollower(term, NONE); // §6.2 check-quorum: we may be partitioned away
                return;
            }
        }
        if (transferTarget != NONE && ++transferElapsed >= cfg.electionTicksMin()) {
            transferTarget = NONE; // thesis §3.10: abort a transfer that did not finish in time
        }
        for (Progress pr : progress.values()) {
            if (pr.state == Progress.State.SNAPSHOT && ++pr.snapshotIdleTicks >= 2 * cfg.heartbeatTicks()) {
                pr.rewindSnapshot();
                sendSnapshotChunks(pr);
            }
        }
        if (heartbeatElapsed >= cfg.heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    /** Proposes a command; on OK it will be applied at the returned index if committed. */
    public Proposal propose(byte[] data) {
        requireNoReadyOutstanding();
        if (role != Role.LEADER) {
            return new Proposal(Status.NOT_LEADER, 0, 0, leader);
        }
        if (transferTarget != NONE || log.lastIndex() - log.commit() >= cfg.uncommittedEntriesMax()) {
            return new Proposal(Status.BUSY, 0, 0, leader);
        }
        Entry e = new Entry(log.lastIndex() + 1, term, Entry.Kind.NORMAL, data);
        log.append(e);
        appendsDue = true;
        return new Proposal(Status.OK, e.index(), e.term(), leader);
    }

    /**
     * Asks for a linearizable read point (thesis §6.4). On OK a {@link ReadState} with
     * {@code requestId} comes out of a later Ready (failed if leadership is lost first).
     */
    public Status readIndex(long requestId) {
        requireNoReadyOutstanding();
        if (role != Role.LEADER) {
            return Status.NOT_LEADER;
        }
        if (reads.size() >= cfg.pendingReadsMax()) {
            return Status.BUSY;
        }
        if (log.term(log.commit()) != term) {
            reads.awaitCommit(requestId); // commit index not known current until our no-op commits
        } else {
            registerRead(requestId);
        }
        return Status.OK;
    }

    private void registerRead(long requestId) {
        if (cfg.quorum() == 1) {
            reads.confirmNow(requestId, log.commit());
        } else {
            reads.register(requestId, log.commit());
            readHeartbeatDue = true;
        }
    }

    /** Hands leadership to {@code target} (thesis §3.10); proposals are refused meanwhile. */
    public Status transferLeadership(int target) {
        requireNoReadyOutstanding();
        if (!cfg.nodes().contains(target)) {
            throw new IllegalArgumentException("unknown node " + target);
        }
        if (role != Role.LEADER) {
            return Status.NOT_LEADER;
        }
        if (target == cfg.id() || target == transferTarget) {
            return Status.OK;
        }
        transferTarget = target;
        transferElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) {
            send(new Message.TimeoutNow(term, cfg.id(), target));
        } else {
            sendAppend(pr, true); // an empty append exposes a gap at once
        }
        return Status.OK;
    }

    /**
     * The state machine has captured its state through {@code index} in {@code data}:
     * drop the log up to there (§7). The runtime persists the snapshot itself.
     */
    public void compact(long index, byte[] data) {
        requireNoReadyOutstanding();
        if (index <= log.snapshotIndex()) {
            return;
        }
        if (index > log.applied()) {
            throw new IllegalArgumentException("cannot compact " + index + " beyond applied " + log.applied());
        }
        snapshot = new Snapshot(index, log.term(index), data);
        log.compact(index);
    }

    /** Handles one message from another node. */
    public void step(Message m) {
        requireNoReadyOutstanding();
        if (m.to() != cfg.id() || m.from() == cfg.id() || !cfg.nodes().contains(m.from())) {
            return; // misaddressed: not ours to act on
        }
        if (m.term() > term) {
            if (!stepHigherTerm(m)) {
                return;
            }
        } else if (m.term() < term) {
            stepLowerTerm(m);
            return;
        }
        if (m instanceof Message.VoteRequest v) {
            handleVoteRequest(v);
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER -> stepFollower(m);
        }
    }

    /** A message from a higher term; false when it must be ignored. */
    private boolean stepHigherTerm(Message m) {
        if (m instanceof Message.VoteRequest v) {
            boolean inLease = cfg.checkQuorum() && leader != NONE && electionElapsed < cfg.electionTicksMin();
            if (inLease && !v.transfer()) {
                return false; // thesis §4.2.3: a live leader's followers ignore disruptive candidates
            }
            if (!v.preVote()) {
                becomeFollower(m.term(), NONE);
            }
            return true; // a pre-vote never changes our term
        }
        if (m instanceof Message.VoteResponse r && r.preVote() && r.granted()) {
            return true; // carries the term we would campaign in
        }
        boolean fromLeader = m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk || m instanceof Message.TimeoutNow;
        becomeFollower(m.term(), fromLeader ? m.from() : NONE); // §5.1: adopt the newer term
        return true;
    }

    private void stepLowerTerm(Message m) {
        if ((cfg.checkQuorum() || cfg.preVote())
                && (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat)) {
            // A stale leader would never learn of the newer term from pre-vote (which does
            // not raise terms): answer so that it steps down.
            send(new Message.AppendResponse(term, cfg.id(), m.from(), false, 0, 0, 0));
        } else if (m instanceof Message.VoteRequest v && v.preVote()) {
            send(new Message.VoteResponse(term, cfg.id(), m.from(), false, true));
        }
        // §5.1: otherwise a stale-term message is ignored
    }

    // ---------------------------------------------------------------- elections (§5.2)

    /** Starts an election: a pre-vote first when configured, unless {@code skipPreVote}. */
    private void campaign(boolean transfer) {
        campaign(transfer, transfer);
    }

    private void campaign(boolean transfer, boolean skipPreVote) {
        if (cfg.preVote() && !skipPreVote) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
        boolean pre = role == Role.PRE_CANDIDATE;
        long voteTerm = pre ? term + 1 : term;
        votes.put(cfg.id(), true);
        if (cfg.quorum() == 1) {
            wonElection();
            return;
        }
        for (int p : peers) {
            send(new Message.VoteRequest(voteTerm, cfg.id(), p, log.lastIndex(), log.lastTerm(), pre, transfer));
        }
    }

    private void handleVoteRequest(Message.VoteRequest v) {
        // §5.2 one vote per term; a pre-vote for a later term binds nothing
        boolean canVote = votedFor == v.from()
                || (votedFor == HardState.NO_VOTE && leader == NONE)
                || (v.preVote() && v.term() > term);
        // §5.4.1 election restriction: only for a log at least as up-to-date as ours
        if (canVote && log.isUpToDate(v.lastLogIndex(), v.lastLogTerm())) {
            send(new Message.VoteResponse(v.preVote() ? v.term() : term, cfg.id(), v.from(), true, v.preVote()));
            if (!v.preVote()) {
                votedFor = v.from();
                electionElapsed = 0;
            }
        } else {
            send(new Message.VoteResponse(term, cfg.id(), v.from(), false, v.preVote()));
        }
    }

    private void stepCandidate(Message m) {
        if (m instanceof Message.VoteResponse r) {
            if (r.preVote() != (role == Role.PRE_CANDIDATE)) {
                return; // a reply to a round we are no longer in
            }
            votes.putIfAbsent(r.from(), r.granted());
            long granted = votes.values().stream().filter(b -> b).count();
            if (granted >= cfg.quorum()) {
                wonElection();
            } else if (votes.size() - granted >= cfg.quorum()) {
                becomeFollower(term, NONE);
            }
        } else if (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk) {
            becomeFollower(term, m.from()); // §5.2: a leader of our term exists
            stepFollower(m);
        }
    }

    private void wonElection() {
        if (role == Role.PRE_CANDIDATE) {
            campaign(false, true); // the pre-vote passed: now the real election
            return;
        }
        becomeLeader();
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

    private void becomeFollower(long newTerm, int newLeader) {
        boolean wasLeader = role == Role.LEADER;
        if (newTerm != term) {
            term = newTerm;
            votedFor = HardState.NO_VOTE;
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        reset();
        if (wasLeader) {
            reads.failAll();
        }
    }

    private void becomePreCandidate() {
        role = Role.PRE_CANDIDATE;
        leader = NONE;
        reset();
    }

    private void becomeCandidate() {
        term++;
        votedFor = cfg.id();
        role = Role.CANDIDATE;
        leader = NONE;
        reset();
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = cfg.id();
        reset();
        for (int p : peers) {
            progress.put(p, new Progress(p, log.lastIndex() + 1));
        }
        // §8: a no-op of the new term lets earlier-term entries commit (§5.4.2) and makes
        // the commit index current for ReadIndex.
        log.append(new Entry(log.lastIndex() + 1, term, Entry.Kind.NOOP, Entry.EMPTY));
        appendsDue = true;
    }

    private void reset() {
        electionElapsed = 0;
        heartbeatElapsed = 0;
        resetElectionTimer();
        votes.clear();
        progress.clear();
        appendsDue = false;
        transferTarget = NONE;
        receiver.reset();
        readHeartbeatDue = false;
    }

    private void resetElectionTimer() {
        randomizedElectionTimeout = cfg.electionTicksMin()
                + random.nextInt(cfg.electionTicksMax() - cfg.electionTicksMin());
    }

    // ---------------------------------------------------------------- follower (§5.3, §7)

    private void stepFollower(Message m) {
        if (m instanceof Message.AppendRequest a) {
            heardFromLeader(a.from());
            handleAppend(a);
        } else if (m instanceof Message.Heartbeat h) {
            heardFromLeader(h.from());
            log.commitTo(Math.min(h.commit(), log.lastIndex()));
            send(new Message.HeartbeatResponse(term, cfg.id(), h.from(), h.readContext()));
        } else if (m instanceof Message.SnapshotChunk c) {
            heardFromLeader(c.from());
            handleSnapshotChunk(c);
        } else if (m instanceof Message.TimeoutNow) {
            campaign(true);
        }
    }

    private void heardFromLeader(int from) {
        electionElapsed = 0;
        leader = from;
    }

    private void handleAppend(Message.AppendRequest a) {
        if (a.prevLogIndex() < log.commit()) {
            // Everything up to our commit matches the leader (Log Matching); say so and let
            // it continue from there rather than re-checking compacted history.
            long matched = log.commit();
            if (a.lastIndex() > matched && log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
                matched = log.appendFromLeader(a.prevLogIndex(), a.entries());
                log.commitTo(Math.min(a.leaderCommit(), matched));
            }
            send(new Message.AppendResponse(term, cfg.id(), a.from(), true, matched, 0, 0));
            return;
        }
        if (log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
            long last = log.appendFromLeader(a.prevLogIndex(), a.entries());
            log.commitTo(Math.min(a.leaderCommit(), last)); // §5.3 step 5
            send(new Message.AppendResponse(term, cfg.id(), a.from(), true, last, 0, 0));
            return;
        }
        // §5.3 step 2 reject, with the hint of §5.3 "optimization" (conflicting term and
        // the first index we hold of it)
        long conflictTerm;
        long conflictIndex;
        if (a.prevLogIndex() > log.lastIndex()) {
            conflictTerm = 0;
            conflictIndex = log.lastIndex() + 1;
        } else {
            conflictTerm = log.term(a.prevLogIndex());
            conflictIndex = Math.max(log.firstIndexOfTermAt(a.prevLogIndex()), log.commit() + 1);
        }
        send(new Message.AppendResponse(term, cfg.id(), a.from(), false, a.prevLogIndex(),
                conflictTerm, conflictIndex));
    }

    private void handleSnapshotChunk(Message.SnapshotChunk c) {
        if (c.snapshotIndex() <= log.commit()) {
            receiver.reset(); // we already hold everything it covers
            send(new Message.SnapshotResponse(term, cfg.id(), c.from(), c.snapshotIndex(), c.totalBytes(), true));
            return;
        }
        Snapshot s = receiver.offer(c);
        if (s == null) {
            send(new Message.SnapshotResponse(term, cfg.id(), c.from(), c.snapshotIndex(), receiver.received(), false));
            return;
        }
        log.restore(s);
        snapshot = s;
        snapshotToPersist = s;
        send(new Message.SnapshotResponse(term, cfg.id(), c.from(), s.index(), c.totalBytes(), true));
    }

    // ---------------------------------------------------------------- leader (§5.3, §5.4)

    private void stepLeader(Message m) {
        if (m instanceof Message.AppendResponse r) {
            handleAppendResponse(r);
        } else if (m instanceof Message.HeartbeatResponse r) {
            handleHeartbeatResponse(r);
        } else if (m instanceof Message.SnapshotResponse r) {
            handleSnapshotResponse(r);
        } else if (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk) {
            twoLeaders(m);
        }
    }

    private void twoLeaders(Message m) {
        throw new IllegalStateException("election safety broken: node " + m.from()
                + " acts as leader in term " + term + " held by " + cfg.id());
    }

    private void handleAppendResponse(Message.AppendResponse r) {
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
                    send(new Message.TimeoutNow(term, cfg.id(), r.from()));
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
        long next = r.conflictIndex();
        if (r.conflictTerm() > 0) {
            long last = log.lastIndexOfTerm(r.conflictTerm());
            if (last > 0) {
                next = last + 1;
            }
        }
        pr.becomeProbe();
        pr.next = Math.max(pr.match + 1, Math.min(next, r.index()));
        sendAppend(pr, true);
    }

    private void handleHeartbeatResponse(Message.HeartbeatResponse r) {
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
        Progress pr = progress.get(r.from());
        pr.recentActive = true;
        boolean current = pr.state == Progress.State.SNAPSHOT && pr.sending.index() == r.snapshotIndex();
        if (r.done()) {
            // the follower holds everything through snapshotIndex (installed or committed)
            pr.maybeUpdate(r.snapshotIndex());
            if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.sending.index()) {
                pr.becomeProbe();
                sendAppend(pr, true);
            }
            return;
        }
        if (!current) {
            return;
        }
        if (r.nextOffset() > pr.snapshotAcked) {
            pr.snapshotAcked = Math.min(r.nextOffset(), pr.sending.data().length);
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
    private void maybeCommit() {
        long[] matches = new long[cfg.nodes().size()];
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
                    registerRead(id);
                }
            }
        }
    }

    private long quorumReadRound() {
        long[] acks = new long[cfg.nodes().size()];
        int i = 0;
        acks[i++] = reads.round();
        for (Progress pr : progress.values()) {
            acks[i++] = pr.readAck;
        }
        Arrays.sort(acks);
        return acks[acks.length - cfg.quorum()];
    }

    private void broadcastHeartbeat() {
        for (Progress pr : progress.values()) {
            // never let a follower commit past what it is known to hold
            long commit = Math.min(pr.match, log.commit());
            send(new Message.Heartbeat(term, cfg.id(), pr.id, commit, reads.round()));
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
     * compacted). Returns false when nothing was sent.
     */
    private boolean sendAppend(Progress pr, boolean allowEmpty) {
        if (pr.isPaused(cfg.inflightAppendsMax())) {
            return false;
        }
        long prev = pr.next - 1;
        if (prev < log.snapshotIndex()) {
            pr.becomeSnapshot(snapshot);
            sendSnapshotChunks(pr);
            return false;
        }
        List<Entry> entries = pr.next <= log.lastIndex()
                ? log.slice(pr.next, log.lastIndex(), cfg.appendEntriesMax(), cfg.appendBytesMax())
                : List.of();
        if (entries.isEmpty() && !allowEmpty && pr.state == Progress.State.REPLICATE) {
            return false;
        }
        send(new Message.AppendRequest(term, cfg.id(), pr.id, prev, log.term(prev), log.commit(), entries));
        pr.sentAppend(prev + entries.size(), entries.size());
        return !entries.isEmpty();
    }

    private void sendSnapshotChunks(Progress pr) {
        byte[] data = pr.sending.data();
        long window = (long) cfg.snapshotChunkBytesMax() * cfg.inflightSnapshotChunksMax();
        while (!pr.snapshotSentAll && pr.snapshotSentTo - pr.snapshotAcked < window) {
            int off = (int) pr.snapshotSentTo;
            int end = Math.min(data.length, off + cfg.snapshotChunkBytesMax());
            boolean last = end == data.length;
            send(new Message.SnapshotChunk(term, cfg.id(), pr.id, pr.sending.index(), pr.sending.term(),
                    data.length, off, Arrays.copyOfRange(data, off, end), last));
            pr.snapshotSentTo = end;
            pr.snapshotSentAll = last;
        }
    }

    private void send(Message m) {
        outbox.add(m);
    }

    // ---------------------------------------------------------------- ready / advance

    /** True when {@link #ready()} has something to hand out. */
    public boolean hasReady() {
        return !outbox.isEmpty() || appendsDue || readHeartbeatDue || snapshotToPersist != null
                || log.unstableFrom() <= log.lastIndex() || log.commit() > log.applied()
                || reads.hasDone() || !currentHardState().equals(handedOutHardState);
    }

    /** Collects the work to carry out; call {@link #advance(Ready)} once it is done. */
    public Ready ready() {
        requireNoReadyOutstanding();
        if (role == Role.LEADER && appendsDue) {
            appendsDue = false;
            for (Progress pr : progress.values()) {
                sendAppends(pr);
            }
        }
        if (readHeartbeatDue) {
            readHeartbeatDue = false;
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
        HardState hs = currentHardState();
        HardState hsOut = hs.equals(handedOutHardState) ? null : hs;
        handedOutHardState = hs;
        Ready rd = new Ready(hsOut, snapshotToPersist, log.unstableEntries(), outbox,
                log.committedToApply(APPLY_BATCH_MAX), reads.takeDone());
        snapshotToPersist = null;
        outbox = new ArrayList<>();
        readyOutstanding = true;
        return rd;
    }

    /** Confirms that {@code rd} was persisted, sent and applied. */
    public void advance(Ready rd) {
        if (!readyOutstanding) {
            throw new IllegalStateException("advance without ready");
        }
        readyOutstanding = false;
        if (!rd.entries().isEmpty()) {
            log.markStable(rd.entries().get(rd.entries().size() - 1).index());
        }
        if (!rd.committed().isEmpty()) {
            log.appliedTo(rd.committed().get(rd.committed().size() - 1).index());
        }
        if (role == Role.LEADER) {
            maybeCommit(); // our own append is durable now
        }
    }

    private HardState currentHardState() {
        return new HardState(term, votedFor, log.commit());
    }

    private void requireNoReadyOutstanding() {
        if (readyOutstanding) {
            throw new IllegalStateException("input while a Ready is outstanding: call advance first");
        }
    }

    // ---------------------------------------------------------------- observation

    public int id() {
        return cfg.id();
    }

    public Config config() {
        return cfg;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The leader this node knows of in its term, or {@link #NONE}. */
    public int leader() {
        return leader;
    }

    public long commitIndex() {
        return log.commit();
    }

    public long appliedIndex() {
        return log.applied();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    /** First index still held in the log (the one after the last snapshot). */
    public long firstIndex() {
        return log.firstIndex();
    }

    /** Term of the entry at {@code index}, or -1 if compacted or absent. */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The entry at {@code index}, which must be held (firstIndex..lastIndex). */
    public Entry entryAt(long index) {
        return log.entry(index);
    }

    /** The latest snapshot this node holds, or null. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Leader only: each follower's match index (empty map otherwise). */
    public Map<Integer, Long> matchIndexes() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (Progress pr : progress.values()) {
            out.put(pr.id, pr.match);
        }
        return out;
    }

    /** Node a leadership transfer is under way to, or {@link #NONE}. */
    public int transferTarget() {
        return transferTarget;
    }

    @Override
    public String toString() {
        return "raft[" + cfg.id() + " " + role + " term=" + term + " leader=" + leader + " last="
                + log.lastIndex() + " commit=" + log.commit() + " applied=" + log.applied() + "]";
    }
}
