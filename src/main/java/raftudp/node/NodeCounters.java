package raftudp.node;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a node's runtime beyond the wire's: inbox drops, loop activity, odd input.
 * Thread-safe; only grow. Their names in status reports start with {@code node.}.
 */
final class NodeCounters {
    /** Inputs dropped because the event loop's inbox was full. */
    final LongAdder inboxDrops = new LongAdder();
    /** Ticks of the Raft core. */
    final LongAdder ticks = new LongAdder();
    /** Times the loop was more than a few ticks late and skipped ahead (a long fsync, GC, an overloaded host). */
    final LongAdder ticksLate = new LongAdder();
    /** Batches stepped (each followed by one drain, so at most one fsync). */
    final LongAdder batches = new LongAdder();
    /** Inputs stepped (peer messages, client and status requests). */
    final LongAdder inputs = new LongAdder();
    /** Datagrams on a port we do not serve (a transport bug: nodes listen on their five ports). */
    final LongAdder unexpected = new LongAdder();
    /**
     * Remote inputs whose handling threw: a bug, caught so that the loop keeps serving (logged
     * at ERROR). Never expected; the hostile-traffic tests assert it stays 0.
     */
    final LongAdder inputErrors = new LongAdder();
    /** Status requests not answered because more than the node's rate of them came in. */
    final LongAdder statusUnanswered = new LongAdder();
    /** Outgoing messages the codec refused (too large); the sender treats them as lost. */
    final LongAdder encodeFailures = new LongAdder();
    /** Admin requests (FaultRequests) accepted and applied. */
    final LongAdder adminAccepted = new LongAdder();
    /** Admin requests refused: no cluster key and no --allow-admin (docs/wire-format.md §10.4). */
    final LongAdder adminRefused = new LongAdder();
    /** Refused admin requests not answered, beyond the refusal rate limit. */
    final LongAdder adminRefusalsUnanswered = new LongAdder();

    /** Thresholds of {@link #leaderGapsOver}, in ms. */
    static final long[] LEADER_GAP_THRESHOLDS_MS = {25, 50, 100, 200, 400, 800};
    /** Heartbeats and appends received from the leader of the current term. */
    final LongAdder leaderContacts = new LongAdder();
    /**
     * Leader contacts that came more than {@code LEADER_GAP_THRESHOLDS_MS[i]} after the previous
     * one from the same leader in the same term, as the loop saw them: the heartbeat period plus
     * every delay on the way (sender's loop, network, our loop). A gap reaching the election
     * timeout starts an election: these tell how much margin the timeouts leave.
     */
    final LongAdder[] leaderGapsOver = new LongAdder[LEADER_GAP_THRESHOLDS_MS.length];

    NodeCounters() {
        for (int i = 0; i < leaderGapsOver.length; i++) {
            leaderGapsOver[i] = new LongAdder();
        }
    }

    /** Counts a gap of {@code gapMs} between two contacts of one leader. */
    void leaderGap(long gapMs) {
        leaderContacts.increment();
        for (int i = 0; i < LEADER_GAP_THRESHOLDS_MS.length && gapMs > LEADER_GAP_THRESHOLDS_MS[i]; i++) {
            leaderGapsOver[i].increment();
        }
    }

    /** The counters by their status-report name. */
    void putInto(Map<String, Long> m) {
        m.put("node.leader_contacts", leaderContacts.sum());
        for (int i = 0; i < leaderGapsOver.length; i++) {
            m.put("node.leader_gap_over_" + LEADER_GAP_THRESHOLDS_MS[i] + "ms", leaderGapsOver[i].sum());
        }
        m.put("node.inbox_drops", inboxDrops.sum());
        m.put("node.ticks", ticks.sum());
        m.put("node.ticks_late", ticksLate.sum());
        m.put("node.batches", batches.sum());
        m.put("node.inputs", inputs.sum());
        m.put("node.input_errors", inputErrors.sum());
        m.put("node.status_unanswered", statusUnanswered.sum());
        m.put("node.unexpected", unexpected.sum());
        m.put("node.encode_failures", encodeFailures.sum());
        m.put("node.admin_accepted", adminAccepted.sum());
        m.put("node.admin_refused", adminRefused.sum());
        m.put("node.admin_refusals_unanswered", adminRefusalsUnanswered.sum());
    }
}
