package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import raftudp.check.CheckResult.Verdict;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * The checker against a brute-force oracle on small random histories with random answers,
 * many of them wrong: both must agree on every one. This holds the search's pruning to
 * being exact: it must neither accept a history no order explains nor reject one that some
 * order does. A failure prints its seed.
 */
class LinearizabilityOracleTest {

    private static final int HISTORIES = Integer.getInteger("check.oracle.histories", 6000);

    @Test
    void checkerAgreesWithExhaustiveSearch_onSmallRandomHistories() {
        int[] verdicts = new int[2];
        for (long seed = 1; seed <= HISTORIES; seed++) {
            Random rnd = new Random(seed);
            List<Operation> h = randomHistory(rnd, 1 + rnd.nextInt(7));
            boolean expected = Oracle.linearizable(h);
            CheckResult r = Linearizability.check(h);
            long s = seed;
            assertEquals(expected ? Verdict.OK : Verdict.VIOLATION, r.verdict(),
                    () -> "seed " + s + ": oracle says " + expected + " for " + h + "\n" + r);
            verdicts[expected ? 0 : 1]++;
        }
        // both kinds must be well represented, or the comparison proves little
        assertTrue(verdicts[0] > HISTORIES / 5 && verdicts[1] > HISTORIES / 5,
                "OK/VIOLATION = " + verdicts[0] + "/" + verdicts[1]);
    }

    /**
     * Operations on one key with tight, often tied times; answers come from a sequential run
     * in call order, and a third of them are then replaced by a random answer.
     */
    private static List<Operation> randomHistory(Random rnd, int count) {
        List<Operation> h = new ArrayList<>();
        Value state = null;
        for (int i = 0; i < count; i++) {
            long call = rnd.nextInt(8);
            long ret = call + 1 + rnd.nextInt(6);
            Command c = randomCommand(rnd);
            KvModel.Outcome o = KvModel.apply(state, c);
            state = o.next();
            Result out = rnd.nextInt(3) == 0 ? randomResult(rnd) : o.answer();
            int unknown = rnd.nextInt(10);
            if (unknown == 0) {
                h.add(Operation.pending(i, call, c));
            } else if (unknown == 1) {
                h.add(new Operation(i, call, ret, c, new Result.SessionExpired()));
            } else {
                h.add(new Operation(i, call, ret, c, out));
            }
        }
        return h;
    }

    private static Value small(Random rnd) {
        return Value.of(rnd.nextInt(3));
    }

    private static Value smallOrNull(Random rnd) {
        int i = rnd.nextInt(6);
        if (i == 0) {
            return null;
        }
        return i == 1 ? new Value.ListValue(List.of(small(rnd))) : small(rnd);
    }

    private static Command randomCommand(Random rnd) {
        switch (rnd.nextInt(5)) {
            case 0:
                return new Command.Put("k", small(rnd));
            case 1:
                return new Command.Get("k");
            case 2:
                return new Command.Delete("k");
            case 3:
                return new Command.Cas("k", rnd.nextBoolean() ? null : small(rnd), small(rnd));
            default:
                return new Command.Append("k", small(rnd));
        }
    }

    private static Result randomResult(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0:
                return new Result.Ok(smallOrNull(rnd));
            case 1: {
                Value v = smallOrNull(rnd);
                return v == null ? new Result.NotFound() : new Result.Found(v);
            }
            case 2:
                return new Result.CasFailed(smallOrNull(rnd));
            case 3:
                return new Result.Appended(1 + rnd.nextInt(3));
            case 4:
                return new Result.WrongType();
            default:
                return new Result.NotFound();
        }
    }

    /**
     * Linearizability by definition: tries every order of every subset of the operations that
     * includes all known ones, with no memo and no pruning beyond real time.
     */
    static final class Oracle {

        private Oracle() {
        }

        static boolean linearizable(List<Operation> h) {
            return extend(h, new boolean[h.size()], null);
        }

        private static boolean extend(List<Operation> h, boolean[] used, Value state) {
            boolean allKnownUsed = true;
            for (int i = 0; i < h.size(); i++) {
                allKnownUsed &= used[i] || h.get(i).isUnknown();
            }
            if (allKnownUsed) {
                return true;
            }
            for (int i = 0; i < h.size(); i++) {
                if (used[i] || !mayGoNext(h, used, i)) {
                    continue;
                }
                Operation op = h.get(i);
                KvModel.Step s = KvModel.step(state, op.input(), op.isUnknown() ? null : op.output());
                if (s.legal()) {
                    used[i] = true;
                    boolean ok = extend(h, used, s.next());
                    used[i] = false;
                    if (ok) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** No unused known operation returned strictly before {@code i} was called. */
        private static boolean mayGoNext(List<Operation> h, boolean[] used, int i) {
            for (int j = 0; j < h.size(); j++) {
                Operation o = h.get(j);
                if (!used[j] && !o.isUnknown() && o.returnTime() < h.get(i).callTime()) {
                    return false;
                }
            }
            return true;
        }
    }
}
