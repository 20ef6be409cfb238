package raftudp.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log compaction and InstallSnapshot: paper §7, sent in chunks. */
class SnapshotTest {
    private static final List<Integer> THREE = List.of(0, 1, 2);

    private static CoreCluster cluster(int chunkBytes, int window) {
        return new CoreCluster(3, 41, id -> Config.defaults(id, THREE).withReplication(64, 1300, 8, chunkBytes, window));
    }

    private static byte[] state(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Leader commits 30 entries while node 2 is away, then compacts them. */
    private static CoreCluster withCompactedLeader(int chunkBytes, int window, byte[] snap) {
        CoreCluster c = cluster(chunkBytes, window);
        c.elect(0);
        c.isolate(2);
        for (int i = 0; i < 30; i++) {
            c.propose(0, "e" + i);
        }
        c.heartbeat(0);
        Raft l = c.node(0);
        l.compact(l.appliedIndex(), SnapshotData.of(snap));
        assertEquals(l.appliedIndex() + 1, l.firstIndex());
        return c;
    }

    @Test
    void compactionDropsPrefixButKeepsTermOfLastIncluded() {
        CoreCluster c = withCompactedLeader(1200, 4, state(10));
        Raft l = c.node(0);
        long idx = l.snapshot().index();
        assertEquals(-1, l.termAt(idx - 1));
        assertEquals(l.term(), l.termAt(idx));
    }

    @Test
    void cannotCompactBeyondApplied() {
        CoreCluster c = cluster(1200, 4);
        c.elect(0);
        Raft l = c.node(0);
        assertThrows(IllegalArgumentException.class, () -> l.compact(l.appliedIndex() + 1, SnapshotData.of(new byte[0])));
    }

    @Test
    void laggingFollowerReceivesSnapshotInChunksThenEntries() {
        byte[] snap = state(10_000);
        CoreCluster c = withCompactedLeader(1000, 4, snap);
        c.propose(0, "after");
        c.heal();
        for (int i = 0; i < 5; i++) {
            c.heartbeat(0);
        }
        Raft f = c.node(2);
        assertEquals(c.node(0).lastIndex(), f.lastIndex());
        assertEquals(c.node(0).commitIndex(), f.commitIndex());
        assertArrayEquals(snap, c.disk.get(2).snapshot.data().toByteArray(), "snapshot persisted byte for byte");
        long chunks = c.sent.stream().filter(m -> m instanceof Message.SnapshotChunk s && s.to() == 2).count();
        assertTrue(chunks >= 10, "10 kB in 1 kB chunks, saw " + chunks);
        assertTrue(c.sent.stream().filter(m -> m instanceof Message.SnapshotChunk)
                .allMatch(m -> ((Message.SnapshotChunk) m).data().length <= 1000));
        assertEquals("after", CoreCluster.text(c.applied.get(2).get(c.applied.get(2).size() - 1)));
    }

    @Test
    void lostChunksAreResent() {
        byte[] snap = state(8_000);
        CoreCluster c = withCompactedLeader(1000, 4, snap);
        c.heal();
        java.util.SplittableRandom loss = new java.util.SplittableRandom(5);
        c.drop = m -> m instanceof Message.SnapshotChunk && loss.nextInt(3) == 0; // a third of chunks lost
        int beats = 0;
        while (c.node(2).commitIndex() < c.node(0).commitIndex() && beats < 100) {
            c.heartbeat(0);
            beats++;
        }
        assertArrayEquals(snap, c.disk.get(2).snapshot.data().toByteArray());
        assertEquals(c.node(0).commitIndex(), c.node(2).commitIndex());
        assertTrue(beats < 20, "lost chunks are resent within a few heartbeats; took " + beats);
    }

    @Test
    void followerRestartMidTransferStartsOver() {
        byte[] snap = state(8_000);
        CoreCluster c = withCompactedLeader(1000, 2, snap);
        c.heal();
        c.heartbeat(0); // some chunks arrive
        c.start(2);     // node 2 restarts, losing its partial copy
        for (int i = 0; i < 40 && c.node(2).commitIndex() < c.node(0).commitIndex(); i++) {
            c.heartbeat(0);
        }
        assertArrayEquals(snap, c.disk.get(2).snapshot.data().toByteArray());
        assertEquals(c.node(0).commitIndex(), c.node(2).commitIndex());
    }

    @Test
    void emptySnapshotIsInstalledToo() {
        CoreCluster c = withCompactedLeader(1000, 2, new byte[0]);
        c.heal();
        c.heartbeat(0);
        c.heartbeat(0);
        assertEquals(0, c.disk.get(2).snapshot.data().size());
        assertEquals(c.node(0).commitIndex(), c.node(2).commitIndex());
    }

    @Test
    void restartFromSnapshotAndLogResumesAfterIt() {
        CoreCluster c = withCompactedLeader(1000, 4, state(100));
        c.disk.get(0).snapshot = c.node(0).snapshot();
        c.disk.get(0).entries.removeIf(e -> e.index() <= c.node(0).snapshot().index());
        Raft r = c.start(0);
        assertEquals(c.disk.get(0).snapshot.index(), r.appliedIndex());
        assertEquals(c.disk.get(0).snapshot.index() + 1, r.firstIndex());
    }
}
