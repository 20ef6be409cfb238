package raftudp.client;

/**
 * What {@code raft-client workload} does: {@code clients} logical clients append unique
 * values to lists and read them back, recording every operation to a history file, for
 * {@code durationS} seconds or until {@code opsMax} operations have started; then, once
 * every operation of every process has had time to end, each key is read once more (the
 * final reads the list-append check compares against).
 *
 * @param process    this process's name in the history (e.g. the host it runs on)
 * @param clients    logical clients, each a thread with its own session (1..{@link BenchOptions#CLIENTS_MAX})
 * @param durationS  how long to issue operations, in seconds (over 0, at most one day)
 * @param opsMax     most operations started over all clients (at least 1)
 * @param readRatio  share of reads, 0..1 (the rest are appends)
 * @param keys       keys in use at once (at least 1)
 * @param keyPeriodS the keys in use change every this many seconds, so that no key's history
 *                   grows without bound (the checker's search is per key)
 * @param rate       most operations started per second by this process (0: no limit)
 * @param seed       seed of the key and operation choices
 * @param startNanos the run's time origin, {@link System#nanoTime()} (CLOCK_MONOTONIC): several
 *                   processes given the same origin use the same keys at the same time and do
 *                   their final reads after all of them stopped issuing operations
 */
public record WorkloadOptions(String process, int clients, double durationS, long opsMax, double readRatio, int keys,
                              double keyPeriodS, double rate, long seed, long startNanos) {
    /** Longest process name, in characters (it is part of every value written). */
    public static final int PROCESS_CHARS_MAX = 64;

    /** @throws IllegalArgumentException naming the option that is out of range */
    public WorkloadOptions {
        check(process != null && !process.isEmpty() && process.length() <= PROCESS_CHARS_MAX
                && process.chars().allMatch(c -> c > ' ' && c < 0x7F && c != '"' && c != '\\'),
                "--process " + process + ": 1.." + PROCESS_CHARS_MAX + " printable ASCII characters, no quotes");
        check(clients >= 1 && clients <= BenchOptions.CLIENTS_MAX,
                "--clients " + clients + " outside 1.." + BenchOptions.CLIENTS_MAX);
        check(durationS > 0 && durationS <= 86_400, "--duration " + durationS + " outside (0, 86400] seconds");
        check(opsMax >= 1, "--ops " + opsMax + " must be at least 1");
        check(readRatio >= 0 && readRatio <= 1, "--read-ratio " + readRatio + " outside 0..1");
        check(keys >= 1 && keys <= 1000, "--keys " + keys + " outside 1..1000");
        check(rate >= 0 && rate <= 1e6, "--rate " + rate + " outside 0..1000000 operations per second");
        check(keyPeriodS >= 0.1 && keyPeriodS <= 86_400, "--key-period " + keyPeriodS + " outside [0.1, 86400] seconds");
    }

    /** Monotonic time at which operations stop being issued. */
    long endNanos() {
        return startNanos + (long) (durationS * 1e9);
    }

    /** The key a client picks at {@code nanos} for choice {@code j} (0..keys-1): "k" + period + "-" + j. */
    String key(long nanos, int j) {
        long period = Math.max(0, (long) ((nanos - startNanos) / (keyPeriodS * 1e9)));
        return "k" + period + "-" + j;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}
