package raftudp.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Linearizable reads through ReadIndex: thesis §6.4. */
class ReadIndexTest {

    @Test
    void readIsConfirmedByQuorumHeartbeatAtCommitIndex() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        c.propose(0, "a");
        long commit = c.node(0).commitIndex();
        int before = c.sentOfType(Message.Heartbeat.class).size();
        assertEquals(Raft.Status.OK, c.node(0).readIndex(77));
        c.stabilize();
        assertTrue(c.sentOfType(Message.Heartbeat.class).size() > before, "a heartbeat round confirms leadership");
        assertEquals(List.of(new ReadState(77, commit, true)), c.reads.get(0));
        long appendsForRead = c.sent.stream().filter(m -> m instanceof Message.AppendRequest a
                && a.entries().stream().anyMatch(e -> e.index() > commit)).count();
        assertEquals(0, appendsForRead, "a read writes nothing to the log");
    }

    @Test
    void readIsNotConfirmedWithoutQuorum() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        c.isolate(0);
        c.node(0).readIndex(5);
        c.stabilize();
        c.tick(0, c.node(0).config().heartbeatTicks() * 3);
        c.stabilize();
        assertTrue(c.reads.get(0).stream().noneMatch(ReadState::ok), "a cut-off leader must not serve reads");
    }

    @Test
    void readFailsWhenLeadershipIsLost() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        c.isolate(0);
        c.node(0).readIndex(5);
        c.tick(0, c.node(0).config().electionTicksMin() * 2); // check-quorum: step down
        assertEquals(List.of(new ReadState(5, 0, false)), c.reads.get(0));
    }

    @Test
    void readWaitsUntilLeaderCommitsEntryOfItsTerm() {
        CoreCluster c = new CoreCluster(3, 9);
        c.drop = m -> m instanceof Message.AppendResponse; // the no-op cannot commit yet
        c.elect(0);
        assertEquals(0, c.node(0).commitIndex());
        assertEquals(Raft.Status.OK, c.node(0).readIndex(1));
        c.heartbeat(0);
        assertTrue(c.reads.get(0).isEmpty(), "commit index is not known current before the no-op commits");
        c.heal();
        c.heartbeat(0);
        c.heartbeat(0);
        assertEquals(1, c.reads.get(0).size());
        assertTrue(c.reads.get(0).get(0).ok());
        assertTrue(c.reads.get(0).get(0).index() >= 1);
    }

    @Test
    void followerRefusesReadIndex() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        assertEquals(Raft.Status.NOT_LEADER, c.node(1).readIndex(1));
    }

    @Test
    void manyReadsShareOneHeartbeatRound() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        int before = c.sentOfType(Message.Heartbeat.class).size();
        for (int i = 0; i < 50; i++) {
            c.node(0).readIndex(i);
        }
        c.stabilize();
        assertEquals(2, c.sentOfType(Message.Heartbeat.class).size() - before, "one heartbeat per follower");
        assertEquals(50, c.reads.get(0).stream().filter(ReadState::ok).count());
    }

    @Test
    void staleHeartbeatAckDoesNotConfirmLaterRead() {
        CoreCluster c = new CoreCluster(3, 3);
        c.elect(0);
        c.node(0).readIndex(1);
        c.drain(0);
        c.stabilize();
        c.isolate(0);
        c.node(0).readIndex(2);
        c.stabilize();
        // deliver an old ack again (a duplicate from the network)
        c.node(0).step(new Message.HeartbeatResponse(c.node(0).term(), 1, 0, 1, Raft.defaultIncarnation(1)));
        c.drain(0);
        assertFalse(c.reads.get(0).stream().anyMatch(r -> r.requestId() == 2));
    }
}
