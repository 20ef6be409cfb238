package raftudp.check;

import java.util.List;
import java.util.Objects;

/**
 * The verdict of {@link Linearizability#check} on a history.
 *
 * @param verdict       OK, VIOLATION or UNKNOWN (search budget exhausted)
 * @param key           the key whose partition gave the verdict; {@code null} when OK
 * @param explanation   a readable report: for a violation, the longest linearizable prefix
 *                      found and the operations none of which could come next; empty when OK
 * @param longestPrefix the longest linearizable prefix of the partition of {@code key}, in
 *                      linearization order; empty when OK
 * @param blocked       the operations that could have come after {@code longestPrefix} but
 *                      none of which leads to a linearization; empty unless VIOLATION
 * @param steps         search steps spent over all keys checked
 */
public record CheckResult(Verdict verdict, String key, String explanation,
                          List<Operation> longestPrefix, List<Operation> blocked, long steps) {

    /** Outcome of a check. */
    public enum Verdict {
        /** Every key's sub-history has a linearization. */
        OK,
        /** Some key's sub-history has none; {@link #key()} names it. */
        VIOLATION,
        /** The search budget ran out before a verdict on {@link #key()}. */
        UNKNOWN
    }

    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(explanation, "explanation");
        longestPrefix = List.copyOf(longestPrefix);
        blocked = List.copyOf(blocked);
    }

    static CheckResult ok(long steps) {
        return new CheckResult(Verdict.OK, null, "", List.of(), List.of(), steps);
    }

    /** True when the verdict is {@link Verdict#OK}. */
    public boolean isOk() {
        return verdict == Verdict.OK;
    }

    @Override
    public String toString() {
        return verdict + (key == null ? "" : " on key " + key) + " after " + steps + " steps"
                + (explanation.isEmpty() ? "" : "\n" + explanation);
    }
}
