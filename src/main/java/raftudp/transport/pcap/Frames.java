package raftudp.transport.pcap;

/**
 * Ethernet II / IPv4 / UDP and ARP frames, built and parsed by hand on byte arrays (no
 * pcap4j packet builders: they cost ~50x more). All multi-byte fields are big-endian;
 * IPv4 addresses travel as {@code int}s whose most significant byte is the first octet.
 *
 * <pre>
 * UDP frame:  dst MAC(6) src MAC(6) type 0x0800(2)
 *             IPv4: ver/IHL 0x45, DSCP 0, total length, id, flags DF + offset 0, TTL 64,
 *                   protocol 17, header checksum, src, dst                     (20 bytes)
 *             UDP:  src port, dst port, length, checksum (pseudo-header)         (8 bytes)
 *             payload
 * ARP frame:  dst MAC(6) src MAC(6) type 0x0806(2), htype 1, ptype 0x0800, hlen 6, plen 4,
 *             op (1 request, 2 reply), sender MAC, sender IP, target MAC, target IP,
 *             padded to the 60-byte Ethernet minimum
 * </pre>
 *
 * Stateless and thread-safe.
 */
final class Frames {
    static final int ETH_HEADER_BYTES = 14;
    static final int IPV4_HEADER_BYTES = 20;
    static final int UDP_HEADER_BYTES = 8;
    /** Everything before the UDP payload of a frame we build. */
    static final int UDP_FRAME_OVERHEAD_BYTES = ETH_HEADER_BYTES + IPV4_HEADER_BYTES + UDP_HEADER_BYTES;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int PROTO_UDP = 17;
    static final int TTL = 64;
    static final int FLAG_DF = 0x4000;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;
    /** Ethernet minimum frame without the FCS. */
    static final int ETH_MIN_FRAME_BYTES = 60;
    private static final int ARP_BODY_BYTES = 28;

    private Frames() {
    }

    /** Where a UDP datagram sits in a received frame; filled by {@link #parseUdp}, reused by one thread. */
    static final class Datagram {
        int srcIp;
        int dstIp;
        int srcPort;
        int dstPort;
        int payloadOffset;
        int payloadBytes;
        /** The UDP checksum holds only the pseudo-header sum: the sender offloaded it, nobody completed it. */
        boolean checksumPartial;
    }

    /**
     * Builds a UDP frame with correct IPv4 and UDP checksums, DF set and TTL 64.
     *
     * @param dstMac destination MAC (6 bytes), or null to leave zeros to fill in later
     */
    static byte[] udp(byte[] dstMac, byte[] srcMac, int srcIp, int dstIp, int srcPort, int dstPort, int ipId,
                      byte[] payload) {
        int udpBytes = UDP_HEADER_BYTES + payload.length;
        int ipBytes = IPV4_HEADER_BYTES + udpBytes;
        byte[] f = new byte[ETH_HEADER_BYTES + ipBytes];
        if (dstMac != null) {
            System.arraycopy(dstMac, 0, f, 0, 6);
        }
        System.arraycopy(srcMac, 0, f, 6, 6);
        put16(f, 12, ETHERTYPE_IPV4);
        int ip = ETH_HEADER_BYTES;
        f[ip] = 0x45;
        put16(f, ip + 2, ipBytes);
        put16(f, ip + 4, ipId);
        put16(f, ip + 6, FLAG_DF);
        f[ip + 8] = (byte) TTL;
        f[ip + 9] = (byte) PROTO_UDP;
        put32(f, ip + 12, srcIp);
        put32(f, ip + 16, dstIp);
        put16(f, ip + 10, checksum(sum(f, ip, IPV4_HEADER_BYTES, 0)));
        int udp = ip + IPV4_HEADER_BYTES;
        put16(f, udp, srcPort);
        put16(f, udp + 2, dstPort);
        put16(f, udp + 4, udpBytes);
        System.arraycopy(payload, 0, f, udp + UDP_HEADER_BYTES, payload.length);
        int c = checksum(sum(f, udp, udpBytes, pseudoHeaderSum(srcIp, dstIp, udpBytes)));
        put16(f, udp + 6, c == 0 ? 0xFFFF : c); // 0 means "no checksum" in UDP over IPv4
        return f;
    }

