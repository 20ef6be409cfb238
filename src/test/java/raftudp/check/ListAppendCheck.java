package raftudp.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raftudp.check.ChaosHistory.ClientOp;
import raftudp.check.ChaosHistory.Outcome;

/**
 * Direct checks of a list-append history, key by key, against the key's final list F: the
 * longest final read of the key (reads made after the workload ended and the cluster healed).
 * Appended values are unique across the run, so each value names the append that wrote it.
 * <ul>
 *   <li>b1: no value occurs twice in F;</li>
 *   <li>b2: every ok append's value is in F, at position n-1 where n is the length it reported;</li>
 *   <li>b3: every value in F was written by an ok or unknown append of that key: not by a
 *       failed one, not by an append that answered wrong-type, and not invented;</li>
 *   <li>b4: real time: an ok append that completed before another ok append of the key was
 *       invoked reported a smaller length;</li>
 *   <li>b5: every ok get of the key returned a prefix of F.</li>
 * </ul>
 * A key without a final read gets b4 only. Stateless.
 */
public final class ListAppendCheck {

    /** One broken rule. */
    public record Violation(String check, String key, String message) {
        @Override
        public String toString() {
            return check + " key " + key + ": " + message;
        }
    }

    /**
     * @param violations   every broken rule, by key then check
     * @param keys         keys in the history
     * @param keysWithFinal keys that have a final read
     * @param finals       each key's final list F (keys with a final read only)
     */
    public record Report(List<Violation> violations, int keys, int keysWithFinal, Map<String, List<String>> finals) {
        public boolean isOk() {
            return violations.isEmpty();
        }
    }

    private ListAppendCheck() {
    }

