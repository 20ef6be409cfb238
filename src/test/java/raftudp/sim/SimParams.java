package raftudp.sim;

import raftudp.core.Config;
import raftudp.wire.ClusterKey;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Everything one seed decides about a run, in named groups: the cluster and its core's
 * tuning, the network, the faults, the client workload and the phases. The same seed always
 * gives the same parameters.
 *
 * <p>Changing how {@link #of} derives them changes what every seed means: do it rarely, and
 * re-run the regression seeds afterwards. A new parameter is drawn from its own generator
 * (as {@code crashAfterEarlySendRate}, the disk faults and {@code clusterKey} are), so that the others keep
 * their values.
 */
record SimParams(long seed, Cluster cluster, Network network, Faults faults, Workload workload, Phases phases) {

    /**
     * The nodes and their core's tuning.
     *
     * @param clusterKey the key every node and client authenticates with, or null (most seeds)
     */
    record Cluster(int nodes, boolean preVote, boolean checkQuorum, int tickMs, int heartbeatTicks,
                   int electionTicksMin, int electionTicksMax, int appendEntriesMax, int appendBytesMax,
                   int inflightMax, int chunkBytesMax, int inflightChunksMax, long snapshotEveryEntries,
                   ClusterKey clusterKey) {
    }

    /** One-way delay of each datagram, and its chance of being lost or delivered twice. */
    record Network(int delayMsMin, int delayMsMax, double dropRate, double duplicateRate) {
    }

    /**
     * The faults: machines dying inside fsync ({@code crashAfterEarlySendRate}: a leader
     * dying in the sync of a Ready whose replication already left), how often the nemesis
     * strikes, whether it partitions and crashes, the chance that a crash keeps part of what
     * was not synced ({@code tornWriteRate}), whether disks fill up, and whether a crashed
     * machine may come back with an empty disk ({@code wipes}: never drawn from the seed, only
     * asked for with {@link #withWipes()}: Raft has no safe answer to it without a membership
     * change, see docs/simulation.md).
     */
    record Faults(double crashInSyncRate, double crashAfterEarlySendRate, int everyMsMax, boolean partitions,
                  boolean crashes, double tornWriteRate, boolean diskFull, boolean wipes) {
    }

    /** The clients: how many, over how many keys, their retry timeout, and the size of large values (0: none). */
    record Workload(int clients, int keys, int opTimeoutMs, int largeValueBytes) {
    }

    /** How long faults and load last, and how soon after healing a write must commit. */
    record Phases(long safetyMs, long livenessMsMax) {
    }

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
        SplittableRandom disks = new SplittableRandom(seed ^ 0xD15C_F417L);
        double tornWrites = disks.nextInt(2) == 0 ? 0.2 + disks.nextDouble() * 0.8 : 0;
        boolean diskFull = disks.nextInt(3) == 0;
        SplittableRandom auth = new SplittableRandom(seed ^ 0xA07B_5EEDL);
        ClusterKey key = null;
        if (auth.nextInt(4) == 0) {
            byte[] k = new byte[ClusterKey.BYTES_MIN + auth.nextInt(48)];
            auth.nextBytes(k);
            key = ClusterKey.of(k);
        }
        // the order of the draws below is the order of the fields of the earlier flat record
        boolean preVote = r.nextInt(4) != 0;
        boolean checkQuorum = r.nextInt(4) != 0;
        int appendEntriesMax = r.nextBoolean() ? 1 + r.nextInt(3) : 1 + r.nextInt(64);
        int appendBytesMax = 200 + r.nextInt(2000);
        int inflightMax = 1 + r.nextInt(32);
        int chunkBytesMax = 200 + r.nextInt(1100);
        int inflightChunksMax = 2 + r.nextInt(15);
        long snapshotEvery = pick(r, 8, 30, 200, 100_000);
        Cluster cluster = new Cluster(nodes, preVote, checkQuorum, 10, heartbeat, electionMin, electionMax,
                appendEntriesMax, appendBytesMax, inflightMax, chunkBytesMax, inflightChunksMax, snapshotEvery, key);
        double dropRate = lossy ? r.nextDouble() * (r.nextInt(4) == 0 ? 0.4 : 0.15) : 0;
        double duplicateRate = lossy ? r.nextDouble() * 0.05 : 0;
        Network network = new Network(delayMin, delayMax, dropRate, duplicateRate);
        double crashInSync = r.nextInt(3) == 0 ? r.nextDouble() * (r.nextInt(3) == 0 ? 0.1 : 0.02) : 0;
        int faultEvery = 200 + r.nextInt(2000);
        boolean partitions = r.nextInt(5) != 0;
        boolean crashes = r.nextInt(5) != 0;
        Faults faults = new Faults(crashInSync, crashAfterEarlySend, faultEvery, partitions, crashes, tornWrites,
                diskFull, false);
        int clients = 3 + r.nextInt(6);
        int keys = 1 + r.nextInt(4);
        int opTimeout = 200 + r.nextInt(800);
        long safety = 8_000 + r.nextInt(12_000);
        int largeValue = r.nextInt(4) == 0 ? 2_000 + r.nextInt(6_000) : 0;
        return new SimParams(seed, cluster, network, faults, new Workload(clients, keys, opTimeout, largeValue),
                new Phases(safety, 20_000));
    }

    /** The same run, where a crashed machine comes back with an empty disk half the time. */
    SimParams withWipes() {
        Faults f = faults;
        return new SimParams(seed, cluster, network, new Faults(f.crashInSyncRate(), f.crashAfterEarlySendRate(),
                f.everyMsMax(), f.partitions(), f.crashes(), f.tornWriteRate(), f.diskFull(), true), workload, phases);
    }

    private static long pick(SplittableRandom r, long... options) {
        return options[r.nextInt(options.length)];
    }

    int nodes() {
        return cluster.nodes();
    }

    /** The core's configuration of node {@code id}. */
    Config config(int id) {
        Cluster c = cluster;
        List<Integer> ids = IntStream.range(0, c.nodes()).boxed().toList();
        return new Config(id, ids, c.electionTicksMin(), c.electionTicksMax(), c.heartbeatTicks(), c.preVote(),
                c.checkQuorum(), c.appendEntriesMax(), c.appendBytesMax(), c.inflightMax(), c.chunkBytesMax(),
                c.inflightChunksMax(), 10_000, 10_000);
    }

    /** One line for a failure report. */
    String summary() {
        Cluster c = cluster;
        Network n = network;
        return "nodes=" + c.nodes() + " preVote=" + c.preVote() + " checkQuorum=" + c.checkQuorum()
                + " hb=" + c.heartbeatTicks() + " election=" + c.electionTicksMin() + ".." + c.electionTicksMax()
                + " ticks of " + c.tickMs() + "ms, append<=" + c.appendEntriesMax() + "/" + c.appendBytesMax()
                + "B window=" + c.inflightMax() + ", chunk=" + c.chunkBytesMax() + "x" + c.inflightChunksMax()
                + ", snapshotEvery=" + c.snapshotEveryEntries()
                + ", key=" + (c.clusterKey() == null ? "none" : c.clusterKey().length() + "B")
                + ", delay=" + n.delayMsMin() + ".." + n.delayMsMax() + "ms drop="
                + String.format("%.3f", n.dropRate()) + " dup=" + String.format("%.3f", n.duplicateRate())
                + " crashInSync=" + String.format("%.3f", faults.crashInSyncRate())
                + " crashAfterEarlySend=" + String.format("%.4f", faults.crashAfterEarlySendRate())
                + " partitions=" + faults.partitions() + " crashes=" + faults.crashes()
                + " tornWrites=" + String.format("%.2f", faults.tornWriteRate()) + " diskFull=" + faults.diskFull()
                + (faults.wipes() ? " WIPES" : "")
                + " clients=" + workload.clients() + " keys=" + workload.keys()
                + " largeValue=" + workload.largeValueBytes();
    }
}