    /** An ARP request (broadcast) asking who has {@code targetIp}. */
    static byte[] arpRequest(byte[] srcMac, int srcIp, int targetIp) {
        byte[] f = new byte[ETH_MIN_FRAME_BYTES];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0xFF;
        }
        System.arraycopy(srcMac, 0, f, 6, 6);
        put16(f, 12, ETHERTYPE_ARP);
        int a = ETH_HEADER_BYTES;
        put16(f, a, 1);
        put16(f, a + 2, ETHERTYPE_IPV4);
        f[a + 4] = 6;
        f[a + 5] = 4;
        put16(f, a + 6, ARP_REQUEST);
        System.arraycopy(srcMac, 0, f, a + 8, 6);
        put32(f, a + 14, srcIp);
        put32(f, a + 24, targetIp); // target MAC (a + 18 .. a + 23) stays zero
        return f;
    }

    /**
     * Reads an ARP reply for IPv4 over Ethernet addressed to {@code localIp}.
     *
     * @param senderMacOut receives the sender's MAC (6 bytes)
     * @return the sender's IPv4 address, or null when the frame is not such a reply
     */
    static Integer parseArpReply(byte[] f, int length, int localIp, byte[] senderMacOut) {
        int a = ETH_HEADER_BYTES;
        if (length < a + ARP_BODY_BYTES || get16(f, 12) != ETHERTYPE_ARP || get16(f, a) != 1
                || get16(f, a + 2) != ETHERTYPE_IPV4 || f[a + 4] != 6 || f[a + 5] != 4
                || get16(f, a + 6) != ARP_REPLY || get32(f, a + 24) != localIp) {
            return null;
        }
        System.arraycopy(f, a + 8, senderMacOut, 0, 6);
        return get32(f, a + 14);
    }

    /**
     * Parses an Ethernet/IPv4/UDP frame of {@code length} captured bytes into {@code out}.
     * Uses the IPv4 total length, not the frame length (short frames are padded).
     *
     * <p>A UDP checksum field that holds just the folded pseudo-header sum is what a kernel
     * leaves for checksum offload (CHECKSUM_PARTIAL); over veth links nothing completes it,
     * so kernel-sent datagrams arrive that way. Such datagrams are accepted and flagged
     * ({@link Datagram#checksumPartial}): the kernel accepts them too.
     *
     * @param verifyUdpChecksum check a non-zero UDP checksum
     * @return null when {@code out} now describes a well-formed datagram, else why not
     */
    static RxDrop parseUdp(byte[] f, int length, boolean verifyUdpChecksum, Datagram out) {
        if (length < ETH_HEADER_BYTES + IPV4_HEADER_BYTES) {
            return RxDrop.TRUNCATED;
        }
        if (get16(f, 12) != ETHERTYPE_IPV4) {
            return RxDrop.NOT_IPV4;
        }
        int ip = ETH_HEADER_BYTES;
        int ihlBytes = (f[ip] & 0x0F) * 4;
        int totalBytes = get16(f, ip + 2);
        if ((f[ip] & 0xF0) != 0x40 || ihlBytes < IPV4_HEADER_BYTES || totalBytes < ihlBytes) {
            return RxDrop.BAD_IP_HEADER;
        }
        if (ip + totalBytes > length) {
            return RxDrop.TRUNCATED; // lying length, or cut by the snaplen
        }
        if (fold(sum(f, ip, ihlBytes, 0)) != 0xFFFF) {
            return RxDrop.IP_CHECKSUM;
        }
        if ((get16(f, ip + 6) & 0x3FFF) != 0) {
            return RxDrop.FRAGMENT; // more-fragments flag or an offset: we never reassemble
        }
        if ((f[ip + 9] & 0xFF) != PROTO_UDP) {
            return RxDrop.NOT_UDP;
        }
        int udp = ip + ihlBytes;
        int udpRoom = totalBytes - ihlBytes;
        int udpBytes = udpRoom >= UDP_HEADER_BYTES ? get16(f, udp + 4) : -1;
        if (udpBytes < UDP_HEADER_BYTES || udpBytes > udpRoom) {
            return RxDrop.BAD_UDP_LENGTH;
        }
        out.srcIp = get32(f, ip + 12);
        out.dstIp = get32(f, ip + 16);
        out.checksumPartial = false;
        int check = get16(f, udp + 6);
        long pseudo = pseudoHeaderSum(out.srcIp, out.dstIp, udpBytes);
        if (verifyUdpChecksum && check != 0 && fold(sum(f, udp, udpBytes, pseudo)) != 0xFFFF) {
            if (check != fold(pseudo)) {
                return RxDrop.UDP_CHECKSUM;
            }
            out.checksumPartial = true;
        }
        out.srcPort = get16(f, udp);
        out.dstPort = get16(f, udp + 2);
        out.payloadOffset = udp + UDP_HEADER_BYTES;
        out.payloadBytes = udpBytes - UDP_HEADER_BYTES;
        return null;
    }

    /** The 16-bit ethertype of a frame of at least 14 bytes, else -1. */
    static int ethertype(byte[] f, int length) {
        return length < ETH_HEADER_BYTES ? -1 : get16(f, 12);
    }

    /** The UDP pseudo-header (source, destination, protocol, UDP length) as an unfolded sum. */
    static long pseudoHeaderSum(int srcIp, int dstIp, int udpBytes) {
        return (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + PROTO_UDP + udpBytes;
    }

    /** Adds {@code len} bytes as big-endian 16-bit words (an odd last byte padded with zero) to {@code acc}. */
    static long sum(byte[] b, int off, int len, long acc) {
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            acc += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            acc += (b[i] & 0xFF) << 8;
        }
        return acc;
    }

    /** The ones' complement sum of 16-bit words folded to 16 bits. */
    static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The Internet checksum (RFC 1071) of a running sum: the complement of its fold. */
    static int checksum(long acc) {
        return ~fold(acc) & 0xFFFF;
    }

    static int get16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static int get32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Dotted-quad text of an address int, for logs. */
    static String ipText(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    /** Colon-separated hex text of a MAC, for logs. */
    static String macText(byte[] mac) {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < mac.length; i++) {
            s.append(i == 0 ? "" : ":").append(Character.forDigit((mac[i] >> 4) & 0xF, 16))
                    .append(Character.forDigit(mac[i] & 0xF, 16));
        }
        return s.toString();
    }
}
