package raftudp.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Collects the chunks of multi-datagram messages until each is complete, within
 * {@link WireLimits}: at most {@code reassemblyMessagesMax} partial messages charged at
 * most {@code reassemblyBytesMax} bytes, none older than {@code reassemblyTimeoutMs} since
 * its last chunk. When a limit is hit the least recently active partial is evicted.
 *
 * <p>A message is identified by (origin, source node id, message id). Once it is finished
 * (completed or dropped), its id is remembered for the timeout, at most
 * {@code finishedIdsMax} of them, and its further chunks are dropped as late.
 *
 * <p>Not thread-safe: one per receive loop. Time is passed in by the caller.
 */
final class Reassembler {
    private record Key(Object origin, int source, int messageId) {
    }

    private static final class Partial {
        final RaftHeader header;
        final byte[][] chunks;
        int held;
        long payloadBytes;
        long lastChunkMs;

        Partial(RaftHeader header, long nowMs) {
            this.header = header.forChunk(0, 0);
            this.chunks = new byte[header.chunkCount()][];
            this.lastChunkMs = nowMs;
        }

        long chargeBytes() {
            return WireLimits.chargeBytes(chunks.length, held, payloadBytes);
        }
    }

    /** Receives partial messages discarded from reassembly, to count and report them. */
    interface Discards {
        void discarded(DropReason reason, String detail);
    }

    private final WireLimits limits;
    private final WireStats stats;
    private final Discards discards;
    private final Map<Key, Partial> partials = new LinkedHashMap<>(16, 0.75f, true); // least recently active first
    private final Map<Key, Long> finished = new LinkedHashMap<>(); // oldest first; value = finished at, ms
    private long chargedBytes;

