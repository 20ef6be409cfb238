package raftudp.wire;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A node's replay window for authenticated admin requests ({@code docs/wire-format.md}
 * §10.4). A captured, authenticated FaultRequest would otherwise re-install an old fault
 * rule whenever someone sends its bytes again. The guard accepts a request only when
 *
 * <ul>
 * <li>its time (header {@code index_a}, the sender's wall clock) is within
 *     {@link #SKEW_MS_MAX} of this node's wall clock, and</li>
 * <li>its MAC is not among those accepted in the last {@link #MEMORY_MS}.</li>
 * </ul>
 *
 * <p>Remembering MACs for {@code MEMORY_MS = 2 × SKEW_MS_MAX} is enough: a request accepted
 * at node time {@code t} was issued at {@code t + 30 s} at the latest, so from
 * {@code t + 60 s} on its time is too old anyway. Memory is bounded: at most
 * {@link #MACS_MAX} MACs; when that many requests were accepted within the last 60 s, further
 * ones are refused ({@link Verdict#FULL}) rather than an entry forgotten early, which would
 * reopen the window for that request. The clock is injected; a step backwards only makes
 * the guard keep MACs longer.
 *
 * <p>Thread-safe.
 */
public final class ReplayGuard {
    /** Largest accepted difference between the request's time and the node's clock. */
    public static final long SKEW_MS_MAX = 30_000;
    /** How long an accepted MAC is remembered. */
    public static final long MEMORY_MS = 2 * SKEW_MS_MAX;
    /**
     * How far an authenticated ClientRequest's issue time may be from the node's clock
     * (§10.5): well inside the session timeout (an hour), so that a replay within the window
     * meets its session and is answered from it, never applied again.
     */
    public static final long REQUEST_WINDOW_MS = 120_000;
    /** Most MACs remembered. */
    public static final int MACS_MAX = 4096;

    /** What the guard says about one request. */
    public enum Verdict {
        /** Inside the window, never seen: accepted (and now remembered). */
        ACCEPTED,
        /** Its time is more than {@link #SKEW_MS_MAX} from the node's clock. */
        STALE,
        /** Its MAC was accepted within the last {@link #MEMORY_MS}. */
        REPLAYED,
        /** {@link #MACS_MAX} MACs are remembered; refused so that none is forgotten early. */
        FULL
    }

    private record Seen(ByteBuffer mac, long atMs) {
    }

    private final LongSupplier wallClockMs;
    private final int macsMax;
    private final ArrayDeque<Seen> order = new ArrayDeque<>();
    private final Set<ByteBuffer> seen = new HashSet<>();

    /** @param wallClockMs the node's wall clock, milliseconds since the epoch */
    public ReplayGuard(LongSupplier wallClockMs) {
        this(wallClockMs, MACS_MAX);
    }

    ReplayGuard(LongSupplier wallClockMs, int macsMax) {
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        this.macsMax = macsMax;
    }

    /**
     * Judges a request issued at {@code issuedAtMs} with MAC {@code mac}; remembers the MAC
     * when it is accepted.
     */
    public synchronized Verdict check(long issuedAtMs, byte[] mac) {
        long now = wallClockMs.getAsLong();
        forgetBefore(now - MEMORY_MS);
        if (Math.abs(now - issuedAtMs) > SKEW_MS_MAX || issuedAtMs <= 0) {
            return Verdict.STALE;
        }
        ByteBuffer tag = ByteBuffer.wrap(mac.clone());
        if (seen.contains(tag)) {
            return Verdict.REPLAYED;
        }
        if (seen.size() >= macsMax) {
            return Verdict.FULL;
        }
        seen.add(tag);
        order.addLast(new Seen(tag, now));
        return Verdict.ACCEPTED;
    }

    /** True when {@code issuedAtMs} is positive and within {@code windowMs} of the node's clock. */
    public boolean fresh(long issuedAtMs, long windowMs) {
        return issuedAtMs > 0 && Math.abs(wallClockMs.getAsLong() - issuedAtMs) <= windowMs;
    }

    /** MACs remembered now. */
    public synchronized int remembered() {
        forgetBefore(wallClockMs.getAsLong() - MEMORY_MS);
        return seen.size();
    }

    private void forgetBefore(long limitMs) {
        while (!order.isEmpty() && order.peekFirst().atMs() < limitMs) {
            seen.remove(order.removeFirst().mac());
        }
    }
}
