package raftudp.client;

import org.junit.jupiter.api.Test;
import raftudp.wire.StatusReport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusTableTest {
    private static final InetSocketAddress A0 = new InetSocketAddress("10.0.1.1", 39316);
    private static final InetSocketAddress A1 = new InetSocketAddress("10.0.2.2", 39316);
    private static final InetSocketAddress A2 = new InetSocketAddress("10.0.3.3", 39316);
    private static final List<InetSocketAddress> NODES = List.of(A0, A1, A2);

    @Test
    void rendersAnAlignedTableWithCountersMatchIndexesAndSilentNodes() {
        StatusReport leader = new StatusReport(0, "LEADER", 7, 0, 120, 119, 1, 121, Map.of(1, 121L, 2, 90L),
                Map.of("rx.datagrams", 5000L, "tx.datagrams", 7000L, "drop.SHORT", 1L, "drop.BAD_MAGIC", 2L));
        StatusReport follower = new StatusReport(1, "FOLLOWER", 7, 0, 120, 120, 1, 121, Map.of(), Map.of());
        String table = StatusTable.render(List.of(new NodeStatus(0, A0, leader, null),
                new NodeStatus(1, A1, follower, null), new NodeStatus(2, A2, null, "no answer within 1 s")));
        assertEquals(""
                + "id  address         role      term  leader  commit  applied  last  rx    tx    drops  note\n"
                + "0   10.0.1.1:39316  LEADER    7     0       120     119      121   5000  7000  3      match 1:121 2:90\n"
                + "1   10.0.2.2:39316  FOLLOWER  7     0       120     120      121   0     0     0\n"
                + "2   10.0.3.3:39316  ?         -     -       -       -        -     -     -     -      no answer within 1 s\n",
                table);
    }

    @Test
    void aNodeWhoseIdDiffersFromItsPlaceInTheListIsFlagged() {
        StatusReport r = new StatusReport(4, "CANDIDATE", 2, -1, 0, 0, 0, 0, Map.of(), Map.of());
        String table = StatusTable.render(List.of(new NodeStatus(1, A1, r, null)));
        assertEquals("1   10.0.2.2:39316  CANDIDATE  2     -       0       0        0     0   0   0      "
                + "reports id 4: is the node list the same as the node's?", table.split("\n")[1]);
    }

    @Test
    void summaryNamesTheLeaderOrSaysThereIsNone() {
        StatusReport leader = new StatusReport(0, "LEADER", 7, 0, 1, 1, 1, 1, Map.of(), Map.of());
        StatusReport old = new StatusReport(1, "LEADER", 6, 1, 1, 1, 1, 1, Map.of(), Map.of());
        StatusReport follower = new StatusReport(1, "FOLLOWER", 7, -1, 1, 1, 1, 1, Map.of(), Map.of());
        assertEquals("leader: node 0 (10.0.1.1:39316), term 7", StatusCommands.summary(
                List.of(new NodeStatus(0, A0, leader, null)), NODES, 1000));
        assertEquals("no leader among the nodes that answered (an election may be under way)", StatusCommands.summary(
                List.of(new NodeStatus(1, A1, follower, null)), NODES, 1000));
        assertEquals("no node answered within 1 s", StatusCommands.summary(
                List.of(new NodeStatus(1, A1, null, "x")), NODES, 1000));
        assertEquals("several nodes say they lead: node 0 (term 7) node 1 (term 6); the one with the highest term is "
                + "current, the others have not heard of it yet", StatusCommands.summary(
                List.of(new NodeStatus(0, A0, leader, null), new NodeStatus(1, A1, old, null)), NODES, 1000));
    }

    @Test
    void summaryNamesTheLeaderAFollowerReports_whenTheLeaderWasNotAskedOrDidNotAnswer() {
        StatusReport follower1 = new StatusReport(1, "FOLLOWER", 7, 2, 1, 1, 1, 1, Map.of(), Map.of());
        StatusReport follower0 = new StatusReport(0, "FOLLOWER", 7, 2, 1, 1, 1, 1, Map.of(), Map.of());
        assertEquals("leader: node 2 (10.0.3.3:39316), term 7, as node 1 reports", StatusCommands.summary(
                List.of(new NodeStatus(1, A1, follower1, null)), NODES, 1000), "status -d 1");
        assertEquals("leader: node 2 (10.0.3.3:39316), term 7, as nodes 0 and 1 report", StatusCommands.summary(
                List.of(new NodeStatus(0, A0, follower0, null), new NodeStatus(1, A1, follower1, null),
                        new NodeStatus(2, A2, null, "no answer within 1 s")), NODES, 1000));
        StatusReport outside = new StatusReport(1, "FOLLOWER", 7, 5, 1, 1, 1, 1, Map.of(), Map.of());
        assertEquals("leader: node 5 (not in the node list), term 7, as node 1 reports", StatusCommands.summary(
                List.of(new NodeStatus(1, A1, outside, null)), NODES, 1000));
    }

    @Test
    void summaryPrefersTheLeaderOfTheHighestTerm_overAStaleOneStillLeading() {
        StatusReport stale = new StatusReport(0, "LEADER", 6, 0, 1, 1, 1, 1, Map.of(), Map.of());
        StatusReport follower = new StatusReport(1, "FOLLOWER", 7, 2, 1, 1, 1, 1, Map.of(), Map.of());
        assertEquals("leader: node 2 (10.0.3.3:39316), term 7, as node 1 reports; node 0 still says it leads, "
                + "at term 6", StatusCommands.summary(List.of(new NodeStatus(0, A0, stale, null),
                new NodeStatus(1, A1, follower, null)), NODES, 1000));
        StatusReport leader = new StatusReport(2, "LEADER", 7, 2, 1, 1, 1, 1, Map.of(), Map.of());
        assertEquals("leader: node 2 (10.0.3.3:39316), term 7", StatusCommands.summary(List.of(
                new NodeStatus(1, A1, follower, null), new NodeStatus(2, A2, leader, null)), NODES, 1000));
    }
}
