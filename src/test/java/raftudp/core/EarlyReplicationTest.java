package raftudp.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thesis §10.2.1: the leader writes to its own disk in parallel with replicating. Its
 * replication messages leave through {@link Ready#sendFirst()} before its persist; it counts
 * its own log toward commitment only once {@link Raft#advance(Ready)} confirmed it durable.
 */
class EarlyReplicationTest {

    private static boolean isReplication(Message m) {
        return m instanceof Message.AppendRequest || m instanceof Message.Heartbeat
                || m instanceof Message.SnapshotChunk;
    }

    @Test
    void leaderProposalSendsItsAppendsBeforeItsOwnPersist() {
        CoreCluster c = new CoreCluster(3, 1);
        Raft leader = c.elect(0);
        c.stabilize();
        long index = leader.propose(new byte[]{7}).index();
        Ready rd = leader.ready();
        assertEquals(List.of(index), rd.entries().stream().map(Entry::index).toList(), "not yet persisted");
        List<Message.AppendRequest> early = rd.sendFirst().stream()
                .map(m -> (Message.AppendRequest) m).toList();
        assertEquals(List.of(1, 2), early.stream().map(Message::to).sorted().toList());
        for (Message.AppendRequest a : early) {
            assertEquals(index, a.lastIndex(), "the unpersisted entry travels early");
        }
        assertTrue(rd.messages().stream().noneMatch(m -> m instanceof Message.AppendRequest));
        leader.advance(rd);
    }

    @Test
    void leaderCountsItsOwnEntryOnlyOnceAdvanceConfirmedItDurable() {
        CoreCluster c = new CoreCluster(3, 2);
        Raft leader = c.elect(0);
        c.stabilize();
        long commit = leader.commitIndex();
        long index = leader.propose(new byte[]{7}).index();
        Ready rd = leader.ready();
        c.post(rd.sendFirst());
        c.deliverOnly(m -> m.to() == 1); // node 1 persists the entry and acks it
        Message ack = c.queue.stream().filter(m -> m instanceof Message.AppendResponse).findFirst().orElseThrow();
        assertEquals(index, ((Message.AppendResponse) ack).index());
        // node 1's ack and the leader's own copy would be 2 of 3, but the leader's copy is
        // not durable yet: the core takes no input until advance()
        assertThrows(IllegalStateException.class, () -> leader.step(ack));
        assertEquals(commit, leader.commitIndex());
        leader.advance(rd); // (CoreCluster's disk left as it was: the test persists nothing)
        assertEquals(commit, leader.commitIndex(), "only itself durable: 1 of 3");
        leader.step(ack);
        assertEquals(index, leader.commitIndex(), "durable here and on node 1: 2 of 3");
    }

    @Test
    void entrySentEarlyByALeaderThatDiedBeforeItsPersistIsNeverCommitted() {
        // Had the leader counted its unpersisted copy with node 1's ack (2 of 3), the entry
        // would be acknowledged; then the leader and node 2 (neither holding it) elect a
        // leader that overwrites it. The core must not commit it, and it does not.
        CoreCluster c = new CoreCluster(3, 3);
        Raft leader = c.elect(0);
        c.stabilize();
        long term = leader.term();
        long index = leader.propose(new byte[]{42}).index();
        c.crashBeforePersist.add(0);
        c.drain(0); // appends leave early, then the machine dies before its write
        Raft restarted = c.node(0);
        assertEquals(Role.FOLLOWER, restarted.role());
        assertEquals(term, restarted.term());
        assertEquals(index - 1, restarted.lastIndex(), "the leader lost its own unpersisted entry");
        c.deliverOnly(m -> m.to() == 1);
        assertEquals(index, c.node(1).lastIndex(), "node 1 holds the entry the leader lost");
        c.queue.clear(); // the append to node 2 is lost
        // (the ack reaching the restarted node would be ignored: it leads no longer)
        c.isolate(1);
        Raft next = c.electNewLeader(1);
        assertTrue(next.term() > term);
        c.heal();
        c.heartbeat(next.id());
        c.heartbeat(next.id());
        for (int id = 0; id < 3; id++) {
            assertEquals(next.termAt(index), c.node(id).termAt(index), "node " + id + " converged");
            assertTrue(c.applied.get(id).stream().noneMatch(e -> e.term() == term && e.index() == index),
                    "node " + id + " never applied the entry the dead leader sent early");
        }
    }

    @Test
    void onlyTheLeadersReplicationOfItsCurrentTermGoesEarly() {
        CoreCluster c = new CoreCluster(5, 4);
        Raft leader = c.elect(0);
        for (int i = 0; i < 10; i++) {
            c.propose(0, "v" + i);
        }
        c.heartbeat(0);
        leader.readIndex(1);
        c.stabilize();
        leader.transferLeadership(3);
        c.stabilize();
        c.isolate(3);
        Raft next = c.electNewLeader(3);
        c.heal();
        c.propose(next.id(), "after");
        c.heartbeat(next.id());
        assertFalse(c.sentFirst.isEmpty());
        for (Message m : c.sentFirst) {
            assertTrue(isReplication(m), "only replication goes early: " + m);
        }
        for (Class<? extends Message> type : List.of(Message.VoteRequest.class, Message.VoteResponse.class,
                Message.AppendResponse.class, Message.HeartbeatResponse.class, Message.TimeoutNow.class)) {
            assertFalse(c.sentOfType(type).isEmpty(), "the run sent a " + type.getSimpleName());
            assertTrue(c.sentFirst.stream().noneMatch(type::isInstance), type.getSimpleName() + " waits for persist");
        }
    }

    @Test
    void aLeaderSteppingDownSendsNothingEarly() {
        CoreCluster c = new CoreCluster(3, 5);
        Raft leader = c.elect(0);
        c.stabilize();
        long term = leader.term();
        for (int i = 0; i < leader.config().heartbeatTicks(); i++) {
            leader.tick(); // heartbeats of the old term wait in the outbox
        }
        // a higher term arrives in the same batch: the old term's heartbeats wait for the
        // persist of the new term like everything else
        leader.step(new Message.AppendResponse(term + 1, 1, 0, false, 0, 0, 0, Raft.defaultIncarnation(1)));
        assertEquals(Role.FOLLOWER, leader.role());
        Ready rd = leader.ready();
        assertTrue(rd.sendFirst().isEmpty(), rd.sendFirst().toString());
        assertTrue(rd.messages().stream().anyMatch(m -> m instanceof Message.Heartbeat h && h.term() == term));
        leader.advance(rd);
    }

    @Test
    void aCandidateAndAFollowerSendNothingEarly() {
        CoreCluster c = new CoreCluster(3, 6);
        c.campaign(1);
        c.stabilize();
        c.propose(1, "x");
        c.heartbeat(1);
        assertTrue(c.sentFirst.stream().allMatch(m -> m.from() == 1 && isReplication(m)),
                "only the leader, only replication: " + c.sentFirst);
    }
}
