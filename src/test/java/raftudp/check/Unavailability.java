package raftudp.check;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raftudp.check.ChaosEvents.FaultWindow;

/**
 * How long the cluster served nobody around each kind of fault.
 *
 * <p>A <em>gap</em> is an interval with no ok completion of any operation: between two
 * consecutive ok completions, from the start of the run to the first, or from the last to
 * the end of the run. The unavailability of a fault window is the longest gap that overlaps
 * it (closed intervals); as a gap runs to the next ok completion, it includes the time until
 * the first ok completion after the window ended. The unavailability of a kind is the largest
 * over its windows. Pure.
 */
public final class Unavailability {

    /**
     * The longest gap found for a kind.
     *
     * @param kind      the fault kind
     * @param fromT     the gap's start: an ok completion, or the run start
     * @param toT       the gap's end: the next ok completion, or the run end
     * @param window    the window it overlaps
     * @param recovered false when no ok completion came after the gap (it runs to the end)
     */
    public record Gap(String kind, long fromT, long toT, FaultWindow window, boolean recovered) {
        public double seconds() {
            return (toT - fromT) / 1e9;
        }
    }

    private Unavailability() {
    }

    /**
     * The longest gap per fault kind, in kind order.
     *
     * @param okCompletionT the completion times of ok operations, any order
     * @param runStartT     the start of the run
     * @param runEndT       the end of the run (also closes open windows)
     */
    public static Map<String, Gap> longestPerKind(long[] okCompletionT, List<FaultWindow> windows,
                                                  long runStartT, long runEndT) {
        long[] ok = okCompletionT.clone();
        Arrays.sort(ok);
        Map<String, Gap> out = new TreeMap<>();
        for (FaultWindow w : windows) {
            Gap g = longestAround(ok, w, runStartT, runEndT);
            Gap best = out.get(w.kind());
            if (best == null || g.toT() - g.fromT() > best.toT() - best.fromT()) {
                out.put(w.kind(), g);
            }
        }
        return out;
    }

    /** The longest gap overlapping {@code w}; {@code ok} sorted ascending. */
    static Gap longestAround(long[] ok, FaultWindow w, long runStartT, long runEndT) {
        long s = w.startT();
        long e = w.endOr(runEndT);
        // the gap holding s starts at the last completion <= s (or the run start)
        int i = lastAtOrBefore(ok, s);
        long from = i < 0 ? Math.min(runStartT, s) : ok[i];
        Gap best = null;
        for (int k = i + 1; ; k++) {
            boolean last = k >= ok.length;
            long to = last ? Math.max(runEndT, e) : ok[k];
            if (best == null || to - from > best.toT() - best.fromT()) {
                best = new Gap(w.kind(), from, to, w, !last);
            }
            if (last || to >= e) {
                return best;
            }
            from = to;
        }
    }

    private static int lastAtOrBefore(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= t) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
