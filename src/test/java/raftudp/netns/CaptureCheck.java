package raftudp.netns;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file (what {@code tcpdump -w} writes, Ethernet link type) and checks
 * every IPv4 frame on its own: header length, total length, header checksum, and for UDP
 * the length and checksum. Written apart from the transport's own code so that it can
 * judge it. A checksum left partial by offload (kernel-sent UDP over veth) is counted
 * apart, not as bad.
 */
public final class CaptureCheck {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;

    private CaptureCheck() {
    }

    /**
     * What a capture holds.
     *
     * @param frames              all frames
     * @param udp                 well-formed IPv4/UDP frames with valid checksums
     * @param udpChecksumPartial  IPv4/UDP frames whose UDP checksum holds only the pseudo-header (offload)
     * @param icmpPortUnreachable ICMP type 3 code 3 frames
     * @param arp                 ARP frames
     * @param problems            one line per malformed IPv4 frame (bad length, bad checksum)
     * @param udpFrames           the well-formed UDP frames (partial checksums included), for further checks
     */
    public record Summary(int frames, int udp, int udpChecksumPartial, int icmpPortUnreachable, int arp,
                          List<String> problems, List<UdpFrame> udpFrames) {
    }

    /** Bytes of a UDP payload kept in {@link UdpFrame#payloadHead} (enough for an application header's type). */
    public static final int PAYLOAD_HEAD_BYTES = 16;

    /**
     * One IPv4/UDP frame: addresses as dotted quads, IPv4 flags word, TTL, ports, payload
     * length, and the first (at most {@link #PAYLOAD_HEAD_BYTES}) bytes of the payload.
     */
    public record UdpFrame(String src, String dst, int flagsAndOffset, int ttl, int srcPort, int dstPort,
                           int payloadBytes, byte[] payloadHead) {
        /** True when the don't-fragment bit is set. */
        public boolean dontFragment() {
            return (flagsAndOffset & 0x4000) != 0;
        }
    }

    /** Reads and checks {@code file}. */
    public static Summary check(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.remaining() < 24) {
            return new Summary(0, 0, 0, 0, 0, List.of(), List.of()); // capture ended before its header
        }
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        if (b.getInt(20) != 1) {
            throw new IOException(file + ": link type " + b.getInt(20) + ", not Ethernet");
        }
        int frames = 0;
        int partial = 0;
        int icmp = 0;
        int arp = 0;
        List<String> problems = new ArrayList<>();
        List<UdpFrame> udpFrames = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit()) {
            int caplen = b.getInt(at + 8);
            if (caplen < 0 || at + 16 + caplen > b.limit()) {
                break; // a record cut by the end of the capture
            }
            byte[] f = new byte[caplen];
            b.get(at + 16, f);
            at += 16 + caplen;
            frames++;
            int type = f.length >= 14 ? u16(f, 12) : -1;
            if (type == ETHERTYPE_ARP) {
                arp++;
            } else if (type == ETHERTYPE_IPV4) {
                String problem = checkIpv4(f, udpFrames);
                if (problem == null) {
                    if (isIcmpPortUnreachable(f)) {
                        icmp++;
                    }
                } else if (problem.equals("partial")) {
                    partial++;
                } else {
                    problems.add("frame " + frames + ": " + problem);
                }
            }
        }
        return new Summary(frames, udpFrames.size() - partial, partial, icmp, arp, problems, udpFrames);
    }

    /** Null when well-formed, "partial" for an offloaded UDP checksum, else the problem. */
    private static String checkIpv4(byte[] f, List<UdpFrame> udpFrames) {
        if (f.length < 34) {
            return "shorter than an IPv4 header";
        }
        int ihl = (f[14] & 0x0F) * 4;
        int total = u16(f, 16);
        if ((f[14] & 0xF0) != 0x40 || ihl < 20 || total < ihl || 14 + total > f.length) {
            return "bad IPv4 version, header length or total length";
        }
        if (internetSum(f, 14, ihl, 0) != 0xFFFF) {
            return "bad IPv4 header checksum";
        }
        if ((f[23] & 0xFF) != 17) {
            return null;
        }
        int udpAt = 14 + ihl;
        int udpLen = total - ihl >= 8 ? u16(f, udpAt + 4) : -1;
        if (udpLen < 8 || udpLen > total - ihl) {
            return "bad UDP length";
        }
        UdpFrame u = new UdpFrame(ip(f, 26), ip(f, 30), u16(f, 20), f[22] & 0xFF, u16(f, udpAt), u16(f, udpAt + 2),
                udpLen - 8, java.util.Arrays.copyOfRange(f, udpAt + 8, udpAt + 8 + Math.min(udpLen - 8,
                PAYLOAD_HEAD_BYTES)));
        int pseudo = u16(f, 26) + u16(f, 28) + u16(f, 30) + u16(f, 32) + 17 + udpLen;
        int check = u16(f, udpAt + 6);
        String status = check == 0 || internetSum(f, udpAt, udpLen, pseudo) == 0xFFFF ? null
                : fold(pseudo) == check ? "partial" : "bad UDP checksum";
        if (status == null || status.equals("partial")) {
            udpFrames.add(u);
        }
        return status;
    }

    private static boolean isIcmpPortUnreachable(byte[] f) {
        int ihl = (f[14] & 0x0F) * 4;
        return (f[23] & 0xFF) == 1 && f.length >= 14 + ihl + 2 && f[14 + ihl] == 3 && f[15 + ihl] == 3;
    }

    /** Ones' complement sum of 16-bit words plus {@code start}, folded. */
    private static int internetSum(byte[] b, int off, int len, int start) {
        long sum = start;
        for (int i = 0; i < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
        }
        return fold(sum);
    }

    private static int fold(long sum) {
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static String ip(byte[] b, int off) {
        return (b[off] & 0xFF) + "." + (b[off + 1] & 0xFF) + "." + (b[off + 2] & 0xFF) + "." + (b[off + 3] & 0xFF);
    }
}
