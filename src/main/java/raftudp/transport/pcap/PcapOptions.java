package raftudp.transport.pcap;

import java.net.InetAddress;

/**
 * How the pcap transport opens its capture and resolves next hops. The two-argument
 * constructor (or {@link #of}) takes every other setting from {@link #DEFAULTS}; the
 * {@code with...} methods return changed copies.
 *
 * @param interfaceName      interface to use, or null to pick the one holding {@code localAddress}
 * @param localAddress       this host's IPv4 address (the frames' source), or null to take the
 *                           first IPv4 address of {@code interfaceName}; at least one of the two
 * @param snaplenBytes       bytes captured per frame; 0 picks 14 + the interface's MTU (1514 on
 *                           a 1500-byte MTU), enough for any datagram that fits the link
 * @param bufferBytes        kernel capture buffer (holds bursts while the receive thread is busy)
 * @param arpRetryMs         time between two ARP requests for a next hop not yet resolved
 * @param arpTimeoutMs       a next hop unresolved for this long has its queued datagrams dropped
 *                           (counted {@code tx.drop.no_mac}); the next datagram starts over
 * @param neighbourTtlMs     a learned MAC older than this is refreshed by a new ARP request, while
 *                           it keeps being used; if the refresh gets no answer it is forgotten
 * @param arpQueueFramesMax  datagrams held per next hop while its MAC is being resolved
 * @param portGuard          bind a never-read kernel UDP socket on each port, so that the
 *                           kernel does not answer our datagrams with ICMP port-unreachable
 * @param verifyChecksums    check the UDP checksum of received datagrams (the IPv4 header
 *                           checksum is always checked)
 */
public record PcapOptions(String interfaceName, InetAddress localAddress, int snaplenBytes, int bufferBytes,
                          long arpRetryMs, long arpTimeoutMs, long neighbourTtlMs, int arpQueueFramesMax,
                          boolean portGuard, boolean verifyChecksums) {

    /**
     * Defaults without interface or address: automatic snaplen, 4 MiB buffer, an ARP request
     * every 100 ms for up to 1000 ms, MACs refreshed after 30 s, 64 datagrams queued per
     * unresolved next hop, port guard on, checksums verified.
     */
    public static final PcapOptions DEFAULTS = new PcapOptions(null, null, 0, 4 << 20, 100, 1_000, 30_000, 64,
            true, true);

    /** Largest snaplen accepted (libpcap's own maximum for Ethernet is larger; ours need far less). */
    public static final int SNAPLEN_BYTES_MAX = 65_535;

    /** @throws IllegalArgumentException when a setting is out of range */
    public PcapOptions {
        require(snaplenBytes == 0 || (snaplenBytes >= 64 && snaplenBytes <= SNAPLEN_BYTES_MAX),
                "snaplenBytes " + snaplenBytes + " (0 for automatic, else 64.." + SNAPLEN_BYTES_MAX + ")");
        require(bufferBytes >= 64 << 10, "bufferBytes " + bufferBytes + " (at least 64 KiB)");
        require(arpRetryMs >= 1, "arpRetryMs " + arpRetryMs);
        require(arpTimeoutMs >= arpRetryMs, "arpTimeoutMs " + arpTimeoutMs + " must be >= arpRetryMs");
        require(neighbourTtlMs >= 1, "neighbourTtlMs " + neighbourTtlMs);
        require(arpQueueFramesMax >= 1, "arpQueueFramesMax " + arpQueueFramesMax);
    }

    /** Options with {@link #DEFAULTS} for everything but the interface and address (the common use). */
    public PcapOptions(String interfaceName, InetAddress localAddress) {
        this(interfaceName, localAddress, DEFAULTS.snaplenBytes, DEFAULTS.bufferBytes, DEFAULTS.arpRetryMs,
                DEFAULTS.arpTimeoutMs, DEFAULTS.neighbourTtlMs, DEFAULTS.arpQueueFramesMax, DEFAULTS.portGuard,
                DEFAULTS.verifyChecksums);
    }

    /** Same as {@code new PcapOptions(interfaceName, localAddress)}. */
    public static PcapOptions of(String interfaceName, InetAddress localAddress) {
        return new PcapOptions(interfaceName, localAddress);
    }

    /** A copy with the port guard on or off (off lets the kernel answer with ICMP port-unreachable). */
    public PcapOptions withPortGuard(boolean on) {
        return new PcapOptions(interfaceName, localAddress, snaplenBytes, bufferBytes, arpRetryMs, arpTimeoutMs,
                neighbourTtlMs, arpQueueFramesMax, on, verifyChecksums);
    }

    /** A copy with other ARP timing. */
    public PcapOptions withArp(long retryMs, long timeoutMs, long ttlMs) {
        return new PcapOptions(interfaceName, localAddress, snaplenBytes, bufferBytes, retryMs, timeoutMs, ttlMs,
                arpQueueFramesMax, portGuard, verifyChecksums);
    }

    /** A copy with another capture size and buffer. */
    public PcapOptions withCapture(int snaplen, int buffer) {
        return new PcapOptions(interfaceName, localAddress, snaplen, buffer, arpRetryMs, arpTimeoutMs,
                neighbourTtlMs, arpQueueFramesMax, portGuard, verifyChecksums);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("bad pcap option: " + what);
        }
    }
}
