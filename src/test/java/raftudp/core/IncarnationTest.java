package raftudp.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose data directory was wiped: its old votes and acknowledgements are gone. Every
 * directory has an incarnation; the first leader records each member's in the log, responses
 * carry their sender's, and the core refuses what a different directory says
 * (docs/simulation.md, "Wiped disks").
 */
class IncarnationTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    private static long refused(Raft r) {
        return r.refusals().get(Refusal.INCARNATION_MISMATCH);
    }

    @Test
    void aClusterFormsOnlyWithAGrantFromEveryNode() {
        CoreCluster c = new CoreCluster(3, 11);
        c.isolate(2);
        c.tick(0, 200);
        c.stabilize();
        assertNotEquals(Role.LEADER, c.node(0).role(), "two of three nodes must not form the cluster");
        assertNull(c.node(0).members());
        c.heal();
        Raft leader = c.elect(0);
        Membership m = leader.members();
        assertNotNull(m);
        for (int id : THREE) {
            assertEquals(Raft.defaultIncarnation(id), m.incarnationOf(id));
            assertEquals(m, c.node(id).members(), "every node holds the first leader's membership entry");
        }
    }

    @Test
    void onceFormedAMajorityElects() {
        CoreCluster c = new CoreCluster(3, 12);
        c.elect(0);
        c.start(0); // nodes 0 and 1 restart from their disks; node 2 stays away
        c.start(1);
        c.isolate(2);
        Raft leader = c.electNewLeader(2);
        assertEquals(Role.LEADER, leader.role(), "the membership on disk lets a majority elect");
    }

    /**
     * The classic counterexample: an entry committed with a follower's ack, that follower wiped,
     * the leader gone; the other follower lacks the entry and asks the wiped one for its vote.
     * Granted and counted, it would elect a leader without a committed entry.
     */
    @Test
    void aWipedNodesVoteIsNotCountedSoNoLeaderLacksACommittedEntry() {
        CoreCluster c = new CoreCluster(3, 13);
        c.elect(0);
        c.isolate(2);
        c.propose(0, "acknowledged");
        Raft leader = c.node(0);
        long committed = leader.commitIndex();
        assertEquals("acknowledged", CoreCluster.text(leader.entryAt(committed)), "committed by nodes 0 and 1");
        assertTrue(c.node(2).lastIndex() < committed);

        c.wipe(1);
        c.isolate(0);
        c.tick(2, 300);
        c.stabilize();
        assertNotEquals(Role.LEADER, c.node(2).role(), "node 2 lacks a committed entry: it must not lead");
        assertTrue(refused(c.node(2)) > 0, "the wiped node's answers are refused: " + c.node(2).refusals());

        // The old leader comes back: it leads again, and its heartbeat tells the wiped node.
        c.heal();
        c.isolate(1);
        Raft back = c.electNewLeader(1);
        assertEquals(0, back.id(), "only the node holding the committed entry can win");
        c.heal();
        c.heartbeat(0);
        assertNotNull(c.node(1).dataLost(), "the wiped node learns it lost its data");
        assertTrue(c.node(1).dataLost().contains("Lost data"), c.node(1).dataLost());
        assertFalse(c.node(1).hasReady(), "and says nothing more");
        assertEquals("acknowledged", CoreCluster.text(c.node(2).entryAt(committed)));
    }

    @Test
    void aResponseFromAnotherIncarnationNeitherCommitsNorDeposes() {
        CoreCluster c = new CoreCluster(3, 14);
        Raft leader = c.elect(0);
        long term = leader.term();
        long other = Raft.defaultIncarnation(1) + 1;
        leader.step(new Message.AppendResponse(term + 5, 1, 0, false, 0, 0, 0, other));
        assertEquals(Role.LEADER, leader.role(), "its term is not believed either");
        assertEquals(term, leader.term());
        leader.propose("x".getBytes(StandardCharsets.UTF_8));
        long index = leader.lastIndex();
        c.drain(0);
        leader.step(new Message.AppendResponse(term, 1, 0, true, index, 0, 0, other));
        assertTrue(leader.commitIndex() < index, "an ack from another incarnation commits nothing");
        assertEquals(2, refused(leader));
    }

    @Test
    void aHeartbeatThatNamesAFormedNodeOtherwiseIsRefused() {
        CoreCluster c = new CoreCluster(3, 15);
        c.elect(0);
        Raft f = c.node(1);
        f.step(new Message.Heartbeat(f.term(), 0, 1, 0, 0, 12345));
        assertNull(f.dataLost(), "its own log records its incarnation: the claim is false");
        assertEquals(1, refused(f));
    }

    /**
     * A forged append (no cluster key, a spoofed leader address) carrying a membership entry that
     * names a formed follower by another incarnation: the follower's own log records the right one,
     * so the claim is false. Appended, it would stop a healthy node.
     */
    @Test
    void anAppendWhoseMembershipNamesAFormedNodeOtherwiseIsRefused() {
        CoreCluster c = new CoreCluster(3, 18);
        Raft leader = c.elect(0);
        c.stabilize();
        Raft f = c.node(1);
        long last = f.lastIndex();
        Membership forged = new Membership(Map.of(0, Raft.defaultIncarnation(0), 1, 4242L,
                2, Raft.defaultIncarnation(2)));
        Entry e = new Entry(last + 1, leader.term(), Entry.Kind.MEMBERS, forged.encode());
        f.step(new Message.AppendRequest(leader.term(), 0, 1, last, f.lastTerm(), last + 1, List.of(e)));
        assertNull(f.dataLost(), "its own log records its incarnation: the claim is false");
        assertEquals(1, refused(f));
        assertEquals(last, f.lastIndex(), "nothing of the forged append is kept");
        assertEquals(leader.members(), f.members());
        c.propose(0, "still replicated");
        assertEquals("still replicated", CoreCluster.text(f.entryAt(leader.commitIndex())),
                "the follower goes on taking the leader's entries");
    }

    @Test
    void aNodeWhoseOwnLogNamesItOtherwiseStartsLost() {
        Membership m = new Membership(Map.of(0, 7L, 1, 8L, 2, 9L));
        List<Entry> log = List.of(new Entry(1, 1, Entry.Kind.MEMBERS, m.encode()));
        Raft same = new Raft(Config.defaults(1, THREE), new HardState(1, 0, 1), null, log, x -> 0, s -> true,
                SnapshotSink.MEMORY, 8L);
        assertNull(same.dataLost());
        Raft other = new Raft(Config.defaults(1, THREE), new HardState(1, 0, 1), null, log, x -> 0, s -> true,
                SnapshotSink.MEMORY, 99L);
        assertNotNull(other.dataLost());
        other.tick();
        other.step(new Message.Heartbeat(1, 0, 1, 1, 0, 8L));
        assertFalse(other.hasReady());
    }

    @Test
    void theMembershipOutlivesCompactionAndRestart() {
        CoreCluster c = new CoreCluster(3, 16);
        Raft leader = c.elect(0);
        c.propose(0, "a");
        c.propose(0, "b");
        c.stabilize();
        leader.compact(leader.appliedIndex(), SnapshotData.of(new byte[]{1}));
        Snapshot s = leader.snapshot();
        assertEquals(leader.members(), s.members());
        Raft restarted = new Raft(Config.defaults(0, THREE), new HardState(leader.term(), 0, s.index()), s, List.of(),
                x -> 0, x -> true, SnapshotSink.MEMORY, Raft.defaultIncarnation(0));
        assertEquals(leader.members(), restarted.members(), "no entry left, the snapshot still knows");
    }

    @Test
    void everyNewTermStartsWithTheMembership() {
        CoreCluster c = new CoreCluster(3, 17);
        c.elect(0);
        c.isolate(0);
        Raft next = c.electNewLeader(0);
        Entry first = next.entryAt(next.lastIndex());
        assertEquals(Entry.Kind.MEMBERS, first.kind());
        assertEquals(next.term(), first.term());
        assertEquals(c.node(0).members(), Membership.decode(first.data()));
    }

    @Test
    void membershipEncodingRoundTripsAndRefusesWhatIsNotOne() {
        Membership m = new Membership(Map.of(2, Long.MAX_VALUE, 0, 1L));
        assertEquals(m, Membership.decode(m.encode()));
        assertEquals("0=1 2=7fffffffffffffff", m.toString());
        byte[] ok = m.encode();
        byte[] swapped = ok.clone();
        System.arraycopy(ok, 2, swapped, 12, 10);
        System.arraycopy(ok, 12, swapped, 2, 10);
        for (byte[] bad : List.of(new byte[0], new byte[]{0, 0}, new byte[]{0, 1, 0}, swapped,
                java.util.Arrays.copyOf(ok, ok.length + 1), zeroIncarnation())) {
            try {
                Membership.decode(bad);
                throw new AssertionError("accepted " + java.util.Arrays.toString(bad));
            } catch (IllegalArgumentException expected) {
                assertNotNull(expected.getMessage());
            }
        }
    }

    private static byte[] zeroIncarnation() {
        return java.nio.ByteBuffer.allocate(12).putShort((short) 1).putShort((short) 0).putLong(0).array();
    }
}
