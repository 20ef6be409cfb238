package raftudp.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import raftudp.kv.Command;
import raftudp.kv.Value;

/**
 * Checks client histories of the key-value store for linearizability.
 *
 * <p>Every command addresses one key and keys are independent, so a history is linearizable
 * iff each key's sub-history is (linearizability is compositional). Each key is checked with
 * the Wing–Gong backtracking search, memoised as in Lowe's variant and pruned by exact rules
 * (see {@link KeySearch}); keys are checked in sorted order and the first violation ends the
 * check. The verdict is exact: OK iff some linearization exists, VIOLATION iff none does,
 * UNKNOWN only when the step budget ran out first.
 *
 * <p>Assumptions: every key starts absent; an operation precedes another in real time only
 * when it returned strictly before the other was called (equal times count as concurrent).
 * Unknown operations ({@link Operation#isUnknown()}) take effect at most once, at any point
 * after their call (their return counts as +infinity), or not at all; any output of theirs
 * is ignored. Unknown reads are left out: they change nothing and tell nothing.
 *
 * <p>Deterministic, stateless and thread-safe: each call works on its own data.
 */
public final class Linearizability {

    /**
     * Default search budget per key, in model steps. A typical simulator history of a few
     * hundred operations on a key takes a few thousand steps, a violating one up to a few
     * hundred thousand. A step costs a few microseconds and, when the search keeps failing,
     * under 200 bytes of memo: this bounds a pathological key at a few seconds and ~200 MB.
     */
    public static final long STEP_BUDGET_DEFAULT = 1_000_000;

    /** Prefix operations shown in an explanation; older ones are summarised. */
    private static final int PREFIX_SHOWN_MAX = 20;

    /** Candidate operations shown in an explanation; the rest are counted. */
    private static final int BLOCKED_SHOWN_MAX = 12;

    private Linearizability() {
    }

    /** {@link #check(List, long)} with {@link #STEP_BUDGET_DEFAULT}. */
    public static CheckResult check(List<Operation> history) {
        return check(history, STEP_BUDGET_DEFAULT);
    }

    /**
     * Decides whether {@code history} is linearizable with respect to {@link KvModel}.
     *
     * @param history       the operations, in any order
     * @param stepBudgetPerKey model steps allowed for each key before its verdict is UNKNOWN
     * @return OK; VIOLATION with the first key (in sorted order) that has no linearization;
     *         or, when no key is violated, UNKNOWN with the first key whose budget ran out
     */
    public static CheckResult check(List<Operation> history, long stepBudgetPerKey) {
        Objects.requireNonNull(history, "history");
        if (stepBudgetPerKey <= 0) {
            throw new IllegalArgumentException("stepBudgetPerKey must be positive: " + stepBudgetPerKey);
        }
        long steps = 0;
        CheckResult firstUnknown = null;
        for (Map.Entry<String, List<Operation>> e : partitionByKey(history).entrySet()) {
            KeySearch search = new KeySearch(e.getValue(), stepBudgetPerKey);
            KeySearch.Outcome outcome = search.run();
            steps += search.steps();
            if (outcome == KeySearch.Outcome.NOT_LINEARIZABLE) {
                return violation(e.getKey(), e.getValue(), search, steps);
            }
            if (outcome == KeySearch.Outcome.BUDGET_EXHAUSTED && firstUnknown == null) {
                firstUnknown = unknown(e.getKey(), e.getValue(), search, stepBudgetPerKey);
            }
        }
        if (firstUnknown != null) {
            return new CheckResult(CheckResult.Verdict.UNKNOWN, firstUnknown.key(),
                    firstUnknown.explanation(), firstUnknown.longestPrefix(), List.of(), steps);
        }
        return CheckResult.ok(steps);
    }

    /**
     * Splits {@code history} by key, in key order, leaving out unknown reads: a get whose
     * answer is unknown has no effect and tells nothing.
     */
    static Map<String, List<Operation>> partitionByKey(List<Operation> history) {
        Map<String, List<Operation>> byKey = new TreeMap<>();
        for (Operation op : history) {
            Objects.requireNonNull(op, "operation");
            if (op.isUnknown() && op.input() instanceof Command.Get) {
                continue;
            }
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        return byKey;
    }

    private static CheckResult violation(String key, List<Operation> ops, KeySearch search, long steps) {
        List<Operation> prefix = search.longestPrefix();
        List<Operation> blocked = search.candidatesAfterLongestPrefix();
        Value state = search.stateAfterLongestPrefix();
        StringBuilder sb = new StringBuilder();
        sb.append("key ").append(key).append(": no linearization of its ").append(ops.size())
                .append(" operations exists.\n");
        appendPrefix(sb, prefix, ops.size(), state);
        sb.append("None of the ").append(blocked.size())
                .append(" operations that could come next leads to a linearization:\n");
        for (Operation op : blocked.subList(0, Math.min(blocked.size(), BLOCKED_SHOWN_MAX))) {
            sb.append("  ").append(op).append("   ").append(whyNotNext(op, state)).append('\n');
        }
        if (blocked.size() > BLOCKED_SHOWN_MAX) {
            sb.append("  ... and ").append(blocked.size() - BLOCKED_SHOWN_MAX).append(" more\n");
        }
        return new CheckResult(CheckResult.Verdict.VIOLATION, key, sb.toString(), prefix, blocked, steps);
    }

    private static String whyNotNext(Operation op, Value state) {
        if (op.isUnknown()) {
            return "outcome unknown: may take effect here, but nothing then fits";
        }
        KvModel.Step s = KvModel.step(state, op.input(), op.output());
        return s.legal()
                ? "legal here, but nothing then fits"
                : "expected " + Operation.formatResult(s.expected());
    }

    private static CheckResult unknown(String key, List<Operation> ops, KeySearch search, long budget) {
        List<Operation> prefix = search.longestPrefix();
        StringBuilder sb = new StringBuilder();
        sb.append("key ").append(key).append(": search budget of ").append(budget)
                .append(" steps exhausted over ").append(ops.size()).append(" operations.\n");
        appendPrefix(sb, prefix, ops.size(), search.stateAfterLongestPrefix());
        return new CheckResult(CheckResult.Verdict.UNKNOWN, key, sb.toString(), prefix, List.of(),
                search.steps());
    }

    private static void appendPrefix(StringBuilder sb, List<Operation> prefix, int total, Value state) {
        sb.append("Longest linearizable prefix: ").append(prefix.size()).append(" of ").append(total)
                .append(" operations, leaving the key ")
                .append(state == null ? "absent" : "= " + state).append(":\n");
        int from = Math.max(0, prefix.size() - PREFIX_SHOWN_MAX);
        if (from > 0) {
            sb.append("  ... ").append(from).append(" earlier operations\n");
        }
        for (int i = from; i < prefix.size(); i++) {
            sb.append("  ").append(i + 1).append(". ").append(prefix.get(i)).append('\n');
        }
    }
}
