package raftudp.transport.pcap;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link PcapTransport}: frames captured and delivered, frames sent, drops
 * by {@link RxDrop} and {@link TxDrop} reason, and ARP traffic. Thread-safe; counters only
 * grow. Every captured frame is either delivered, an accepted ARP reply, or dropped under
 * exactly one {@link RxDrop}; every datagram given to {@code send} is either sent (once its
 * next hop is known) or dropped under exactly one {@link TxDrop}.
 */
public final class PcapStats {
    private final Map<RxDrop, LongAdder> rxDropped = adders(RxDrop.class);
    private final Map<TxDrop, LongAdder> txDropped = adders(TxDrop.class);
    private final LongAdder rxFrames = new LongAdder();
    private final LongAdder rxDelivered = new LongAdder();
    private final LongAdder rxLoopErrors = new LongAdder();
    private final LongAdder rxChecksumPartial = new LongAdder();
    private final LongAdder txFrames = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder arpRequests = new LongAdder();
    private final LongAdder arpReplies = new LongAdder();
    private final LongAdder arpKernel = new LongAdder();
    private final LongAdder arpTimeouts = new LongAdder();

    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
        Map<E, LongAdder> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    void countRxFrame() {
        rxFrames.increment();
    }

    void countDelivered() {
        rxDelivered.increment();
    }

    void countRxDrop(RxDrop reason) {
        rxDropped.get(reason).increment();
    }

    void countChecksumPartial() {
        rxChecksumPartial.increment();
    }

    void countLoopError() {
        rxLoopErrors.increment();
    }

    void countTxFrame(int bytes) {
        txFrames.increment();
        txBytes.add(bytes);
    }

    void countTxDrop(TxDrop reason) {
        txDropped.get(reason).increment();
    }

    void countTxDrop(TxDrop reason, int datagrams) {
        txDropped.get(reason).add(datagrams);
    }

    void countArpRequest() {
        arpRequests.increment();
    }

    void countArpReply() {
        arpReplies.increment();
    }

    void countArpFromKernel() {
        arpKernel.increment();
    }

    void countArpTimeout() {
        arpTimeouts.increment();
    }

    /** Frames the capture handed us (UDP on our ports, and ARP replies). */
    public long rxFrames() {
        return rxFrames.sum();
    }

    /** Datagrams delivered to the sink. */
    public long rxDelivered() {
        return rxDelivered.sum();
    }

    /** Captured frames dropped for {@code reason}. */
    public long rxDropped(RxDrop reason) {
        return rxDropped.get(reason).sum();
    }

    /** Captured frames dropped, over all reasons. */
    public long rxDropped() {
        return total(rxDropped);
    }

    /**
     * Datagrams delivered whose UDP checksum the sender left to offload and nobody completed
     * (kernel-sent UDP over veth links): their content could not be verified.
     */
    public long rxChecksumPartial() {
        return rxChecksumPartial.sum();
    }

    /** Times the capture loop failed and was restarted. */
    public long rxLoopErrors() {
        return rxLoopErrors.sum();
    }

    /** Frames handed to libpcap successfully (UDP datagrams; ARP requests are counted apart). */
    public long txFrames() {
        return txFrames.sum();
    }

    /** Datagrams dropped for {@code reason}. */
    public long txDropped(TxDrop reason) {
        return txDropped.get(reason).sum();
    }

    /** Datagrams that did not go out, over all reasons (the transport's send failures). */
    public long txDropped() {
        return total(txDropped);
    }

    /** ARP requests sent. */
    public long arpRequests() {
        return arpRequests.sum();
    }

    /** ARP replies accepted (answers to our requests). */
    public long arpReplies() {
        return arpReplies.sum();
    }

    /** Next-hop MACs found in the kernel's neighbour table (no ARP needed). */
    public long arpFromKernel() {
        return arpKernel.sum();
    }

    /** Resolutions that got no answer before the ARP timeout. */
    public long arpTimeouts() {
        return arpTimeouts.sum();
    }

    private static <E extends Enum<E>> long total(Map<E, LongAdder> m) {
        long n = 0;
        for (LongAdder a : m.values()) {
            n += a.sum();
        }
        return n;
    }

    /**
     * Every non-zero counter by a stable name, sorted, for a status report:
     * {@code pcap.rx.frames}, {@code pcap.rx.delivered}, {@code pcap.rx.loop_errors},
     * {@code pcap.rx.checksum_partial},
     * {@code pcap.rx.drop.<reason>}, {@code pcap.tx.frames}, {@code pcap.tx.bytes},
     * {@code pcap.tx.drop.<reason>}, {@code pcap.arp.requests}, {@code pcap.arp.replies},
     * {@code pcap.arp.kernel}, {@code pcap.arp.timeouts}. Reasons are lower case
     * ({@code pcap.rx.drop.udp_checksum}). Read counter by counter, not atomically.
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        put(m, "pcap.rx.frames", rxFrames.sum());
        put(m, "pcap.rx.delivered", rxDelivered.sum());
        put(m, "pcap.rx.loop_errors", rxLoopErrors.sum());
        put(m, "pcap.rx.checksum_partial", rxChecksumPartial.sum());
        put(m, "pcap.tx.frames", txFrames.sum());
        put(m, "pcap.tx.bytes", txBytes.sum());
        put(m, "pcap.arp.requests", arpRequests.sum());
        put(m, "pcap.arp.replies", arpReplies.sum());
        put(m, "pcap.arp.kernel", arpKernel.sum());
        put(m, "pcap.arp.timeouts", arpTimeouts.sum());
        for (RxDrop r : RxDrop.values()) {
            put(m, "pcap.rx.drop." + r.counterName(), rxDropped(r));
        }
        for (TxDrop r : TxDrop.values()) {
            put(m, "pcap.tx.drop." + r.counterName(), txDropped(r));
        }
        return m;
    }

    private static void put(Map<String, Long> m, String name, long value) {
        if (value != 0) {
            m.put(name, value);
        }
    }

    @Override
    public String toString() {
        return "PcapStats" + snapshot();
    }
}
