package raftudp.node;

import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} events a second on average, and at most {@code perSecond} at
 * once: what a node answers to requests whose source address nobody verified, so that a
 * forged source cannot turn it into a reflector. Time comes from the injected monotonic
 * nanosecond clock. Not thread-safe (the event loop owns it).
 */
final class TokenBucket {
    private final double perSecond;
    private final LongSupplier nanos;
    private double tokens;
    private long refilledAt;

    TokenBucket(double perSecond, LongSupplier nanos) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanos = nanos;
        this.tokens = perSecond;
        this.refilledAt = nanos.getAsLong();
    }

    /** Takes one token: true when the event may happen now. */
    boolean take() {
        long now = nanos.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - refilledAt) * (perSecond / 1e9));
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
