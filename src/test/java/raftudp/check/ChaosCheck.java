package raftudp.check;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raftudp.check.ChaosEvents.FaultWindow;
import raftudp.check.ChaosEvents.LeaderSeen;
import raftudp.check.ChaosEvents.Phase;
import raftudp.check.ChaosHistory.ClientOp;
import raftudp.check.ChaosHistory.Outcome;

/**
 * Checks a nemesis campaign after the run: reads the clients' histories, the nemesis's events
 * and (optionally) the stopped nodes' data directories, then checks
 * <ol type="a">
 *   <li>linearizability of the whole history ({@link Linearizability});</li>
 *   <li>the list-append rules per key ({@link ListAppendCheck});</li>
 *   <li>that the nodes hold the same log end and state, and that the state agrees with the
 *       final reads ({@link NodeState}).</li>
 * </ol>
 * It prints a summary, writes {@code summary.json} and {@code timeline.png} into {@code --out}
 * and exits 0 (pass), 1 (a violation), 2 (unusable input or usage) or 3 (a checker bug). An
 * inconclusive linearizability search is a prominent warning, not a failure.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp target/classes:target/test-classes:$(cat target/sim.classpath) \
 *     raftudp.check.ChaosCheck --history F [--history F2 ...] --events E [--state NAME=DIR ...] \
 *     --out DIR [--title TEXT]
 * </pre>
 */
@Command(name = "chaos-check", mixinStandardHelpOptions = true,
        description = "Checks the histories, events and node states of a chaos run.")
public final class ChaosCheck implements Callable<Integer> {

    /** Exit status: every check passed. */
    public static final int EXIT_PASS = 0;
    /** Exit status: some check found a violation. */
    public static final int EXIT_VIOLATION = 1;
    /** Exit status: the input (or the command line) is unusable. */
    public static final int EXIT_INPUT_ERROR = 2;
    /** Exit status: the checker itself failed. */
    public static final int EXIT_CHECKER_ERROR = 3;

    @Option(names = "--history", paramLabel = "FILE", required = true,
            description = "a client process's history (JSON lines); repeat for each process")
    private List<Path> histories = new ArrayList<>();

    @Option(names = "--events", paramLabel = "FILE", required = true, description = "the nemesis's events (JSON lines)")
    private Path eventsFile;

    @Option(names = "--state", paramLabel = "NAME=DIR",
            description = "a stopped node's data directory; repeat for each node")
    private Map<String, Path> states = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where summary.json and timeline.png go")
    private Path outDir;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "",
            description = "shown in the title of the timeline (the campaign passes the seed)")
    private String title;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /** Runs the check; exits with its status. */
    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the check with {@code args}, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ChaosCheck check = new ChaosCheck();
        check.out = out;
        check.err = err;
        CommandLine cl = new CommandLine(check);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("chaos-check: internal error: " + e);
            e.printStackTrace(err);
            return EXIT_CHECKER_ERROR;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        ChaosReport report;
        try {
            report = analyse(histories, eventsFile, states, title);
        } catch (ChaosInputException e) {
            err.println("chaos-check: input error: " + e.getMessage());
            return EXIT_INPUT_ERROR;
        }
        Files.createDirectories(outDir);
        TimelinePlot plot = new TimelinePlot();
        plot.write(outDir.resolve("timeline.png"), "raftudp chaos: " + (title.isEmpty() ? "" : title + ", ")
                + "verdict " + report.verdict(), report.ops(), report.events(), report.originT(), report.endT());
        List<String> warnings = new ArrayList<>(report.warnings());
        warnings.addAll(plot.warnings());
        report = withWarnings(report, warnings);
        Files.writeString(outDir.resolve("summary.json"), report.json(), StandardCharsets.UTF_8);
        out.print(report.text());
        out.println("wrote " + outDir.resolve("summary.json") + " and " + outDir.resolve("timeline.png"));
        return report.passed() ? EXIT_PASS : EXIT_VIOLATION;
    }

    /**
     * Reads every input and runs every check.
     *
     * @throws ChaosInputException when an input is unusable
     */
    public static ChaosReport analyse(List<Path> historyFiles, Path eventsFile, Map<String, Path> stateDirs,
                                      String title) {
        List<String> warnings = new ArrayList<>();
        List<ClientOp> ops = ChaosHistory.read(historyFiles, warnings);
        ChaosEvents events = ChaosEvents.read(eventsFile, warnings);
        List<NodeState> nodes = new ArrayList<>();
        stateDirs.forEach((name, dir) -> nodes.add(NodeState.load(name, dir)));
        long originT = origin(ops, events);
        long endT = end(ops, events, originT);

        Map<Integer, String> clientNames = new TreeMap<>();
        // the checker's explanations show times in nanoseconds after originT
        CheckResult lin = Linearizability.check(ChaosHistory.toOperations(ops, originT, clientNames));
        if (lin.verdict() == CheckResult.Verdict.UNKNOWN) {
            warnings.add("linearizability inconclusive: search budget exhausted on key " + lin.key());
        }
        ListAppendCheck.Report listAppend = ListAppendCheck.check(ops, originT);
        List<String> stateProblems = NodeState.compare(nodes, listAppend.finals());
        if (nodes.size() == 1) {
            warnings.add("only one node state given: nothing to compare it with (final reads still checked)");
        }
        long[] okT = ops.stream().filter(op -> op.outcome() == Outcome.OK).mapToLong(ClientOp::completeT).toArray();
        Map<String, Unavailability.Gap> gaps = Unavailability.longestPerKind(okT, events.faults(), originT, endT);
        return new ChaosReport(title, List.copyOf(historyFiles), eventsFile, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stateDirs)), ops, events,
                originT, endT, lin, clientNames, listAppend, nodes, stateProblems, gaps, warnings);
    }

    /** The first "phase start" marker, else the earliest event or invoke, else 0. */
    static long origin(List<ClientOp> ops, ChaosEvents events) {
        long start = events.firstPhase("start");
        if (start >= 0) {
            return start;
        }
        long t = Long.MAX_VALUE;
        for (long x : eventTimes(events)) {
            t = Math.min(t, x);
        }
        for (ClientOp op : ops) {
            t = Math.min(t, op.invokeT());
        }
        return t == Long.MAX_VALUE ? 0 : t;
    }

    /** The latest time of any event, invoke or completion (at least {@code originT}). */
    static long end(List<ClientOp> ops, ChaosEvents events, long originT) {
        long t = originT;
        for (long x : eventTimes(events)) {
            t = Math.max(t, x);
        }
        for (ClientOp op : ops) {
            t = Math.max(t, op.completeT() == Operation.NEVER ? op.invokeT() : op.completeT());
        }
        return t;
    }

    private static List<Long> eventTimes(ChaosEvents events) {
        List<Long> out = new ArrayList<>();
        for (FaultWindow w : events.faults()) {
            out.add(w.startT());
            if (!w.isOpen()) {
                out.add(w.endT());
            }
        }
        events.leaders().stream().map(LeaderSeen::t).forEach(out::add);
        events.phases().stream().map(Phase::t).forEach(out::add);
        return out;
    }

    private static ChaosReport withWarnings(ChaosReport r, List<String> warnings) {
        return new ChaosReport(r.title(), r.histories(), r.eventsFile(), r.stateDirs(), r.ops(), r.events(), r.originT(), r.endT(),
                r.linearizable(), r.clientNames(), r.listAppend(), r.nodes(), r.stateProblems(), r.gaps(), warnings);
    }
}
