package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.check.Ops.append;
import static raftudp.check.Ops.found;
import static raftudp.check.Ops.get;
import static raftudp.check.Ops.op;
import static raftudp.check.Ops.pending;
import static raftudp.check.Ops.v;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import raftudp.kv.Value;
import org.junit.jupiter.api.Test;
import raftudp.check.CheckResult.Verdict;

/**
 * Seeded random histories: those generated from a true sequential execution pass, and one
 * impossible answer planted in them is always caught. A failure prints its seed; rerun one
 * seed with {@code -Dcheck.seed=N}.
 */
class LinearizabilityRandomTest {

    private static final int SEEDS = Integer.getInteger("check.seeds", 400);
    private static final long FIRST_SEED = Long.getLong("check.seed", 1L);

    private static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        int count = System.getProperty("check.seed") != null ? 1 : SEEDS;
        for (long s = FIRST_SEED; s < FIRST_SEED + count; s++) {
            seeds.add(s);
        }
        return seeds;
    }

    /** Picks the shape of a history from the seed: 1-6 clients, 1-3 keys, up to 200 ops. */
    private static HistoryGenerator generatorFor(Random rnd) {
        return new HistoryGenerator(1 + rnd.nextInt(6), 1 + rnd.nextInt(3), 1 + rnd.nextInt(5),
                1 + rnd.nextInt(30), rnd.nextInt(3) * 0.05);
    }

    @Test
    void historiesOfATrueSequentialExecution_areLinearizable() {
        for (long seed : seeds()) {
            Random rnd = new Random(seed);
            List<Operation> h = generatorFor(rnd).generate(rnd, 1 + rnd.nextInt(200));
            CheckResult r = Linearizability.check(h);
            assertEquals(Verdict.OK, r.verdict(), () -> "seed " + seed + ": " + r + "\nhistory: " + h);
        }
    }

    @Test
    void oneImpossibleAnswer_isAlwaysAViolation_onItsKey() {
        int mutated = 0;
        for (long seed : seeds()) {
            Random rnd = new Random(seed);
            List<Operation> h = generatorFor(rnd).generate(rnd, 1 + rnd.nextInt(200));
            int index = HistoryGenerator.mutateImpossibly(rnd, h);
            if (index < 0) {
                continue;
            }
            mutated++;
            Operation bad = h.get(index);
            CheckResult r = Linearizability.check(h);
            String context = "seed " + seed + ", mutated " + bad + ": " + r;
            assertEquals(Verdict.VIOLATION, r.verdict(), context);
            assertEquals(bad.key(), r.key(), context);
            assertFalse(r.longestPrefix().contains(bad), context);
            assertTrue(r.explanation().contains(bad.key()), context);
        }
        assertTrue(mutated > SEEDS / 2 || SEEDS == 1, "too few histories mutated: " + mutated);
    }

    @Test
    void typicalHistory_ofAFewHundredOpsOnOneKey_checksInFewSteps() {
        HistoryGenerator g = new HistoryGenerator(5, 1, 3, 20, 0.05);
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            List<Operation> h = g.generate(rnd, 300);
            CheckResult r = Linearizability.check(h);
            long seedCopy = seed;
            assertEquals(Verdict.OK, r.verdict(), () -> "seed " + seedCopy + ": " + r);
            // a few model steps per operation: the memo keeps the search near-linear here
            assertTrue(r.steps() < 100L * h.size(), "seed " + seed + ": " + r.steps() + " steps");
        }
    }

    /**
     * {@code appends} concurrent unknown appends, then a known append that reports itself
     * last and a read that shows it first. Every order of the unknown appends explains the
     * reported size, and each gives a different list, so all of them must be tried before
     * the read rules them out: about {@code appends!} configurations.
     */
    private static List<Operation> pathological(int appends) {
        List<Operation> h = new ArrayList<>();
        List<Value> seen = new ArrayList<>();
        seen.add(v(99));
        for (int i = 0; i < appends; i++) {
            h.add(pending(i, 0, append("x", i)));
            seen.add(v(i));
        }
        h.add(op(appends, 1, 2, append("x", 99), Ops.appended(appends + 1)));
        h.add(op(appends, 3, 4, get("x"), found(new Value.ListValue(seen))));
        return h;
    }

    @Test
    void searchBudgetExhausted_givesUnknown_notAHang() {
        CheckResult r = Linearizability.check(pathological(12), 10_000);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r::toString);
        assertEquals("x", r.key());
        assertTrue(r.steps() <= 10_000, r::toString);
        assertTrue(r.explanation().contains("budget of 10000 steps"), r::toString);
    }

    @Test
    void sameShapeWithinBudget_givesTheTrueVerdict() {
        CheckResult r = Linearizability.check(pathological(4), 10_000);
        assertEquals(Verdict.VIOLATION, r.verdict(), r::toString);
        assertTrue(r.steps() > 4 * 3 * 2, "the search was expected to try the orders: " + r);
    }

    @Test
    void violationOnOneKey_winsOverUnknownOnAnother() {
        List<Operation> h = pathological(12);
        h.add(op(0, 0, 10, Ops.put("y", 1), Ops.ok()));
        h.add(op(1, 20, 30, get("y"), Ops.notFound()));
        CheckResult r = Linearizability.check(h, 10_000);
        assertEquals(Verdict.VIOLATION, r.verdict(), r::toString);
        assertEquals("y", r.key());
    }
}
