package raftudp.core;

import java.util.List;

/**
 * Work the core hands to its runtime, in this order (§5.1, "persist before you answer"):
 * <ol>
 *   <li>persist {@code snapshot} (if any; it also replaces the state machine), then
 *       {@code entries} (the first one may overwrite a suffix: truncate from its index) and
 *       {@code hardState} (if not null), and make them durable;</li>
 *   <li>send {@code messages};</li>
 *   <li>apply {@code committed} in order; serve {@code readStates} once applied reaches
 *       their index;</li>
 *   <li>call {@link Raft#advance(Ready)}.</li>
 * </ol>
 */
public record Ready(HardState hardState, Snapshot snapshot, List<Entry> entries,
                    List<Message> messages, List<Entry> committed, List<ReadState> readStates) {

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        committed = List.copyOf(committed);
        readStates = List.copyOf(readStates);
    }

    public boolean isEmpty() {
        return hardState == null && snapshot == null && entries.isEmpty() && messages.isEmpty()
                && committed.isEmpty() && readStates.isEmpty();
    }
}
