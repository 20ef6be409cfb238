package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static raftudp.transport.pcap.FramesTest.IP_A;
import static raftudp.transport.pcap.FramesTest.IP_B;
import static raftudp.transport.pcap.FramesTest.MAC_A;
import static raftudp.transport.pcap.FramesTest.MAC_B;

class FrameReceiverTest {
    private record Got(InetSocketAddress from, int port, byte[] data) {
    }

    private final PcapStats stats = new PcapStats();
    private final List<byte[]> wire = new ArrayList<>();
    private final Neighbours neighbours = new Neighbours("eth0", MAC_B, IP_B, PcapOptions.DEFAULTS, stats,
            f -> wire.add(f.clone()), (task, ms) -> { }, () -> "", () -> 0L);
    private final List<Got> got = new ArrayList<>();
    private final FrameReceiver rx = new FrameReceiver(IP_B, Set.of(0x9996, 0x9997), (from, port, data) -> {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        if (b.length > 0 && b[0] == 'X') {
            throw new IllegalStateException("sink failure");
        }
        got.add(new Got(from, port, b));
    }, neighbours, stats, true);

    private static byte[] toB(int port, byte[] payload) {
        return Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 40000, port, 0, payload);
    }

    @Test
    void deliversPayloadWithSourceAndLocalPort() {
        rx.gotPacket(toB(0x9996, new byte[]{1, 2, 3}));
        assertEquals(1, got.size());
        assertEquals("10.99.0.1", got.get(0).from().getAddress().getHostAddress());
        assertEquals(40000, got.get(0).from().getPort());
        assertEquals(0x9996, got.get(0).port());
        assertArrayEquals(new byte[]{1, 2, 3}, got.get(0).data());
        assertEquals(1, stats.rxDelivered());
    }

    @Test
    void aFailingSinkIsCountedAndTheNextDatagramStillArrives() {
        rx.gotPacket(toB(0x9996, new byte[]{'X'}));
        rx.gotPacket(toB(0x9996, new byte[]{'Y'}));
        assertEquals(1, stats.rxDropped(RxDrop.SINK_ERROR));
        assertEquals(1, got.size());
    }

    @Test
    void otherPortsAndAddressesAndGarbageAreCountedNotDelivered() {
        rx.gotPacket(toB(0x9998, new byte[]{1}));
        rx.gotPacket(Frames.udp(MAC_B, MAC_A, IP_A, IP_A, 1, 0x9996, 0, new byte[]{1}));
        rx.gotPacket(new byte[3]);
        rx.gotPacket(new byte[0]);
        assertEquals(2, stats.rxDropped(RxDrop.WRONG_DESTINATION));
        assertEquals(2, stats.rxDropped(RxDrop.TRUNCATED));
        assertEquals(4, stats.rxFrames());
        assertEquals(0, got.size());
    }

    @Test
    void arpRepliesGoToNeighboursAndOthersAreIgnored() {
        neighbours.send(IP_A, Frames.udp(null, MAC_B, IP_B, IP_A, 1, 2, 0, new byte[]{9}));
        byte[] reply = Frames.arpRequest(MAC_A, IP_A, IP_B);
        System.arraycopy(MAC_B, 0, reply, 0, 6);
        Frames.put16(reply, 20, Frames.ARP_REPLY);
        System.arraycopy(MAC_B, 0, reply, 32, 6);
        rx.gotPacket(reply);
        assertEquals(1, stats.arpReplies());
        assertEquals(1, stats.txFrames(), "the queued datagram went out");
        rx.gotPacket(reply);
        rx.gotPacket(Frames.arpRequest(MAC_A, IP_A, IP_B));
        assertEquals(2, stats.rxDropped(RxDrop.ARP_IGNORED));
    }
}
