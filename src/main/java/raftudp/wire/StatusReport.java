package raftudp.wire;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A node's answer to a {@link StatusRequest}: what a status display shows. Sent as a
 * {@link MessageType#STATUS_RESPONSE} on the client port.
 *
 * <p>Names ({@code role} and counter names) are 1 to {@link #NAME_BYTES_MAX} characters
 * from {@code [A-Za-z0-9._-]}, so that their byte order, their character order and their
 * UTF-8 and ASCII forms all agree. Both maps are copied into unmodifiable maps that
 * iterate in key order (node id, name); equality is map equality.
 *
 * @param nodeId        the reporting node, 0..65534
 * @param role          its role, e.g. {@code LEADER}
 * @param term          its current term
 * @param leaderId      the leader it knows, or -1 when none
 * @param commitIndex   its commit index
 * @param appliedIndex  the last index its state machine applied
 * @param firstLogIndex first index still in its log
 * @param lastLogIndex  last index in its log
 * @param matchIndex    for a leader: peer id to match index (empty otherwise)
 * @param counters      counter name to value (packets by type, drops by reason, ...)
 */
public record StatusReport(int nodeId, String role, long term, int leaderId, long commitIndex, long appliedIndex,
                           long firstLogIndex, long lastLogIndex, Map<Integer, Long> matchIndex,
                           Map<String, Long> counters) {

    /** Longest role or counter name, in bytes (= characters). */
    public static final int NAME_BYTES_MAX = 64;

    /** @throws IllegalArgumentException when a field is out of range (see the parameters) */
    public StatusReport {
        Objects.requireNonNull(role, "role");
        require(nodeId >= 0 && nodeId <= RaftHeader.NODE_ID_MAX, "nodeId " + nodeId);
        require(leaderId >= -1 && leaderId <= RaftHeader.NODE_ID_MAX, "leaderId " + leaderId);
        require(term >= 0 && commitIndex >= 0 && appliedIndex >= 0 && firstLogIndex >= 0 && lastLogIndex >= 0,
                "term and indexes must not be negative");
        require(nameProblem(role) == null, "role: " + nameProblem(role));
        matchIndex = Collections.unmodifiableSortedMap(new TreeMap<>(matchIndex));
        counters = Collections.unmodifiableSortedMap(new TreeMap<>(counters));
        for (Map.Entry<Integer, Long> e : matchIndex.entrySet()) {
            require(e.getKey() >= 0 && e.getKey() <= RaftHeader.NODE_ID_MAX && e.getValue() >= 0,
                    "match index " + e);
        }
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            require(nameProblem(e.getKey()) == null, "counter: " + nameProblem(e.getKey()));
            Objects.requireNonNull(e.getValue(), "counter value");
        }
        require(matchIndex.size() <= 0xFFFF && counters.size() <= 0xFFFF, "at most 65535 peers and counters");
    }

    /** Why {@code name} is not a valid role or counter name, or null when it is. */
    static String nameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > NAME_BYTES_MAX) {
            return "names are 1.." + NAME_BYTES_MAX + " characters: " + name;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!nameChar(name.charAt(i))) {
                return "character " + (int) name.charAt(i) + " not in [A-Za-z0-9._-]";
            }
        }
        return null;
    }

    /** True for the characters a name may hold. */
    static boolean nameChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("bad status report: " + what);
        }
    }
}
