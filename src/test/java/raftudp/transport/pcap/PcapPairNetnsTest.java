package raftudp.transport.pcap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raftudp.netns.ChildJvm;
import raftudp.netns.NetnsLab;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.PcapNetnsSupport.Host;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raftudp.transport.pcap.PcapNetnsTests.peer;
import static raftudp.transport.pcap.PcapNetnsTests.stat;

/**
 * Two hosts on one veth pair (no bridge, which could judge malformed IPv4 itself): hostile
 * frames, and static neighbour entries. Needs root; CI runs it.
 */
class PcapPairNetnsTest {
    private static final int PORT = 7001;
    private static NetnsLab lab;
    private static List<Host> hosts;

    @BeforeAll
    static void createPair() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        lab = NetnsLab.create();
        hosts = PcapNetnsSupport.pair(lab);
    }

    @AfterAll
    static void deletePair() {
        if (lab != null) {
            lab.close();
        }
    }

    /** A valid frame from h2 to h1's port, then changed by {@code mutation} (IPv4 checksum redone unless asked). */
    private static byte[] frame(int seq, java.util.function.Consumer<byte[]> mutation, boolean fixIpChecksum) {
        Host a = hosts.get(0);
        Host b = hosts.get(1);
        byte[] f = Frames.udp(Neighbours.parseMac(a.mac()), Neighbours.parseMac(b.mac()),
                Frames.get32(b.address().getAddress(), 0), Frames.get32(a.address().getAddress(), 0), 5000, PORT,
                seq, PcapPeer.payload(seq, 40));
        mutation.accept(f);
        if (fixIpChecksum) {
            FramesTest.fixIpChecksum(f);
        }
        return f;
    }

    @Test
    void malformedFramesAreCountedAndDroppedWhileTheReceiveLoopGoesOn() throws Exception {
        Map<String, byte[]> hostile = Map.of(
                "pcap.rx.drop.ip_checksum", frame(1, f -> f[24] ^= 0x55, false),
                "pcap.rx.drop.udp_checksum", frame(2, f -> f[50] ^= 0x01, true),
                "pcap.rx.drop.bad_udp_length", frame(3, f -> Frames.put16(f, 38, 4000), true),
                "pcap.rx.drop.truncated", frame(4, f -> Frames.put16(f, 16, 1400), true),
                "pcap.rx.drop.fragment", frame(5, f -> Frames.put16(f, 20, 0x2000), true));
        try (ChildJvm a = peer(lab, hosts.get(0), "pair-hostile-a");
             ChildJvm b = peer(lab, hosts.get(1), "pair-hostile-b")) {
            a.call("start pcap " + hosts.get(0).address().getHostAddress() + " " + PORT);
            List<String> names = new ArrayList<>(hostile.keySet());
            for (String name : names) {
                b.call("inject " + hosts.get(1).iface() + " " + HexFormat.of().formatHex(hostile.get(name)) + " 3");
            }
            b.call("inject " + hosts.get(1).iface() + " " + HexFormat.of().formatHex(frame(6, f -> { }, false)) + " 1");
            assertEquals("1", a.call("wait 1 10000"), "the valid frame after them is delivered");
            String stats = a.call("stats");
            for (String name : names) {
                assertEquals(3, stat(stats, name), name + " in " + stats);
            }
            assertEquals(16, stat(stats, "pcap.rx.frames"), stats);
            assertEquals(1, stat(stats, "pcap.rx.delivered"), stats);
            assertEquals(0, stat(stats, "pcap.rx.loop_errors"), stats);
        }
    }

    @Test
    void aStaticNeighbourEntryIsUsedWithoutArp() throws Exception {
        Host a = hosts.get(0);
        Host b = hosts.get(1);
        lab.run(a.namespace(), "ip", "neigh", "replace", b.address().getHostAddress(), "lladdr", b.mac(),
                "dev", a.iface(), "nud", "permanent");
        try (ChildJvm pa = peer(lab, a, "pair-static-a"); ChildJvm pb = peer(lab, b, "pair-static-b")) {
            pa.call("start pcap " + a.address().getHostAddress() + " " + PORT);
            pb.call("start pcap " + b.address().getHostAddress() + " " + PORT);
            pa.call("send " + b.address().getHostAddress() + " " + PORT + " " + PORT + " 5 64");
            assertEquals("5", pb.call("wait 5 10000"));
            String stats = pa.call("stats");
            assertEquals(1, stat(stats, "pcap.arp.kernel"), stats);
            assertEquals(0, stat(stats, "pcap.arp.requests"), stats);
        } finally {
            lab.run(a.namespace(), "ip", "neigh", "del", b.address().getHostAddress(), "dev", a.iface());
        }
    }
}
