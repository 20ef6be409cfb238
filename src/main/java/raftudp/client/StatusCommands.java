package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
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
        return only < 0 ? client.statusAll(waitMs) : client.status(List.of(only), waitMs);
    }

    /**
     * Prints the table and a line about the leader; returns the exit code (3 when no node answered).
     *
     * @param nodes the client addresses of the cluster's nodes, to name a leader that was not asked
     */
    static int print(List<NodeStatus> rows, List<InetSocketAddress> nodes, long waitMs, PrintWriter out) {
        out.print(StatusTable.render(rows));
        out.println(summary(rows, nodes, waitMs));
        return rows.stream().anyMatch(NodeStatus::answered) ? ClientMain.EXIT_OK : ClientMain.EXIT_UNAVAILABLE;
    }

    /**
     * One line: who leads, or why nobody seems to. The leader is the one named at the highest
     * term among the answers, by itself (its role is LEADER) or by a node that follows it: so
     * a leader that was not asked (status -d), or did not answer, is still named.
     */
    static String summary(List<NodeStatus> rows, List<InetSocketAddress> nodes, long waitMs) {
        if (rows.stream().noneMatch(NodeStatus::answered)) {
            return "no node answered within " + Texts.millis(waitMs);
        }
        List<NodeStatus> selfLeaders = new ArrayList<>();
        NodeStatus newest = null; // the answer naming a leader at the highest term
        for (NodeStatus s : rows) {
            if (!s.answered()) {
                continue;
            }
            if (isLeader(s)) {
                selfLeaders.add(s);
            }
            if (leaderOf(s) >= 0 && (newest == null || s.report().term() > newest.report().term()
                    || s.report().term() == newest.report().term() && isLeader(s))) {
                newest = s;
            }
        }
        if (selfLeaders.size() > 1) {
            StringBuilder sb = new StringBuilder("several nodes say they lead:");
            for (NodeStatus l : selfLeaders) {
                sb.append(" node ").append(l.node()).append(" (term ").append(l.report().term()).append(')');
            }
            return sb.append("; the one with the highest term is current, the others have not heard of it yet")
                    .toString();
        }
        if (newest == null) {
            return "no leader among the nodes that answered (an election may be under way)";
        }
        int leader = leaderOf(newest);
        long term = newest.report().term();
        String where = leader < nodes.size() ? Texts.address(nodes.get(leader)) : "not in the node list";
        String line = "leader: node " + leader + " (" + where + "), term " + term;
        if (isLeader(newest)) {
            return line;
        }
        List<Integer> namers = new ArrayList<>();
        for (NodeStatus s : rows) {
            if (s.answered() && s.report().term() == term && leaderOf(s) == leader) {
                namers.add(s.node());
            }
        }
        line += ", as " + (namers.size() == 1 ? "node " + namers.get(0) + " reports" : "nodes " + join(namers)
                + " report");
        if (!selfLeaders.isEmpty()) {
            NodeStatus stale = selfLeaders.get(0);
            line += "; node " + stale.node() + " still says it leads, at term " + stale.report().term();
        }
        return line;
    }

    private static boolean isLeader(NodeStatus s) {
        return "LEADER".equals(s.report().role());
    }

    /** The leader an answer names: the node itself when it leads, else its leader id (-1: none). */
    private static int leaderOf(NodeStatus s) {
        return isLeader(s) ? s.node() : s.report().leaderId();
    }

    private static String join(List<Integer> ids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            sb.append(i == 0 ? "" : i == ids.size() - 1 ? " and " : ", ").append(ids.get(i));
        }
        return sb.toString();
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
            return parent.withClient(spec,
                    (client, out) -> print(query(client, only, wait), client.nodes(), wait, out));
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
                print(query(client, only, wait), client.nodes(), wait, out);
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
