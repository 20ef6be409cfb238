package raftudp.node;

import raftudp.core.Config;
import raftudp.wire.ClusterKey;

import java.util.List;

/**
 * Tunables of a running node: its clock, its Raft timeouts (in ticks), the limits of its
 * event loop, and its security: the cluster key and whether admin requests are allowed
 * without one. The defaults come from the measurements in {@code docs/timeouts.md}; by
 * default a node has no key and refuses admin requests.
 *
 * @param tickMs               length of one tick of the Raft core
 * @param heartbeatTicks       leader heartbeat period
 * @param electionTicksMin     lower bound (inclusive) of the randomized election timeout
 * @param electionTicksMax     upper bound (exclusive) of the randomized election timeout
 * @param snapshotEveryEntries applied entries between two snapshots of the state machine
 * @param inboxMessagesMax     decoded inputs waiting for the event loop; more are dropped and counted
 * @param batchInputsMax       inputs the loop steps before one drain (one fsync covers them)
 * @param allowAdmin           without a cluster key: accept admin requests (FaultRequests) anyway
 *                             ({@code --allow-admin}); with a key they are accepted when authenticated,
 *                             whatever this says
 * @param clusterKey           the cluster key ({@code --cluster-key}): every datagram sent is
 *                             authenticated and every one received must be; null for none
 * @param paceGapMicros        least time between two datagrams of a multi-datagram message
 *                             ({@code --pace-us}; 0: sent back to back), see {@link raftudp.transport.Pacer}
 */
public record NodeSettings(int tickMs, int heartbeatTicks, int electionTicksMin, int electionTicksMax,
                           long snapshotEveryEntries, int inboxMessagesMax, int batchInputsMax,
                           boolean allowAdmin, ClusterKey clusterKey, long paceGapMicros) {

    /** See {@code docs/timeouts.md}. */
    public static final int TICK_MS_DEFAULT = 10;
    public static final int HEARTBEAT_TICKS_DEFAULT = 5;
    public static final int ELECTION_TICKS_MIN_DEFAULT = 30;
    public static final int ELECTION_TICKS_MAX_DEFAULT = 60;
    public static final long SNAPSHOT_EVERY_ENTRIES_DEFAULT = 10_000;
    public static final int INBOX_MESSAGES_MAX_DEFAULT = 16_384;
    public static final int BATCH_INPUTS_MAX_DEFAULT = 1_024;

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public NodeSettings {
        require(tickMs >= 1 && tickMs <= 60_000, "tick must be 1..60000 ms, not " + tickMs);
        require(heartbeatTicks >= 1, "heartbeat must be at least 1 tick, not " + heartbeatTicks);
        require(electionTicksMin > heartbeatTicks, "the election timeout minimum (" + electionTicksMin
                + " ticks) must exceed the heartbeat period (" + heartbeatTicks + " ticks)");
        require(electionTicksMax > electionTicksMin, "the election timeout range " + electionTicksMin + "-"
                + electionTicksMax + " is empty: MAX must exceed MIN");
        require(snapshotEveryEntries >= 1, "snapshot interval must be at least 1 entry, not " + snapshotEveryEntries);
        require(inboxMessagesMax >= 1 && batchInputsMax >= 1, "inbox and batch limits must be at least 1");
        require(paceGapMicros >= 0 && paceGapMicros <= 100_000, "the pacing gap must be 0..100000 µs, not "
                + paceGapMicros);
    }

    /** Every default. */
    public static NodeSettings defaults() {
        return new NodeSettings(TICK_MS_DEFAULT, HEARTBEAT_TICKS_DEFAULT, ELECTION_TICKS_MIN_DEFAULT,
                ELECTION_TICKS_MAX_DEFAULT, SNAPSHOT_EVERY_ENTRIES_DEFAULT, INBOX_MESSAGES_MAX_DEFAULT,
                BATCH_INPUTS_MAX_DEFAULT, false, null, 0);
    }

    /** A copy with other timeouts. */
    public NodeSettings withTimeouts(int tick, int heartbeat, int electionMin, int electionMax) {
        return new NodeSettings(tick, heartbeat, electionMin, electionMax, snapshotEveryEntries,
                inboxMessagesMax, batchInputsMax, allowAdmin, clusterKey, paceGapMicros);
    }

    /** A copy with another snapshot interval. */
    public NodeSettings withSnapshotEvery(long entries) {
        return new NodeSettings(tickMs, heartbeatTicks, electionTicksMin, electionTicksMax, entries,
                inboxMessagesMax, batchInputsMax, allowAdmin, clusterKey, paceGapMicros);
    }

    /** A copy with another pacing gap for multi-datagram messages (µs; 0: none). */
    public NodeSettings withPacing(long gapMicros) {
        return new NodeSettings(tickMs, heartbeatTicks, electionTicksMin, electionTicksMax, snapshotEveryEntries,
                inboxMessagesMax, batchInputsMax, allowAdmin, clusterKey, gapMicros);
    }

    /** A copy with other event-loop limits. */
    public NodeSettings withLoopLimits(int inboxMax, int batchMax) {
        return new NodeSettings(tickMs, heartbeatTicks, electionTicksMin, electionTicksMax, snapshotEveryEntries,
                inboxMax, batchMax, allowAdmin, clusterKey, paceGapMicros);
    }

    /** A copy that accepts admin requests without a key ({@code --allow-admin}), or not. */
    public NodeSettings withAllowAdmin(boolean allow) {
        return new NodeSettings(tickMs, heartbeatTicks, electionTicksMin, electionTicksMax, snapshotEveryEntries,
                inboxMessagesMax, batchInputsMax, allow, clusterKey, paceGapMicros);
    }

    /** A copy with the cluster key {@code key} (null: none). */
    public NodeSettings withClusterKey(ClusterKey key) {
        return new NodeSettings(tickMs, heartbeatTicks, electionTicksMin, electionTicksMax, snapshotEveryEntries,
                inboxMessagesMax, batchInputsMax, allowAdmin, key, paceGapMicros);
    }

    /** What the node does with admin requests, for the start-up log. */
    public String describeSecurity() {
        if (clusterKey != null) {
            return "cluster key " + clusterKey.fingerprint() + " (" + clusterKey.length()
                    + " bytes): authenticated traffic only, admin requests when authenticated";
        }
        return "no cluster key: " + (allowAdmin ? "admin requests allowed (--allow-admin)"
                : "admin requests refused (no --allow-admin)");
    }

    /** The core's configuration for node {@code id} of a cluster of {@code ids}. */
    public Config raftConfig(int id, List<Integer> ids) {
        return Config.defaults(id, ids).withTimeouts(electionTicksMin, electionTicksMax, heartbeatTicks);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "tick " + tickMs + " ms, heartbeat " + heartbeatTicks + " ticks (" + heartbeatTicks * tickMs
                + " ms), election " + electionTicksMin + "-" + electionTicksMax + " ticks ("
                + electionTicksMin * tickMs + "-" + electionTicksMax * tickMs + " ms)"
                + (paceGapMicros > 0 ? ", chunks paced " + paceGapMicros + " µs apart" : "");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}
