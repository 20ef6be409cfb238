package raftudp.client;

/**
 * What the load generator does: {@code clients} logical clients (each with its own session)
 * issue operations back to back until {@code durationS} seconds have passed or
 * {@code opsMax} operations were started, whichever comes first.
 *
 * @param clients    logical clients, each a thread with its own session (1..{@link #CLIENTS_MAX})
 * @param durationS  how long to issue operations, in seconds (over 0, at most one day)
 * @param opsMax     most operations started over all clients (at least 1)
 * @param valueBytes size of written values, in bytes (0..{@link #VALUE_BYTES_MAX})
 * @param readRatio  share of reads, 0..1 (the rest are puts)
 * @param keys       operations pick keys {@code bench-0 .. bench-(keys-1)} uniformly
 * @param seed       seed of key, operation and value choice
 */
public record BenchOptions(int clients, double durationS, long opsMax, int valueBytes, double readRatio, int keys,
                           long seed) {
    public static final int CLIENTS_MAX = 1024;
    public static final int VALUE_BYTES_MAX = 16 << 20;

    /** @throws IllegalArgumentException naming the option that is out of range */
    public BenchOptions {
        check(clients >= 1 && clients <= CLIENTS_MAX, "--clients " + clients + " outside 1.." + CLIENTS_MAX);
        check(durationS > 0 && durationS <= 86_400, "--duration " + durationS + " outside (0, 86400] seconds");
        check(opsMax >= 1, "--ops " + opsMax + " must be at least 1");
        check(valueBytes >= 0 && valueBytes <= VALUE_BYTES_MAX,
                "--value-bytes " + valueBytes + " outside 0.." + VALUE_BYTES_MAX);
        check(readRatio >= 0 && readRatio <= 1, "--read-ratio " + readRatio + " outside 0..1");
        check(keys >= 1, "--keys " + keys + " must be at least 1");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}
