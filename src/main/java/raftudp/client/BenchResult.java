package raftudp.client;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * What a {@link Bench} run measured. Latencies are of successful operations, in
 * microseconds in the histogram, shown in milliseconds.
 *
 * @param options   what was run
 * @param elapsedS  wall time of the run, in seconds
 * @param reads     successful reads
 * @param writes    successful writes
 * @param timeouts  operations given up because no leader answered within the deadline
 * @param errors    operations that failed otherwise
 * @param latencyUs latency of successful operations, in microseconds
 * @param firstError the first failure's message, or null
 */
public record BenchResult(BenchOptions options, double elapsedS, long reads, long writes, long timeouts, long errors,
                          Histogram latencyUs, String firstError) {

    /** The percentiles reported, with their names in text and JSON. */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] NAMES = {"p50", "p90", "p99", "p99.9"};
    private static final String[] JSON_NAMES = {"p50", "p90", "p99", "p99_9"};

    /** Successful operations. */
    public long ops() {
        return reads + writes;
    }

    /** Successful operations per second. */
    public double throughputOpsPerS() {
        return elapsedS > 0 ? ops() / elapsedS : 0;
    }

    /** Latency at {@code percentile} (0..100), in milliseconds; 0 when nothing succeeded. */
    public double latencyMs(double percentile) {
        return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The largest latency, in milliseconds. */
    public double latencyMsMax() {
        return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMaxValue() / 1000.0;
    }

    /** The report for people, several lines. */
    public String human() {
        BenchOptions o = options;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "bench: %d clients, up to %s s or %d operations, %.0f%% reads, %d keys, "
                        + "%d-byte values%n", o.clients(), trim(o.durationS()), o.opsMax(), o.readRatio() * 100, o.keys(),
                o.valueBytes()));
        sb.append(String.format(Locale.ROOT, "done in %.2f s: %d operations (%d reads, %d writes), %.1f ops/s%n",
                elapsedS, ops(), reads, writes, throughputOpsPerS()));
        sb.append(String.format(Locale.ROOT, "errors %d, timeouts %d%n", errors, timeouts));
        sb.append("latency ms:");
        for (int i = 0; i < PERCENTILES.length; i++) {
            sb.append(String.format(Locale.ROOT, "  %s %.3f", NAMES[i], latencyMs(PERCENTILES[i])));
        }
        sb.append(String.format(Locale.ROOT, "  max %.3f%n", latencyMsMax()));
        if (firstError != null) {
            sb.append("first failure: ").append(firstError).append('\n');
        }
        return sb.toString();
    }

    /** The report as one JSON object (for {@code --json FILE}). */
    public String json() {
        BenchOptions o = options;
        StringBuilder sb = new StringBuilder("{\n");
        sb.append(String.format(Locale.ROOT, "  \"clients\": %d,%n  \"duration_s\": %s,%n  \"ops_max\": %d,%n"
                        + "  \"value_bytes\": %d,%n  \"read_ratio\": %s,%n  \"keys\": %d,%n  \"seed\": %d,%n",
                o.clients(), trim(o.durationS()), o.opsMax(), o.valueBytes(), trim(o.readRatio()), o.keys(), o.seed()));
        sb.append(String.format(Locale.ROOT, "  \"elapsed_s\": %.3f,%n  \"ops\": %d,%n  \"reads\": %d,%n  \"writes\": %d,%n"
                        + "  \"errors\": %d,%n  \"timeouts\": %d,%n  \"throughput_ops_per_s\": %.1f,%n",
                elapsedS, ops(), reads, writes, errors, timeouts, throughputOpsPerS()));
        sb.append("  \"latency_ms\": {");
        for (int i = 0; i < PERCENTILES.length; i++) {
            sb.append(String.format(Locale.ROOT, "\"%s\": %.3f, ", JSON_NAMES[i], latencyMs(PERCENTILES[i])));
        }
        sb.append(String.format(Locale.ROOT, "\"max\": %.3f, \"mean\": %.3f},%n", latencyMsMax(),
                latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getMean() / 1000.0));
        sb.append("  \"first_error\": ").append(firstError == null ? "null" : quote(firstError)).append("\n}\n");
        return sb.toString();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
