package raftudp.transport;

/**
 * Faults applied to datagrams leaving for one destination host (the project's own fault
 * layer, for kernels without netem). All zero means "deliver untouched".
 *
 * @param lossRate      probability a datagram is dropped, 0..1
 * @param delayMs       fixed delay before sending
 * @param jitterMs      extra uniform random delay 0..jitterMs; datagrams overtake each other
 *                      (reordering) when it exceeds their spacing
 * @param duplicateRate probability a datagram is sent twice (the copy gets its own delay)
 */
public record FaultRule(double lossRate, int delayMs, int jitterMs, double duplicateRate) {
    public static final FaultRule NONE = new FaultRule(0, 0, 0, 0);
    /** Longest delay accepted, so that queued datagrams stay bounded in time. */
    public static final int DELAY_MS_MAX = 10_000;

    public FaultRule {
        if (!(lossRate >= 0 && lossRate <= 1) || !(duplicateRate >= 0 && duplicateRate <= 1)) {
            throw new IllegalArgumentException("loss and duplicate rates are between 0 and 1");
        }
        if (delayMs < 0 || jitterMs < 0 || delayMs + jitterMs > DELAY_MS_MAX) {
            throw new IllegalArgumentException("delay and jitter are 0.." + DELAY_MS_MAX + " ms in all");
        }
    }

    public boolean isNone() {
        return lossRate == 0 && delayMs == 0 && jitterMs == 0 && duplicateRate == 0;
    }

    @Override
    public String toString() {
        return isNone() ? "none" : String.format("loss=%.3f delay=%dms jitter=%dms dup=%.3f",
                lossRate, delayMs, jitterMs, duplicateRate);
    }
}
