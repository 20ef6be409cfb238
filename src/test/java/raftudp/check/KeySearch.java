package raftudp.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * The Wing–Gong search, with Lowe's memoisation, over the operations on one key.
 *
 * <p>At each configuration the candidates to linearize next are the operations called before
 * the earliest pending return ({@link EventLists}). Linearizing one unlinks its events and
 * starts over at the new configuration; when every candidate has been tried, the last choice
 * is undone and the walk resumes after it. Configurations that failed are remembered and not
 * explored again.
 *
 * <p>Unknown operations have no return (it is at +infinity) and are tried after the known
 * candidates. The search succeeds once every known operation is linearized: an unknown one
 * left out did not take effect. Any linearization stays one when unknown operations are
 * dropped from it wherever the state after them is the same without them, so the search
 * looks only for linearizations in which an unknown operation
 * <ul>
 *   <li>changes the state, and</li>
 *   <li>is not a put or delete (which overwrite the state whole) right after another
 *       unknown operation.</li>
 * </ul>
 * Failure is monotone in the unknown operations linearized: if (known set K, unknown set U,
 * state s) failed, so does (K, U', s) for U' ⊇ U, since a continuation from the latter is one
 * from the former that leaves U' \ U out; the memo prunes those too. Configurations reached by
 * an unknown operation have fewer continuations (the second rule) and are remembered apart.
 *
 * <p>A configuration is abandoned at once when {@link Reach} shows that the operation with the
 * earliest pending return cannot be made legal by any of the operations allowed before it, or,
 * right after an unknown operation, that no known candidate can be made legal by the unknown
 * appends and cas allowed to follow it.
 *
 * <p>Single use, not thread-safe.
 */
final class KeySearch {

    /** How a search ended. */
    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXHAUSTED }

    private final List<Operation> ops;
    private final long stepBudget;
    private final EventLists lists;
    private final int knownCount;
    /** Per op: its index among the known ops, or among the unknown ops. */
    private final int[] ordinal;
    private final boolean[] known;

    /**
     * Failed configurations less their unknown sets, to the minimal unknown sets that failed:
     * a {@link BitSet}, or a {@code List<BitSet>} when there are several.
     */
    private final Map<Config, Object> failed = new HashMap<>();
    /** The known set last stored in {@link #failed}, shared by the entries that equal it. */
    private BitSet lastKnownCopy;
    private final BitSet knownDone = new BitSet();
    private final BitSet unknownDone = new BitSet();
    private int knownDoneCount;

    private final int[] stackOp;
    private final Value[] stackState;
    private int depth;
    /** The key's value in the current configuration. */
    private Value state;
    /** Where the walk is: a node of the known list, or of the unknown list when firstReturn >= 0. */
    private int node;
    /** While walking the unknown calls: the earliest pending return, which bounds them. */
    private int firstReturn;

    private long steps;
    private int[] bestPrefix = new int[0];
    private int bestKnown = -1;
    private Value bestState;

    /**
     * @param ops        the operations on one key, in any order
     * @param stepBudget model steps allowed before giving up
     */
    KeySearch(List<Operation> ops, long stepBudget) {
        this.ops = List.copyOf(ops);
        this.stepBudget = stepBudget;
        this.lists = new EventLists(this.ops);
        int n = this.ops.size();
        ordinal = new int[n];
        known = new boolean[n];
        int knownOps = 0;
        for (int i = 0; i < n; i++) {
            known[i] = !this.ops.get(i).isUnknown();
            ordinal[i] = known[i] ? knownOps++ : i - knownOps;
        }
        knownCount = knownOps;
        stackOp = new int[n];
        stackState = new Value[n];
    }

    /** Runs the search once. The key starts absent. */
    Outcome run() {
        if (knownCount > 0 && hopeless()) {
            return Outcome.NOT_LINEARIZABLE;
        }
        node = lists.next[lists.head];
        firstReturn = -1;
        while (knownDoneCount < knownCount) {
            boolean candidate;
            if (firstReturn < 0) {
                if (node == lists.tail) {
                    throw new IllegalStateException("walked past every return with known ops pending");
                }
                candidate = lists.isCall[node];
                if (!candidate) { // the known candidates are done: now the unknown ones
                    firstReturn = node;
                    node = lists.next[lists.unknownHead];
                    continue;
                }
            } else {
                candidate = node != lists.unknownTail && node < firstReturn;
            }
            if (!candidate) {
                if (!backtrack()) {
                    return Outcome.NOT_LINEARIZABLE;
                }
                continue;
            }
            if (steps == stepBudget) {
                return Outcome.BUDGET_EXHAUSTED;
            }
            steps++;
            tryCandidate(lists.opOfNode[node]);
        }
        return Outcome.LINEARIZABLE;
    }

    /** Linearizes {@code op} next if allowed, else moves the walk on. */
    private void tryCandidate(int op) {
        boolean afterUnknown = depth > 0 && !known[stackOp[depth - 1]];
        if (!known[op] && afterUnknown && overwrites(ops.get(op).input())) {
            node = lists.next[node];
            return;
        }
        KvModel.Step s = KvModel.step(state, ops.get(op).input(), output(op));
        boolean useful = known[op] || !Objects.equals(s.next(), state);
        if (s.legal() && useful && enter(op, s.next())) {
            push(op, s.next());
            if (knownDoneCount < knownCount && hopeless()) {
                backtrack();
            }
        } else {
            node = lists.next[node];
        }
    }

    /** True for commands whose next state does not depend on the current one. */
    private static boolean overwrites(Command c) {
        return c instanceof Command.Put || c instanceof Command.Delete;
    }

    /** Linearizes {@code op} (already marked done), moving to {@code nextState}. */
    private void push(int op, Value nextState) {
        stackOp[depth] = op;
        stackState[depth] = state;
        depth++;
        state = nextState;
        knownDoneCount += known[op] ? 1 : 0;
        lists.lift(op);
        noteProgress();
        node = lists.next[lists.head];
        firstReturn = -1;
    }

    /**
     * Records that the current configuration failed and undoes the last choice, resuming the
     * walk after it. False when there is none to undo.
     */
    private boolean backtrack() {
        if (depth == 0) {
            return false;
        }
        recordFailure();
        depth--;
        int op = stackOp[depth];
        state = stackState[depth];
        done(op).clear(ordinal[op]);
        knownDoneCount -= known[op] ? 1 : 0;
        lists.unlift(op);
        node = lists.next[lists.callNode[op]];
        firstReturn = known[op] ? -1 : lists.firstReturn();
        return true;
    }

    /** True when the current configuration cannot lead to a linearization (see class doc). */
    private boolean hopeless() {
        int deadline = lists.firstReturn();
        Operation due = ops.get(lists.opOfNode[deadline]);
        if (!KvModel.step(state, due.input(), due.output()).legal()) {
            List<Operation> allowed = new ArrayList<>();
            for (int n = lists.next[lists.head]; n != deadline; n = lists.next[n]) {
                if (lists.opOfNode[n] != lists.opOfNode[deadline]) {
                    allowed.add(ops.get(lists.opOfNode[n]));
                }
            }
            allowed.addAll(unknownCandidates(deadline, false));
            if (!Reach.of(allowed).canReach(Reach.need(due.input(), due.output()), state)) {
                return true;
            }
        }
        return depth > 0 && !known[stackOp[depth - 1]] && chainHopeless(deadline);
    }

    /**
     * After an unknown operation, the next known one must be a current candidate, and only
     * unknown operations that do not overwrite may come between: true if none can be legal.
     */
    private boolean chainHopeless(int deadline) {
        Reach chain = null;
        for (int n = lists.next[lists.head]; n != deadline; n = lists.next[n]) {
            Operation x = ops.get(lists.opOfNode[n]);
            if (KvModel.step(state, x.input(), x.output()).legal()) {
                return false;
            }
            if (chain == null) {
                chain = Reach.of(unknownCandidates(deadline, true));
            }
            if (chain.canReach(Reach.need(x.input(), x.output()), state)) {
                return false;
            }
        }
        return true;
    }

    /** The unknown operations not linearized and called before {@code deadline}. */
    private List<Operation> unknownCandidates(int deadline, boolean nonOverwritingOnly) {
        List<Operation> out = new ArrayList<>();
        int n = lists.next[lists.unknownHead];
        for (; n != lists.unknownTail && n < deadline; n = lists.next[n]) {
            Operation op = ops.get(lists.opOfNode[n]);
            if (!nonOverwritingOnly || !overwrites(op.input())) {
                out.add(op);
            }
        }
        return out;
    }

    private BitSet done(int op) {
        return known[op] ? knownDone : unknownDone;
    }

    private Result output(int op) {
        Operation o = ops.get(op);
        return o.isUnknown() ? null : o.output();
    }

    /** Marks {@code op} linearized, unless the configuration it leads to is known to fail. */
    private boolean enter(int op, Value nextState) {
        done(op).set(ordinal[op]);
        boolean afterUnknown = !known[op];
        if (failedBefore(new Config(knownDone, nextState, false))
                || (afterUnknown && failedBefore(new Config(knownDone, nextState, true)))) {
            done(op).clear(ordinal[op]);
            return false;
        }
        return true;
    }

    /** Whether {@code c} with a subset of the current unknown set failed. */
    private boolean failedBefore(Config c) {
        Object sets = failed.get(c);
        if (sets instanceof BitSet one) {
            return isSubset(one, unknownDone);
        }
        if (sets != null) {
            for (BitSet u : asList(sets)) {
                if (isSubset(u, unknownDone)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Remembers that the current configuration failed, keeping only minimal unknown sets.
     * Memory matters here (a failing search remembers every configuration), so a lone
     * unknown set is stored bare and equal known sets are shared.
     */
    private void recordFailure() {
        boolean afterUnknown = depth > 0 && !known[stackOp[depth - 1]];
        if (lastKnownCopy == null || !lastKnownCopy.equals(knownDone)) {
            lastKnownCopy = (BitSet) knownDone.clone();
        }
        Config c = new Config(lastKnownCopy, state, afterUnknown);
        BitSet mine = (BitSet) unknownDone.clone();
        Object sets = failed.get(c);
        if (sets == null || (sets instanceof BitSet one && isSubset(mine, one))) {
            failed.put(c, mine);
            return;
        }
        List<BitSet> list = new ArrayList<>(asList(sets));
        list.removeIf(u -> isSubset(mine, u));
        list.add(mine);
        failed.put(c, list);
    }

    /** A memo value as a list: either a lone {@link BitSet} or a list of them. */
    @SuppressWarnings("unchecked")
    private static List<BitSet> asList(Object sets) {
        return sets instanceof BitSet one ? List.of(one) : (List<BitSet>) sets;
    }

    private static boolean isSubset(BitSet a, BitSet b) {
        for (int i = a.nextSetBit(0); i >= 0; i = a.nextSetBit(i + 1)) {
            if (!b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void noteProgress() {
        if (knownDoneCount > bestKnown || (knownDoneCount == bestKnown && depth > bestPrefix.length)) {
            bestKnown = knownDoneCount;
            bestPrefix = Arrays.copyOf(stackOp, depth);
            bestState = state;
        }
    }

    /** Model steps taken so far. */
    long steps() {
        return steps;
    }

    /** The longest linearizable prefix met (most known operations, then most in all), in order. */
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
        BitSet inPrefix = new BitSet(ops.size());
        for (int op : bestPrefix) {
            inPrefix.set(op);
        }
        List<Operation> out = new ArrayList<>();
        for (int n = 0; n < lists.events(); n++) { // node numbers follow time order
            int op = lists.opOfNode[n];
            if (inPrefix.get(op)) {
                continue;
            }
            if (!lists.isCall[n]) {
                break;
            }
            out.add(ops.get(op));
        }
        return out;
    }

    /**
     * A configuration less its unknown set. Holds the search's live bit set when used for a
     * lookup, a private copy when stored.
     *
     * @param afterUnknown whether it was reached by an unknown operation
     */
    private record Config(BitSet knownDone, Value state, boolean afterUnknown) {
    }
}
