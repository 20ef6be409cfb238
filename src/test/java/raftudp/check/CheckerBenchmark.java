package raftudp.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Throughput of the checker on generated histories; not a test (nothing timed is asserted).
 * Run after {@code mvn -q -B test-compile} and
 * {@code mvn -q -B dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) \
 *     raftudp.check.CheckerBenchmark [ops] [clients] [histories]
 * </pre>
 */
public final class CheckerBenchmark {

    private CheckerBenchmark() {
    }

    /** Checks generated one-key histories, then the same with one impossible answer each. */
    public static void main(String[] args) {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int histories = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        HistoryGenerator g = new HistoryGenerator(clients, 1, 3, 20, 0.05);
        for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
            List<List<Operation>> good = new ArrayList<>();
            List<List<Operation>> bad = new ArrayList<>();
            for (long seed = 0; seed < histories; seed++) {
                Random rnd = new Random(seed);
                List<Operation> h = g.generate(rnd, ops);
                good.add(h);
                List<Operation> m = new ArrayList<>(h);
                HistoryGenerator.mutateImpossibly(rnd, m);
                bad.add(m);
            }
            report("linearizable", good);
            report("one impossible answer", bad);
        }
    }

    private static void report(String label, List<List<Operation>> histories) {
        long opCount = 0;
        long steps = 0;
        long worstNanos = 0;
        int[] verdicts = new int[CheckResult.Verdict.values().length];
        long start = System.nanoTime();
        for (List<Operation> h : histories) {
            long t0 = System.nanoTime();
            CheckResult r = Linearizability.check(h);
            worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
            verdicts[r.verdict().ordinal()]++;
            opCount += h.size();
            steps += r.steps();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-22s %4d histories, %7d ops, %9d steps, %6.3f s: %,9.0f ops/s, "
                        + "worst %.2f ms; OK/VIOLATION/UNKNOWN = %d/%d/%d%n",
                label, histories.size(), opCount, steps, seconds, opCount / seconds,
                worstNanos / 1e6, verdicts[0], verdicts[1], verdicts[2]);
    }
}