    /** Checks every key of {@code ops}; times in messages are seconds after {@code originT}. */
    public static Report check(List<ClientOp> ops, long originT) {
        Map<String, List<ClientOp>> byKey = new TreeMap<>();
        Map<String, ClientOp> appendOf = new HashMap<>();
        for (ClientOp op : ops) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            if (op.isAppend()) {
                appendOf.put(op.value(), op);
            }
        }
        List<Violation> out = new ArrayList<>();
        Map<String, List<String>> finals = new TreeMap<>();
        for (Map.Entry<String, List<ClientOp>> e : byKey.entrySet()) {
            String key = e.getKey();
            List<ClientOp> keyOps = e.getValue();
            List<String> f = finalList(keyOps);
            if (f != null) {
                finals.put(key, f);
                checkUnique(key, f, out);
                checkOkAppendsInFinal(key, keyOps, f, originT, out);
                checkFinalValuesWritten(key, f, appendOf, originT, out);
            }
            checkRealTimeOrder(key, keyOps, originT, out);
            if (f != null) {
                checkReadsArePrefixes(key, keyOps, f, originT, out);
            }
        }
        return new Report(out, byKey.size(), finals.size(), finals);
    }

    /** The longest ok final read of the key (the first of that length), or null if none. */
    static List<String> finalList(List<ClientOp> keyOps) {
        List<String> best = null;
        for (ClientOp op : keyOps) {
            List<String> read = op.isFinal() ? op.readValues() : null;
            if (read != null && (best == null || read.size() > best.size())) {
                best = read;
            }
        }
        return best;
    }

    private static void checkUnique(String key, List<String> f, List<Violation> out) {
        Map<String, Integer> firstAt = new HashMap<>();
        for (int i = 0; i < f.size(); i++) {
            Integer earlier = firstAt.putIfAbsent(f.get(i), i);
            if (earlier != null) {
                out.add(new Violation("b1", key, "value " + FlatJson.quote(f.get(i)) + " occurs twice in the final list,"
                        + " at positions " + earlier + " and " + i + " (of " + f.size() + ")"));
            }
        }
    }

    private static void checkOkAppendsInFinal(String key, List<ClientOp> keyOps, List<String> f, long originT,
                                              List<Violation> out) {
        for (ClientOp op : keyOps) {
            long n = op.appendedLength();
            if (n < 0) {
                continue;
            }
            int at = f.indexOf(op.value());
            if (at < 0) {
                out.add(new Violation("b2", key, "acknowledged append lost: " + op.describe(originT)
                        + " is not in the final list of " + f.size() + " values"));
            } else if (at != n - 1) {
                out.add(new Violation("b2", key, op.describe(originT) + " reported length " + n
                        + " but its value is at position " + at + " of the final list (expected " + (n - 1) + ")"));
            }
        }
    }

    private static void checkFinalValuesWritten(String key, List<String> f, Map<String, ClientOp> appendOf,
                                                long originT, List<Violation> out) {
        for (int i = 0; i < f.size(); i++) {
            String v = f.get(i);
            ClientOp writer = appendOf.get(v);
            String where = "value " + FlatJson.quote(v) + " at position " + i + " of the final list";
            if (writer == null) {
                out.add(new Violation("b3", key, where + " was never appended by any client"));
            } else if (!writer.key().equals(key)) {
                out.add(new Violation("b3", key, where + " was appended to another key: " + writer.describe(originT)));
            } else if (writer.outcome() == Outcome.FAIL) {
                out.add(new Violation("b3", key, where + " was written by a failed append: " + writer.describe(originT)
                        + (writer.error() == null ? "" : " error " + FlatJson.quote(writer.error()))));
            } else if (writer.outcome() == Outcome.OK && writer.appendedLength() < 0) {
                out.add(new Violation("b3", key, where + " was written by an append that answered wrong-type: "
                        + writer.describe(originT)));
            }
        }
    }

    /**
     * b4 in O(n log n): appends sorted by completion; sweeping them by invoke time keeps the
     * ok append with the largest length among those completed strictly before the invoke.
     */
    private static void checkRealTimeOrder(String key, List<ClientOp> keyOps, long originT, List<Violation> out) {
        List<ClientOp> acked = new ArrayList<>();
        for (ClientOp op : keyOps) {
            if (op.appendedLength() >= 0) {
                acked.add(op);
            }
        }
        List<ClientOp> byComplete = new ArrayList<>(acked);
        byComplete.sort(Comparator.comparingLong(ClientOp::completeT));
        acked.sort(Comparator.comparingLong(ClientOp::invokeT));
        ClientOp longestDone = null;
        int next = 0;
        for (ClientOp b : acked) {
            while (next < byComplete.size() && byComplete.get(next).completeT() < b.invokeT()) {
                ClientOp a = byComplete.get(next++);
                if (longestDone == null || a.appendedLength() > longestDone.appendedLength()) {
                    longestDone = a;
                }
            }
            if (longestDone != null && longestDone.appendedLength() >= b.appendedLength()) {
                out.add(new Violation("b4", key, "real-time order broken: " + longestDone.describe(originT)
                        + " completed before " + b.describe(originT) + " was invoked, yet the later one reported"
                        + " a length not greater (" + b.appendedLength() + " <= " + longestDone.appendedLength() + ")"));
            }
        }
    }

    private static void checkReadsArePrefixes(String key, List<ClientOp> keyOps, List<String> f, long originT,
                                              List<Violation> out) {
        for (ClientOp op : keyOps) {
            List<String> read = op.readValues();
            if (read != null && !isPrefix(read, f)) {
                out.add(new Violation("b5", key, op.describe(originT) + " returned " + read.size()
                        + " values that are not a prefix of the final list " + abbreviate(f)
                        + firstDifference(read, f)));
            }
        }
    }

    static boolean isPrefix(List<String> read, List<String> f) {
        return read.size() <= f.size() && f.subList(0, read.size()).equals(read);
    }

    private static String firstDifference(List<String> read, List<String> f) {
        for (int i = 0; i < read.size(); i++) {
            if (i >= f.size()) {
                return "; it is longer (" + read.size() + " > " + f.size() + ")";
            }
            if (!read.get(i).equals(f.get(i))) {
                return "; first difference at position " + i + ": read " + FlatJson.quote(read.get(i))
                        + ", final " + FlatJson.quote(f.get(i));
            }
        }
        return "";
    }

    private static String abbreviate(List<String> values) {
        return values.size() <= 8 ? values.toString()
                : values.subList(0, 4) + "..." + values.subList(values.size() - 2, values.size())
                + " (" + values.size() + " values)";
    }
}
