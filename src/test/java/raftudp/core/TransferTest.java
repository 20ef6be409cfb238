package raftudp.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leadership transfer: thesis §3.10. */
class TransferTest {

    @Test
    void transferToUpToDateFollowerMakesItLeaderAtOnce() {
        CoreCluster c = new CoreCluster(3, 31);
        c.elect(0);
        c.propose(0, "a");
        assertEquals(Raft.Status.OK, c.node(0).transferLeadership(2));
        c.stabilize();
        assertEquals(Role.LEADER, c.node(2).role(), "TimeoutNow lets the target ignore the lease");
        assertEquals(Role.FOLLOWER, c.node(0).role());
        assertTrue(c.sentOfType(Message.TimeoutNow.class).size() == 1);
    }

    @Test
    void laggingTargetCatchesUpBeforeTimeoutNow() {
        CoreCluster c = new CoreCluster(3, 31);
        c.elect(0);
        c.drop = m -> m.to() == 2 && m instanceof Message.AppendRequest;
        c.propose(0, "a");
        c.propose(0, "b");
        c.heal();
        c.node(0).transferLeadership(2);
        c.stabilize();
        c.heartbeat(0);
        assertEquals(Role.LEADER, c.node(2).role());
        Raft l = c.node(2);
        assertEquals(4, l.lastIndex(), "no-op, a, b, then the new leader's no-op");
        assertEquals("b", CoreCluster.text(l.entryAt(3)));
        assertEquals(Entry.Kind.MEMBERS, l.entryAt(4).kind());
    }

    @Test
    void proposalsAreRefusedDuringTransferAndResumeAfterAbort() {
        CoreCluster c = new CoreCluster(3, 31);
        c.elect(0);
        c.isolate(2);
        c.node(0).transferLeadership(2);
        c.drain(0);
        assertEquals(Raft.Status.BUSY, c.node(0).propose(new byte[]{1}).status());
        c.tick(0, c.node(0).config().electionTicksMin());
        c.stabilize();
        assertEquals(Role.LEADER, c.node(0).role());
        assertEquals(Raft.NONE, c.node(0).transferTarget(), "the transfer aborts after an election timeout");
        assertEquals(Raft.Status.OK, c.node(0).propose(new byte[]{1}).status());
    }

    @Test
    void followerCannotTransfer() {
        CoreCluster c = new CoreCluster(3, 31);
        c.elect(0);
        assertEquals(Raft.Status.NOT_LEADER, c.node(1).transferLeadership(2));
    }
}
