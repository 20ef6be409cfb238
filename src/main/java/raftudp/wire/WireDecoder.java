package raftudp.wire;

import raftudp.logging.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Turns received datagrams into messages, one datagram at a time, reassembling chunked
 * messages (see {@link Reassembler} rules in {@code docs/wire-format.md}).
 *
 * <p>Contract: {@link #decode} never throws on any input. A datagram it cannot use is
 * dropped, counted in {@link WireStats} under one {@link DropReason}, and reported by a
 * rate-limited WARN line (one per reason per {@code logIntervalMs}). Every datagram
 * passed in is counted exactly once as delivered (it completed a message), buffered (a
 * chunk waiting for the rest) or dropped.
 *
 * <p><b>Authentication</b> ({@code docs/wire-format.md} §10). A decoder with a
 * {@link ClusterKey} takes only datagrams with {@link RaftHeader#FLAG_AUTH} and a right
 * MAC (others: {@link DropReason#UNAUTHENTICATED}, {@link DropReason#BAD_MAC}), checked right
 * after the length checks, before any other field is believed or anything is buffered; it
 * drops writes without a session ({@link DropReason#SESSIONLESS_WRITE}); and, given a
 * {@link ReplayGuard}, FaultRequests outside the guard's window
 * ({@link DropReason#REPLAYED}). A decoder without a key drops every AUTH datagram
 * ({@link DropReason#BAD_MAC}): it cannot check it.
 *
 * <p>Not thread-safe: use one decoder per receive loop (chunks of one message must reach
 * the same decoder). Time comes from the injected monotonic millisecond clock; nothing
 * here reads the system clock.
 */
public final class WireDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(WireDecoder.class);
    /** Default least time between two WARN lines of one drop reason. */
    public static final long LOG_INTERVAL_MS_DEFAULT = 10_000;

    private final WireStats stats;
    private final LongSupplier clockMs;
    private final Reassembler reassembler;
    private final RateLimitedLog warnings;
    private final String context;
    private final ClusterKey key;
    private final ReplayGuard adminReplays;
    private ChunkGate chunkGate;

    /**
     * Decides from a chunk's header alone whether its message may be buffered at all, so that
     * memory goes only to messages the receiver could accept (a node: Raft messages from
     * members at their addresses; see {@code Admission}).
     */
    @FunctionalInterface
    public interface ChunkGate {
        /** Null to let the chunk be buffered, else why not (for the log); must not throw. */
        String refuse(RaftHeader header, Object origin);
    }

    /**
     * @param limits        reassembly limits
     * @param stats         where received messages and drops are counted (may be shared)
     * @param clockMs       monotonic clock in milliseconds, for reassembly timeouts and log limits
     * @param logIntervalMs least time between two WARN lines of one reason
     * @param context       prefix of log lines, e.g. {@code "node 2"}
     */
    public WireDecoder(WireLimits limits, WireStats stats, LongSupplier clockMs, long logIntervalMs, String context) {
        this(limits, stats, clockMs, logIntervalMs, context, null, null);
    }

    /**
     * A decoder that authenticates, as {@link #WireDecoder(WireLimits, WireStats, LongSupplier, long, String)}
     * and:
     *
     * @param key          the cluster key, or null: then AUTH datagrams are dropped and others taken
     * @param adminReplays a node's replay window for FaultRequests, or null for none (a client);
     *                     used only with a key
     */
    public WireDecoder(WireLimits limits, WireStats stats, LongSupplier clockMs, long logIntervalMs, String context,
                       ClusterKey key, ReplayGuard adminReplays) {
        this.key = key;
        this.adminReplays = adminReplays;
        this.stats = Objects.requireNonNull(stats, "stats");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        this.warnings = new RateLimitedLog(LOG, clockMs, logIntervalMs);
        this.reassembler = new Reassembler(limits, stats, this::discarded);
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * Sets the gate chunks of multi-chunk messages pass before they are buffered; a refused
     * chunk is dropped as {@link DropReason#UNADMITTED_CHUNK}. Call before the first decode.
     */
    public void admitChunksWith(ChunkGate gate) {
        this.chunkGate = Objects.requireNonNull(gate, "gate");
    }

    /** A decoder with {@link WireLimits#DEFAULT} and {@link #LOG_INTERVAL_MS_DEFAULT}. */
    public WireDecoder(WireStats stats, LongSupplier clockMs, String context) {
        this(WireLimits.DEFAULT, stats, clockMs, LOG_INTERVAL_MS_DEFAULT, context);
    }

    /** A decoder with the defaults and {@code key} (null: none), without a replay window (a client's). */
    public WireDecoder(WireStats stats, LongSupplier clockMs, String context, ClusterKey key) {
        this(WireLimits.DEFAULT, stats, clockMs, LOG_INTERVAL_MS_DEFAULT, context, key, null);
    }

    /**
     * A message with where it came from.
     *
     * @param message       the decoded message: a {@link raftudp.core.Message}, a
     *                      {@link raftudp.kv.ClientRequest} or {@link raftudp.kv.ClientResponse},
     *                      a {@link StatusRequest} or a {@link StatusReport}, a {@link FaultRequest},
     *                      {@link FaultResponse} or {@link ErrorResponse}
     * @param type          its type
     * @param sourceId      the header's source node id ({@link RaftHeader#NO_NODE} for a client)
     * @param destinationId the header's destination node id ({@link RaftHeader#NO_NODE} when none)
     * @param messageId     the sender's message id (u32 bit pattern)
     * @param origin        the origin the caller passed with the completing datagram
     * @param authenticated true when every datagram of the message carried AUTH and a MAC this
     *                      decoder's key verified (always true from a decoder with a key, never without)
     */
    public record Received(Object message, MessageType type, int sourceId, int destinationId, int messageId,
                           Object origin, boolean authenticated) {

        /** An unauthenticated message. */
        public Received(Object message, MessageType type, int sourceId, int destinationId, int messageId,
                        Object origin) {
            this(message, type, sourceId, destinationId, messageId, origin, false);
        }
    }

    /** Same as {@link #decode(ByteBuffer, Object, MessageClass)} without a port check. */
    public Optional<Received> decode(byte[] datagram, Object origin) {
        return decode(ByteBuffer.wrap(datagram), origin, null);
    }

    /**
     * Decodes one datagram: the bytes from {@code datagram}'s position to its limit (neither
     * is moved; the bytes are copied if kept).
     *
     * @param origin    identifies the sending endpoint (e.g. its {@code InetSocketAddress});
     *                  chunks are reassembled per origin, source id and message id. May be null.
     * @param arrivedOn the class of the port it arrived on; a message of another class is
     *                  dropped as {@link DropReason#WRONG_PORT}. Null skips this check.
     * @return the message this datagram completes, or empty (buffered or dropped)
     */
    public Optional<Received> decode(ByteBuffer datagram, Object origin, MessageClass arrivedOn) {
        ByteBuffer d = datagram.slice();
        stats.datagramReceived(d.remaining());
        try {
            return Optional.ofNullable(decodeOrThrow(d, origin, arrivedOn));
        } catch (WireFormatException e) {
            drop(e.reason(), e.getMessage(), origin);
        } catch (RuntimeException e) {
            stats.countDrop(DropReason.INTERNAL_ERROR);
            LOG.error("{}: decoder bug on a datagram of {} bytes from {}; dropped", context, d.limit(), origin, e);
        }
        return Optional.empty();
    }

    /**
     * Drops partial messages whose timeout passed. {@link #decode} does this too; call it
     * on a timer to release memory while no datagrams arrive.
     */
    public void expire() {
        reassembler.expire(clockMs.getAsLong());
    }

    /** Partial messages held in reassembly now. */
    public int partialMessages() {
        return reassembler.partialMessages();
    }

    /** Bytes charged to partial messages now (see {@link WireLimits#chargeBytes}). */
    public long reassemblyBytes() {
        return reassembler.chargedBytes();
    }

    private Received decodeOrThrow(ByteBuffer d, Object origin, MessageClass arrivedOn) {
        RaftHeader h = checkedHeader(d, key);
        MessageType type = h.type();
        if (arrivedOn != null && type.messageClass() != arrivedOn) {
            throw new WireFormatException(DropReason.WRONG_PORT, type + " arrived on the " + arrivedOn + " port");
        }
        ByteBuffer payload = d.slice(RaftHeader.HEADER_BYTES, (int) h.payloadLength()).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer body;
        if (h.chunkCount() == 1) {
            body = payload;
        } else {
            String refused = chunkGate == null ? null : chunkGate.refuse(h, origin);
            if (refused != null) {
                throw new WireFormatException(DropReason.UNADMITTED_CHUNK, refused);
            }
            byte[] whole = reassembler.add(h, payload, origin, clockMs.getAsLong());
            if (whole == null) {
                return null;
            }
            body = ByteBuffer.wrap(whole);
        }
        Object message = MessageCodec.decode(h, type, body);
        if (key != null) {
            checkPolicy(message, d, h);
        }
        stats.messageReceived(type);
        return new Received(message, type, h.source(), h.destination(), h.messageId(), origin, key != null);
    }

    /** What a keyed receiver refuses of a well-formed, authenticated message (§10.4, §10.5). */
    private void checkPolicy(Object message, ByteBuffer d, RaftHeader h) {
        int payloadLength = (int) h.payloadLength();
        if (message instanceof raftudp.kv.ClientRequest r && r.clientId() == 0 && r.command().isWrite()) {
            throw new WireFormatException(DropReason.SESSIONLESS_WRITE, r.command().getClass().getSimpleName()
                    + " without a session (clientId 0): a replay would apply it again");
        }
        if (message instanceof raftudp.kv.ClientRequest && adminReplays != null
                && !adminReplays.fresh(h.logTerm(), ReplayGuard.REQUEST_WINDOW_MS)) {
            throw new WireFormatException(DropReason.REPLAYED, "ClientRequest issued at " + h.logTerm()
                    + " ms, more than " + ReplayGuard.REQUEST_WINDOW_MS / 1000 + " s off this node's clock: a replay "
                    + "after its session may be forgotten (or are the clocks synchronised?)");
        }
        if (message instanceof FaultRequest f && adminReplays != null) {
            byte[] mac = new byte[RaftHeader.MAC_BYTES];
            d.get(RaftHeader.HEADER_BYTES + payloadLength, mac);
            ReplayGuard.Verdict v = adminReplays.check(f.issuedAtMs(), mac);
            if (v != ReplayGuard.Verdict.ACCEPTED) {
                throw new WireFormatException(DropReason.REPLAYED, "FaultRequest " + f.op() + " issued at "
                        + f.issuedAtMs() + " ms: " + switch (v) {
                            case STALE -> "more than " + ReplayGuard.SKEW_MS_MAX / 1000
                                    + " s off this node's clock (are the clocks synchronised?)";
                            case REPLAYED -> "its MAC was seen in the last " + ReplayGuard.MEMORY_MS / 1000 + " s";
                            default -> "the replay memory is full (" + ReplayGuard.MACS_MAX + " requests in "
                                    + ReplayGuard.MEMORY_MS / 1000 + " s)";
                        });
            }
        }
    }

    /**
     * The header, after every check that needs no other datagram: the length checks, then
     * authentication with {@code key} (null: none), then the fields.
     */
    static RaftHeader checkedHeader(ByteBuffer d, ClusterKey key) {
        if (d.limit() < RaftHeader.HEADER_BYTES) {
            throw new WireFormatException(DropReason.SHORT, d.limit() + " bytes, less than a header");
        }
        RaftHeader h = RaftHeader.read(d);
        if (h.magic() != RaftHeader.MAGIC) {
            throw new WireFormatException(DropReason.BAD_MAGIC, "magic 0x" + Integer.toHexString(h.magic()));
        }
        if (h.version() != RaftHeader.VERSION) {
            throw new WireFormatException(DropReason.BAD_VERSION, "version " + h.version());
        }
        MessageType type = h.type();
        if (type == null) {
            throw new WireFormatException(DropReason.UNKNOWN_TYPE, "message type " + h.typeCode());
        }
        boolean auth = (h.flags() & RaftHeader.FLAG_AUTH) != 0;
        int trailer = auth ? RaftHeader.MAC_BYTES : 0;
        long after = d.limit() - RaftHeader.HEADER_BYTES - trailer;
        String follow = auth ? " bytes follow the header, without the MAC" : " bytes follow the header";
        if (h.payloadLength() > after) {
            throw new WireFormatException(DropReason.TRUNCATED, "payload length " + h.payloadLength()
                    + " but " + Math.max(0, after) + follow);
        }
        if (h.payloadLength() < after) {
            throw new WireFormatException(DropReason.TRAILING_BYTES, "payload length " + h.payloadLength()
                    + " but " + after + follow);
        }
        if (key != null && !auth) {
            throw new WireFormatException(DropReason.UNAUTHENTICATED, type + " without the AUTH flag; this receiver "
                    + "has a cluster key");
        }
        if (auth && key == null) {
            throw new WireFormatException(DropReason.BAD_MAC, type + " with the AUTH flag; this receiver has no "
                    + "cluster key to check it");
        }
        if (auth && !key.verify(d, RaftHeader.HEADER_BYTES + (int) h.payloadLength())) {
            throw new WireFormatException(DropReason.BAD_MAC, type + " whose MAC does not match (another key, or "
                    + "changed on the way)");
        }
        MessageCodec.checkHeader(h, type);
        if (h.chunkCount() == 0 || h.chunkIndex() >= h.chunkCount()
                || (h.chunkCount() > 1 && (h.payloadLength() == 0 || !type.hasBody()))) {
            throw new WireFormatException(DropReason.BAD_CHUNK, "chunk " + h.chunkIndex() + " of " + h.chunkCount()
                    + " with " + h.payloadLength() + " bytes");
        }
        if (auth && type == MessageType.FAULT_REQUEST && h.chunkCount() != 1) {
            throw new WireFormatException(DropReason.BAD_CHUNK, "an authenticated FaultRequest is one datagram, "
                    + "not " + h.chunkCount() + " chunks");
        }
        return h;
    }

    private void drop(DropReason reason, String detail, Object origin) {
        stats.countDrop(reason);
        if (reason == DropReason.DUPLICATE_CHUNK || reason == DropReason.LATE_CHUNK) {
            LOG.debug("{}: dropped a datagram from {}: {} ({})", context, origin, reason, detail); // UDP duplicates happen
        } else {
            warnings.warn(reason, () -> context + ": dropped a datagram from " + origin + ": " + reason + " (" + detail + ")");
        }
    }

    private void discarded(DropReason reason, String detail) {
        stats.countDrop(reason);
        warnings.warn(reason, () -> context + ": dropped a " + detail + ": " + reason);
    }
}
