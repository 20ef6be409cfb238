package raftudp.transport.pcap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raftudp.netns.CaptureCheck;
import raftudp.netns.ChildJvm;
import raftudp.netns.NetnsLab;
import raftudp.netns.PcapNetnsSupport;
import raftudp.netns.Tcpdump;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.transport.pcap.PcapNetnsTests.peer;
import static raftudp.transport.pcap.PcapNetnsTests.stat;

/** The pcap transport between two subnets through a forwarding router namespace. Needs root; CI runs it. */
class PcapRoutedNetnsTest {
    private static NetnsLab lab;
    private static PcapNetnsSupport.Routed net;

    @BeforeAll
    static void createNetwork() throws Exception {
        PcapNetnsSupport.requireRootAndTools();
        lab = NetnsLab.create();
        net = PcapNetnsSupport.routed(lab);
    }

    @AfterAll
    static void deleteNetwork() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void datagramsCrossTheRouterWithItsMacAsNextHopLearnedByArp() throws Exception {
        String left = net.left().address().getHostAddress();
        String right = net.right().address().getHostAddress();
        Path file = Path.of("target", "netns-logs", lab.id(), "routed-right.pcap");
        try (ChildJvm a = peer(lab, net.left(), "routed-a"); ChildJvm b = peer(lab, net.right(), "routed-b");
             Tcpdump dump = Tcpdump.start(lab, net.right().namespace(), net.right().iface(), file, "udp")) {
            a.call("start pcap " + left + " 7001");
            b.call("start pcap " + right + " 7002");
            b.call("echo on");
            a.call("send " + right + " 7002 7001 20 200");
            assertEquals("20", a.call("wait 20 10000"), "there and back through the router");
            assertEquals(net.routerLeftMac(), a.call("mac 10.99.1.254"), "the gateway's MAC is the next hop");
            assertEquals(net.routerRightMac(), b.call("mac 10.99.2.254"));
            assertEquals("none", a.call("mac " + right), "no MAC is learned for an off-link host");
            String stats = a.call("stats");
            assertTrue(stat(stats, "pcap.arp.replies") >= 1, stats);
            CaptureCheck.Summary s = CaptureCheck.check(dump.stop());
            assertEquals(40, s.udp(), s.toString());
            for (CaptureCheck.UdpFrame f : s.udpFrames()) {
                assertEquals(f.src().equals(left) ? 63 : 64, f.ttl(), "the router decremented TTL: " + f);
            }
        }
    }
}
