package raftudp.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote claims are not local invariants (issue 8): what a peer says that contradicts what
 * this node knows is refused and counted, never thrown; only the node's own state can stop it.
 */
class RemoteClaimsTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    private static List<Entry> log(long... terms) {
        return ReplicationTest.log(terms);
    }

    private static Raft follower(long term, List<Entry> log, long commit) {
        return ReplicationTest.follower(term, log, commit);
    }

    private static List<Message> sent(Raft r) {
        if (!r.hasReady()) {
            return List.of();
        }
        Ready rd = r.ready();
        List<Message> out = new ArrayList<>(rd.sendFirst());
        out.addAll(rd.messages());
        r.advance(rd);
        return out;
    }

    @Test
    void appendThatRewritesACommittedEntry_isRefusedAndCounted_andTheLogStays() {
        Raft f = follower(2, log(1, 1, 2), 3);
        // a "leader" of term 5 says index 2 holds term 4: it cannot, index 2 is committed at term 1
        List<Entry> forged = List.of(new Entry(2, 4, Entry.Kind.NORMAL, new byte[]{9}),
                new Entry(3, 4, Entry.Kind.NORMAL, new byte[]{9}));
        f.step(new Message.AppendRequest(5, 0, 1, 1, 1, 3, forged));
        assertEquals(List.of(), sent(f).stream().filter(m -> m instanceof Message.AppendResponse).toList(),
                "nothing is answered to a claim no real leader makes");
        assertEquals(1L, f.refusals().get(Refusal.COMMITTED_CONFLICT));
        assertEquals(3, f.lastIndex());
        assertEquals(1, f.termAt(2), "the committed entry is untouched");
        assertEquals(2, f.termAt(3));
        assertEquals(3, f.commitIndex());
    }

    @Test
    void appendAfterTheCommittedPrefix_stillTruncatesUncommittedEntries() {
        Raft f = follower(2, log(1, 1, 2, 2), 2);
        f.step(new Message.AppendRequest(3, 0, 1, 2, 1, 2, List.of(new Entry(3, 3, Entry.Kind.NORMAL, new byte[]{7}))));
        Message.AppendResponse r = (Message.AppendResponse) sent(f).get(0);
        assertTrue(r.success());
        assertEquals(3, f.lastIndex(), "index 4 (uncommitted, term 2) was replaced (§5.3)");
        assertEquals(3, f.termAt(3));
        assertEquals(0L, f.refusals().get(Refusal.COMMITTED_CONFLICT));
    }

    private static Message.SnapshotChunk chunk(byte[] data, long checksum) {
        return new Message.SnapshotChunk(4, 0, 1, 10, 3, data.length, checksum, 0, data, true);
    }

    @Test
    void snapshotWhoseImageFailsItsChecksum_isNotInstalled_andTheLeaderIsToldToRestart() {
        Raft f = follower(4, log(1, 1), 0);
        byte[] garbage = {1, 2, 3, 4, 5};
        f.step(chunk(garbage, new Snapshot(10, 3, garbage).checksum() ^ 1));
        Ready rd = f.ready();
        assertNull(rd.snapshot(), "nothing to persist");
        Message.SnapshotResponse r = (Message.SnapshotResponse) rd.messages().get(0);
        assertFalse(r.done());
        assertEquals(0, r.nextOffset(), "offset 0: the transfer starts over");
        f.advance(rd);
        assertEquals(2, f.lastIndex());
        assertNull(f.snapshot());
        assertEquals(1L, f.refusals().get(Refusal.BAD_SNAPSHOT));
    }

    @Test
    void snapshotThatTheStateMachineRejects_isNotInstalled_evenWithARightChecksum() {
        Raft f = new Raft(Config.defaults(1, THREE), new HardState(4, -1, 0), null, log(1, 1), x -> 0,
                s -> s.data().size() > 0 && s.data().read(0, 1)[0] == 42);
        byte[] bad = {1, 2, 3};
        f.step(chunk(bad, new Snapshot(10, 3, bad).checksum()));
        assertNull(f.snapshot());
        assertEquals(1L, f.refusals().get(Refusal.BAD_SNAPSHOT));
        sent(f);
        byte[] good = {42, 2, 3};
        f.step(chunk(good, new Snapshot(10, 3, good).checksum()));
        Ready rd = f.ready();
        assertEquals(new Snapshot(10, 3, good), rd.snapshot(), "a good image after a bad one installs");
        f.advance(rd);
        assertEquals(10, f.lastIndex());
    }

    @Test
    void chunksOfOneTransfer_withDifferentChecksums_restartTheTransfer() {
        Raft f = follower(4, log(1, 1), 0);
        byte[] image = {1, 2, 3, 4};
        long crc = new Snapshot(10, 3, image).checksum();
        f.step(new Message.SnapshotChunk(4, 0, 1, 10, 3, 4, crc, 0, new byte[]{1, 2}, false));
        sent(f);
        f.step(new Message.SnapshotChunk(4, 0, 1, 10, 3, 4, crc ^ 7, 2, new byte[]{3, 4}, true));
        Message.SnapshotResponse r = (Message.SnapshotResponse) sent(f).get(0);
        assertEquals(0, r.nextOffset(), "a chunk of another image: what was held is dropped");
        assertNull(f.snapshot());
    }

    @Test
    void termAboveTheCeiling_isNeverAdopted() {
        Raft f = follower(2, log(1, 1), 0);
        f.step(new Message.Heartbeat(Raft.TERM_MAX + 1, 0, 1, 0, 0, 0));
        f.step(new Message.VoteRequest(Long.MAX_VALUE, 2, 1, 5, 1, false, false));
        assertEquals(2, f.term());
        assertEquals(List.of(), sent(f));
    }

    @Test
    void nodeAtTheCeiling_followsButNeverCampaigns_andCountsIt() {
        Raft f = follower(Raft.TERM_MAX, log(1, 1), 0);
        for (int i = 0; i < 10 * Config.defaults(1, THREE).electionTicksMax(); i++) {
            f.tick();
        }
        assertEquals(Role.FOLLOWER, f.role());
        assertEquals(Raft.TERM_MAX, f.term(), "the term never passes the ceiling");
        assertTrue(f.refusals().get(Refusal.TERM_CEILING) >= 1, String.valueOf(f.refusals()));
        f.step(new Message.Heartbeat(Raft.TERM_MAX, 0, 1, 0, 0, 0));
        assertEquals(0, f.leader(), "a leader of the ceiling term is still followed");
    }

    @Test
    void storedTermAboveTheCeiling_refusesToStart_withAMessageThatSaysWhatToDo() {
        TermCeilingException e = assertThrows(TermCeilingException.class,
                () -> follower(Long.MAX_VALUE, log(1), 0));
        assertTrue(e.getMessage().contains("term ceiling") && e.getMessage().contains("docs/node.md"), e.getMessage());
    }

    @Test
    void refusals_areAllReported_andStartAtZero() {
        Map<Refusal, Long> r = follower(1, List.of(), 0).refusals();
        assertEquals(Refusal.values().length, r.size());
        assertTrue(r.values().stream().allMatch(n -> n == 0));
    }
}
