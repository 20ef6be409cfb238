package raftudp.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * The Wing–Gong search, with Lowe's memoisation, over the operations on one key.
 *
 * <p>The call and return events are kept in time order in a doubly linked list. Walking it
 * from the front, a call may be linearized next when the model accepts its output; it and
 * its return are then unlinked and the walk restarts. Meeting a return means the operation
 * it ends has not been linearized although its deadline passed: undo the last choice
 * (relinking its events) and try the call after it. A configuration — the set of operations
 * linearized (a {@link BitSet}) and the model state — is explored at most once, since the
 * way it was reached does not change what can follow.
 *
 * <p>Unknown operations have no return event (their return is at +infinity). They may be
 * linearized at any point after their call; the search succeeds as soon as every known
 * operation is linearized, so an unknown operation never linearized simply did not take
 * effect. At equal times calls are ordered before returns: operations that touch in time
 * count as concurrent.
 *
 * <p>Single use, not thread-safe.
 */
final class KeySearch {

    /** How a search ended. */
    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXHAUSTED }

    private static final int HEAD = 0;

    private final List<Operation> ops;
    private final long stepBudget;
    private final int tail;
    private final int[] next;
    private final int[] prev;
    private final int[] opOfNode;
    private final boolean[] isCall;
    private final int[] callNode;
    private final int[] returnNode;
    private final int knownCount;

    private long steps;
    private int[] bestPrefix = new int[0];
    private Value bestState;

    /**
     * @param ops        the operations on one key, in any order; unknown reads are useless to
     *                   the search and may be left out by the caller
     * @param stepBudget model steps allowed before giving up
     */
    KeySearch(List<Operation> ops, long stepBudget) {
        this.ops = List.copyOf(ops);
        this.stepBudget = stepBudget;
        int n = this.ops.size();
        callNode = new int[n];
        returnNode = new int[n];
        Arrays.fill(returnNode, -1);
        long[][] events = sortedEvents(this.ops);
        int nodes = events.length + 2;
        tail = nodes - 1;
        next = new int[nodes];
        prev = new int[nodes];
        opOfNode = new int[nodes];
        isCall = new boolean[nodes];
        int known = 0;
        for (int i = 0; i < events.length; i++) {
            int node = i + 1;
            int op = (int) events[i][2];
            opOfNode[node] = op;
            isCall[node] = events[i][1] == 0;
            if (isCall[node]) {
                callNode[op] = node;
            } else {
                returnNode[op] = node;
                known++;
            }
        }
        knownCount = known;
        for (int node = 0; node < nodes; node++) {
            next[node] = node + 1 < nodes ? node + 1 : -1;
            prev[node] = node - 1;
        }
    }

    /** Events as {time, kind (0 call, 1 return), op}, sorted: time, then calls first, then op. */
    private static long[][] sortedEvents(List<Operation> ops) {
        List<long[]> events = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            events.add(new long[] {op.callTime(), 0, i});
            if (!op.isUnknown()) {
                events.add(new long[] {op.returnTime(), 1, i});
            }
        }
        events.sort((a, b) -> {
            int c = Long.compare(a[0], b[0]);
            if (c == 0) {
                c = Long.compare(a[1], b[1]);
            }
            return c != 0 ? c : Long.compare(a[2], b[2]);
        });
        return events.toArray(new long[0][]);
    }

    /** Runs the search once. The key starts absent. */
    Outcome run() {
        int n = ops.size();
        int[] stackOp = new int[n];
        Value[] stackState = new Value[n];
        int depth = 0;
        int knownDone = 0;
        Value state = null;
        BitSet linearized = new BitSet(n);
        Set<Memo> seen = new HashSet<>();
        int node = next[HEAD];
        while (knownDone < knownCount) {
            if (node == tail) {
                throw new IllegalStateException("walked past every return with known ops pending");
            }
            if (isCall[node]) {
                if (steps == stepBudget) {
                    return Outcome.BUDGET_EXHAUSTED;
                }
                steps++;
                int op = opOfNode[node];
                KvModel.Step s = KvModel.step(state, input(op), output(op));
                if (s.legal() && tryMark(seen, linearized, op, s.next())) {
                    stackOp[depth] = op;
                    stackState[depth] = state;
                    depth++;
                    state = s.next();
                    knownDone += returnNode[op] >= 0 ? 1 : 0;
                    lift(op);
                    if (depth > bestPrefix.length) {
                        bestPrefix = Arrays.copyOf(stackOp, depth);
                        bestState = state;
                    }
                    node = next[HEAD];
                } else {
                    node = next[node];
                }
            } else {
                if (depth == 0) {
                    return Outcome.NOT_LINEARIZABLE;
                }
                depth--;
                int op = stackOp[depth];
                state = stackState[depth];
                linearized.clear(op);
                knownDone -= returnNode[op] >= 0 ? 1 : 0;
                unlift(op);
                node = next[callNode[op]];
            }
        }
        return Outcome.LINEARIZABLE;
    }

    /** Sets {@code op} in {@code linearized}; true if that configuration is new, else undoes. */
    private static boolean tryMark(Set<Memo> seen, BitSet linearized, int op, Value state) {
        linearized.set(op);
        if (seen.contains(new Memo(linearized, state))) {
            linearized.clear(op);
            return false;
        }
        seen.add(new Memo((BitSet) linearized.clone(), state));
        return true;
    }

    private Command input(int op) {
        return ops.get(op).input();
    }

    private Result output(int op) {
        Operation o = ops.get(op);
        return o.isUnknown() ? null : o.output();
    }

    /** Unlinks the call of {@code op} and its return, if any. */
    private void lift(int op) {
        unlink(callNode[op]);
        if (returnNode[op] >= 0) {
            unlink(returnNode[op]);
        }
    }

    /** Relinks what {@link #lift} unlinked, in reverse order. */
    private void unlift(int op) {
        if (returnNode[op] >= 0) {
            relink(returnNode[op]);
        }
        relink(callNode[op]);
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private void relink(int node) {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    /** Model steps taken so far. */
    long steps() {
        return steps;
    }

    /** The longest linearizable prefix met, in order. */
    List<Operation> longestPrefix() {
        List<Operation> out = new ArrayList<>(bestPrefix.length);
        for (int op : bestPrefix) {
            out.add(ops.get(op));
        }
        return out;
    }

    /** The key's value after {@link #longestPrefix()}; {@code null} when absent. */
    Value stateAfterLongestPrefix() {
        return bestState;
    }

    /**
     * The operations that could be linearized right after {@link #longestPrefix()}: not in it,
     * and called before the earliest return among the known operations not in it.
     */
    List<Operation> candidatesAfterLongestPrefix() {
        BitSet done = new BitSet(ops.size());
        for (int op : bestPrefix) {
            done.set(op);
        }
        List<Operation> out = new ArrayList<>();
        for (int node = HEAD + 1; node < tail; node++) { // node numbers follow time order
            int op = opOfNode[node];
            if (done.get(op)) {
                continue;
            }
            if (!isCall[node]) {
                break;
            }
            out.add(ops.get(op));
        }
        return out;
    }

    /** A configuration of the search. The bit set must not change while held in a set. */
    private record Memo(BitSet linearized, Value state) {
    }
}
