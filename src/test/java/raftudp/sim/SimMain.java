package raftudp.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Command line of the simulator ({@code make sim}).
 *
 * <pre>
 *   --seeds N [--start S]   run seeds S..S+N-1 (default 1..200); ends with "sim: N seeds, F failures"
 *   --seed S                replay one seed twice with its trace; fails if the runs differ
 *   --nodes K               force the cluster size (3 or 5; default: chosen by each seed)
 *   --wipes                 crashed machines may come back with an empty disk (unsafe in Raft
 *                           without a membership change: shows what it breaks)
 *   --threads T             worker threads (default: available processors)
 * </pre>
 */
public final class SimMain {
    private SimMain() {
    }

    public static void main(String[] args) throws Exception {
        long seeds = 200;
        long start = 1;
        Long replay = null;
        int nodes = 0;
        boolean wipes = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--seeds" -> seeds = parse(a, v);
                case "--start" -> start = parse(a, v);
                case "--seed" -> replay = parse(a, v);
                case "--nodes" -> nodes = (int) parse(a, v);
                case "--wipes" -> {
                    wipes = true;
                    i--; // takes no value
                }
                case "--threads" -> threads = (int) parse(a, v);
                default -> usage("unknown option " + a);
            }
            i++;
        }
        if (nodes != 0 && nodes != 3 && nodes != 5) {
            usage("--nodes must be 3 or 5");
        }
        Choice choice = new Choice(nodes, wipes);
        System.exit(replay != null ? replay(replay, choice) : batch(start, seeds, choice, threads));
    }

    private static long parse(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            usage(option + " takes a whole number, got '" + value + "'");
            return 0;
        }
    }

    private static void usage(String what) {
        System.err.println("sim: " + what);
        System.err.println("usage: SimMain [--seeds N] [--start S] [--seed S] [--nodes 3|5] [--threads T] [--wipes]");
        System.exit(2);
    }

    /** What the command line chose beyond the seed: a cluster size (0: the seed's), wiped disks. */
    record Choice(int nodes, boolean wipes) {
        SimParams params(long seed) {
            SimParams p = SimParams.of(seed, nodes);
            return wipes ? p.withWipes() : p;
        }

        String replayCommand(long seed) {
            return wipes ? "java -cp target/classes:target/test-classes:$(cat target/sim.classpath) raftudp.sim.SimMain"
                    + " --wipes --seed " + seed + (nodes > 0 ? " --nodes " + nodes : "")
                    : SimMain.replayCommand(seed, nodes);
        }
    }

    /** The command that replays a seed. */
    static String replayCommand(long seed, int nodes) {
        return "make sim SEED=" + seed + (nodes > 0 ? " NODES=" + nodes : "");
    }

    private static int replay(long seed, Choice choice) {
        SimParams p = choice.params(seed);
        Simulation.Outcome a = new Simulation(p, true).run();
        System.out.print(a.trace());
        System.out.println("---- replay of seed " + seed + " ----");
        Simulation.Outcome b = new Simulation(p, true).run();
        System.out.print(b.trace());
        boolean same = a.traceHash() == b.traceHash() && a.trace().equals(b.trace());
        System.out.println("replay " + (same ? "identical" : "DIFFERS") + " (trace hash "
                + Long.toHexString(a.traceHash()) + (same ? "" : " vs " + Long.toHexString(b.traceHash())) + ")");
        System.out.println(a.ok() ? "seed " + seed + ": ok " + a.stats() : "seed " + seed + ": FAIL " + a.failure());
        return a.ok() && same ? 0 : 1;
    }

    private static int batch(long start, long count, Choice choice, int threads) throws Exception {
        long t0 = System.nanoTime();
        List<Long> failed = runSeeds(start, count, choice, threads, o -> {
            System.out.println("FAIL seed=" + o.seed() + ": " + o.failure());
            System.out.println("  params: " + choice.params(o.seed()).summary());
            System.out.println("  replay: " + choice.replayCommand(o.seed()));
        });
        double minutes = (System.nanoTime() - t0) / 60e9;
        System.out.printf("sim: %.0f seeds/min on %d threads%n", count / minutes, threads);
        System.out.println("sim: " + count + " seeds, " + failed.size() + " failures");
        return failed.isEmpty() ? 0 : 1;
    }

    /** Runs seeds in parallel; reports each failure as it is found; returns the failed seeds. */
    static List<Long> runSeeds(long start, long count, int nodes, int threads,
                               java.util.function.Consumer<Simulation.Outcome> onFailure) throws Exception {
        return runSeeds(start, count, new Choice(nodes, false), threads, onFailure);
    }

    private static List<Long> runSeeds(long start, long count, Choice choice, int threads,
                                       java.util.function.Consumer<Simulation.Outcome> onFailure) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Simulation.Outcome>> futures = new ArrayList<>();
            for (long s = start; s < start + count; s++) {
                long seed = s;
                futures.add(pool.submit(() -> new Simulation(choice.params(seed), false).run()));
            }
            List<Long> failed = new ArrayList<>();
            for (Future<Simulation.Outcome> f : futures) {
                Simulation.Outcome o = f.get();
                if (!o.ok()) {
                    failed.add(o.seed());
                    synchronized (SimMain.class) {
                        onFailure.accept(o);
                    }
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }
}
