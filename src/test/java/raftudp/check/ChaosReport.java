package raftudp.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import raftudp.check.ChaosEvents.FaultWindow;
import raftudp.check.ChaosHistory.ClientOp;
import raftudp.check.ChaosHistory.Outcome;

/**
 * Everything {@link ChaosCheck} found in a run, and its two renderings: the human summary
 * printed to stdout and {@code summary.json}.
 *
 * @param title         the {@code --title} text (the campaign passes the seed), or empty
 * @param histories     the history files read
 * @param eventsFile    the events file read
 * @param stateDirs     the --state arguments, node name -> data directory
 * @param ops           the paired operations
 * @param events        the nemesis's events
 * @param originT       the time shown as 0 s: the first "phase start", else the first event or op
 * @param endT          the last time seen in any input
 * @param linearizable  the linearizability verdict
 * @param clientNames   checker client id (as in the verdict's explanation) -> "process/client"
 * @param listAppend    the list-append checks
 * @param nodes         the replayed node states, in command-line order
 * @param stateProblems disagreements between the states and with the final reads
 * @param gaps          the longest unavailability per fault kind
 * @param warnings      everything worth a warning (truncated lines, inconclusive search, ...)
 */
public record ChaosReport(String title, List<Path> histories, Path eventsFile, Map<String, Path> stateDirs,
                          List<ClientOp> ops,
                          ChaosEvents events, long originT, long endT, CheckResult linearizable,
                          Map<Integer, String> clientNames, ListAppendCheck.Report listAppend,
                          List<NodeState> nodes, List<String> stateProblems, Map<String, Unavailability.Gap> gaps,
                          List<String> warnings) {

    /** Violation messages kept in summary.json. */
    static final int VIOLATIONS_IN_JSON_MAX = 10;
    /** Violation messages printed to stdout. */
    static final int VIOLATIONS_PRINTED_MAX = 20;

    /** True when no check found a violation (an inconclusive linearizability search passes, with a warning). */
    public boolean passed() {
        return linearizable.verdict() != CheckResult.Verdict.VIOLATION && listAppend.isOk() && stateProblems.isEmpty();
    }

    /** "PASS" or "FAIL". */
    public String verdict() {
        return passed() ? "PASS" : "FAIL";
    }

    /** Every violation message, linearizability first. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        if (linearizable.verdict() == CheckResult.Verdict.VIOLATION) {
            out.add("linearizability: " + linearizable.explanation().strip() + "\n" + clientLegend());
        }
        for (ListAppendCheck.Violation v : listAppend.violations()) {
            out.add(v.toString());
        }
        out.addAll(stateProblems);
        return out;
    }

    private String clientLegend() {
        StringBuilder sb = new StringBuilder("(times are nanoseconds after the run start) clients: ");
        String sep = "";
        for (Map.Entry<Integer, String> e : clientNames.entrySet()) {
            sb.append(sep).append('c').append(e.getKey()).append('=').append(e.getValue());
            sep = ", ";
        }
        return sb.toString();
    }

    private String linearizabilityLabel() {
        return switch (linearizable.verdict()) {
            case OK -> "ok";
            case VIOLATION -> "violation";
            case UNKNOWN -> "inconclusive";
        };
    }

    private String stateLabel() {
        if (nodes.isEmpty()) {
            return "not checked";
        }
        return stateProblems.isEmpty() ? "ok" : "violation";
    }

    /** Counts by f ("append", "get", "total") then outcome. */
    Map<String, Map<Outcome, Integer>> operationCounts() {
        Map<String, Map<Outcome, Integer>> out = new TreeMap<>();
        for (ClientOp op : ops) {
            for (String f : List.of(op.f(), "total")) {
                out.computeIfAbsent(f, k -> new TreeMap<>()).merge(op.outcome(), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Per kind: number of windows and their summed length in seconds (open windows end at the run end). */
    Map<String, double[]> faultTotals() {
        Map<String, double[]> out = new TreeMap<>();
        for (FaultWindow w : events.faults()) {
            double[] t = out.computeIfAbsent(w.kind(), k -> new double[2]);
            t[0]++;
            t[1] += (w.endOr(endT) - w.startT()) / 1e9;
        }
        return out;
    }

    private double rel(long t) {
        return (t - originT) / 1e9;
    }

    /** The human summary. */
    /** How long after a fault window a leader change still counts as caused by it. */
    static final int DEPOSED_AFTER_S = 2;

    /**
     * Per kind with one victim: {windows whose victim was a follower, of those, windows around
     * which the leader changed} (a follower's crash, pause or full disk should never depose a
     * healthy leader, nor should a partitioned one once it is back: pre-vote and check-quorum).
     */
    Map<String, int[]> sparedLeader() {
        Map<String, int[]> out = new TreeMap<>();
        for (FaultWindow f : events.faults()) {
            if (ChaosEvents.sparesLeader(f)) {
                int[] n = out.computeIfAbsent(f.kind(), k -> new int[2]);
                n[0]++;
                if (events.leaderChangedAround(f, endT, DEPOSED_AFTER_S * 1_000_000_000L)) {
                    n[1]++;
                }
            }
        }
        return out;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("raftudp chaos check").append(title.isEmpty() ? "" : ": " + title).append('\n');
        sb.append(String.format(Locale.ROOT, "run: %.1f s, %d operations from %d history file(s)%n",
                rel(endT), ops.size(), histories.size()));
        sb.append("operations (ok / fail / unknown):\n");
        operationCounts().forEach((f, c) -> sb.append(String.format(Locale.ROOT, "  %-7s %6d / %6d / %6d%n", f,
                c.getOrDefault(Outcome.OK, 0), c.getOrDefault(Outcome.FAIL, 0), c.getOrDefault(Outcome.UNKNOWN, 0))));
        sb.append("faults (count, total s, longest unavailability):\n");
        if (events.faults().isEmpty()) {
            sb.append("  none\n");
        }
        faultTotals().forEach((kind, t) -> {
            Unavailability.Gap g = gaps.get(kind);
            sb.append(String.format(Locale.ROOT, "  %-20s %4d %8.1f s   %7.2f s from %.2f s to %.2f s%s%n", kind,
                    (int) t[0], t[1], g.seconds(), rel(g.fromT()), rel(g.toT()),
                    g.recovered() ? "" : " (no ok completion until the end)"));
        });
        sb.append("leader changes: ").append(events.leaderChanges()).append('\n');
        Map<String, int[]> spared = sparedLeader();
        if (!spared.isEmpty()) {
            sb.append("faults on a follower that still changed the leader (within ")
                    .append(DEPOSED_AFTER_S).append(" s of the window):");
            spared.forEach((kind, n) -> sb.append(' ').append(kind).append(' ').append(n[1]).append(" of ")
                    .append(n[0]).append(','));
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        for (NodeState n : nodes) {
            sb.append("state ").append(n.name()).append(": last index ").append(n.lastIndex()).append(", commit ")
                    .append(n.commitIndex()).append(", sha256 ").append(n.sha256()).append('\n');
        }
        sb.append("checks:\n");
        sb.append("  linearizability: ").append(linearizabilityLabel()).append(" (").append(linearizable.steps())
                .append(" steps)\n");
        sb.append("  list-append:     ").append(listAppend.isOk() ? "ok" : "violation").append(" (")
                .append(listAppend.keys()).append(" keys, ").append(listAppend.keysWithFinal())
                .append(" with a final read, ").append(listAppend.violations().size()).append(" violations)\n");
        sb.append("  state:           ").append(stateLabel()).append(" (").append(nodes.size()).append(" node(s))\n");
        if (linearizable.verdict() == CheckResult.Verdict.UNKNOWN) {
            sb.append("\n!!! WARNING: linearizability INCONCLUSIVE: the search budget ran out on key ")
                    .append(linearizable.key()).append(" !!!\n").append(linearizable.explanation()).append('\n');
        }
        for (String w : warnings) {
            sb.append("warning: ").append(w).append('\n');
        }
        List<String> violations = violations();
        for (String v : violations.subList(0, Math.min(violations.size(), VIOLATIONS_PRINTED_MAX))) {
            sb.append("VIOLATION ").append(v).append('\n');
        }
        if (violations.size() > VIOLATIONS_PRINTED_MAX) {
            sb.append("... and ").append(violations.size() - VIOLATIONS_PRINTED_MAX).append(" more violations\n");
        }
        if (!passed()) {
            sb.append("histories: ").append(histories).append("\nevents: ").append(eventsFile)
                    .append("\ntitle: ").append(title).append('\n').append("to rerun: ").append(rerunCommand()).append('\n');
        }
        sb.append("verdict: ").append(verdict()).append('\n');
        return sb.toString();
    }

    /** The command line that checks the same inputs again. */
    String rerunCommand() {
        StringBuilder sb = new StringBuilder("java -Djava.awt.headless=true -cp target/classes:target/test-classes:"
                + "$(cat target/sim.classpath) " + ChaosCheck.class.getName());
        histories.forEach(h -> sb.append(" --history ").append(shellQuote(h.toString())));
        sb.append(" --events ").append(shellQuote(eventsFile.toString()));
        stateDirs.forEach((name, dir) -> sb.append(" --state ").append(shellQuote(name + "=" + dir)));
        sb.append(" --out DIR --title ").append(shellQuote(title));
        return sb.toString();
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The content of summary.json. */
    public String json() {
        JsonWriter w = new JsonWriter();
        w.begin();
        w.field("title", title);
        w.field("verdict", verdict());
        w.key("histories").beginArray();
        histories.forEach(h -> w.value(h.toString()));
        w.endArray();
        w.field("events", eventsFile.toString());
        w.field("origin_t", originT);
        w.field("duration_s", rel(endT));
        w.key("operations").begin();
        operationCounts().forEach((f, c) -> {
            w.key(f).begin();
            for (Outcome o : Outcome.values()) {
                w.field(o.label(), c.getOrDefault(o, 0));
            }
            w.end();
        });
        w.end();
        w.key("faults").begin();
        faultTotals().forEach((kind, t) -> {
            Unavailability.Gap g = gaps.get(kind);
            w.key(kind).begin().field("count", (long) t[0]).field("total_s", t[1]);
            w.key("longest_unavailability").begin().field("seconds", g.seconds()).field("from_s", rel(g.fromT()))
                    .field("to_s", rel(g.toT())).field("window_id", g.window().id())
                    .field("window_detail", g.window().detail()).field("recovered", g.recovered()).end();
            w.end();
        });
        w.end();
        w.field("leader_changes", events.leaderChanges());
        w.key("follower_faults_changing_leader").begin();
        sparedLeader().forEach((kind, n) -> w.key(kind).begin().field("windows", (long) n[0])
                .field("leader_changed", (long) n[1]).end());
        w.end();
        w.key("checks").begin();
        w.key("linearizability").begin().field("result", linearizabilityLabel())
                .field("key", linearizable.key()).field("steps", linearizable.steps()).end();
        w.key("list_append").begin().field("result", listAppend.isOk() ? "ok" : "violation")
                .field("keys", listAppend.keys()).field("keys_with_final_read", listAppend.keysWithFinal())
                .field("violations", listAppend.violations().size()).end();
        w.key("state").begin().field("result", stateLabel()).key("nodes").beginArray();
        for (NodeState n : nodes) {
            w.begin().field("name", n.name()).field("dir", n.dir().toString()).field("last_index", n.lastIndex())
                    .field("commit_index", n.commitIndex()).field("sha256", n.sha256()).end();
        }
        w.endArray().end();
        w.end();
        List<String> violations = violations();
        w.field("violation_count", violations.size());
        w.key("violations").beginArray();
        violations.subList(0, Math.min(violations.size(), VIOLATIONS_IN_JSON_MAX)).forEach(w::value);
        w.endArray();
        w.key("warnings").beginArray();
        warnings.forEach(w::value);
        w.endArray();
        w.end();
        return w.toString();
    }

    /** Writes JSON by hand: objects, arrays, strings, numbers, booleans, null; commas placed automatically. */
    static final class JsonWriter {
        private final StringBuilder sb = new StringBuilder();
        private boolean needComma;
        private boolean afterKey;
        private int depth;

        JsonWriter begin() {
            separate();
            sb.append('{');
            return open();
        }

        JsonWriter end() {
            return close('}');
        }

        JsonWriter beginArray() {
            separate();
            sb.append('[');
            return open();
        }

        JsonWriter endArray() {
            return close(']');
        }

        JsonWriter key(String name) {
            separate();
            sb.append(FlatJson.quote(name)).append(": ");
            afterKey = true;
            return this;
        }

        JsonWriter value(Object v) {
            separate();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String s) {
                sb.append(FlatJson.quote(s));
            } else if (v instanceof Double d) {
                sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                throw new IllegalArgumentException("not a JSON value: " + v);
            }
            needComma = true;
            return this;
        }

        JsonWriter field(String name, Object v) {
            return key(name).value(v);
        }

        private JsonWriter open() {
            depth++;
            needComma = false;
            return this;
        }

        private JsonWriter close(char c) {
            depth--;
            sb.append('\n').append("  ".repeat(depth)).append(c);
            needComma = true;
            return this;
        }

        private void separate() {
            if (afterKey) {
                afterKey = false;
                return;
            }
            if (needComma) {
                sb.append(',');
            }
            if (depth > 0) {
                sb.append('\n').append("  ".repeat(depth));
            }
        }

        @Override
        public String toString() {
            return sb + "\n";
        }
    }
}
