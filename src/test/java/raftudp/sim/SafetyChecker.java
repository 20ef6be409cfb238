package raftudp.sim;

import raftudp.core.Entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * Raft's safety properties (paper Figure 3), checked on plain data so that tests can feed
 * it hand-made bad histories. Each check records the first violation it sees; none throws.
 *
 * <ul>
 *   <li>Election Safety: at most one leader per term.</li>
 *   <li>Log Matching: two logs with an entry of the same index and term are identical up
 *       to that index.</li>
 *   <li>Leader Completeness: a leader's log holds every entry committed before it.</li>
 *   <li>State Machine Safety: no two nodes apply different entries at the same index.</li>
 * </ul>
 */
public final class SafetyChecker {
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private final TreeMap<Long, Entry> applied = new TreeMap<>();
    private final Map<Integer, Long> lastApplied = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    /** A read-only view of one node's log for the checks. */
    public interface LogView {
        int node();

        /** First index whose entry is held (entries before are compacted). */
        long firstIndex();

        long lastIndex();

        /** The entry at {@code index}, firstIndex &lt;= index &lt;= lastIndex. */
        Entry entry(long index);
    }

    public List<String> violations() {
        return violations;
    }

    public boolean ok() {
        return violations.isEmpty();
    }

    private void fail(String what) {
        if (violations.size() < 20) {
            violations.add(what);
        }
    }

    /** Election Safety: {@code node} is leader in {@code term}. */
    public void leader(long term, int node) {
        Integer other = leaderOfTerm.putIfAbsent(term, node);
        if (other != null && other != node) {
            fail("election safety: nodes " + other + " and " + node + " both lead term " + term);
        }
    }

    /** State Machine Safety: {@code node} applied {@code e}; indexes must be applied in order. */
    public void applied(int node, Entry e) {
        Long prev = lastApplied.put(node, e.index());
        if (prev != null && e.index() != prev + 1) {
            fail("node " + node + " applied " + e.index() + " after " + prev + " (gap or repeat)");
        }
        Entry first = applied.putIfAbsent(e.index(), e);
        if (first != null && !first.equals(e)) {
            fail("state machine safety: index " + e.index() + " applied as " + first + " and as " + e
                    + " (node " + node + ")");
        }
    }

    /** The node restarted from a snapshot at {@code index}: it resumes applying after it. */
    public void restarted(int node, long snapshotIndex) {
        if (snapshotIndex > 0) {
            lastApplied.put(node, snapshotIndex);
        } else {
            lastApplied.remove(node);
        }
    }

    /** Highest index applied anywhere. */
    public long highestApplied() {
        return applied.isEmpty() ? 0 : applied.lastKey();
    }

    /** Leader Completeness: {@code leader} just won; its log must hold all applied entries. */
    public void leaderCompleteness(LogView leader) {
        for (Entry e : applied.values()) {
            long i = e.index();
            if (i < leader.firstIndex()) {
                continue; // covered by the leader's snapshot
            }
            if (i > leader.lastIndex()) {
                fail("leader completeness: new leader " + leader.node() + " lacks committed entry " + e
                        + " (its last index is " + leader.lastIndex() + ")");
                return;
            }
            Entry mine = leader.entry(i);
            if (!mine.equals(e)) {
                fail("leader completeness: new leader " + leader.node() + " holds " + mine
                        + " where " + e + " was committed");
                return;
            }
        }
    }

    /** Log Matching between every pair of logs. */
    public void logMatching(List<LogView> logs) {
        for (int a = 0; a < logs.size(); a++) {
            for (int b = a + 1; b < logs.size(); b++) {
                logMatching(logs.get(a), logs.get(b));
            }
        }
    }

    private void logMatching(LogView x, LogView y) {
        long lo = Math.max(x.firstIndex(), y.firstIndex());
        long hi = Math.min(x.lastIndex(), y.lastIndex());
        long lastSameTerm = -1;
        for (long i = hi; i >= lo; i--) {
            if (x.entry(i).term() == y.entry(i).term()) {
                lastSameTerm = i;
                break;
            }
        }
        for (long i = lo; i <= lastSameTerm; i++) {
            if (!x.entry(i).equals(y.entry(i))) {
                fail("log matching: nodes " + x.node() + " and " + y.node() + " agree at " + lastSameTerm
                        + " (term " + x.entry(lastSameTerm).term() + ") but differ at " + i + ": "
                        + x.entry(i) + " vs " + y.entry(i));
                return;
            }
        }
    }

    /** A log view over a list of entries starting at {@code firstIndex}. */
    public static LogView view(int node, long firstIndex, List<Entry> entries) {
        return view(node, firstIndex, firstIndex + entries.size() - 1, i -> entries.get((int) (i - firstIndex)));
    }

    public static LogView view(int node, long first, long last, LongFunction<Entry> at) {
        return new LogView() {
            @Override
            public int node() {
                return node;
            }

            @Override
            public long firstIndex() {
                return first;
            }

            @Override
            public long lastIndex() {
                return last;
            }

            @Override
            public Entry entry(long index) {
                return at.apply(index);
            }
        };
    }
}
