package raftudp.node;

import raftudp.transport.FaultRule;
import raftudp.transport.FaultyTransport;
import raftudp.wire.FaultEntry;
import raftudp.wire.FaultRequest;
import raftudp.wire.FaultResponse;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's fault rules: the {@code --fault TARGET=RULE} options and the run-time
 * {@link FaultRequest}s, both applied to the node's {@link FaultyTransport}. A rule acts on
 * what this node sends to the target host (Raft messages to a peer on that host, answers
 * to clients on it); {@code *} is the default for every host without a rule of its own.
 */
final class Faults {
    private Faults() {
    }

    /**
     * Parses {@code --fault} values: {@code TARGET=RULE}, TARGET {@code *} or an IPv4 address,
     * RULE as {@link FaultRule#parse}; each target at most once.
     *
     * @return the rules by target, in the order given
     * @throws IllegalArgumentException saying which value is wrong and why
     */
    static Map<String, FaultRule> parseOptions(List<String> values) {
        Map<String, FaultRule> out = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--fault '" + v + "': expected TARGET=RULE, e.g. "
                        + "10.0.2.2=delay:5ms,loss:1% or '*=delay:5ms'");
            }
            String target = v.substring(0, eq).trim();
            if (!FaultEntry.EVERY.equals(target) && FaultEntry.ipv4(target) == null) {
                throw new IllegalArgumentException("--fault '" + v + "': the target is '*' (every destination) "
                        + "or an IPv4 address like 10.0.2.2, not '" + target + "'");
            }
            FaultRule rule;
            try {
                rule = FaultRule.parse(v.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--fault '" + v + "': " + e.getMessage());
            }
            if (out.put(target, rule) != null) {
                throw new IllegalArgumentException("--fault: target " + target + " given twice");
            }
        }
        return out;
    }

    /** Sets one rule ({@link FaultRule#NONE} clears it). */
    static void set(FaultyTransport t, String target, FaultRule rule) {
        if (FaultEntry.EVERY.equals(target)) {
            t.setDefaultRule(rule);
        } else {
            t.setRule(address(target), rule);
        }
    }

    /**
     * Applies a request.
     *
     * @throws IllegalStateException when the rule cannot be kept (too many rules); nothing changed
     */
    static void apply(FaultyTransport t, FaultRequest r) {
        switch (r.op()) {
            case SHOW -> {
            }
            case CLEAR_ALL -> t.clearRules();
            case SET, CLEAR -> set(t, r.entry().target(), FaultRule.of(r.entry()));
            default -> throw new IllegalStateException("unknown op " + r.op());
        }
    }

    /** The rules in force, as a response of node {@code id}. */
    static FaultResponse response(int id, FaultyTransport t) {
        List<FaultEntry> entries = new ArrayList<>();
        t.rules().forEach((target, rule) -> entries.add(rule.toEntry(target)));
        return FaultResponse.of(id, entries);
    }

    /** One line for logs and start-up: {@code 10.0.2.2=delay:5ms *=loss:1%}, or "none". */
    static String describe(Map<String, FaultRule> rules) {
        if (rules.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        rules.forEach((target, rule) -> sb.append(sb.length() == 0 ? "" : " ").append(target).append('=')
                .append(rule.text()));
        return sb.toString();
    }

    private static InetAddress address(String ipv4) {
        try {
            return InetAddress.getByAddress(FaultEntry.ipv4(ipv4)); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + ipv4, e);
        }
    }
}
