package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.netns.CaptureCheck;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raftudp.transport.pcap.FramesTest.IP_A;
import static raftudp.transport.pcap.FramesTest.IP_B;
import static raftudp.transport.pcap.FramesTest.MAC_A;
import static raftudp.transport.pcap.FramesTest.MAC_B;

/** The capture checker used by the namespace tests judges what it should. */
class CaptureCheckTest {

    private static Path writePcap(Path dir, ByteOrder order, byte[]... frames) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(h.array());
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt(1).putInt(2).putInt(f.length).putInt(f.length);
            out.write(r.array());
            out.write(f);
        }
        Path p = dir.resolve("t-" + order + ".pcap");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void countsGoodBadPartialIcmpAndArpFrames(@TempDir Path dir) throws Exception {
        byte[] good = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 1, 2, 0, new byte[]{1, 2, 3});
        byte[] badUdp = good.clone();
        badUdp[44] ^= 1;
        byte[] badIp = good.clone();
        badIp[22] = 1; // TTL changed without the checksum
        byte[] partial = good.clone();
        Frames.put16(partial, 40, Frames.fold(Frames.pseudoHeaderSum(IP_A, IP_B, 11)));
        byte[] icmp = Frames.udp(MAC_B, MAC_A, IP_A, IP_B, 0, 0, 0, new byte[8]);
        icmp[23] = 1;
        icmp[34] = 3;
        icmp[35] = 3;
        FramesTest.fixIpChecksum(icmp);
        byte[] arp = Frames.arpRequest(MAC_A, IP_A, IP_B);
        for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            CaptureCheck.Summary s = CaptureCheck.check(writePcap(dir, order, good, badUdp, badIp, partial, icmp, arp));
            assertEquals(6, s.frames());
            assertEquals(1, s.udp());
            assertEquals(1, s.udpChecksumPartial());
            assertEquals(1, s.icmpPortUnreachable());
            assertEquals(1, s.arp());
            assertEquals(2, s.problems().size(), s.problems().toString());
            assertEquals(64, s.udpFrames().get(0).ttl());
        }
    }
}
