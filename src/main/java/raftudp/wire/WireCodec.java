package raftudp.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Encodes messages into datagrams: the 64-byte {@link RaftHeader}, then the body, split
 * into as many chunks as {@code datagramBytesMax} requires. Every chunk carries the full
 * header with the same fields; only {@code chunk_index} and {@code payload_length} differ.
 * Chunks are filled in order, each but the last with exactly
 * {@code datagramBytesMax - 64} body bytes. A message with an empty body is one datagram.
 *
 * <p><b>Authentication.</b> An encoder given a {@link ClusterKey} sets
 * {@link RaftHeader#FLAG_AUTH} in every datagram and appends the 16-byte MAC of the
 * datagram's header and payload; the chunks then hold {@code datagramBytesMax - 80} body
 * bytes each, so that no datagram exceeds {@code datagramBytesMax}. Each chunk carries its
 * own MAC. Without a key nothing is appended, and a {@link FaultRequest} must not carry a
 * time ({@link FaultRequest#issuedAtMs()}), which only authenticated requests hold.
 *
 * <p><b>Message ids.</b> Each encoder numbers its messages with a 32-bit counter, starting
 * at the value it is given and wrapping from 0xFFFFFFFF to 0. A receiver compares ids only
 * for equality within one (origin, source) and only for the reassembly timeout, so a wrap
 * is harmless unless one sender emits 2^32 messages within the timeout. Start each process
 * at an unpredictable value (e.g. from a seeded random source or the start time) so that
 * a restarted sender does not reuse the ids of its previous life while a receiver still
 * remembers them.
 *
 * <p>Thread-safe. Invalid messages (negative terms, node ids outside 0..65534, entries
 * not following prevLogIndex, bodies over {@code messageBytesMax}) are programming errors:
 * {@link IllegalArgumentException}.
 */
public final class WireCodec {
    private final int selfId;
    private final WireLimits limits;
    private final WireStats stats;
    private final AtomicInteger nextMessageId;
    private final ClusterKey key;
    /** Stamps keyed ClientRequests with their issue time (§10.5). */
    private final java.util.function.LongSupplier wallClockMs;

    /**
     * @param selfId         source id of messages that do not name one (client requests and
     *                       responses, status requests): this node's id, or
     *                       {@link RaftHeader#NO_NODE} for a client
     * @param firstMessageId the first message id to use (any 32-bit value)
     * @param limits         datagram size and message size limits
     * @param stats          where sent messages are counted (may be shared with a decoder)
     */
    public WireCodec(int selfId, int firstMessageId, WireLimits limits, WireStats stats) {
        this(selfId, firstMessageId, limits, stats, null);
    }

    /**
     * An encoder that authenticates every datagram with {@code key}, or none when it is null;
     * the other parameters as {@link #WireCodec(int, int, WireLimits, WireStats)}.
     */
    public WireCodec(int selfId, int firstMessageId, WireLimits limits, WireStats stats, ClusterKey key) {
        this(selfId, firstMessageId, limits, stats, key, System::currentTimeMillis);
    }

    /**
     * As above, with the wall clock (milliseconds since the epoch) that stamps authenticated
     * ClientRequests with the time they are sent ({@code log_term}, wire-format §10.5).
     */
    public WireCodec(int selfId, int firstMessageId, WireLimits limits, WireStats stats, ClusterKey key,
                     java.util.function.LongSupplier wallClockMs) {
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        if (selfId < 0 || selfId > RaftHeader.NO_NODE) {
            throw new IllegalArgumentException("selfId " + selfId + " outside 0..65535");
        }
        this.selfId = selfId;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.nextMessageId = new AtomicInteger(firstMessageId);
        this.key = key;
    }

    /** The key datagrams are authenticated with, or null. */
    public ClusterKey key() {
        return key;
    }

    /** Encodes with {@link WireLimits#datagramBytesMax()}. */
    public List<byte[]> encode(Object message) {
        return encode(message, limits.datagramBytesMax());
    }

    /**
     * Encodes {@code message} into one or more datagrams of at most {@code datagramBytesMax}
     * bytes each, in chunk order, and counts it as sent.
     *
     * @param message          a {@link raftudp.core.Message}, {@link raftudp.kv.ClientRequest},
     *                         {@link raftudp.kv.ClientResponse}, {@link StatusRequest} or {@link StatusReport}
     * @param datagramBytesMax {@link RaftHeader#HEADER_BYTES} + 1 (+ 16 with a key) .. {@link WireLimits#UDP_BYTES_MAX}
     * @throws IllegalArgumentException when the message cannot be represented, its body exceeds
     *                                  {@code messageBytesMax}, it would need more than 65535 chunks, or it
     *                                  is a FaultRequest with a time and this encoder has no key
     */
    public List<byte[]> encode(Object message, int datagramBytesMax) {
        int trailer = key == null ? 0 : RaftHeader.MAC_BYTES;
        if (datagramBytesMax <= RaftHeader.HEADER_BYTES + trailer || datagramBytesMax > WireLimits.UDP_BYTES_MAX) {
            throw new IllegalArgumentException("datagramBytesMax " + datagramBytesMax + " outside "
                    + (RaftHeader.HEADER_BYTES + trailer + 1) + ".." + WireLimits.UDP_BYTES_MAX
                    + (key == null ? "" : " (with a " + trailer + "-byte MAC)"));
        }
        Frame frame = MessageCodec.frame(message, selfId, key != null);
        if (key != null && frame.type() == MessageType.CLIENT_REQUEST) {
            frame = frame.withLogTerm(wallClockMs.getAsLong()); // its issue time, under the MAC (§10.5)
        }
        byte[] body = frame.body();
        if (body.length > limits.messageBytesMax()) {
            throw new IllegalArgumentException(frame.type() + " body of " + body.length
                    + " bytes exceeds messageBytesMax " + limits.messageBytesMax());
        }
        int chunkBytes = datagramBytesMax - RaftHeader.HEADER_BYTES - trailer;
        int count = Math.max(1, (int) ((body.length + (long) chunkBytes - 1) / chunkBytes));
        if (count > RaftHeader.CHUNKS_MAX) {
            throw new IllegalArgumentException(frame.type() + " body of " + body.length + " bytes needs " + count
                    + " chunks of " + chunkBytes + " bytes; at most " + RaftHeader.CHUNKS_MAX);
        }
        if (key != null && frame.type() == MessageType.FAULT_REQUEST && count > 1) {
            throw new IllegalArgumentException("an authenticated FaultRequest is one datagram; " + body.length
                    + " body bytes do not fit datagrams of " + datagramBytesMax + " bytes");
        }
        int messageId = nextMessageId.getAndIncrement();
        List<byte[]> datagrams = new ArrayList<>(count);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            int length = Math.min(chunkBytes, body.length - from);
            byte[] datagram = new byte[RaftHeader.HEADER_BYTES + length + trailer];
            ByteBuffer out = ByteBuffer.wrap(datagram);
            frame.header(messageId, i, count, length).write(out, 0);
            System.arraycopy(body, from, datagram, RaftHeader.HEADER_BYTES, length);
            if (key != null) {
                int signed = RaftHeader.HEADER_BYTES + length;
                System.arraycopy(key.mac(datagram, signed), 0, datagram, signed, trailer);
            }
            datagrams.add(datagram);
            bytes += datagram.length;
        }
        stats.messageSent(frame.type(), count, bytes);
        return datagrams;
    }

    /** The id the next encoded message gets. */
    public int nextMessageId() {
        return nextMessageId.get();
    }

    /** The message type of {@code message}; see {@link MessageType#of}. */
    public static MessageType typeOf(Object message) {
        return MessageType.of(message);
    }
}