    /**
     * @param stats    where buffered chunks are counted
     * @param discards told of every partial message dropped (evicted, expired, abandoned)
     */
    Reassembler(WireLimits limits, WireStats stats, Discards discards) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.discards = Objects.requireNonNull(discards, "discards");
    }

    /**
     * Adds one checked chunk. Returns the whole body when this chunk completes its
     * message, or null when the chunk was buffered (counted as such).
     *
     * @param payload exactly the chunk's payload bytes (copied if kept)
     * @throws WireFormatException when the chunk is dropped; the caller counts it
     */
    byte[] add(RaftHeader h, ByteBuffer payload, Object origin, long nowMs) {
        expire(nowMs);
        Key key = new Key(origin, h.source(), h.messageId());
        if (finished.containsKey(key)) {
            throw new WireFormatException(DropReason.LATE_CHUNK, "chunk " + h.chunkIndex() + " of finished message "
                    + Integer.toUnsignedString(h.messageId()));
        }
        Partial p = partials.get(key);
        if (p == null) {
            p = admit(key, h, nowMs);
        } else if (!p.header.sameMessageAs(h)) {
            abandon(key, p, nowMs);
            throw new WireFormatException(DropReason.INCONSISTENT_CHUNK, "chunk " + h + " disagrees with " + p.header);
        }
        byte[] data = new byte[payload.remaining()];
        payload.get(data);
        byte[] had = p.chunks[h.chunkIndex()];
        if (had != null) {
            if (Arrays.equals(had, data)) {
                throw new WireFormatException(DropReason.DUPLICATE_CHUNK, "chunk " + h.chunkIndex() + " again");
            }
            abandon(key, p, nowMs);
            throw new WireFormatException(DropReason.INCONSISTENT_CHUNK, "chunk " + h.chunkIndex() + " repeated"
                    + " with other bytes");
        }
        if (p.payloadBytes + data.length > limits.messageBytesMax()) {
            abandon(key, p, nowMs);
            throw tooLarge("message grows past messageBytesMax " + limits.messageBytesMax());
        }
        long before = p.chargeBytes();
        p.chunks[h.chunkIndex()] = data;
        p.held++;
        p.payloadBytes += data.length;
        p.lastChunkMs = nowMs;
        chargedBytes += p.chargeBytes() - before;
        if (p.held == p.chunks.length) {
            finish(key, p, nowMs);
            return concatenate(p);
        }
        if (!makeRoom(key, p, nowMs)) {
            throw tooLarge("message alone exceeds reassemblyBytesMax " + limits.reassemblyBytesMax());
        }
        stats.chunkBuffered();
        return null;
    }

    /** Starts a partial message, evicting the least recently active when at the count limit. */
    private Partial admit(Key key, RaftHeader h, long nowMs) {
        if (WireLimits.chargeBytes(h.chunkCount(), 1, 0) > limits.reassemblyBytesMax()) {
            throw tooLarge(h.chunkCount() + " chunks exceed reassemblyBytesMax " + limits.reassemblyBytesMax());
        }
        while (partials.size() >= limits.reassemblyMessagesMax()) {
            evictEldest(nowMs, DropReason.EVICTED);
        }
        Partial p = new Partial(h, nowMs);
        partials.put(key, p);
        chargedBytes += p.chargeBytes();
        return p;
    }

    /**
     * Evicts other partials, least recently active first, until the charge fits; false
     * (and {@code p} abandoned) when {@code p} alone exceeds the limit.
     */
    private boolean makeRoom(Key key, Partial p, long nowMs) {
        if (p.chargeBytes() > limits.reassemblyBytesMax()) {
            abandon(key, p, nowMs);
            return false;
        }
        while (chargedBytes > limits.reassemblyBytesMax()) {
            evictEldest(nowMs, DropReason.EVICTED); // never p: it was touched last
        }
        return true;
    }

    private WireFormatException tooLarge(String detail) {
        return new WireFormatException(DropReason.TOO_LARGE, detail);
    }

    /**
     * Drops partial messages without a chunk for the timeout, and forgets finished ids
     * older than the timeout. Called by {@link #add}; callers may also call it on a timer
     * so that memory is released while no datagram arrives.
     */
    void expire(long nowMs) {
        Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Partial> e = it.next();
            if (nowMs - e.getValue().lastChunkMs < limits.reassemblyTimeoutMs()) {
                break; // access order: the rest are more recent
            }
            it.remove();
            chargedBytes -= e.getValue().chargeBytes();
            discards.discarded(DropReason.EXPIRED, describe(e.getKey(), e.getValue()) + ": no chunk for "
                    + (nowMs - e.getValue().lastChunkMs) + " ms");
            remember(e.getKey(), nowMs);
        }
        Iterator<Map.Entry<Key, Long>> f = finished.entrySet().iterator();
        while (f.hasNext() && nowMs - f.next().getValue() >= limits.reassemblyTimeoutMs()) {
            f.remove();
        }
    }

    private void evictEldest(long nowMs, DropReason reason) {
        Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator();
        Map.Entry<Key, Partial> e = it.next();
        it.remove();
        chargedBytes -= e.getValue().chargeBytes();
        discards.discarded(reason, describe(e.getKey(), e.getValue()) + ": reassembly limits ("
                + limits.reassemblyMessagesMax() + " messages, " + limits.reassemblyBytesMax() + " bytes) reached");
        remember(e.getKey(), nowMs);
    }

    private void abandon(Key key, Partial p, long nowMs) {
        partials.remove(key);
        chargedBytes -= p.chargeBytes();
        discards.discarded(DropReason.ABANDONED, describe(key, p) + ": a chunk of it was dropped");
        remember(key, nowMs);
    }

    private void finish(Key key, Partial p, long nowMs) {
        partials.remove(key);
        chargedBytes -= p.chargeBytes();
        remember(key, nowMs);
    }

    private void remember(Key key, long nowMs) {
        finished.remove(key);
        if (limits.finishedIdsMax() == 0) {
            return;
        }
        while (finished.size() >= limits.finishedIdsMax()) {
            Iterator<Key> it = finished.keySet().iterator();
            it.next();
            it.remove();
        }
        finished.put(key, nowMs);
    }

    private static String describe(Key key, Partial p) {
        return "partial " + p.header.type() + " " + Integer.toUnsignedString(key.messageId()) + " from " + key.origin()
                + " (node " + key.source() + ", " + p.held + " of " + p.chunks.length + " chunks)";
    }

    private static byte[] concatenate(Partial p) {
        byte[] body = new byte[(int) p.payloadBytes];
        int at = 0;
        for (byte[] chunk : p.chunks) {
            System.arraycopy(chunk, 0, body, at, chunk.length);
            at += chunk.length;
        }
        return body;
    }

    /** Partial messages held now. */
    int partialMessages() {
        return partials.size();
    }

    /** Bytes charged to partial messages now (see {@link WireLimits#chargeBytes}). */
    long chargedBytes() {
        return chargedBytes;
    }
}
