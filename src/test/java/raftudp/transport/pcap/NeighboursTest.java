package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.transport.pcap.FramesTest.IP_A;
import static raftudp.transport.pcap.FramesTest.IP_B;
import static raftudp.transport.pcap.FramesTest.MAC_A;
import static raftudp.transport.pcap.FramesTest.MAC_B;

/** Resolution driven by hand: a fake link, a manual timer and clock, a fake kernel table. */
class NeighboursTest {
    private static final long MS = 1_000_000;
    private static final String EMPTY_TABLE =
            "IP address       HW type     Flags       HW address            Mask     Device\n";

    private final List<byte[]> wire = new ArrayList<>();
    private final List<Runnable> timer = new ArrayList<>();
    private final List<Long> timerDelays = new ArrayList<>();
    private final AtomicReference<String> kernel = new AtomicReference<>(EMPTY_TABLE);
    private long now = 1_000 * MS;
    private final PcapStats stats = new PcapStats();
    private final PcapOptions options = PcapOptions.DEFAULTS.withArp(100, 1_000, 30_000);
    private final Neighbours n = new Neighbours("eth0", MAC_A, IP_A, options, stats, f -> wire.add(f.clone()),
            (task, ms) -> {
                timer.add(task);
                timerDelays.add(ms);
            }, kernel::get, () -> now);

    private static byte[] frame(int seq) {
        return Frames.udp(null, MAC_A, IP_A, IP_B, 1, 2, 0, new byte[]{(byte) seq});
    }

    private void runTimers() {
        List<Runnable> due = new ArrayList<>(timer);
        timer.clear();
        due.forEach(Runnable::run);
    }

    private static boolean isArpRequestFor(byte[] f, int ip) {
        return Frames.get16(f, 12) == Frames.ETHERTYPE_ARP && Frames.get16(f, 20) == Frames.ARP_REQUEST
                && Frames.get32(f, 38) == ip;
    }

    @Test
    void aKernelNeighbourEntryIsUsedWithoutArp() {
        kernel.set(EMPTY_TABLE + "10.99.0.2        0x1         0x2         02:00:00:00:00:0b     *        eth0\n");
        n.send(IP_B, frame(1));
        assertEquals(1, wire.size());
        assertArrayEquals(MAC_B, Arrays.copyOf(wire.get(0), 6));
        assertEquals(1, stats.arpFromKernel());
        assertEquals(0, stats.arpRequests());
    }

    @Test
    void anUnknownNextHopQueuesUntilTheArpReplyThenSendsInOrder() {
        n.send(IP_B, frame(1));
        n.send(IP_B, frame(2));
        assertEquals(1, wire.size(), "only the ARP request went out");
        assertTrue(isArpRequestFor(wire.get(0), IP_B));
        assertTrue(n.onArpReply(IP_B, MAC_B));
        assertEquals(3, wire.size());
        assertArrayEquals(MAC_B, Arrays.copyOf(wire.get(1), 6));
        assertEquals(1, wire.get(1)[42]);
        assertEquals(2, wire.get(2)[42]);
        n.send(IP_B, frame(3));
        assertEquals(4, wire.size(), "now sent at once");
        assertEquals(3, stats.txFrames());
        assertEquals(1, stats.arpReplies());
    }

    /**
     * Datagrams sent while the queue of a just-resolved next hop goes out (here: from inside
     * the link, as a sender thread would at that moment) leave after the queued ones.
     */
    @Test
    void datagramsSentWhileTheQueueIsFlushedLeaveAfterIt_inSendOrder() {
        List<Integer> order = new ArrayList<>();
        int[] nextSeq = {4};
        Neighbours[] self = new Neighbours[1];
        self[0] = new Neighbours("eth0", MAC_A, IP_A, options, stats, f -> {
            if (Frames.get16(f, 12) == Frames.ETHERTYPE_IPV4) {
                order.add((int) f[42]);
                if (nextSeq[0] <= 6) { // each datagram on the wire triggers one more send, three in all
                    self[0].send(IP_B, frame(nextSeq[0]++));
                }
            }
            return true;
        }, (task, ms) -> timer.add(task), kernel::get, () -> now);
        for (int i = 1; i <= 3; i++) {
            self[0].send(IP_B, frame(i));
        }
        assertTrue(self[0].onArpReply(IP_B, MAC_B));
        assertEquals(List.of(1, 2, 3, 4, 5, 6), order);
        assertArrayEquals(MAC_B, self[0].macOf(IP_B), "published once the queue is out");
        assertEquals(0, stats.txDropped(TxDrop.QUEUE_FULL));
        self[0].send(IP_B, frame(7));
        assertEquals(7, order.get(order.size() - 1), "then sent at once");
    }

    @Test
    void theOrderHoldsWhenTheMacComesFromTheKernelTableOnRetry() {
        List<Integer> order = new ArrayList<>();
        Neighbours[] self = new Neighbours[1];
        self[0] = new Neighbours("eth0", MAC_A, IP_A, options, stats, f -> {
            if (Frames.get16(f, 12) == Frames.ETHERTYPE_IPV4) {
                order.add((int) f[42]);
                if (order.size() == 1) {
                    self[0].send(IP_B, frame(3));
                }
            }
            return true;
        }, (task, ms) -> timer.add(task), kernel::get, () -> now);
        self[0].send(IP_B, frame(1));
        self[0].send(IP_B, frame(2));
        kernel.set(EMPTY_TABLE + "10.99.0.2        0x1         0x2         02:00:00:00:00:0b     *        eth0\n");
        now += 100 * MS;
        runTimers();
        assertEquals(List.of(1, 2, 3), order);
    }

