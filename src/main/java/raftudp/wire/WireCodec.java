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

    /**
     * @param selfId         source id of messages that do not name one (client requests and
     *                       responses, status requests): this node's id, or
     *                       {@link RaftHeader#NO_NODE} for a client
     * @param firstMessageId the first message id to use (any 32-bit value)
     * @param limits         datagram size and message size limits
     * @param stats          where sent messages are counted (may be shared with a decoder)
     */
    public WireCodec(int selfId, int firstMessageId, WireLimits limits, WireStats stats) {
        if (selfId < 0 || selfId > RaftHeader.NO_NODE) {
            throw new IllegalArgumentException("selfId " + selfId + " outside 0..65535");
        }
        this.selfId = selfId;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.nextMessageId = new AtomicInteger(firstMessageId);
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
     * @param datagramBytesMax {@link RaftHeader#HEADER_BYTES} + 1 .. {@link WireLimits#UDP_BYTES_MAX}
     * @throws IllegalArgumentException when the message cannot be represented, its body exceeds
     *                                  {@code messageBytesMax}, or it would need more than 65535 chunks
     */
    public List<byte[]> encode(Object message, int datagramBytesMax) {
        if (datagramBytesMax <= RaftHeader.HEADER_BYTES || datagramBytesMax > WireLimits.UDP_BYTES_MAX) {
            throw new IllegalArgumentException("datagramBytesMax " + datagramBytesMax + " outside "
                    + (RaftHeader.HEADER_BYTES + 1) + ".." + WireLimits.UDP_BYTES_MAX);
        }
        Frame frame = MessageCodec.frame(message, selfId);
        byte[] body = frame.body();
        if (body.length > limits.messageBytesMax()) {
            throw new IllegalArgumentException(frame.type() + " body of " + body.length
                    + " bytes exceeds messageBytesMax " + limits.messageBytesMax());
        }
        int chunkBytes = datagramBytesMax - RaftHeader.HEADER_BYTES;
        int count = Math.max(1, (int) ((body.length + (long) chunkBytes - 1) / chunkBytes));
        if (count > RaftHeader.CHUNKS_MAX) {
            throw new IllegalArgumentException(frame.type() + " body of " + body.length + " bytes needs " + count
                    + " chunks of " + chunkBytes + " bytes; at most " + RaftHeader.CHUNKS_MAX);
        }
        int messageId = nextMessageId.getAndIncrement();
        List<byte[]> datagrams = new ArrayList<>(count);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            int length = Math.min(chunkBytes, body.length - from);
            byte[] datagram = new byte[RaftHeader.HEADER_BYTES + length];
            ByteBuffer out = ByteBuffer.wrap(datagram);
            frame.header(messageId, i, count, length).write(out, 0);
            System.arraycopy(body, from, datagram, RaftHeader.HEADER_BYTES, length);
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
