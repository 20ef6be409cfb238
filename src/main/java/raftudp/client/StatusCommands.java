package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** The status subcommands: status (once) and watch (repeatedly). */
final class StatusCommands {
    /** Longest --wait-ms and --interval-ms. */
    private static final long WAIT_MS_MAX = 3_600_000;

    private StatusCommands() {
    }

    /** Asks the -d node, or all nodes, for their status. */
    private static List<NodeStatus> query(RaftClient client, int only, long waitMs) throws RaftClientException {
        if (only < 0) {
            return client.statusAll(waitMs);
        }
        List<NodeStatus> all = new ArrayList<>();
        for (NodeStatus s : client.statusAll(waitMs)) {
            if (s.node() == only) {
                all.add(s);
            }
        }
        return all;
    }

    /** Prints the table and a line about the leader; returns the exit code (3 when no node answered). */
    static int print(List<NodeStatus> rows, long waitMs, PrintWriter out) {
        out.print(StatusTable.render(rows));
        out.println(summary(rows, waitMs));
        return rows.stream().anyMatch(NodeStatus::answered) ? ClientMain.EXIT_OK : ClientMain.EXIT_UNAVAILABLE;
    }

    /** One line: who leads, or why nobody seems to. */
    static String summary(List<NodeStatus> rows, long waitMs) {
        List<NodeStatus> leaders = new ArrayList<>();
        for (NodeStatus s : rows) {
            if (s.answered() && "LEADER".equals(s.report().role())) {
                leaders.add(s);
            }
        }
        if (rows.stream().noneMatch(NodeStatus::answered)) {
            return "no node answered within " + Texts.millis(waitMs);
        }
        if (leaders.isEmpty()) {
            return "no leader among the nodes that answered (an election may be under way)";
        }
        if (leaders.size() == 1) {
            NodeStatus l = leaders.get(0);
            return "leader: node " + l.node() + " (" + Texts.address(l.address()) + "), term " + l.report().term();
        }
        StringBuilder sb = new StringBuilder("several nodes say they lead:");
        for (NodeStatus l : leaders) {
            sb.append(" node ").append(l.node()).append(" (term ").append(l.report().term()).append(')');
        }
        return sb.append("; the one with the highest term is current, the others have not heard of it yet").toString();
    }

    private static long checkMs(CommandSpec spec, long ms, String option) {
        if (ms < 1 || ms > WAIT_MS_MAX) {
            throw new ParameterException(spec.commandLine(), option + " " + ms + " outside 1.." + WAIT_MS_MAX);
        }
        return ms;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each node's id, address, role, term, leader, commit, applied and last index, and "
                    + "datagrams received, sent and dropped as bad.", "All nodes, or only the -d node."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "1000",
                description = "How long to wait for the nodes' answers (default: ${DEFAULT-VALUE}).")
        long waitMs;

        @Override
        public Integer call() {
            parent.rejectAppendWith(spec);
            long wait = checkMs(spec, waitMs, "--wait-ms");
            int only = parent.destination(spec, parent.cluster(spec));
            return parent.withClient(spec, (client, out) -> print(query(client, only, wait), wait, out));
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Print the status table every --interval-ms until Ctrl-C, or --count times.")
    static final class Watch implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
                description = "Time between two tables (default: ${DEFAULT-VALUE}).")
        long intervalMs;
        @Option(names = "--count", paramLabel = "N", defaultValue = "0",
                description = "Stop after N tables (default: 0, until Ctrl-C).")
        long count;
        @Option(names = "--wait-ms", paramLabel = "MS",
                description = "How long to wait for the nodes' answers (default: the interval, at most 1000).")
        Long waitMs;

        @Override
        public Integer call() {
            parent.rejectAppendWith(spec);
            long interval = checkMs(spec, intervalMs, "--interval-ms");
            long wait = checkMs(spec, waitMs != null ? waitMs : Math.min(interval, 1000), "--wait-ms");
            if (count < 0) {
                throw new ParameterException(spec.commandLine(), "--count " + count + " must be 0 (no end) or more");
            }
            int only = parent.destination(spec, parent.cluster(spec));
            return parent.withClient(spec, (client, out) -> loop(client, only, interval, wait, out));
        }

        private int loop(RaftClient client, int only, long interval, long wait, PrintWriter out)
                throws RaftClientException, InterruptedException {
            long next = System.nanoTime();
            for (long i = 1; count == 0 || i <= count; i++) {
                out.println("-- " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + (count == 0 ? "" : " (" + i + "/" + count + ")"));
                print(query(client, only, wait), wait, out);
                out.flush();
                if (count != 0 && i == count) {
                    break;
                }
                next += TimeUnit.MILLISECONDS.toNanos(interval);
                long sleepNanos = next - System.nanoTime();
                if (sleepNanos > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleepNanos); // pacing the display, not synchronisation
                } else {
                    next = System.nanoTime();
                }
            }
            return ClientMain.EXIT_OK;
        }
    }
}
