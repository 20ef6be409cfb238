package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramesTest {
    static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0b};
    static final int IP_A = ip(10, 99, 0, 1);
    static final int IP_B = ip(10, 99, 0, 2);

    static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    static byte[] payload(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 31 + 7);
        }
        return p;
    }

    /** An Internet checksum written apart from {@link Frames}: 16-bit words, end-around carry. */
    static int independentChecksum(byte[] b, int off, int len, int... extraWords) {
        int sum = 0;
        for (int w : extraWords) {
            sum += w;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    static void fixIpChecksum(byte[] f) {
        int ihl = (f[14] & 0x0F) * 4;
        f[24] = 0;
        f[25] = 0;
        int c = independentChecksum(f, 14, Math.min(ihl, f.length - 14));
        f[24] = (byte) (c >> 8);
        f[25] = (byte) c;
    }

    @Test
    void udpFrameHasTheDocumentedLayout() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 0x9996, 0x9997, 0x1234, payload(5));
        String hex = HexFormat.of().formatHex(f);
        assertEquals(14 + 20 + 8 + 5, f.length);
        assertEquals("02000000000b" + "02000000000a" + "0800", hex.substring(0, 28), "dst MAC, src MAC, IPv4");
        assertEquals("4500" + "0021" + "1234" + "4000" + "40" + "11", hex.substring(28, 48),
                "version/IHL, total length 33, id, DF, TTL 64, UDP");
        assertEquals("0a630001" + "0a630002", hex.substring(52, 68), "source, destination");
        assertEquals("9996" + "9997" + "000d", hex.substring(68, 80), "ports, UDP length 13");
    }

    @Test
    void ipv4HeaderChecksumMatchesTheTextbookExample() {
        // The classic example header 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
        byte[] f = Frames.udp(MAC_B, MAC_A, ip(192, 168, 0, 1), ip(192, 168, 0, 199), 1, 2, 0, payload(0x73 - 28));
        assertEquals(0xb861, Frames.get16(f, 24));
    }

    @Test
    void checksumsVerifyWithAnIndependentImplementation() {
        for (int n : new int[]{0, 1, 2, 99, 100, 1472}) {
            byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 40000, 0x9994, n, payload(n));
            assertEquals(0, independentChecksum(f, 14, 20), "IPv4 header sums to 0xFFFF, n=" + n);
            int udpLen = 8 + n;
            assertEquals(0, independentChecksum(f, 34, udpLen, IP_A >>> 16, IP_A & 0xFFFF, IP_B >>> 16,
                    IP_B & 0xFFFF, 17, udpLen), "UDP with pseudo-header sums to 0xFFFF, n=" + n);
        }
    }

    @Test
    void aComputedZeroUdpChecksumIsSentAsAllOnes() {
        byte[] p = payload(10);
        p[8] = 0;
        p[9] = 0;
        int c = Frames.get16(Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, p), 40);
        p[8] = (byte) (c >> 8); // adding the checksum as a word makes the sum all ones: checksum 0
        p[9] = (byte) c;
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, p);
        assertEquals(0xFFFF, Frames.get16(f, 40));
        assertNull(Frames.parseUdp(f, f.length, true, new Frames.Datagram()));
    }

    @Test
    void parseReadsBackWhatWasBuilt() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 40000, 0x9998, 7, payload(300));
        Frames.Datagram d = new Frames.Datagram();
        assertNull(Frames.parseUdp(f, f.length, true, d));
        assertEquals(IP_A, d.srcIp);
        assertEquals(IP_B, d.dstIp);
        assertEquals(40000, d.srcPort);
        assertEquals(0x9998, d.dstPort);
        assertEquals(42, d.payloadOffset);
        assertEquals(300, d.payloadBytes);
        assertFalse(d.checksumPartial);
    }

    @Test
    void ethernetPaddingAfterASmallDatagramIsIgnored() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, payload(3));
        byte[] padded = java.util.Arrays.copyOf(f, 60);
        Frames.Datagram d = new Frames.Datagram();
        assertNull(Frames.parseUdp(padded, padded.length, true, d));
        assertEquals(3, d.payloadBytes);
    }

    @Test
    void ipOptionsAreSkipped() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, payload(4));
        byte[] g = new byte[f.length + 4]; // IHL 6: one 4-byte option (NOPs) before UDP
        System.arraycopy(f, 0, g, 0, 34);
        g[34] = 1;
        g[35] = 1;
        g[36] = 1;
        g[37] = 0;
        System.arraycopy(f, 34, g, 38, f.length - 34);
        g[14] = 0x46;
        Frames.put16(g, 16, Frames.get16(f, 16) + 4);
        fixIpChecksum(g);
        Frames.Datagram d = new Frames.Datagram();
        assertNull(Frames.parseUdp(g, g.length, true, d));
        assertEquals(46, d.payloadOffset);
        assertEquals(4, d.payloadBytes);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("cut inside the IPv4 header", RxDrop.TRUNCATED, null, 30),
                bad("cut inside the payload", RxDrop.TRUNCATED, null, 50),
                bad("IPv6 ethertype", RxDrop.NOT_IPV4, f -> Frames.put16(f, 12, 0x86DD), -1),
                bad("VLAN tag", RxDrop.NOT_IPV4, f -> Frames.put16(f, 12, 0x8100), -1),
                bad("version 6", RxDrop.BAD_IP_HEADER, f -> f[14] = 0x65, -1),
                bad("IHL 4", RxDrop.BAD_IP_HEADER, f -> f[14] = 0x44, -1),
                bad("total length below the header", RxDrop.BAD_IP_HEADER, f -> Frames.put16(f, 16, 19), -1),
                bad("total length beyond the frame", RxDrop.TRUNCATED, f -> Frames.put16(f, 16, 200), -1),
                bad("IPv4 checksum", RxDrop.IP_CHECKSUM, f -> f[24] ^= 0x40, -1),
                bad("more-fragments flag", RxDrop.FRAGMENT, f -> Frames.put16(f, 20, 0x2000), -1),
                bad("fragment offset", RxDrop.FRAGMENT, f -> Frames.put16(f, 20, 0x0010), -1),
                bad("TCP", RxDrop.NOT_UDP, f -> f[23] = 6, -1),
                bad("no room for the UDP header", RxDrop.BAD_UDP_LENGTH, f -> Frames.put16(f, 16, 24), -1),
                bad("UDP length 7", RxDrop.BAD_UDP_LENGTH, f -> Frames.put16(f, 38, 7), -1),
                bad("UDP length beyond IPv4", RxDrop.BAD_UDP_LENGTH, f -> Frames.put16(f, 38, 200), -1),
                bad("UDP checksum", RxDrop.UDP_CHECKSUM, f -> f[41] ^= 0x01, -1),
                bad("payload bit flip", RxDrop.UDP_CHECKSUM, f -> f[45] ^= 0x10, -1));
    }

    private static Arguments bad(String what, RxDrop reason, Consumer<byte[]> mutate, int cut) {
        return Arguments.of(what, reason, mutate, cut);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformed")
    void malformedFramesAreRejectedWithTheirReason(String what, RxDrop reason, Consumer<byte[]> mutate, int cut) {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1000, 2000, 0, payload(20));
        if (mutate != null) {
            mutate.accept(f);
            if (reason != RxDrop.IP_CHECKSUM) {
                fixIpChecksum(f);
            }
        }
        int length = cut >= 0 ? cut : f.length;
        assertEquals(reason, Frames.parseUdp(f, length, true, new Frames.Datagram()), what);
    }

    @Test
    void aWrongUdpChecksumPassesWhenVerificationIsOff() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, payload(20));
        f[41] ^= 1;
        assertNull(Frames.parseUdp(f, f.length, false, new Frames.Datagram()));
    }

    @Test
    void aZeroUdpChecksumMeansNoneAndIsAccepted() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, payload(20));
        Frames.put16(f, 40, 0);
        assertNull(Frames.parseUdp(f, f.length, true, new Frames.Datagram()));
    }

    @Test
    void anOffloadedChecksumHoldingOnlyThePseudoHeaderIsAcceptedAndFlagged() {
        byte[] f = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, payload(20));
        Frames.put16(f, 40, Frames.fold(Frames.pseudoHeaderSum(IP_A, IP_B, 28))); // what veth delivers
        Frames.Datagram d = new Frames.Datagram();
        assertNull(Frames.parseUdp(f, f.length, true, d));
        assertTrue(d.checksumPartial);
    }

    @Test
    void arpRequestIsABroadcastWhoHas() {
        byte[] f = Frames.arpRequest(MAC_A, IP_A, IP_B);
        assertEquals(60, f.length, "padded to the Ethernet minimum");
        assertEquals("ffffffffffff" + "02000000000a" + "0806" + "0001" + "0800" + "06" + "04" + "0001"
                        + "02000000000a" + "0a630001" + "000000000000" + "0a630002",
                HexFormat.of().formatHex(f, 0, 42));
    }

    @Test
    void arpReplyToUsYieldsTheSendersAddresses() {
        byte[] f = Frames.arpRequest(MAC_B, IP_B, IP_A); // turn a request from B into B's reply to A
        System.arraycopy(MAC_A, 0, f, 0, 6);
        Frames.put16(f, 20, Frames.ARP_REPLY);
        System.arraycopy(MAC_A, 0, f, 32, 6);
        byte[] mac = new byte[6];
        assertEquals(IP_B, Frames.parseArpReply(f, 42, IP_A, mac));
        assertArrayEquals(MAC_B, mac);
        assertNull(Frames.parseArpReply(f, 42, IP_B, mac), "a reply to another address");
        assertNull(Frames.parseArpReply(f, 41, IP_A, mac), "too short");
        assertNull(Frames.parseArpReply(Frames.arpRequest(MAC_B, IP_B, IP_A), 60, IP_A, mac), "a request");
    }

    @Test
    void textForms() {
        assertEquals("10.99.0.1", Frames.ipText(IP_A));
        assertEquals("255.255.255.255", Frames.ipText(-1));
        assertEquals("02:00:00:00:00:0a", Frames.macText(MAC_A));
    }
}
