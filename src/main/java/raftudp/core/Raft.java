package raftudp.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Raft protocol for one node, as a deterministic state machine. It does no I/O, reads
 * no clock and starts no thread: time enters through {@link #tick()}, randomness through
 * the injected {@link RandomSource}, and everything it wants done leaves through
 * {@link #ready()}. Not thread-safe: one thread drives it.
 *
 * <p>Driving loop: feed inputs ({@link #tick()}, {@link #step(Message)},
 * {@link #propose(byte[])}, {@link #readIndex(long)}, {@link #transferLeadership(int)}),
 * then while {@link #hasReady()}: take {@link #ready()}, carry it out in the order its
 * Javadoc gives (a leader's replication messages may go out before its own persist), call
 * {@link #advance(Ready)}.
 *
 * <p>Section numbers cite the Raft paper (Ongaro &amp; Ousterhout 2014) and, where marked
 * "thesis", Ongaro's dissertation (2014).
 */
public final class Raft {
    /** No node (no leader known, no transfer target). */
    public static final int NONE = -1;
    /**
     * The largest term a node ever holds or accepts: 2^48 (docs/wire-format.md §3.3). Far
     * beyond any real election count (one election per millisecond for 8,900 years), and far
     * enough below the wire's 2^63 - 1 that no term arithmetic can overflow. Messages above it
     * are dropped before they reach the core; a node at it does not campaign.
     */
    public static final long TERM_MAX = 1L << 48;
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
    /** The incarnation of this node's data directory (see {@link Membership}). */
    private final long incarnation;
    /** Why this node's data is known to be lost, or null; once set, every input is ignored. */
    private String dataLost;
    /** While forming a cluster: the incarnations the real votes granted to this candidate carried. */
    private final Map<Integer, Long> grantedIncarnations = new LinkedHashMap<>();

    private long term;
    private int votedFor;
    private int leader = NONE;
    private Role role = Role.FOLLOWER;

    private int electionElapsed;
    private int randomizedElectionTimeout;
    private final Map<Integer, Boolean> votes = new LinkedHashMap<>();
    /** Present while this node leads. */
    private Leadership leadership;

    private Snapshot snapshot;
    private Snapshot snapshotToPersist;
    private final SnapshotReceiver receiver;
    private final long[] refusals = new long[Refusal.values().length];
    private final PendingReads reads = new PendingReads();

    private List<Message> outbox = new ArrayList<>();
    private HardState handedOutHardState;
    /** The soft state the last Ready reported (or the one at start). */
    private SoftState handedOutSoftState;
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
        this(cfg, hard, snapshot, entries, random, s -> true);
    }

    /**
     * As above, with the state machine's check of received snapshots: a snapshot is
     * installed only when its image matches the checksum its chunks carried and
     * {@code snapshotCheck} accepts it (e.g. it parses). The check must not throw.
     *
     * @throws TermCeilingException when the stored term is above {@link #TERM_MAX} (data
     *                              written by an older version that believed a forged term)
     */
    public Raft(Config cfg, HardState hard, Snapshot snapshot, List<Entry> entries, RandomSource random,
                Predicate<Snapshot> snapshotCheck) {
        this(cfg, hard, snapshot, entries, random, snapshotCheck, SnapshotSink.MEMORY);
    }

    /**
     * As above, with where received snapshot images go ({@code sinks}: a file in a node, so
     * that an image as large as the state is never held on the heap).
     */
    public Raft(Config cfg, HardState hard, Snapshot snapshot, List<Entry> entries, RandomSource random,
                Predicate<Snapshot> snapshotCheck, SnapshotSink.Factory sinks) {
        this(cfg, hard, snapshot, entries, random, snapshotCheck, sinks, defaultIncarnation(cfg.id()));
    }

    /**
     * As above, with the incarnation of the data directory the state comes from (1 .. 2^63 - 1;
     * see {@link Membership}). When what the storage holds records this node with another
     * incarnation, the node starts with {@link #dataLost()} set.
     */
    public Raft(Config cfg, HardState hard, Snapshot snapshot, List<Entry> entries, RandomSource random,
                Predicate<Snapshot> snapshotCheck, SnapshotSink.Factory sinks, long incarnation) {
        if (!Membership.validIncarnation(incarnation)) {
            throw new IllegalArgumentException("incarnation " + incarnation + " is not 1..2^63-1");
        }
        this.incarnation = incarnation;
        if (hard.term() > TERM_MAX) {
            throw new TermCeilingException("node " + cfg.id() + ": the stored term " + hard.term()
                    + " is above the term ceiling " + TERM_MAX + " (2^48): this node could never campaign. "
                    + "The data was written by an older version that adopted a forged term; see docs/node.md "
                    + "\"Term ceiling\" for how to recover");
        }
        this.receiver = new SnapshotReceiver(snapshotCheck, sinks);
        this.cfg = cfg;
        this.random = random;
        this.snapshot = snapshot;
        this.log = new RaftLog(snapshot, entries, hard.commit());
        if (log.lastTerm() > hard.term()) {
            // The log holds entries of a term the hard state never recorded: the node crashed
            // after its log reached the disk and before the hard state did (FileStorage writes
            // the hard state once the log before it is forced). It had adopted that term, so it
            // takes it again; it voted nothing in it, since a vote leaves only once the hard
            // state holding it is durable. The raised term is handed out to be persisted.
            this.term = log.lastTerm();
            this.votedFor = HardState.NO_VOTE;
        } else {
            this.term = hard.term();
            this.votedFor = hard.votedFor();
        }
        this.peers = cfg.nodes().stream().filter(n -> n != cfg.id()).toList();
        this.handedOutHardState = new HardState(hard.term(), hard.votedFor(), log.commit());
        this.handedOutSoftState = softState();
        resetElectionTimer();
        checkOwnRecord();
    }

    /** The incarnation the shorter constructors give node {@code id}: fixed, for tests of the core. */
    public static long defaultIncarnation(int id) {
        return 0x1_0000L + id;
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time. */
    public void tick() {
        requireNoReadyOutstanding();
        if (dataLost != null) {
            return;
        }
        if (role == Role.LEADER) {
            if (!leadership.tick()) {
                becomeFollower(term, NONE); // §6.2 check-quorum: we may be partitioned away
            }
        } else if (++electionElapsed >= randomizedElectionTimeout) {
            campaign(false);
        }
    }

    /** Proposes a command; on OK it will be applied at the returned index if committed. */
    public Proposal propose(byte[] data) {
        requireNoReadyOutstanding();
        if (role != Role.LEADER) {
            return new Proposal(Status.NOT_LEADER, 0, 0, leader);
        }
        if (leadership.transferTarget() != NONE
                || log.lastIndex() - log.commit() >= cfg.uncommittedEntriesMax()) {
            return new Proposal(Status.BUSY, 0, 0, leader);
        }
        Entry e = new Entry(log.lastIndex() + 1, term, Entry.Kind.NORMAL, data);
        log.append(e);
        leadership.entriesAppended();
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
        leadership.read(requestId);
        return Status.OK;
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
        leadership.transfer(target);
        return Status.OK;
    }

    /**
     * The state machine has captured its state through {@code index} in {@code data}:
     * drop the log up to there (§7). The runtime persists the snapshot itself.
     */
    public void compact(long index, SnapshotData data) {
        requireNoReadyOutstanding();
        if (index <= log.snapshotIndex()) {
            return;
        }
        if (index > log.applied()) {
            throw new IllegalArgumentException("cannot compact " + index + " beyond applied " + log.applied());
        }
        snapshot = new Snapshot(index, log.term(index), data, log.membersAt(index));
        log.compact(index);
    }

    /** Handles one message from another node. */
    public void step(Message m) {
        requireNoReadyOutstanding();
        if (dataLost != null) {
            return;
        }
        if (m.to() != cfg.id() || m.from() == cfg.id() || !cfg.nodes().contains(m.from())) {
            return; // misaddressed: not ours to act on
        }
        if (m.term() > TERM_MAX) {
            return; // the node's admission drops these first (TERM_CEILING); never adopt one
        }
        if (m instanceof Message.Response r && log.members() != null
                && log.members().incarnationOf(r.from()) != r.incarnation()) {
            // not the data directory that joined: its vote or ack (or its term) means nothing
            refused(Refusal.INCARNATION_MISMATCH);
            return;
        }
        if (m instanceof Message.Heartbeat h && h.incarnation() != 0 && h.incarnation() != incarnation) {
            namedOtherwiseBy(h); // whatever its term: a leader names only what formation recorded
            return;
        }
        stepChecked(m);
        checkOwnRecord();
    }

    private void stepChecked(Message m) {
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
        if (role == Role.LEADER && (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk || m instanceof Message.TimeoutNow)) {
            // §5.2 election safety: we won this term, so no one else leads it; the claim is false
            refused(Refusal.RIVAL_LEADER);
            return;
        }
        switch (role) {
            case LEADER -> leadership.step(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER -> stepFollower(m);
        }
    }

    /** A message from a higher term; false when it must be ignored. */
    private boolean stepHigherTerm(Message m) {
        if (m instanceof Message.VoteRequest v) {
            boolean inLease = cfg.checkQuorum()
                    && (role == Role.LEADER || leader != NONE && electionElapsed < cfg.electionTicksMin());
            if (inLease && !v.transfer()) {
                return false; // thesis §4.2.3: a live leader's followers ignore disruptive candidates
            }
            if (!v.preVote()) {
                // §5.2: only a granted vote (or a leader) resets the election timer, not a higher
                // term: else candidates that cannot win (a wiped node, a log behind) would keep
                // the one node that can from ever timing out
                int elapsed = electionElapsed;
                becomeFollower(m.term(), NONE);
                electionElapsed = elapsed;
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
            send(new Message.AppendResponse(term, cfg.id(), m.from(), false, 0, 0, 0, incarnation));
        } else if (m instanceof Message.VoteRequest v && v.preVote()) {
            send(new Message.VoteResponse(term, cfg.id(), m.from(), false, true, incarnation));
        }
        // §5.1: otherwise a stale-term message is ignored
    }

    // ---------------------------------------------------------------- elections (§5.2)

    /** Starts an election: a pre-vote first when configured, unless {@code skipPreVote}. */
    private void campaign(boolean transfer) {
        campaign(transfer, transfer);
    }

    private void campaign(boolean transfer, boolean skipPreVote) {
        if (term >= TERM_MAX) {
            refused(Refusal.TERM_CEILING); // term + 1 would pass the ceiling: stay a follower
            resetElectionTimer();
            electionElapsed = 0;
            return;
        }
        if (cfg.preVote() && !skipPreVote) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
        boolean pre = role == Role.PRE_CANDIDATE;
        long voteTerm = pre ? term + 1 : term;
        votes.put(cfg.id(), true);
        if (votesNeeded() == 1) {
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
            send(new Message.VoteResponse(v.preVote() ? v.term() : term, cfg.id(), v.from(), true, v.preVote(),
                    incarnation));
            if (!v.preVote()) {
                votedFor = v.from();
                electionElapsed = 0;
            }
        } else {
            send(new Message.VoteResponse(term, cfg.id(), v.from(), false, v.preVote(), incarnation));
        }
    }

    /**
     * Votes a campaign needs: a majority of the membership once the cluster has formed; every
     * node while it has not (this node's log records no membership), so that the first
     * leader learns every member's incarnation from the grants and records them all.
     */
    private int votesNeeded() {
        return log.members() == null ? cfg.nodes().size() : cfg.quorum();
    }

    private void stepCandidate(Message m) {
        if (m instanceof Message.VoteResponse r) {
            if (r.preVote() != (role == Role.PRE_CANDIDATE)) {
                return; // a reply to a round we are no longer in
            }
            if (votes.putIfAbsent(r.from(), r.granted()) == null && r.granted() && !r.preVote()) {
                grantedIncarnations.put(r.from(), r.incarnation());
            }
            long granted = votes.values().stream().filter(b -> b).count();
            long refused = votes.size() - granted;
            if (granted >= votesNeeded()) {
                wonElection();
            } else if (refused > cfg.nodes().size() - votesNeeded()) {
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
        Membership members = log.members();
        if (members == null) {
            // forming the cluster: every node granted its vote; record each one's incarnation
            Map<Integer, Long> all = new LinkedHashMap<>(grantedIncarnations);
            all.put(cfg.id(), incarnation);
            members = new Membership(all);
        }
        role = Role.LEADER;
        leader = cfg.id();
        reset();
        leadership = new Leadership(cfg, log, term, peers, members, reads, () -> snapshot, this::send,
                this::refused);
    }

    private void reset() {
        electionElapsed = 0;
        resetElectionTimer();
        votes.clear();
        grantedIncarnations.clear();
        leadership = null;
        receiver.reset();
    }

    private void resetElectionTimer() {
        randomizedElectionTimeout = cfg.electionTicksMin()
                + random.nextInt(cfg.electionTicksMax() - cfg.electionTicksMin());
        if (log.members() == null) {
            // Forming the cluster takes an answer from every node, not from the fastest majority:
            // a timeout as many times longer as there are nodes leaves room for the slowest one
            // (else short timeouts on a slow network never form it: simulator seed 10797).
            randomizedElectionTimeout *= cfg.nodes().size();
        }
    }

    // ---------------------------------------------------------------- follower (§5.3, §7)

    private void stepFollower(Message m) {
        if (m instanceof Message.AppendRequest a) {
            heardFromLeader(a.from());
            handleAppend(a);
        } else if (m instanceof Message.Heartbeat h) {
            heardFromLeader(h.from());
            log.commitTo(Math.min(h.commit(), log.lastIndex()));
            send(new Message.HeartbeatResponse(term, cfg.id(), h.from(), h.readContext(), incarnation));
        } else if (m instanceof Message.SnapshotChunk c) {
            heardFromLeader(c.from());
            handleSnapshotChunk(c);
        } else if (m instanceof Message.TimeoutNow) {
            campaign(true);
        }
    }

    /**
     * A leader's heartbeat (of any term) names this node by another incarnation. If this node's own log
     * records its incarnation, the claim is false (counted as a refusal). If it
     * records none, the leader's membership was made with a data directory this node no longer
     * has: its data is lost. A genuine leader only names what a grant told the cluster's first
     * leader, and only after formation, which needed this node's own grant. Either way the
     * heartbeat is not acted on.
     */
    private void namedOtherwiseBy(Message.Heartbeat h) {
        Membership mine = log.members();
        if (mine != null && mine.incarnationOf(cfg.id()) == incarnation) {
            refused(Refusal.INCARNATION_MISMATCH);
            return;
        }
        lose("the leader, node " + h.from() + " of term " + h.term() + ", knows this node by incarnation "
                + Long.toHexString(h.incarnation()));
    }

    /**
     * True when this node's log records its incarnation and one of {@code entries} is a membership
     * that names it by another.
     */
    private boolean namesThisNodeOtherwise(List<Entry> entries) {
        Membership mine = log.members();
        if (mine == null || mine.incarnationOf(cfg.id()) != incarnation) {
            return false; // no record to contradict: a leader's membership is the evidence of a loss
        }
        for (Entry e : entries) {
            if (e.kind() == Entry.Kind.MEMBERS && Membership.decode(e.data()).incarnationOf(cfg.id()) != incarnation) {
                return true;
            }
        }
        return false;
    }

    /** Sets {@link #dataLost()} when this node's own log or snapshot records it with another incarnation. */
    private void checkOwnRecord() {
        Membership m = log.members();
        long recorded = m == null ? 0 : m.incarnationOf(cfg.id());
        if (dataLost == null && recorded != 0 && recorded != incarnation) {
            lose("the cluster's membership in this node's log records it as incarnation "
                    + Long.toHexString(recorded));
        }
    }

    private void lose(String evidence) {
        dataLost = "node " + cfg.id() + "'s data directory (incarnation " + Long.toHexString(incarnation)
                + ") is not the one it joined the cluster with: " + evidence + ". Its votes and acknowledged "
                + "entries are gone, so it must not take part: start it on its own data directory, or (once "
                + "membership changes exist) remove it from the cluster and add it back; see docs/node.md, "
                + "\"Lost data\"";
        outbox.clear();
    }

    private void heardFromLeader(int from) {
        electionElapsed = 0;
        leader = from;
    }

    private void handleAppend(Message.AppendRequest a) {
        if (namesThisNodeOtherwise(a.entries())) {
            // This node's log records its own incarnation, and a genuine leader's membership
            // names only what formation recorded: the entry is forged. Appended, it would stop
            // a healthy node (checkOwnRecord). Only what the node loads at start is evidence.
            refused(Refusal.INCARNATION_MISMATCH);
            return;
        }
        if (log.conflictsWithCommitted(a.entries())) {
            // A real leader holds every committed entry (§5.4 Leader Completeness): this one
            // is forged, replayed from a diverged history, or buggy. Apply nothing, answer nothing.
            refused(Refusal.COMMITTED_CONFLICT);
            return;
        }
        if (a.prevLogIndex() < log.commit()) {
            // Everything up to our commit matches the leader (Log Matching); say so and let
            // it continue from there rather than re-checking compacted history.
            long matched = log.commit();
            if (a.lastIndex() > matched && log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
                matched = log.appendFromLeader(a.prevLogIndex(), a.entries());
                log.commitTo(Math.min(a.leaderCommit(), matched));
            }
            send(new Message.AppendResponse(term, cfg.id(), a.from(), true, matched, 0, 0, incarnation));
            return;
        }
        if (log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
            long last = log.appendFromLeader(a.prevLogIndex(), a.entries());
            log.commitTo(Math.min(a.leaderCommit(), last)); // §5.3 step 5
            send(new Message.AppendResponse(term, cfg.id(), a.from(), true, last, 0, 0, incarnation));
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
                conflictTerm, conflictIndex, incarnation));
    }

    private void handleSnapshotChunk(Message.SnapshotChunk c) {
        if (c.snapshotIndex() <= log.commit()) {
            receiver.reset(); // we already hold everything it covers
            send(new Message.SnapshotResponse(term, cfg.id(), c.from(), c.snapshotIndex(), c.totalBytes(), true,
                    incarnation));
            return;
        }
        Snapshot s = receiver.offer(c);
        if (receiver.takeRejected()) {
            // the image failed its checksum or the state machine's check: restart from 0
            refused(Refusal.BAD_SNAPSHOT);
            send(new Message.SnapshotResponse(term, cfg.id(), c.from(), c.snapshotIndex(), 0, false, incarnation));
            return;
        }
        if (s == null) {
            send(new Message.SnapshotResponse(term, cfg.id(), c.from(), c.snapshotIndex(), receiver.received(), false,
                    incarnation));
            return;
        }
        log.restore(s);
        s = s.withMembers(log.membersAt(s.index()));
        snapshot = s;
        snapshotToPersist = s;
        send(new Message.SnapshotResponse(term, cfg.id(), c.from(), s.index(), c.totalBytes(), true, incarnation));
    }

    private void send(Message m) {
        outbox.add(m);
    }

    private void refused(Refusal r) {
        refusals[r.ordinal()]++;
    }

    // ---------------------------------------------------------------- ready / advance

    /** True when {@link #ready()} has something to hand out. */
    public boolean hasReady() {
        if (dataLost != null) {
            return false;
        }
        return !outbox.isEmpty() || (leadership != null && leadership.hasWork()) || snapshotToPersist != null
                || log.unstableFrom() <= log.lastIndex() || log.commit() > log.applied()
                || reads.hasDone() || !currentHardState().equals(handedOutHardState)
                || !softState().equals(handedOutSoftState);
    }

    /** This node's role, known leader and term now. */
    public SoftState softState() {
        return new SoftState(role, leader, term);
    }

    /** Collects the work to carry out; call {@link #advance(Ready)} once it is done. */
    public Ready ready() {
        requireNoReadyOutstanding();
        if (leadership != null) {
            leadership.flush();
        }
        HardState hs = currentHardState();
        HardState hsOut = hs.equals(handedOutHardState) ? null : hs;
        // term and vote unchanged since the last Ready, which advance() confirmed durable
        boolean termDurable = hs.term() == handedOutHardState.term()
                && hs.votedFor() == handedOutHardState.votedFor();
        handedOutHardState = hs;
        List<Message> sendFirst = List.of();
        List<Message> afterPersist = outbox;
        if (termDurable && snapshotToPersist == null && role == Role.LEADER) {
            // only a leader splits its outbox; everyone else hands it over whole, as before
            sendFirst = new ArrayList<>();
            afterPersist = new ArrayList<>();
            for (Message m : outbox) {
                (isLeaderReplication(m) ? sendFirst : afterPersist).add(m);
            }
        }
        SoftState soft = softState();
        SoftState softOut = soft.equals(handedOutSoftState) ? null : soft;
        handedOutSoftState = soft;
        Ready rd = new Ready(hsOut, snapshotToPersist, log.unstableEntries(), sendFirst, afterPersist,
                log.committedToApply(APPLY_BATCH_MAX), reads.takeDone(), softOut);
        snapshotToPersist = null;
        outbox = new ArrayList<>();
        readyOutstanding = true;
        return rd;
    }

    /**
     * Thesis §10.2.1: what a leader of the current term sends to replicate its log may leave
     * before its own write is durable (see {@link Ready}); acknowledgements never do.
     */
    private boolean isLeaderReplication(Message m) {
        return m.term() == term && m.from() == cfg.id() && m.to() != cfg.id()
                && (m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                    || m instanceof Message.SnapshotChunk);
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
        if (leadership != null) {
            leadership.maybeCommit(); // our own append is durable now
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

    /** The incarnation of this node's data directory. */
    public long incarnation() {
        return incarnation;
    }

    /**
     * Null while this node may take part; otherwise what shows that its data directory is not
     * the one it joined the cluster with, and what to do. Once set, every input is ignored and
     * nothing more is handed out: the runtime must stop the node and say so.
     */
    public String dataLost() {
        return dataLost;
    }

    /** The membership as of {@code index} (snapshot index .. last index), or null when none is known. */
    public Membership membersAt(long index) {
        return log.membersAt(index);
    }

    /** The cluster's membership as this node's log knows it, or null before formation. */
    public Membership members() {
        return log.members();
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
        return leadership == null ? Map.of() : leadership.matchIndexes();
    }

    /** How many times each {@link Refusal} happened since this node started. */
    public Map<Refusal, Long> refusals() {
        Map<Refusal, Long> m = new java.util.EnumMap<>(Refusal.class);
        for (Refusal r : Refusal.values()) {
            m.put(r, refusals[r.ordinal()]);
        }
        return m;
    }

    /** Node a leadership transfer is under way to, or {@link #NONE}. */
    public int transferTarget() {
        return leadership == null ? NONE : leadership.transferTarget();
    }

    @Override
    public String toString() {
        return "raft[" + cfg.id() + " " + role + " term=" + term + " leader=" + leader + " last="
                + log.lastIndex() + " commit=" + log.commit() + " applied=" + log.applied() + "]";
    }
}
