package raftudp.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on a condition with a deadline, for tests of a live cluster: the condition is
 * polled every {@link #POLL_MS} ms until it holds or the deadline passes, which fails the
 * test with what was awaited. Nothing else in the cluster tests waits on the clock.
 */
public final class Await {
    /** Pause between two evaluations of a condition. */
    public static final long POLL_MS = 10;

    private Await() {
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Waits until {@code probe} yields a value and returns it; fails with {@code what} after {@code timeout}. */
    public static <T> T value(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(POLL_MS).toNanos());
            if (Thread.interrupted()) {
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }
}
