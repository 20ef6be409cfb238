package raftudp.core;

import java.util.List;

/**
 * Work the core hands to its runtime, in this order (§5.1, "persist before you answer"):
 * <ol>
 *   <li>send {@code sendFirst}: these may leave before (or while) step 2 runs;</li>
 *   <li>persist {@code snapshot} (if any; it also replaces the state machine), then
 *       {@code entries} (the first one may overwrite a suffix: truncate from its index) and
 *       {@code hardState} (if not null), and make them durable;</li>
 *   <li>send {@code messages}: only once step 2 is durable;</li>
 *   <li>apply {@code committed} in order; serve {@code readStates} once applied reaches
 *       their index;</li>
 *   <li>call {@link Raft#advance(Ready)}.</li>
 * </ol>
 *
 * <p>{@code sendFirst} holds only a leader's replication messages ({@link Message.AppendRequest},
 * {@link Message.Heartbeat}, {@link Message.SnapshotChunk}) of its current term, and only when
 * that term and vote are already durable (this Ready's {@code hardState}, if any, changes
 * nothing but the commit index) and there is no {@code snapshot} to persist. Thesis §10.2.1:
 * the leader may write to its own disk in parallel with replicating, because it counts its own
 * log toward commitment only through entries that {@link Raft#advance(Ready)} confirmed durable.
 * If the machine dies before step 2 completes, followers may hold entries the leader lost;
 * that is safe: the restarted node is a follower of that same term, where it voted for itself,
 * so no other entry can ever take those (index, term) slots, and none of them was counted
 * committed. Everything that acknowledges or depends on local durable state (votes and vote
 * requests, pre-votes, append/heartbeat/snapshot responses, TimeoutNow, anything a follower or
 * candidate sends) is in {@code messages}.
 *
 * <p>{@code softState} is the node's role, leader and term when any of them changed since the
 * previous Ready (null otherwise): a runtime answers pending clients, logs and reports from it.
 */
public record Ready(HardState hardState, Snapshot snapshot, List<Entry> entries, List<Message> sendFirst,
                    List<Message> messages, List<Entry> committed, List<ReadState> readStates,
                    SoftState softState) {

    public Ready {
        entries = List.copyOf(entries);
        sendFirst = List.copyOf(sendFirst);
        messages = List.copyOf(messages);
        committed = List.copyOf(committed);
        readStates = List.copyOf(readStates);
    }

    public boolean isEmpty() {
        return hardState == null && snapshot == null && entries.isEmpty() && sendFirst.isEmpty()
                && messages.isEmpty() && committed.isEmpty() && readStates.isEmpty() && softState == null;
    }
}
