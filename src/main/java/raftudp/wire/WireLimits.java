package raftudp.wire;

/**
 * Size, memory and time limits of the wire layer. Encoders and decoders of one cluster
 * should agree on {@code messageBytesMax}: a sender refuses what receivers would drop.
 *
 * @param datagramBytesMax      largest datagram the encoder makes, header included
 *                              ({@link RaftHeader#HEADER_BYTES} + 1 .. {@link #UDP_BYTES_MAX})
 * @param messageBytesMax       largest message body, summed over its chunks
 * @param reassemblyBytesMax    memory charged to partial messages (see {@link #chargeBytes}); the
 *                              least recently active partials are evicted to stay below it, and
 *                              a message whose charge alone exceeds it is dropped as too large.
 *                              At least {@code messageBytesMax}; leave room for the overhead
 *                              (24 bytes per chunk: about 1.7% with 1408-byte chunks)
 * @param reassemblyMessagesMax partial messages held at once; the least recently active is
 *                              evicted to admit a new one
 * @param reassemblyTimeoutMs   a partial message that gets no chunk for this long is dropped;
 *                              finished message ids are remembered for as long
 * @param finishedIdsMax        finished (completed or dropped) message ids remembered, so
 *                              that their late chunks do not start a new partial
 */
public record WireLimits(int datagramBytesMax, int messageBytesMax, long reassemblyBytesMax,
                         int reassemblyMessagesMax, long reassemblyTimeoutMs, int finishedIdsMax) {

    /** Largest UDP payload over IPv4: 65535 - 20 (IPv4) - 8 (UDP). */
    public static final int UDP_BYTES_MAX = 65_507;
    /** A 1500-byte Ethernet MTU less the IPv4 (20) and UDP (8) headers: no IP fragmentation. */
    public static final int ETHERNET_DATAGRAM_BYTES = 1500 - 20 - 8;
    /** Bytes charged per chunk held, beyond its payload (array header and slot). */
    public static final int CHUNK_OVERHEAD_BYTES = 16;
    /** Bytes charged per chunk a partial message declares (its slot table). */
    public static final int SLOT_BYTES = 8;

    /**
     * Defaults: 1472-byte datagrams, 64 MiB messages, 96 MiB and 64 partial messages in
     * reassembly, 5 s reassembly timeout, 4096 finished ids remembered.
     */
    public static final WireLimits DEFAULT = new WireLimits(ETHERNET_DATAGRAM_BYTES, 64 << 20, 96L << 20, 64,
            5_000, 4096);

    /**
     * The defaults, with reassembly memory scaled to a heap of {@code maxHeapBytes}: each of a
     * node's decoders that can hold chunks (append, snapshot and client ports) may charge
     * 1/16 of the heap, between 8 MiB and the default 96 MiB, so the three together stay
     * under a fifth of it; the message limit is 7/8 of that, at most the default 64 MiB.
     */
    public static WireLimits forHeap(long maxHeapBytes) {
        long reassembly = Math.max(8L << 20, Math.min(DEFAULT.reassemblyBytesMax(), maxHeapBytes / 16));
        int message = (int) Math.min(DEFAULT.messageBytesMax(), reassembly - reassembly / 8);
        return DEFAULT.withReassembly(message, reassembly, DEFAULT.reassemblyMessagesMax(),
                DEFAULT.reassemblyTimeoutMs());
    }

    /** @throws IllegalArgumentException when a limit is out of range or they contradict each other */
    public WireLimits {
        check(datagramBytesMax > RaftHeader.HEADER_BYTES && datagramBytesMax <= UDP_BYTES_MAX,
                "datagramBytesMax " + datagramBytesMax);
        check(messageBytesMax >= 0, "messageBytesMax " + messageBytesMax);
        check(reassemblyBytesMax >= messageBytesMax, "reassemblyBytesMax " + reassemblyBytesMax
                + " must be at least messageBytesMax " + messageBytesMax);
        check(reassemblyMessagesMax >= 1, "reassemblyMessagesMax " + reassemblyMessagesMax);
        check(reassemblyTimeoutMs >= 1, "reassemblyTimeoutMs " + reassemblyTimeoutMs);
        check(finishedIdsMax >= 0, "finishedIdsMax " + finishedIdsMax);
    }

    /** Memory charged for a partial message: its slot table, plus each chunk held and its overhead. */
    public static long chargeBytes(int chunkCount, int chunksHeld, long payloadBytesHeld) {
        return (long) chunkCount * SLOT_BYTES + (long) chunksHeld * CHUNK_OVERHEAD_BYTES + payloadBytesHeld;
    }

    /** A copy with another largest datagram. */
    public WireLimits withDatagramBytesMax(int bytes) {
        return new WireLimits(bytes, messageBytesMax, reassemblyBytesMax, reassemblyMessagesMax,
                reassemblyTimeoutMs, finishedIdsMax);
    }

    /** A copy with other reassembly limits. */
    public WireLimits withReassembly(int messageBytes, long reassemblyBytes, int messages, long timeoutMs) {
        return new WireLimits(datagramBytesMax, messageBytes, reassemblyBytes, messages, timeoutMs, finishedIdsMax);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("bad wire limit: " + what);
        }
    }
}
