package raftudp.logging;

import org.slf4j.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Logs at most one WARN line per key (e.g. a {@link DropReason}) per interval, so that a
 * flood of bad packets costs a few log lines, not a full disk. Lines that are held back
 * are counted, and the next line for that key says how many. Time comes from an
 * injected millisecond clock. Thread-safe.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final LongSupplier clockMs;
    private final long intervalMs;
    private final Map<Object, long[]> state = new HashMap<>(); // key -> {lastLoggedMs, suppressed}

    /**
     * @param log        where lines go
     * @param clockMs    a monotonic clock in milliseconds
     * @param intervalMs least time between two lines of one key, at least 1
     */
    public RateLimitedLog(Logger log, LongSupplier clockMs, long intervalMs) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("intervalMs must be >= 1, got " + intervalMs);
        }
        this.log = log;
        this.clockMs = clockMs;
        this.intervalMs = intervalMs;
    }

    /**
     * Logs {@code message} at WARN unless a line of {@code key} was logged less than the
     * interval ago; the message is only built when logged.
     *
     * @return true when a line was written (or would be, were WARN enabled)
     */
    public boolean warn(Object key, Supplier<String> message) {
        long suppressed;
        synchronized (state) {
            long now = clockMs.getAsLong();
            long[] s = state.get(key);
            if (s != null && now - s[0] < intervalMs) {
                s[1]++;
                return false;
            }
            suppressed = s == null ? 0 : s[1];
            state.put(key, new long[]{now, 0});
        }
        if (log.isWarnEnabled()) {
            log.warn(suppressed == 0 ? message.get()
                    : message.get() + " (and " + suppressed + " more like it since the last line)");
        }
        return true;
    }

    /** Lines of {@code key} held back since its last line. */
    public long suppressed(Object key) {
        synchronized (state) {
            long[] s = state.get(key);
            return s == null ? 0 : s[1];
        }
    }
}
