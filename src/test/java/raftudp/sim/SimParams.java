package raftudp.sim;

import raftudp.core.Config;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Everything one seed decides about a run: cluster size, timing, limits, network faults,
 * crash rates (including {@code crashAfterEarlySendRate}: the chance that a leader, having
 * sent a Ready's replication early, dies in that Ready's sync) and the client workload. The same seed always gives the same parameters.
 */
record SimParams(long seed, int nodes, boolean preVote, boolean checkQuorum, int tickMs, int heartbeatTicks, int electionTicksMin,
                 int electionTicksMax, int appendEntriesMax, int appendBytesMax, int inflightMax,
                 int chunkBytesMax, int inflightChunksMax, long snapshotEveryEntries,
                 int delayMsMin, int delayMsMax, double dropRate, double duplicateRate,
                 double crashInSyncRate, int faultEveryMsMax, boolean partitions, boolean crashes,
                 int clients, int keys, int opTimeoutMs, long safetyPhaseMs, long livenessPhaseMsMax,
                 int largeValueBytes, double crashAfterEarlySendRate) {

    /** Derives the parameters of a seed; {@code nodesOverride} forces a size when > 0. */
    static SimParams of(long seed, int nodesOverride) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int nodes = nodesOverride > 0 ? nodesOverride : (r.nextBoolean() ? 3 : 5);
        int heartbeat = 1 + r.nextInt(3);
        int delayMin = 1 + r.nextInt(3);
        int delayMax = 5 + r.nextInt(40);
        int electionMin = heartbeat * (4 + r.nextInt(7));
        if (r.nextInt(5) != 0) {
            // most seeds use timeouts sane for their network; the rest provoke election storms
            electionMin = Math.max(electionMin, (3 * delayMax + 9) / 10);
        }
        int electionMax = electionMin + Math.max(2, electionMin / 2 + r.nextInt(electionMin + 1));
        boolean lossy = r.nextInt(4) != 0;
        // drawn apart so that the other parameters of a seed stay what they were
        SplittableRandom early = new SplittableRandom(seed ^ 0x10_21L);
        double crashAfterEarlySend = early.nextInt(3) == 0 ? early.nextDouble() * 0.01 : 0;
        return new SimParams(
                seed, nodes, r.nextInt(4) != 0, r.nextInt(4) != 0,
                10,
                heartbeat, electionMin, electionMax,
                r.nextBoolean() ? 1 + r.nextInt(3) : 1 + r.nextInt(64), 200 + r.nextInt(2000), 1 + r.nextInt(32),
                200 + r.nextInt(1100), 2 + r.nextInt(15),
                pick(r, 8, 30, 200, 100_000),
                delayMin, delayMax,
                lossy ? r.nextDouble() * (r.nextInt(4) == 0 ? 0.4 : 0.15) : 0, lossy ? r.nextDouble() * 0.05 : 0,
                r.nextInt(3) == 0 ? r.nextDouble() * (r.nextInt(3) == 0 ? 0.1 : 0.02) : 0,
                200 + r.nextInt(2000), r.nextInt(5) != 0, r.nextInt(5) != 0,
                3 + r.nextInt(6), 1 + r.nextInt(4), 200 + r.nextInt(800),
                8_000 + r.nextInt(12_000), 20_000,
                r.nextInt(4) == 0 ? 2_000 + r.nextInt(6_000) : 0,
                crashAfterEarlySend);
    }

    private static long pick(SplittableRandom r, long... options) {
        return options[r.nextInt(options.length)];
    }

    Config config(int id) {
        List<Integer> ids = IntStream.range(0, nodes).boxed().toList();
        return new Config(id, ids, electionTicksMin, electionTicksMax, heartbeatTicks, preVote, checkQuorum,
                appendEntriesMax, appendBytesMax, inflightMax, chunkBytesMax, inflightChunksMax,
                10_000, 10_000);
    }

    /** One line for a failure report. */
    String summary() {
        return "nodes=" + nodes + " preVote=" + preVote + " checkQuorum=" + checkQuorum + " hb=" + heartbeatTicks + " election=" + electionTicksMin + ".." + electionTicksMax
                + " ticks of " + tickMs + "ms, append<=" + appendEntriesMax + "/" + appendBytesMax + "B window="
                + inflightMax + ", chunk=" + chunkBytesMax + "x" + inflightChunksMax + ", snapshotEvery="
                + snapshotEveryEntries + ", delay=" + delayMsMin + ".." + delayMsMax + "ms drop="
                + String.format("%.3f", dropRate) + " dup=" + String.format("%.3f", duplicateRate)
                + " crashInSync=" + String.format("%.3f", crashInSyncRate) + " partitions=" + partitions
                + " crashAfterEarlySend=" + String.format("%.4f", crashAfterEarlySendRate)
                + " crashes=" + crashes + " clients=" + clients + " keys=" + keys + " largeValue=" + largeValueBytes;
    }
}
