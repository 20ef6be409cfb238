package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;
import raftudp.transport.TransportException;
import raftudp.wire.StatusReport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the pcap transport decides before it touches libpcap: no root needed. */
class PcapTransportTest {

    @Test
    void loopbackAddressIsRefusedWithAdviceToUseUdp() throws Exception {
        PcapTransport t = new PcapTransport(new PcapOptions(null, InetAddress.getByName("127.0.0.1")));
        TransportException e = assertThrows(TransportException.class, () -> t.start(Set.of(7000), (f, p, d) -> { }));
        assertTrue(e.getMessage().contains("--transport udp"), e.getMessage());
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void loopbackInterfaceIsRefusedWithAdviceToUseUdp() {
        PcapTransport t = new PcapTransport(PcapOptions.of("lo", null));
        TransportException e = assertThrows(TransportException.class, () -> t.start(Set.of(7000), (f, p, d) -> { }));
        assertTrue(e.getMessage().contains("--transport udp"), e.getMessage());
    }

    @Test
    void addressesThatCannotBeOursAreRefusedClearly() throws Exception {
        for (String a : new String[]{"::1", "0.0.0.0", "fe80::1"}) {
            PcapTransport t = new PcapTransport(PcapOptions.of(null, InetAddress.getByName(a)));
            assertThrows(TransportException.class, () -> t.start(Set.of(7000), (f, p, d) -> { }), a);
        }
        PcapTransport none = new PcapTransport(PcapOptions.of(null, null));
        assertThrows(TransportException.class, () -> none.start(Set.of(7000), (f, p, d) -> { }));
        PcapTransport noSuch = new PcapTransport(PcapOptions.of("no-such-if9", null));
        TransportException e = assertThrows(TransportException.class,
                () -> noSuch.start(Set.of(7000), (f, p, d) -> { }));
        assertTrue(e.getMessage().contains("no-such-if9"), e.getMessage());
    }

    @Test
    void badPortsAreRefused() {
        PcapTransport t = new PcapTransport(PcapOptions.of("lo", null));
        assertThrows(TransportException.class, () -> t.start(Set.of(), (f, p, d) -> { }));
        assertThrows(TransportException.class, () -> t.start(Set.of(0), (f, p, d) -> { }));
        assertThrows(TransportException.class, () -> t.start(Set.of(70000), (f, p, d) -> { }));
    }

    @Test
    void sendBeforeStartIsCountedNotThrown() throws Exception {
        PcapTransport t = new PcapTransport(PcapOptions.of(null, InetAddress.getByName("10.99.0.1")));
        t.send(7000, new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 7000), new byte[]{1});
        t.send(7000, InetSocketAddress.createUnresolved("nowhere", 7000), new byte[]{1});
        assertEquals(2, t.stats().txDropped(TxDrop.NOT_STARTED));
        assertEquals(2, t.sendFailures());
        assertNull(t.interfaceName());
        t.close();
        t.close();
        assertEquals("pcap", t.name());
    }

    @Test
    void twoArgumentOptionsKeepWorkingWithDefaults() throws Exception {
        InetAddress a = InetAddress.getByName("10.99.0.1");
        PcapOptions o = new PcapOptions("eth0", a);
        assertEquals(PcapOptions.of("eth0", a), o);
        assertEquals("eth0", o.interfaceName());
        assertEquals(a, o.localAddress());
        assertEquals(PcapOptions.DEFAULTS.bufferBytes(), o.bufferBytes());
        assertTrue(o.portGuard());
        assertEquals(false, o.withPortGuard(false).portGuard());
        assertThrows(IllegalArgumentException.class, () -> o.withArp(100, 50, 1));
        assertThrows(IllegalArgumentException.class, () -> o.withCapture(10, 1 << 20));
    }

    @Test
    void filterSelectsOurUdpPortsAndArpRepliesNotFromUs() throws Exception {
        String f = PcapTransport.filter(InetAddress.getByName("10.99.0.1"), FramesTest.MAC_A, Set.of(0x9997, 0x9994));
        assertEquals("(udp and dst host 10.99.0.1 and (dst port 39316 or dst port 39319)"
                + " and not ether src 02:00:00:00:00:0a)"
                + " or (arp and arp[6:2] = 2 and not ether src 02:00:00:00:00:0a)", f);
    }

    @Test
    void everyCounterNameFitsAStatusReport() {
        PcapStats s = new PcapStats();
        s.countRxFrame();
        s.countDelivered();
        s.countChecksumPartial();
        s.countLoopError();
        s.countTxFrame(100);
        s.countArpRequest();
        s.countArpReply();
        s.countArpFromKernel();
        s.countArpTimeout();
        for (RxDrop r : RxDrop.values()) {
            s.countRxDrop(r);
        }
        for (TxDrop r : TxDrop.values()) {
            s.countTxDrop(r);
        }
        Map<String, Long> m = s.snapshot();
        assertEquals(10 + RxDrop.values().length + TxDrop.values().length, m.size());
        new StatusReport(0, "LEADER", 1, 0, 0, 0, 0, 0, Map.of(), m); // validates every name
        assertEquals(1L, m.get("pcap.rx.drop.udp_checksum"));
        assertEquals(1L, m.get("pcap.tx.drop.no_mac"));
    }
}
