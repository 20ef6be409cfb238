package raftudp.node;

import raftudp.config.ClusterConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.node.TransportChoice.Kind.AUTO;
import static raftudp.node.TransportChoice.Kind.PCAP;
import static raftudp.node.TransportChoice.Kind.UDP;

class TransportChoiceTest {
    private static final InetAddress TESTBED = ClusterConfig.testbed().node(0).address();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void auto_isPcap_onlyWithRawCaptureRights_onANonLoopbackAddress() {
        assertEquals(PCAP, TransportChoice.choose(AUTO, TESTBED, true).kind());
        assertEquals(UDP, TransportChoice.choose(AUTO, TESTBED, false).kind());
        assertEquals(UDP, TransportChoice.choose(AUTO, LOOPBACK, true).kind());
        assertTrue(TransportChoice.choose(AUTO, TESTBED, false).reason().contains("CAP_NET_RAW"));
        assertTrue(TransportChoice.choose(AUTO, LOOPBACK, true).reason().contains("loopback"));
    }

    @Test
    void explicitChoice_isKept() {
        assertEquals(UDP, TransportChoice.choose(UDP, TESTBED, true).kind());
        assertEquals(PCAP, TransportChoice.choose(PCAP, LOOPBACK, false).kind());
        assertTrue(TransportChoice.choose(PCAP, LOOPBACK, false).reason().contains("martians"));
    }

    @Test
    void kind_parsesAnyCase_andRefusesOthers() {
        assertEquals(PCAP, TransportChoice.Kind.parse("Pcap"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransportChoice.Kind.parse("tcp"));
        assertTrue(e.getMessage().contains("auto, udp or pcap"), e.getMessage());
    }

    @Test
    void capabilityBit13_isReadFromProcStatus() {
        assertTrue(TransportChoice.hasNetRaw(List.of("Name:\tjava", "CapEff:\t000001ffffffffff")));
        assertTrue(TransportChoice.hasNetRaw(List.of("CapEff:\t0000000000002000")));
        assertFalse(TransportChoice.hasNetRaw(List.of("CapEff:\t0000000000001000")));
        assertFalse(TransportChoice.hasNetRaw(List.of("Name:\tjava")));
    }
}
