package raftudp.transport.pcap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import raftudp.netns.CaptureCheck;
import raftudp.netns.ChildJvm;
import raftudp.netns.NetnsLab;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.PcapNetnsSupport.Host;
import raftudp.netns.Tcpdump;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.transport.pcap.PcapNetnsTests.stat;
import static raftudp.transport.pcap.PcapNetnsTests.peer;

/**
 * The pcap transport between hosts on one bridge (like Mininet hosts on a switch), each in
 * its own network namespace, each transport in its own JVM. Needs root; CI runs it.
 */
class PcapLanNetnsTest {
    private static final int P1 = 7001;
    private static final int P2 = 7002;
    private static NetnsLab lab;
    private static List<Host> hosts;

    @BeforeAll
    static void createLan() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        lab = NetnsLab.create();
        hosts = PcapNetnsSupport.lan(lab, 3);
    }

    @AfterAll
    static void deleteLan() {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void forgetNeighbours() {
        for (Host h : hosts) {
            lab.run(h.namespace(), "ip", "neigh", "flush", "all");
        }
    }

    private static Host h(int i) {
        return hosts.get(i - 1);
    }

    private static String ip(int i) {
        return h(i).address().getHostAddress();
    }

    @Test
    void pcapAndKernelSocketsExchangeDatagramsBothWaysResolvingMacsByArp() throws Exception {
        try (ChildJvm a = peer(lab, h(1), "lan-kernel-a"); ChildJvm b = peer(lab, h(2), "lan-kernel-b")) {
            a.call("start pcap " + ip(1) + " " + P1 + "," + P2);
            b.call("start udp " + ip(2) + " " + P1);
            a.call("send " + ip(2) + " " + P1 + " " + P2 + " 20 100");
            assertEquals("20", b.call("wait 20 10000"), "a kernel socket accepts only valid UDP checksums");
            assertEquals(ip(1) + ":" + P2 + " " + P1 + " " + HexFormat.of().formatHex(PcapPeer.payload(0, 100)),
                    b.call("got 0"));
            b.call("send " + ip(1) + " " + P2 + " " + P1 + " 20 1472");
            assertEquals("20", a.call("wait 20 10000"));
            assertEquals(ip(2) + ":" + P1 + " " + P2 + " " + HexFormat.of().formatHex(PcapPeer.payload(19, 1472)),
                    a.call("got 19"));
            String stats = a.call("stats");
            assertTrue(stat(stats, "pcap.arp.requests") >= 1, stats);
            assertTrue(stat(stats, "pcap.arp.replies") >= 1, "resolved with our own ARP: " + stats);
            assertEquals(20, stat(stats, "pcap.tx.frames"), stats);
            assertEquals(20, stat(stats, "pcap.rx.delivered"), stats);
        }
    }

    @Test
    void aCaptureOfPcapTrafficIsWellFormedAndHoldsNoIcmpNorReadBackFrames() throws Exception {
        Path file = Path.of("target", "netns-logs", lab.id(), "lan-pcap-both-ways.pcap");
        try (ChildJvm a = peer(lab, h(1), "lan-both-a"); ChildJvm b = peer(lab, h(2), "lan-both-b");
             Tcpdump dump = Tcpdump.start(lab, h(2).namespace(), h(2).iface(), file)) {
            a.call("start pcap " + ip(1) + " " + P1);
            b.call("start pcap " + ip(2) + " " + P2);
            b.call("echo on");
            a.call("send " + ip(2) + " " + P2 + " " + P1 + " 50 100");
            assertEquals("50", a.call("wait 50 10000"), "all echoed back");
            Path captured = dump.stop();
            String decoded = Tcpdump.decode(lab, h(2).namespace(), captured);
            assertEquals(100, decoded.split("udp sum ok", -1).length - 1, "tcpdump agrees:\n" + decoded);
            assertFalse(decoded.contains("bad"), decoded);
            CaptureCheck.Summary s = CaptureCheck.check(captured);
            assertEquals(List.of(), s.problems());
            assertEquals(100, s.udp(), "50 each way, all with valid IPv4 and UDP checksums: " + s);
            assertEquals(0, s.udpChecksumPartial());
            assertEquals(0, s.icmpPortUnreachable(), "the port guard keeps the kernel quiet");
            for (CaptureCheck.UdpFrame f : s.udpFrames()) {
                assertTrue(f.dontFragment(), f.toString());
                assertEquals(64, f.ttl(), f.toString());
                assertEquals(100, f.payloadBytes(), f.toString());
            }
            for (ChildJvm p : List.of(a, b)) {
                String stats = p.call("stats");
                assertEquals(50, stat(stats, "pcap.rx.delivered"), stats);
                assertEquals(stat(stats, "pcap.rx.frames"), 50 + stat(stats, "pcap.arp.replies"),
                        "nothing captured but the peer's datagrams and ARP replies: " + stats);
            }
        }
    }

    @Test
    void thePortGuardSuppressesIcmpPortUnreachableWhichAppearsWithoutIt() throws Exception {
        Path guarded = Path.of("target", "netns-logs", lab.id(), "lan-icmp-guarded.pcap");
        Path open = Path.of("target", "netns-logs", lab.id(), "lan-icmp-unguarded.pcap");
        try (ChildJvm a = peer(lab, h(1), "icmp-a"); ChildJvm b = peer(lab, h(2), "icmp-b");
             ChildJvm c = peer(lab, h(3), "icmp-c");
             Tcpdump dumpB = Tcpdump.start(lab, h(2).namespace(), h(2).iface(), guarded, "icmp");
             Tcpdump dumpC = Tcpdump.start(lab, h(3).namespace(), h(3).iface(), open, "icmp")) {
            a.call("start pcap " + ip(1) + " " + P1);
            b.call("start pcap " + ip(2) + " " + P2);
            c.call("start pcap " + ip(3) + " " + P2 + " noguard");
            a.call("send " + ip(2) + " " + P2 + " " + P1 + " 10 100");
            a.call("send " + ip(3) + " " + P2 + " " + P1 + " 10 100");
            assertEquals("10", b.call("wait 10 10000"));
            assertEquals("10", c.call("wait 10 10000"), "pcap sees them either way");
            assertEquals(0, CaptureCheck.check(dumpB.stop()).icmpPortUnreachable());
            assertTrue(CaptureCheck.check(dumpC.stop()).icmpPortUnreachable() >= 1,
                    "control: without the guard the kernel answers with port-unreachable");
        }
    }

    @Test
    void framesInjectedOnTheHostItselfAreNotReadBack() throws Exception {
        try (ChildJvm a = peer(lab, h(1), "self-a"); ChildJvm b = peer(lab, h(2), "self-b")) {
            a.call("start pcap " + ip(1) + " " + P1);
            byte[] macA = Neighbours.parseMac(h(1).mac());
            byte[] macB = Neighbours.parseMac(h(2).mac());
            int ipA = Frames.get32(h(1).address().getAddress(), 0);
            int ipB = Frames.get32(h(2).address().getAddress(), 0);
            String toSelf = HexFormat.of().formatHex(Frames.udp(macA, macA, ipA, ipA, P2, P1, 1, new byte[]{1}));
            String fromB = HexFormat.of().formatHex(Frames.udp(macA, macB, ipB, ipA, P2, P1, 2, new byte[]{2}));
            assertEquals("true", a.call("inject-self " + toSelf), "through the transport's own handle");
            a.call("inject " + h(1).iface() + " " + toSelf + " 3"); // through a second handle on the host
            b.call("inject " + h(2).iface() + " " + fromB + " 1"); // control: the same datagram from the peer
            assertEquals("1", a.call("wait 1 10000"));
            // No wait for the own frames is needed: each inject returned once the kernel had
            // taken the frame (and shown it to every capture on h1) before b sent its datagram,
            // and a capture hands frames over in arrival order; so once b's datagram was
            // delivered, any own frame that got through would have been counted already.
            String stats = a.call("stats");
            assertEquals(1, stat(stats, "pcap.rx.delivered"), stats);
            assertEquals(1, stat(stats, "pcap.rx.frames"), "own frames never reached the receiver: " + stats);
            assertTrue(a.call("got 0").endsWith(" 02"), "the peer's datagram");
        }
    }

    @Test
    void closeStopsTheCapturePromptlyAndReleasesHandleAndPorts() throws Exception {
        try (ChildJvm a = peer(lab, h(1), "close-a"); ChildJvm b = peer(lab, h(2), "close-b")) {
            a.call("start pcap " + ip(1) + " " + P1);
            b.call("start pcap " + ip(2) + " " + P2);
            b.call("send " + ip(1) + " " + P1 + " " + P2 + " 1 10");
            assertEquals("1", a.call("wait 1 10000"));
            String[] closed = a.call("close").split(" ");
            assertTrue(Long.parseLong(closed[0]) < 1_000, "close took " + closed[0] + " ms");
            assertEquals("0", closed[1], "no pcap thread left");
            a.call("start pcap " + ip(1) + " " + P1); // same ports again: handle and sockets were released
            b.call("send " + ip(1) + " " + P1 + " " + P2 + " 1 10");
            assertEquals("2", a.call("wait 2 10000"), "the new transport receives");
            assertFalse(a.call("stats").contains("loop_errors"));
        }
    }
}
