package raftudp.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node's answer to a {@link FaultRequest}: the fault rules in force after it, in
 * {@link FaultEntry#ORDER} (the default first), none of them all zero.
 *
 * @param nodeId the answering node, 0..65534
 * @param rules  the rules in force; at most {@link #RULES_MAX}
 */
public record FaultResponse(int nodeId, List<FaultEntry> rules) {
    /** Most rules a node keeps (and a response lists). */
    public static final int RULES_MAX = 1024;

    /** @throws IllegalArgumentException when a rule is all zero, out of order or repeated */
    public FaultResponse {
        if (nodeId < 0 || nodeId > RaftHeader.NODE_ID_MAX) {
            throw new IllegalArgumentException("nodeId " + nodeId + " outside 0.." + RaftHeader.NODE_ID_MAX);
        }
        rules = List.copyOf(rules);
        if (rules.size() > RULES_MAX) {
            throw new IllegalArgumentException(rules.size() + " rules, at most " + RULES_MAX);
        }
        for (int i = 0; i < rules.size(); i++) {
            Objects.requireNonNull(rules.get(i), "rule");
            if (rules.get(i).isNone()) {
                throw new IllegalArgumentException("a rule in force does something: " + rules.get(i));
            }
            if (i > 0 && FaultEntry.ORDER.compare(rules.get(i - 1), rules.get(i)) >= 0) {
                throw new IllegalArgumentException("rules in strictly ascending target order: " + rules);
            }
        }
    }

    /** {@code rules} sorted into wire order. */
    public static FaultResponse of(int nodeId, List<FaultEntry> rules) {
        List<FaultEntry> sorted = new ArrayList<>(rules);
        sorted.sort(FaultEntry.ORDER);
        return new FaultResponse(nodeId, sorted);
    }

    /** The rule for {@code target}, or null. */
    public FaultEntry ruleFor(String target) {
        for (FaultEntry e : rules) {
            if (e.target().equals(target)) {
                return e;
            }
        }
        return null;
    }
}
