package raftudp.transport.pcap;

import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.transport.DatagramSink;
import raftudp.logging.RateLimitedLog;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the capture loop calls for each frame: ARP replies go to {@link Neighbours}, UDP
 * datagrams for our address and ports go to the sink, everything else is counted and
 * dropped. Never throws. Used by the one capture thread only.
 */
final class FrameReceiver implements RawPacketListener {
    private static final Logger LOG = LoggerFactory.getLogger(FrameReceiver.class);
    /** Source addresses remembered (peers are few); beyond that the memo starts over. */
    private static final int SOURCES_MAX = 4096;

    private final int localIp;
    private final boolean[] ports = new boolean[1 << 16];
    private final DatagramSink sink;
    private final Neighbours neighbours;
    private final PcapStats stats;
    private final boolean verifyChecksums;
    private final RateLimitedLog rateLimited;
    private final Frames.Datagram datagram = new Frames.Datagram();
    private final byte[] arpMac = new byte[6];
    private final Map<Long, InetSocketAddress> sources = new HashMap<>();

    FrameReceiver(int localIp, Set<Integer> ports, DatagramSink sink, Neighbours neighbours, PcapStats stats,
                  boolean verifyChecksums) {
        this.localIp = localIp;
        for (int p : ports) {
            this.ports[p] = true;
        }
        this.sink = sink;
        this.neighbours = neighbours;
        this.stats = stats;
        this.verifyChecksums = verifyChecksums;
        this.rateLimited = new RateLimitedLog(LOG, () -> System.nanoTime() / 1_000_000, 10_000);
    }

    @Override
    public void gotPacket(byte[] frame) {
        try {
            receive(frame);
        } catch (RuntimeException e) { // a bug of ours: count it, keep the loop alive
            drop(RxDrop.INTERNAL_ERROR, e.toString());
        }
    }

    private void receive(byte[] frame) {
        stats.countRxFrame();
        if (Frames.ethertype(frame, frame.length) == Frames.ETHERTYPE_ARP) {
            Integer sender = Frames.parseArpReply(frame, frame.length, localIp, arpMac);
            if (sender == null || !neighbours.onArpReply(sender, arpMac)) {
                stats.countRxDrop(RxDrop.ARP_IGNORED);
            }
            return;
        }
        Frames.Datagram d = datagram;
        RxDrop reason = Frames.parseUdp(frame, frame.length, verifyChecksums, d);
        if (reason == null && (d.dstIp != localIp || !ports[d.dstPort])) {
            reason = RxDrop.WRONG_DESTINATION;
        }
        if (reason != null) {
            drop(reason, "frame of " + frame.length + " bytes");
            return;
        }
        if (d.checksumPartial) {
            stats.countChecksumPartial();
        }
        InetSocketAddress from = source(d.srcIp, d.srcPort);
        try {
            sink.received(from, d.dstPort, ByteBuffer.wrap(frame, d.payloadOffset, d.payloadBytes).slice());
            stats.countDelivered();
        } catch (RuntimeException e) {
            drop(RxDrop.SINK_ERROR, "sink failed on a datagram from " + from + ": " + e);
        }
    }

    private void drop(RxDrop reason, String what) {
        stats.countRxDrop(reason);
        if (reason != RxDrop.ARP_IGNORED) {
            rateLimited.warn(reason, () -> "pcap: dropped a received frame (" + reason + "): " + what);
        }
    }

    private InetSocketAddress source(int ip, int port) {
        long key = (Integer.toUnsignedLong(ip) << 16) | port;
        InetSocketAddress a = sources.get(key);
        if (a == null) {
            if (sources.size() >= SOURCES_MAX) {
                sources.clear();
            }
            byte[] b = new byte[4];
            Frames.put32(b, 0, ip);
            try {
                a = new InetSocketAddress(InetAddress.getByAddress(b), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("4 bytes are always an IPv4 address", e);
            }
            sources.put(key, a);
        }
        return a;
    }
}
