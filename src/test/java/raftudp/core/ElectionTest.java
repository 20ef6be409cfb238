package raftudp.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leader election: paper §5.2, the election restriction §5.4.1, pre-vote and check-quorum (thesis §9.6, §6.2). */
class ElectionTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    private static Raft fresh(int id, List<Integer> nodes, long seed) {
        return new Raft(Config.defaults(id, nodes), HardState.EMPTY, null, List.of(),
                new SplittableRandom(seed)::nextInt);
    }

    @Test
    void followerStartsPreVoteAfterElectionTimeoutWithoutRaisingTerm() {
        Raft r = fresh(0, THREE, 1);
        Config c = r.config();
        for (int i = 0; i < c.electionTicksMax() * THREE.size() && r.role() == Role.FOLLOWER; i++) {
            r.tick();
        }
        assertEquals(Role.PRE_CANDIDATE, r.role());
        assertEquals(0, r.term(), "pre-vote must not raise the term (thesis §9.6)");
        Ready rd = r.ready();
        assertEquals(2, rd.messages().size());
        for (Message m : rd.messages()) {
            Message.VoteRequest v = (Message.VoteRequest) m;
            assertTrue(v.preVote());
            assertEquals(1, v.term(), "a pre-vote asks for the next term");
        }
    }

    @Test
    void electionTimeoutIsRandomizedWithinConfiguredRange() {
        // A formed cluster (its membership in the log) uses the configured range; a node still
        // forming one waits as many times longer as there are nodes (it needs every node's answer).
        List<Entry> formed = List.of(new Entry(1, 1, Entry.Kind.MEMBERS, new Membership(java.util.Map.of(
                0, Raft.defaultIncarnation(0), 1, Raft.defaultIncarnation(1), 2, Raft.defaultIncarnation(2))).encode()));
        for (int scale : new int[] {1, THREE.size()}) {
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (long seed = 0; seed < 200; seed++) {
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                Raft r = scale == 1
                        ? new Raft(Config.defaults(0, THREE), new HardState(1, -1, 1), null, formed, random::nextInt)
                        : fresh(0, THREE, seed);
                int ticks = 0;
                while (r.role() == Role.FOLLOWER) {
                    r.tick();
                    ticks++;
                }
                assertTrue(ticks >= r.config().electionTicksMin() * scale && ticks < r.config().electionTicksMax() * scale,
                        "timeout " + ticks + " outside range x" + scale);
                seen.add(ticks);
            }
            assertTrue(seen.size() > 3, "timeouts must vary with the seed: " + seen);
        }
    }

    @Test
    void candidateWithMajorityBecomesLeaderAndAppendsNoop() {
        CoreCluster c = new CoreCluster(3, 7);
        Raft leader = c.elect(0);
        assertEquals(1, leader.term());
        assertEquals(Entry.Kind.MEMBERS, leader.entryAt(1).kind(),
                "§8: a new leader appends a no-op, which records the membership");
        assertEquals(new Membership(java.util.Map.of(0, Raft.defaultIncarnation(0), 1, Raft.defaultIncarnation(1),
                2, Raft.defaultIncarnation(2))), Membership.decode(leader.entryAt(1).data()),
                "every member with the incarnation its grant carried");
        assertEquals(1, leader.commitIndex());
        for (int i = 1; i < 3; i++) {
            assertEquals(Role.FOLLOWER, c.node(i).role());
            assertEquals(0, c.node(i).leader());
        }
    }

    @Test
    void candidateCutOffFromMajorityNeverBecomesLeader() {
        CoreCluster c = new CoreCluster(5, 3);
        c.isolate(0);
        for (int i = 0; i < 20; i++) {
            c.campaign(0);
        }
        assertNotEquals(Role.LEADER, c.node(0).role());
        assertEquals(0, c.node(0).term(), "isolated pre-candidate keeps its term");
    }

    @Test
    void singleNodeClusterElectsItselfAndCommitsAfterPersisting() {
        CoreCluster c = new CoreCluster(1, 2);
        Raft r = c.elect(0);
        Raft.Proposal p = c.propose(0, "x");
        assertEquals(Raft.Status.OK, p.status());
        assertEquals(p.index(), r.commitIndex());
        assertEquals("x", CoreCluster.text(c.applied.get(0).get(c.applied.get(0).size() - 1)));
    }

    @Test
    void aLogAheadOfTheStoredTermRaisesTheTermOnRecovery() {
        // A crash after the log's fsync and before the hard state's (FileStorage writes the hard
        // state only once the log before it is forced; a torn write can keep unsynced appends too)
        // leaves entries of a term above the stored term. Found by the simulator (seed 12679 with
        // torn writes): the node campaigned with a last log term above its term, and every peer
        // refused the claim (BAD_CLAIM), so it could never be elected nor vote sensibly.
        List<Entry> log = List.of(new Entry(1, 2, Entry.Kind.NOOP, Entry.EMPTY),
                new Entry(2, 5, Entry.Kind.NOOP, Entry.EMPTY));
        Config cfg = Config.defaults(0, THREE).withElectionFeatures(false, false);
        Raft r = new Raft(cfg, new HardState(3, 1, 1), null, log, x -> 0);
        assertEquals(5, r.term(), "the term is at least the log's last term");
        assertTrue(r.hasReady(), "the raised term is handed out to be persisted");
        Ready rd = r.ready();
        assertEquals(new HardState(5, -1, 1), rd.hardState(), "no vote in the raised term: none was ever sent in it");
        r.advance(rd);
        for (int i = 0; i < cfg.electionTicksMax() * THREE.size() && r.role() == Role.FOLLOWER; i++) {
            r.tick();
        }
        Message.VoteRequest v = (Message.VoteRequest) r.ready().messages().get(0);
        assertEquals(6, v.term());
        assertTrue(v.lastLogTerm() <= v.term(), "a claim peers accept: " + v);
    }

    @ParameterizedTest(name = "votedFor={0} candidate={1} -> granted={2}")
    @CsvSource({
            "-1, 1, true",   // not voted yet: grant
            "1, 1, true",    // repeat of the same vote: grant again
            "2, 1, false",   // voted for someone else this term: refuse (§5.2 one vote per term)
    })
    void nodeGrantsAtMostOneVotePerTerm(int votedFor, int candidate, boolean granted) {
        Config cfg = Config.defaults(0, THREE).withElectionFeatures(false, false);
        Raft r = new Raft(cfg, new HardState(3, votedFor, 0), null, List.of(), x -> 0);
        r.step(new Message.VoteRequest(3, candidate, 0, 0, 0, false, false));
        Message.VoteResponse resp = (Message.VoteResponse) r.ready().messages().get(0);
        assertEquals(granted, resp.granted());
        assertEquals(3, resp.term());
    }

    @ParameterizedTest(name = "voter last={0}@{1}, candidate last={2}@{3} -> granted={4}")
    @CsvSource({
            "2, 2, 2, 2, true",   // same log
            "2, 2, 3, 2, true",   // candidate longer, same last term
            "2, 2, 1, 3, true",   // candidate's last term higher, shorter log
            "2, 2, 1, 2, false",  // candidate shorter with the same last term
            "2, 2, 5, 1, false",  // candidate's last term lower, however long
    })
    void voteGrantedOnlyToLogAtLeastAsUpToDate(long voterIndex, long voterTerm, long candIndex, long candTerm,
                                               boolean granted) {
        // §5.4.1 election restriction
        List<Entry> log = new java.util.ArrayList<>();
        for (long i = 1; i <= voterIndex; i++) {
            log.add(new Entry(i, i == voterIndex ? voterTerm : 1, Entry.Kind.NORMAL, new byte[0]));
        }
        Config cfg = Config.defaults(0, THREE).withElectionFeatures(false, false);
        Raft r = new Raft(cfg, new HardState(voterTerm, -1, 0), null, log, x -> 0);
        r.step(new Message.VoteRequest(voterTerm + 1, 1, 0, candIndex, candTerm, false, false));
        Message.VoteResponse resp = (Message.VoteResponse) r.ready().messages().get(0);
        assertEquals(granted, resp.granted());
    }

    @Test
    void leaderStepsDownOnMessageWithHigherTerm() {
        CoreCluster c = new CoreCluster(3, 11);
        Raft leader = c.elect(0);
        leader.step(new Message.AppendResponse(5, 1, 0, false, 0, 0, 0, Raft.defaultIncarnation(1)));
        assertEquals(Role.FOLLOWER, leader.role());
        assertEquals(5, leader.term(), "§5.1: adopt the higher term");
    }

    @Test
    void messageFromStaleTermIsAnsweredWithCurrentTermAndNotObeyed() {
        CoreCluster c = new CoreCluster(3, 5);
        c.elect(0);
        Raft f = c.node(1);
        long lastBefore = f.lastIndex();
        f.step(new Message.AppendRequest(0, 2, 1, 0, 0, 0,
                List.of(new Entry(1, 0 + 1, Entry.Kind.NORMAL, new byte[]{1}))));
        assertEquals(lastBefore, f.lastIndex());
        Message.AppendResponse resp = (Message.AppendResponse) f.ready().messages().get(0);
        assertEquals(f.term(), resp.term(), "stale leader learns the current term");
        assertFalse(resp.success());
    }

    @Test
    void partitionedNodeRejoiningDoesNotDisruptStableLeader() {
        // thesis §9.6: pre-vote keeps a rejoining node from raising terms
        CoreCluster c = new CoreCluster(3, 13);
        Raft leader = c.elect(0);
        long term = leader.term();
        c.isolate(2);
        for (int i = 0; i < 10; i++) {
            c.tick(2, c.node(2).config().electionTicksMax());
            c.heartbeat(0);
        }
        c.heal();
        c.heartbeat(0);
        c.tick(2, c.node(2).config().electionTicksMax());
        c.stabilize();
        assertEquals(Role.LEADER, leader.role());
        assertEquals(term, leader.term());
        assertEquals(term, c.node(2).term());
    }

    @Test
    void withoutPreVoteRejoiningNodeDisruptsWithHigherTerm() {
        // The contrast case: shows the pre-vote test above can fail.
        CoreCluster c = new CoreCluster(3, 13,
                id -> Config.defaults(id, THREE).withElectionFeatures(false, false));
        Raft leader = c.elect(0);
        long term = leader.term();
        c.isolate(2);
        c.tick(2, c.node(2).config().electionTicksMax() * 3);
        c.heal();
        c.tick(2, c.node(2).config().electionTicksMax());
        c.stabilize();
        assertTrue(c.node(0).term() > term);
    }

    @Test
    void leaderWithoutQuorumContactStepsDown() {
        // §6.2 check-quorum
        CoreCluster c = new CoreCluster(3, 17);
        Raft leader = c.elect(0);
        c.isolate(0);
        c.tick(0, leader.config().electionTicksMin() * 2);
        assertEquals(Role.FOLLOWER, leader.role());
    }

    @Test
    void leaderWithQuorumContactStaysLeader() {
        CoreCluster c = new CoreCluster(3, 17);
        Raft leader = c.elect(0);
        c.isolate(2);
        for (int i = 0; i < leader.config().electionTicksMin() * 3; i++) {
            c.heartbeat(0);
        }
        assertEquals(Role.LEADER, leader.role());
    }

    @Test
    void followerInLeaseIgnoresVoteRequestFromHigherTerm() {
        CoreCluster c = new CoreCluster(3, 19);
        c.elect(0);
        Raft f = c.node(1);
        long term = f.term();
        f.step(new Message.VoteRequest(term + 1, 2, 1, 100, term, false, false));
        assertEquals(term, f.term(), "a follower that just heard from its leader ignores the candidate");
        assertFalse(f.hasReady() && f.ready().messages().stream().anyMatch(m -> m instanceof Message.VoteResponse));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void everySeedElectsExactlyOneLeaderPerTerm(int size) {
        for (long seed = 0; seed < 50; seed++) {
            CoreCluster c = new CoreCluster(size, seed);
            for (int round = 0; round < 40; round++) {
                int id = (int) ((seed + round) % size);
                c.tick(id, 1 + (int) (round % 3));
                c.stabilize();
                java.util.Map<Long, Integer> leaders = new java.util.HashMap<>();
                for (Raft r : c.nodes.values()) {
                    if (r.role() == Role.LEADER) {
                        Integer other = leaders.put(r.term(), r.id());
                        assertTrue(other == null, "two leaders in term " + r.term() + " (seed " + seed + ")");
                    }
                }
            }
        }
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Config.defaults(3, THREE));
        assertThrows(IllegalArgumentException.class, () -> Config.defaults(0, THREE).withTimeouts(5, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> Config.defaults(0, THREE).withTimeouts(5, 9, 5));
    }

    /** The Ready says when role, leader or term changed, and only then (the runtime polls nothing). */
    @Test
    void aReadyCarriesTheSoftStateOnlyWhenItChanged() {
        CoreCluster c = new CoreCluster(3, 11);
        List<SoftState> seen = new java.util.ArrayList<>();
        Raft leader = c.node(0);
        c.elect(0);
        for (int i = 0; i < 3; i++) { // quiet rounds: heartbeats, no change
            c.tick(0, leader.config().heartbeatTicks());
            while (leader.hasReady()) {
                Ready rd = leader.ready();
                if (rd.softState() != null) {
                    seen.add(rd.softState());
                }
                leader.advance(rd);
            }
        }
        assertEquals(List.of(), seen, "no change, no soft state");
        assertEquals(new SoftState(Role.LEADER, 0, leader.term()), leader.softState());
        // a higher term deposes it: the next Ready says so, once
        leader.step(new Message.Heartbeat(leader.term() + 1, 1, 0, 0, 0, 0));
        Ready rd = leader.ready();
        assertEquals(new SoftState(Role.FOLLOWER, 1, leader.term()), rd.softState());
        leader.advance(rd);
        assertTrue(!leader.hasReady() || leader.ready().softState() == null, "reported once");
    }
}
