package raftudp.transport.pcap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Next hops from the kernel's IPv4 routing table ({@code /proc/net/route}, the main table):
 * the destination itself when it is on-link, else the route's gateway. Only routes through
 * our interface count: frames we build can only leave through it. Answers are cached per
 * destination for a while, so that a route change is seen within {@code ttlMs}.
 * Thread-safe.
 */
final class Routes {
    /** {@link #nextHop} when no route reaches the destination. */
    static final long NO_ROUTE = -1;
    static final int RTF_UP = 0x0001;
    static final int RTF_GATEWAY = 0x0002;
    static final int RTF_REJECT = 0x0200;
    /** Destinations cached at most; beyond that the cache starts over. */
    private static final int CACHE_ENTRIES_MAX = 4096;

    /** One line of {@code /proc/net/route}; addresses as big-endian ints. */
    record Route(String iface, int destination, int gateway, int flags, int metric, int mask) {
        boolean matches(int ip) {
            return (ip & mask) == (destination & mask);
        }
    }

    private record Cached(long nextHop, long expiresNanos) {
    }

    private final String iface;
    private final Supplier<String> table;
    private final LongSupplier nanoClock;
    private final long ttlNanos;
    private final Map<Integer, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param iface     our interface
     * @param table     reads the text of {@code /proc/net/route} (or a test's)
     * @param nanoClock monotonic clock
     * @param ttlMs     how long an answer is reused
     */
    Routes(String iface, Supplier<String> table, LongSupplier nanoClock, long ttlMs) {
        this.iface = iface;
        this.table = table;
        this.nanoClock = nanoClock;
        this.ttlNanos = ttlMs * 1_000_000L;
    }

    /** The next hop towards {@code dst} through our interface, or {@link #NO_ROUTE}. */
    long nextHop(int dst) {
        long now = nanoClock.getAsLong();
        Cached c = cache.get(dst);
        if (c != null && now - c.expiresNanos < 0) {
            return c.nextHop;
        }
        long hop = nextHop(parse(table.get()), iface, dst);
        if (cache.size() >= CACHE_ENTRIES_MAX) {
            cache.clear();
        }
        cache.put(dst, new Cached(hop, now + ttlNanos));
        return hop;
    }

    /**
     * The best route (longest prefix, then lowest metric) through {@code iface} that is up:
     * its gateway, {@code dst} itself when on-link, or {@link #NO_ROUTE} (none, or a reject route).
     */
    static long nextHop(List<Route> routes, String iface, int dst) {
        Route best = null;
        for (Route r : routes) {
            if (!r.iface.equals(iface) || (r.flags & RTF_UP) == 0 || !r.matches(dst)) {
                continue;
            }
            int bits = Integer.bitCount(r.mask);
            int bestBits = best == null ? -1 : Integer.bitCount(best.mask);
            if (bits > bestBits || (bits == bestBits && r.metric < best.metric)) {
                best = r;
            }
        }
        if (best == null || (best.flags & RTF_REJECT) != 0) {
            return NO_ROUTE;
        }
        return Integer.toUnsignedLong((best.flags & RTF_GATEWAY) != 0 ? best.gateway : dst);
    }

    /** Parses {@code /proc/net/route}; lines that do not parse are skipped. */
    static List<Route> parse(String text) {
        List<Route> routes = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) { // line 0 is the column header
            String[] c = lines[i].trim().split("\\s+");
            if (c.length < 8) {
                continue;
            }
            try {
                routes.add(new Route(c[0], kernelHex(c[1]), kernelHex(c[2]), Integer.parseInt(c[3], 16),
                        Integer.parseInt(c[6]), kernelHex(c[7])));
            } catch (NumberFormatException e) {
                // skip a line we do not understand
            }
        }
        return routes;
    }

    /**
     * An address as the kernel prints it there: the 32-bit word in network byte order, printed
     * as a host-order hex number (so reversed on little-endian machines).
     */
    static int kernelHex(String hex) {
        int v = Integer.parseUnsignedInt(hex, 16);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }
}
