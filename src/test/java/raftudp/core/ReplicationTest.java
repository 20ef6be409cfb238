package raftudp.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log replication and commitment: paper §5.3 and §5.4.2. */
class ReplicationTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    /** NORMAL entries 1.. with the given terms, one data byte each (also for RemoteClaimsTest). */
    static List<Entry> log(long... terms) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(new Entry(i + 1, terms[i], Entry.Kind.NORMAL, new byte[]{(byte) i}));
        }
        return out;
    }

    /** Node 1 of three as a follower in {@code term}, holding {@code log} committed to {@code commit}. */
    static Raft follower(long term, List<Entry> log, long commit) {
        return new Raft(Config.defaults(1, THREE), new HardState(term, -1, commit), null, log, x -> 0);
    }

    @Test
    void committedEntryIsAppliedOnEveryNodeInOrder() {
        CoreCluster c = new CoreCluster(3, 1);
        c.elect(0);
        for (int i = 0; i < 5; i++) {
            assertEquals(Raft.Status.OK, c.propose(0, "v" + i).status());
        }
        c.heartbeat(0);
        for (int id = 0; id < 3; id++) {
            List<String> got = c.applied.get(id).stream().filter(e -> e.kind() == Entry.Kind.NORMAL)
                    .map(CoreCluster::text).toList();
            assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), got, "node " + id);
        }
    }

    @Test
    void followerRefusesProposalsAndNamesLeader() {
        CoreCluster c = new CoreCluster(3, 1);
        c.elect(0);
        Raft.Proposal p = c.node(1).propose(new byte[]{1});
        assertEquals(Raft.Status.NOT_LEADER, p.status());
        assertEquals(0, p.leaderHint());
    }

    @Test
    void appendAcceptedWhenPrevEntryMatches() {
        Raft f = follower(2, log(1, 1, 2), 0);
        f.step(new Message.AppendRequest(2, 0, 1, 3, 2, 3, log(1, 1, 2, 2).subList(3, 4)));
        Message.AppendResponse r = (Message.AppendResponse) f.ready().messages().get(0);
        assertTrue(r.success());
        assertEquals(4, r.index());
        assertEquals(3, f.commitIndex(), "§5.3: commit min(leaderCommit, last new entry)");
    }

    @ParameterizedTest(name = "follower terms {0}, prev {1}@{2} -> hint {3}@{4}")
    @CsvSource({
            // follower log (terms), prevIndex, prevTerm, conflictTerm, conflictIndex
            "'1,1,2', 5, 3, 0, 4",       // follower too short: hint = its last + 1
            "'1,1,2,2,2', 5, 3, 2, 3",   // different term at prev: first index of that term
            "'1,1,1', 2, 2, 1, 1",       // whole run of term 1 skipped at once
    })
    void mismatchedPrevIsRejectedWithConflictHint(String terms, long prevIndex, long prevTerm,
                                                  long conflictTerm, long conflictIndex) {
        long[] t = java.util.Arrays.stream(terms.split(",")).mapToLong(Long::parseLong).toArray();
        Raft f = follower(3, log(t), 0);
        f.step(new Message.AppendRequest(3, 0, 1, prevIndex, prevTerm, 0, List.of()));
        Message.AppendResponse r = (Message.AppendResponse) f.ready().messages().get(0);
        assertFalse(r.success());
        assertEquals(prevIndex, r.index());
        assertEquals(conflictTerm, r.conflictTerm());
        assertEquals(conflictIndex, r.conflictIndex());
    }

    @Test
    void conflictingSuffixIsReplacedButMatchingEntriesKept() {
        // §5.3 step 3: delete the existing entry and all that follow it
        Raft f = follower(3, log(1, 1, 2, 2), 1);
        List<Entry> incoming = List.of(new Entry(3, 3, Entry.Kind.NORMAL, new byte[]{9}));
        f.step(new Message.AppendRequest(3, 0, 1, 2, 1, 1, incoming));
        assertEquals(3, f.lastIndex());
        assertEquals(3, f.termAt(3));
        Ready rd = f.ready();
        assertEquals(3, rd.entries().get(0).index(), "the overwrite starts at the conflict");
    }

    @Test
    void staleAppendDoesNotTruncateNewerMatchingEntries() {
        Raft f = follower(2, log(1, 2, 2, 2), 0);
        f.step(new Message.AppendRequest(2, 0, 1, 1, 1, 0, log(1, 2).subList(1, 2)));
        assertEquals(4, f.lastIndex(), "a delayed duplicate must not cut the log");
    }

    @Test
    void divergentFollowerIsRepairedWithFewRoundTrips() {
        // A follower with a long run of entries from a deposed leader's term.
        CoreCluster c = new CoreCluster(3, 21);
        c.elect(0);
        c.isolate(0);
        for (int i = 0; i < 50; i++) {
            c.node(0).propose(new byte[]{(byte) i}); // never committed: leader is cut off
            c.drain(0);
        }
        c.heal();
        c.tick(0, c.node(0).config().electionTicksMin() * 2); // check-quorum deposes node 0
        c.queue.clear();
        c.isolate(0);
        Raft leader = c.electNewLeader(0);
        c.heal();
        c.propose(leader.id(), "after");
        int before = c.sentOfType(Message.AppendResponse.class).size();
        c.heartbeat(leader.id());
        c.heartbeat(leader.id());
        assertEquals(leader.lastIndex(), c.node(0).lastIndex());
        assertEquals(leader.lastTerm(), c.node(0).lastTerm());
        long rejects = c.sent.subList(0, c.sent.size()).stream()
                .filter(m -> m instanceof Message.AppendResponse r && !r.success() && r.from() == 0).count();
        assertTrue(rejects <= 3, "fast backtracking skips a term per round trip, saw " + rejects + " rejections");
        assertTrue(c.sentOfType(Message.AppendResponse.class).size() > before);
    }

    @Test
    void leaderDoesNotCommitPreviousTermEntryByCountingReplicas() {
        // §5.4.2 / Figure 8: an entry from an earlier term, even once the leader knows a
        // majority stores it, is not committed until an entry of the leader's own term is.
        CoreCluster c = new CoreCluster(3, 5, id -> Config.defaults(id, THREE).withReplication(1, 1 << 20, 8, 1200, 4));
        c.elect(0);
        c.drop = m -> m instanceof Message.AppendRequest a && a.to() == 2
                || m instanceof Message.AppendResponse;
        c.node(0).propose(new byte[]{42});
        c.stabilize(); // node 1 stores entry 2 (term 1); node 0 never hears back
        assertEquals(1, c.node(0).commitIndex());
        assertEquals(2, c.node(1).lastIndex());
        // node 1 wins term 2 (only it holds entry 2); node 0 is gone
        c.drop = m -> m.to() == 0 || m.from() == 0 || m instanceof Message.AppendRequest;
        Raft l1 = c.electNewLeader(0);
        assertEquals(1, l1.id(), "only node 1 holds entry 2, so only it can win");
        assertEquals(3, l1.lastIndex(), "entry 3 is the new term's no-op");
        // node 2 may receive entry 2 but never the no-op (one entry per append here; the
        // first probe carrying the no-op gets through and is rejected, node 2 lacking entry 2)
        c.drop = m -> m.to() == 0 || m.from() == 0
                || m instanceof Message.AppendRequest a && c.node(2).lastIndex() >= 2
                && a.entries().stream().anyMatch(e -> e.index() == 3);
        c.heartbeat(1);
        c.heartbeat(1);
        assertEquals(2, c.node(2).lastIndex());
        assertEquals(2L, l1.matchIndexes().get(2), "the leader knows a majority (1 and 2) store entry 2");
        assertNotEquals(l1.termAt(2), l1.term());
        assertEquals(1, l1.commitIndex(), "entry 2 of the old term is not committed by counting replicas");
        c.heal();
        c.heartbeat(1);
        c.heartbeat(1);
        assertTrue(l1.commitIndex() >= 3, "committing the no-op commits entry 2 with it");
    }

    @Test
    void batchesRespectEntryAndByteLimitsAndWindow() {
        CoreCluster c = new CoreCluster(3, 2, id -> Config.defaults(id, THREE).withReplication(4, 1 << 20, 2, 1200, 4));
        c.elect(0);
        c.sent.clear();
        c.drop = m -> m instanceof Message.AppendResponse; // nothing acked: the window must fill and stop
        for (int i = 0; i < 40; i++) {
            c.node(0).propose(new byte[]{(byte) i});
        }
        c.stabilize();
        List<Message> appendsTo1 = c.sent.stream()
                .filter(m -> m instanceof Message.AppendRequest a && a.to() == 1 && !a.entries().isEmpty()).toList();
        assertEquals(2, appendsTo1.size(), "window of 2 in-flight appends");
        for (Message m : appendsTo1) {
            assertTrue(((Message.AppendRequest) m).entries().size() <= 4);
        }
    }

    @Test
    void oversizedEntryStillTravelsAlone() {
        CoreCluster c = new CoreCluster(3, 2, id -> Config.defaults(id, THREE).withReplication(64, 100, 8, 1200, 4));
        c.elect(0);
        c.sent.clear();
        c.node(0).propose(new byte[5000]);
        c.node(0).propose(new byte[5000]);
        c.stabilize();
        assertTrue(c.sent.stream().filter(m -> m instanceof Message.AppendRequest a && !a.entries().isEmpty())
                .allMatch(m -> ((Message.AppendRequest) m).entries().size() == 1));
        assertEquals(c.node(0).lastIndex(), c.node(1).lastIndex());
    }

    @Test
    void lostAppendsAreResentAfterHeartbeat() {
        CoreCluster c = new CoreCluster(3, 4);
        c.elect(0);
        c.drop = m -> m instanceof Message.AppendRequest a && a.to() == 2;
        c.propose(0, "a");
        c.propose(0, "b");
        c.heal();
        c.heartbeat(0);
        c.heartbeat(0);
        c.heartbeat(0);
        assertEquals(c.node(0).lastIndex(), c.node(2).lastIndex());
        assertEquals(c.node(0).commitIndex(), c.node(2).commitIndex());
    }

    @Test
    void restartedFollowerKeepsPersistedLogAndVote() {
        CoreCluster c = new CoreCluster(3, 8);
        c.elect(0);
        c.propose(0, "x");
        c.heartbeat(0);
        Raft before = c.node(1);
        Raft after = c.start(1);
        assertEquals(before.term(), after.term());
        assertEquals(before.lastIndex(), after.lastIndex());
        assertEquals(before.commitIndex(), after.commitIndex());
        c.stabilize();
        c.heartbeat(0);
        assertEquals(c.node(0).commitIndex(), after.appliedIndex(), "re-applies from persisted commit");
    }

    @Test
    void hardStateIsHandedOutBeforeVoteIsSent() {
        Raft r = new Raft(Config.defaults(0, THREE).withElectionFeatures(false, false),
                HardState.EMPTY, null, List.of(), x -> 0);
        r.step(new Message.VoteRequest(4, 2, 0, 0, 0, false, false));
        Ready rd = r.ready();
        assertEquals(new HardState(4, 2, 0), rd.hardState(), "the vote is in the same Ready, persisted first");
        assertTrue(rd.messages().get(0) instanceof Message.VoteResponse v && v.granted());
    }

    @Test
    void inputWhileReadyOutstandingIsRefused() {
        Raft r = new Raft(Config.defaults(0, THREE), HardState.EMPTY, null, List.of(), x -> 0);
        r.step(new Message.VoteRequest(4, 2, 0, 0, 0, false, false));
        r.ready();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, r::tick);
    }

    /**
     * A follower that lost its data (restarted on an empty directory) rejects every probe at the
     * index the leader knows it once matched. The leader used to resend the same probe on every
     * rejection, as fast as the network carried them (~15,000 datagrams/s in the testbed); now
     * a probe rejected where it already stood waits for the next heartbeat round.
     */
    @Test
    void aFollowerThatLostItsData_isDetectedCountedAndCaughtUp_withAtMostOneProbePerRound() {
        // Issue 10: a node restarted on an empty data directory never caught up (the leader
        // would not send below the match index it remembered) and drew a probe per rejection
        // at network speed. Now the rejection that says the follower's log ends before what it
        // acknowledged is counted (refused.FOLLOWER_LOST_ENTRIES), the leader lowers its match
        // for that follower to what the follower says it holds (a lower match only ever delays
        // commits, never advances one), and sends from there.
        CoreCluster c = new CoreCluster(3, 7);
        c.elect(0);
        for (int i = 0; i < 5; i++) {
            assertEquals(Raft.Status.OK, c.propose(0, "v" + i).status());
        }
        c.heartbeat(0);
        long leaderLast = c.node(0).lastIndex();
        assertEquals(leaderLast, c.node(2).lastIndex());
        c.disk.put(2, new CoreCluster.Persisted()); // node 2's data directory is gone
        c.start(2);
        int before = appendsTo(c, 2);
        assertEquals(Raft.Status.OK, c.propose(0, "after the wipe").status()); // was: no quiescence
        int rounds = 20;
        for (int i = 0; i < rounds; i++) {
            c.heartbeat(0);
        }
        assertEquals(c.node(0).lastIndex(), c.node(2).lastIndex(), "the follower holds the leader's log again");
        assertEquals(c.node(0).commitIndex(), c.node(2).commitIndex());
        int appends = appendsTo(c, 2) - before;
        assertTrue(appends <= rounds + 3, appends + " AppendRequests to the follower in " + rounds + " heartbeat rounds");
        assertEquals(Role.LEADER, c.node(0).role(), "the leader keeps leading");
        assertEquals(1, c.node(0).refusals().get(Refusal.FOLLOWER_LOST_ENTRIES), "detected and counted once");
        assertEquals(0, c.node(1).refusals().get(Refusal.FOLLOWER_LOST_ENTRIES), "node 1 leads nothing");
    }

    @Test
    void aForgedLostDataClaim_isBelievedOncePerElectionTimeout_soItCannotDrawARepeatedFullResend() {
        // Issue 10, noticed when the catch-up landed: a rejection claiming "my log ends before
        // what I acknowledged" lowers the follower's match and the leader resends everything
        // from there. Without a cluster key anyone can send one from a member's address; a
        // pair of datagrams per round drew a full resend each time. Now a claim is believed at
        // most once per election timeout per follower; the others are counted and ignored.
        CoreCluster c = new CoreCluster(3, 11);
        Raft leader = c.elect(0);
        for (int i = 0; i < 40; i++) {
            assertEquals(Raft.Status.OK, c.propose(0, "v" + i).status());
        }
        c.heartbeat(0);
        long last = leader.lastIndex();
        assertEquals(last, c.node(2).lastIndex());
        int claims = 10;
        int entriesBefore = entriesTo(c, 2);
        for (int k = 0; k < claims; k++) {
            forgeLostDataClaim(c, leader, "w" + k);
            c.tick(0, 1); // far less than an election timeout between the claims
            c.stabilize();
        }
        last = leader.lastIndex();
        int resent = entriesTo(c, 2) - entriesBefore;
        assertTrue(resent <= last + claims, resent + " entries sent to node 2 for " + claims
                + " forged claims and " + claims + " new entries (one full resend is " + last + ")");
        assertEquals(1, leader.refusals().get(Refusal.FOLLOWER_LOST_ENTRIES), "believed once");
        assertEquals(claims - 1, leader.refusals().get(Refusal.LOST_ENTRIES_CLAIM_REPEATED), "the others counted");
        assertEquals(last, c.node(2).lastIndex());
        assertEquals(Role.LEADER, leader.role());
        // An election timeout later a claim is believed again (a follower may lose its data twice).
        c.tick(0, leader.config().electionTicksMin());
        c.stabilize();
        forgeLostDataClaim(c, leader, "later");
        assertEquals(2, leader.refusals().get(Refusal.FOLLOWER_LOST_ENTRIES));
    }

    /**
     * What an attacker without the key sends, from node 2's address, while an append is on its
     * way: a rejection beyond the match (the leader probes at match + 1), then an answer to that
     * probe saying the follower's log holds one entry. Then everything is delivered.
     */
    private static void forgeLostDataClaim(CoreCluster c, Raft leader, String value) {
        long match = c.node(2).lastIndex();
        assertEquals(Raft.Status.OK, leader.propose(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
        c.drain(0); // the new entry's appends are queued, not delivered
        java.util.function.Predicate<Message> forged =
                m -> m.to() == 0 && m.from() == 2 && m instanceof Message.AppendResponse r && !r.success();
        c.post(List.of(new Message.AppendResponse(leader.term(), 2, 0, false, match + 1, 0, match + 1,
                Raft.defaultIncarnation(2))));
        c.deliverOnly(forged);
        c.post(List.of(new Message.AppendResponse(leader.term(), 2, 0, false, match, 0, 2, Raft.defaultIncarnation(2))));
        c.deliverOnly(forged);
        c.stabilize();
    }

    private static int entriesTo(CoreCluster c, int id) {
        return c.sentOfType(Message.AppendRequest.class).stream().filter(m -> m.to() == id)
                .mapToInt(m -> ((Message.AppendRequest) m).entries().size()).sum();
    }

    private static int appendsTo(CoreCluster c, int id) {
        return (int) c.sentOfType(Message.AppendRequest.class).stream().filter(m -> m.to() == id).count();
    }
}
