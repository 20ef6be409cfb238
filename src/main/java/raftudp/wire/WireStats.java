package raftudp.wire;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the wire layer: messages received and sent per type, datagrams and bytes,
 * chunks buffered, and drops per {@link DropReason}. Thread-safe: decoders and encoders
 * on any thread update it while a status display reads it. Counters only grow.
 */
public final class WireStats {
    private final Map<MessageType, LongAdder> received = adders(MessageType.class);
    private final Map<MessageType, LongAdder> sent = adders(MessageType.class);
    private final Map<DropReason, LongAdder> dropped = adders(DropReason.class);
    private final LongAdder datagramsReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder datagramsSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder chunksBuffered = new LongAdder();

    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
        Map<E, LongAdder> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    void datagramReceived(int bytes) {
        datagramsReceived.increment();
        bytesReceived.add(bytes);
    }

    void messageReceived(MessageType type) {
        received.get(type).increment();
    }

    void chunkBuffered() {
        chunksBuffered.increment();
    }

    void countDrop(DropReason reason) {
        dropped.get(reason).increment();
    }

    /**
     * Counts a delivered message that the receiver's admission step refused.
     *
     * @throws IllegalArgumentException when {@code reason} is not of kind {@link DropReason.Kind#MESSAGE}
     */
    public void countRejected(DropReason reason) {
        if (reason.kind() != DropReason.Kind.MESSAGE) {
            throw new IllegalArgumentException(reason + " counts " + reason.kind() + ", not messages");
        }
        dropped.get(reason).increment();
    }

    /** Delivered messages refused by an admission step, over all message reasons. */
    public long messagesRejected() {
        long n = 0;
        for (DropReason r : DropReason.values()) {
            if (r.kind() == DropReason.Kind.MESSAGE) {
                n += dropped(r);
            }
        }
        return n;
    }

    void messageSent(MessageType type, int datagrams, long bytes) {
        sent.get(type).increment();
        datagramsSent.add(datagrams);
        bytesSent.add(bytes);
    }

    /** Complete messages of {@code type} decoded and delivered. */
    public long received(MessageType type) {
        return received.get(type).sum();
    }

    /** Messages of {@code type} encoded for sending. */
    public long sent(MessageType type) {
        return sent.get(type).sum();
    }

    /** Datagrams or partial messages (see {@link DropReason#perDatagram()}) dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return dropped.get(reason).sum();
    }

    /** Datagrams dropped, over all per-datagram reasons. */
    public long datagramsDropped() {
        long n = 0;
        for (DropReason r : DropReason.values()) {
            if (r.perDatagram()) {
                n += dropped(r);
            }
        }
        return n;
    }

    /** Complete messages delivered, over all types. */
    public long messagesReceived() {
        long n = 0;
        for (LongAdder a : received.values()) {
            n += a.sum();
        }
        return n;
    }

    /** Datagrams handed to a decoder. */
    public long datagramsReceived() {
        return datagramsReceived.sum();
    }

    /** Chunks stored in reassembly without completing a message. */
    public long chunksBuffered() {
        return chunksBuffered.sum();
    }

    /** Datagrams produced by encoders. */
    public long datagramsSent() {
        return datagramsSent.sum();
    }

    /**
     * Every non-zero counter by a stable name, sorted: {@code rx.datagrams}, {@code rx.bytes},
     * {@code rx.chunks_buffered}, {@code tx.datagrams}, {@code tx.bytes},
     * {@code rx.<TYPE>}, {@code tx.<TYPE>}, {@code drop.<REASON>}. Names are valid
     * {@link StatusReport} counter names. Read counter by counter, not atomically.
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        putIfNonZero(m, "rx.datagrams", datagramsReceived.sum());
        putIfNonZero(m, "rx.bytes", bytesReceived.sum());
        putIfNonZero(m, "rx.chunks_buffered", chunksBuffered.sum());
        putIfNonZero(m, "tx.datagrams", datagramsSent.sum());
        putIfNonZero(m, "tx.bytes", bytesSent.sum());
        for (MessageType t : MessageType.values()) {
            putIfNonZero(m, "rx." + t.name(), received(t));
            putIfNonZero(m, "tx." + t.name(), sent(t));
        }
        for (DropReason r : DropReason.values()) {
            putIfNonZero(m, "drop." + r.name(), dropped(r));
        }
        return m;
    }

    private static void putIfNonZero(Map<String, Long> m, String name, long value) {
        if (value != 0) {
            m.put(name, value);
        }
    }

    @Override
    public String toString() {
        return "WireStats" + snapshot();
    }
}