    @Test
    void requestsAreRepeatedUntilTheTimeoutThenTheQueueIsDropped() {
        n.send(IP_B, frame(1));
        for (int i = 1; i < 10; i++) {
            now += 100 * MS;
            runTimers();
        }
        assertEquals(10, stats.arpRequests(), "one at once, then one per retry interval");
        now += 100 * MS;
        runTimers();
        assertEquals(1, stats.txDropped(TxDrop.NO_MAC));
        assertEquals(1, stats.arpTimeouts());
        assertTrue(timer.isEmpty(), "gave up");
        assertFalse(n.onArpReply(IP_B, MAC_B), "a late reply is unsolicited now");
        n.send(IP_B, frame(2));
        assertEquals(11, stats.arpRequests(), "the next datagram starts over");
    }

    @Test
    void theKernelTableIsCheckedAgainOnRetry() {
        n.send(IP_B, frame(1));
        kernel.set(EMPTY_TABLE + "10.99.0.2        0x1         0x2         02:00:00:00:00:0b     *        eth0\n");
        now += 100 * MS;
        runTimers();
        assertEquals(2, wire.size(), "request, then the datagram");
        assertArrayEquals(MAC_B, Arrays.copyOf(wire.get(1), 6));
    }

    @Test
    void theQueuePerNextHopIsBounded() {
        for (int i = 0; i < options.arpQueueFramesMax() + 5; i++) {
            n.send(IP_B, frame(i));
        }
        assertEquals(5, stats.txDropped(TxDrop.QUEUE_FULL));
        n.onArpReply(IP_B, MAC_B);
        assertEquals(options.arpQueueFramesMax(), stats.txFrames());
    }

    @Test
    void unsolicitedRepliesAreIgnored() {
        assertFalse(n.onArpReply(IP_B, MAC_B));
        assertNull(n.macOf(IP_B));
    }

    @Test
    void anOldEntryIsUsedWhileRefreshedAndForgottenWithoutAnswer() {
        n.send(IP_B, frame(1));
        n.onArpReply(IP_B, MAC_B);
        now += 31_000 * MS;
        n.send(IP_B, frame(2));
        assertEquals(2, stats.txFrames(), "still sent with the old MAC");
        assertEquals(2, stats.arpRequests(), "and a refresh asked");
        runTimers(); // the refresh deadline passes without a reply
        assertNull(n.macOf(IP_B));
        n.send(IP_B, frame(3));
        assertEquals(2, stats.txFrames(), "queued again");
    }

    @Test
    void aPermanentKernelEntryIsNeverRefreshed_soASwitchThatAnswersNoArpStaysAGateway() {
        // the testbed's hosts: `ip neigh replace GW lladdr MAC nud permanent` (flags 0x6), and
        // switches running raft.p4 that drop ARP: a refresh would go unanswered and be logged
        kernel.set(EMPTY_TABLE + "10.99.0.2        0x1         0x6         02:00:00:00:00:0b     *        eth0\n");
        n.send(IP_B, frame(1));
        for (int i = 2; i <= 4; i++) {
            now += 31_000 * MS;
            n.send(IP_B, frame(i));
            runTimers();
        }
        assertEquals(4, stats.txFrames());
        assertEquals(0, stats.arpRequests(), "no refresh of a permanent entry");
        assertArrayEquals(MAC_B, n.macOf(IP_B));
        assertEquals(0x6, Neighbours.kernelFlags(kernel.get(), "eth0", IP_B));
    }

    @Test
    void anAnsweredRefreshKeepsTheEntry() {
        n.send(IP_B, frame(1));
        n.onArpReply(IP_B, MAC_B);
        now += 31_000 * MS;
        n.send(IP_B, frame(2));
        byte[] newMac = {2, 0, 0, 0, 0, 0x0c};
        assertTrue(n.onArpReply(IP_B, newMac));
        runTimers();
        assertArrayEquals(newMac, n.macOf(IP_B));
    }

    @Test
    void closeDropsWhatWaitsAndLaterSends() {
        n.send(IP_B, frame(1));
        n.close();
        n.send(IP_B, frame(2));
        assertEquals(2, stats.txDropped(TxDrop.NOT_STARTED));
    }

    @Test
    void kernelTableLinesThatAreIncompleteOrOnAnotherDeviceDoNotCount() {
        String t = EMPTY_TABLE
                + "10.99.0.2        0x1         0x0         00:00:00:00:00:00     *        eth0\n"
                + "10.99.0.3        0x1         0x2         02:00:00:00:00:03     *        eth1\n"
                + "10.99.0.4        0x1         0x6         02:00:00:00:00:04     *        eth0\n";
        assertNull(Neighbours.kernelMac(t, "eth0", IP_B));
        assertNull(Neighbours.kernelMac(t, "eth0", FramesTest.ip(10, 99, 0, 3)));
        assertArrayEquals(new byte[]{2, 0, 0, 0, 0, 4}, Neighbours.kernelMac(t, "eth0", FramesTest.ip(10, 99, 0, 4)));
        assertNull(Neighbours.parseMac("02:00:00:00:00"));
        assertNull(Neighbours.parseMac("02:00:00:00:00:123"));
    }
}
