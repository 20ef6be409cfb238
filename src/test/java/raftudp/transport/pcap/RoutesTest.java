package raftudp.transport.pcap;

import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raftudp.transport.pcap.FramesTest.ip;

class RoutesTest {
    /** An address as /proc/net/route prints it on this machine. */
    static String hex(int ip) {
        return String.format("%08X", ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(ip) : ip);
    }

    static String line(String iface, int dst, int gw, int flags, int metric, int mask) {
        return iface + "\t" + hex(dst) + "\t" + hex(gw) + "\t" + String.format("%04X", flags) + "\t0\t0\t" + metric
                + "\t" + hex(mask) + "\t0\t0\t0\n";
    }

    static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
    static final int UP = Routes.RTF_UP;
    static final int GW = Routes.RTF_UP | Routes.RTF_GATEWAY;

    static final String TABLE = HEADER
            + line("eth0", 0, ip(10, 99, 1, 254), GW, 0, 0)
            + line("eth0", ip(10, 99, 1, 0), 0, UP, 0, ip(255, 255, 255, 0))
            + line("eth0", ip(10, 99, 7, 0), ip(10, 99, 1, 7), GW, 0, ip(255, 255, 255, 0))
            + line("eth0", ip(10, 99, 7, 128), ip(10, 99, 1, 8), GW, 0, ip(255, 255, 255, 128))
            + line("eth0", ip(10, 99, 9, 0), ip(10, 99, 1, 20), GW, 20, ip(255, 255, 255, 0))
            + line("eth0", ip(10, 99, 9, 0), ip(10, 99, 1, 10), GW, 10, ip(255, 255, 255, 0))
            + line("eth0", ip(10, 99, 66, 0), 0, UP | Routes.RTF_REJECT, 0, ip(255, 255, 255, 0))
            + line("eth1", ip(10, 99, 5, 0), 0, UP, 0, ip(255, 255, 255, 0))
            + "garbage line\n";

    private static long hop(String iface, int dst) {
        return Routes.nextHop(Routes.parse(TABLE), iface, dst);
    }

    @Test
    void onLinkDestinationIsItsOwnNextHop() {
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 1, 3)), hop("eth0", ip(10, 99, 1, 3)));
    }

    @Test
    void otherDestinationsGoThroughTheDefaultGateway() {
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 1, 254)), hop("eth0", ip(10, 99, 200, 1)));
    }

    @Test
    void longestPrefixWinsThenLowestMetric() {
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 1, 7)), hop("eth0", ip(10, 99, 7, 5)));
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 1, 8)), hop("eth0", ip(10, 99, 7, 200)));
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 1, 10)), hop("eth0", ip(10, 99, 9, 1)));
    }

    @Test
    void rejectRoutesAndOtherInterfacesGiveNoRoute() {
        assertEquals(Routes.NO_ROUTE, hop("eth0", ip(10, 99, 66, 1)));
        assertEquals(Routes.NO_ROUTE, hop("eth1", ip(10, 99, 200, 1)), "eth1 has no default route");
        assertEquals(Integer.toUnsignedLong(ip(10, 99, 5, 1)), hop("eth1", ip(10, 99, 5, 1)));
    }

    @Test
    void answersAreCachedForTheirLifetime() {
        AtomicInteger reads = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        Routes r = new Routes("eth0", () -> {
            reads.incrementAndGet();
            return TABLE;
        }, now::get, 5_000);
        r.nextHop(ip(10, 99, 1, 3));
        r.nextHop(ip(10, 99, 1, 3));
        assertEquals(1, reads.get());
        now.addAndGet(5_000_000_001L);
        r.nextHop(ip(10, 99, 1, 3));
        assertEquals(2, reads.get());
    }
}
