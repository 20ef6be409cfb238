package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import raftudp.transport.FaultRule;
import raftudp.config.ClusterConfig;
import raftudp.wire.FaultEntry;
import raftudp.wire.FaultRequest;
import raftudp.wire.FaultResponse;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raft-client fault show|set|clear}: the nodes' fault rules (loss, delay, jitter,
 * duplication on what a node sends to a host), changed at run time. Every node, or only the
 * -d node. Prints the rules each node has in force afterwards; a node that does not answer
 * is an error (exit 3), and so is a rule that was asked for and is not in force (exit 1), and
 * a node that refuses the request (exit 1): a node without --cluster-key refuses admin
 * requests unless it was started with --allow-admin.
 */
@Command(name = "fault", mixinStandardHelpOptions = true,
        description = {"Show, set or clear the nodes' fault rules: what a node sends to a host (or to every host, '*') "
                + "is dropped, delayed, jittered or duplicated by the node itself (for kernels without netem).",
                "All nodes, or only the -d node. Prints the rules in force on each node afterwards.",
                "A node accepts these admin requests when node and client have the same --cluster-key, or when the "
                        + "node has no key and was started with --allow-admin; otherwise it refuses (exit code 1)."},
        subcommands = {FaultCommands.Show.class, FaultCommands.Set.class, FaultCommands.Clear.class},
        footer = {"", "Examples:",
                "  raft-client -d 10.0.1.1 fault set 10.0.2.2 delay:5ms loss:1%%",
                "  raft-client fault set '*' delay:5ms,jitter:1ms",
                "  raft-client fault clear 10.0.2.2",
                "  raft-client fault clear            (every rule)",
                "  raft-client fault show"})
final class FaultCommands implements Callable<Integer> {
    @ParentCommand
    ClientMain parent;
    @Spec
    CommandSpec spec;
    @Option(names = "--wait-ms", paramLabel = "MS", defaultValue = "2000",
            description = "How long to wait for the nodes' answers (default: ${DEFAULT-VALUE}).")
    long waitMs;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "give show, set or clear; see raft-client fault --help");
    }

    /** Sends {@code request} to the chosen nodes and prints their rules; {@code expected} must then be in force. */
    int run(CommandSpec at, FaultRequest request, FaultEntry expected) {
        parent.rejectAppendWith(at);
        if (waitMs < 1 || waitMs > 3_600_000) {
            throw new ParameterException(at.commandLine(), "--wait-ms " + waitMs + " outside 1..3600000");
        }
        ClusterConfig nodes = parent.cluster(at);
        int only = parent.destination(at, nodes);
        List<Integer> ask = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (only < 0 || only == i) {
                ask.add(i);
            }
        }
        return parent.withClient(at, (client, out) -> print(client, ask, client.fault(ask, request, waitMs),
                expected, request, out, at.commandLine().getErr()));
    }

    private int print(RaftClient client, List<Integer> asked, Map<Integer, RaftClient.FaultAnswer> got,
                      FaultEntry expected, FaultRequest request, PrintWriter out, PrintWriter err) {
        int code = ClientMain.EXIT_OK;
        boolean keyed = client.options().clusterKey() != null;
        for (int n : asked) {
            RaftClient.FaultAnswer a = got.get(n);
            if (a == null) {
                err.println("raft-client: " + client.describe(n) + " did not answer within " + Texts.millis(waitMs)
                        + ": its fault rules are unknown" + (keyed
                        ? " (does it have the same --cluster-key, and do the clocks agree within 30 s?)"
                        : " (a node started with --cluster-key ignores requests without it)"));
                code = ClientMain.EXIT_UNAVAILABLE;
                continue;
            }
            if (a.refused()) {
                err.println("raft-client: " + client.describe(n) + " refused " + request.op().name().toLowerCase()
                        + " (" + a.refusal().codeName() + "): " + a.refusal().text());
                code = code == ClientMain.EXIT_OK ? ClientMain.EXIT_REFUSED : code;
                continue;
            }
            FaultResponse r = a.rules();
            out.println(client.describe(n) + ": " + describe(r));
            if (!inForce(r, request, expected)) {
                err.println("raft-client: " + client.describe(n) + " did not apply " + request.op().name()
                        .toLowerCase() + (expected != null ? " " + line(expected) : "") + " (too many rules?)");
                code = code == ClientMain.EXIT_OK ? ClientMain.EXIT_REFUSED : code;
            }
        }
        return code;
    }

    /** True when the answer shows what was asked. */
    static boolean inForce(FaultResponse r, FaultRequest request, FaultEntry expected) {
        return switch (request.op()) {
            case SHOW -> true;
            case CLEAR_ALL -> r.rules().isEmpty();
            case CLEAR -> r.ruleFor(expected.target()) == null;
            case SET -> expected.isNone() ? r.ruleFor(expected.target()) == null
                    : expected.equals(r.ruleFor(expected.target()));
        };
    }

    /** The rules of one answer on one line: {@code * delay:5ms; 10.0.2.2 loss:1%}, or "no fault rules". */
    static String describe(FaultResponse r) {
        if (r.rules().isEmpty()) {
            return "no fault rules";
        }
        List<String> parts = new ArrayList<>();
        r.rules().forEach(e -> parts.add(line(e)));
        return String.join("; ", parts);
    }

    static String line(FaultEntry e) {
        return e.target() + " " + FaultRule.of(e).text();
    }

    /** TARGET: '*', 'default' or an IPv4 address. */
    static String target(CommandSpec at, String word) {
        String t = word.trim();
        if (t.equals("*") || t.equalsIgnoreCase("default")) {
            return FaultEntry.EVERY;
        }
        if (FaultEntry.ipv4(t) == null) {
            throw new ParameterException(at.commandLine(), "target '" + word + "': give an IPv4 address like "
                    + "10.0.2.2, or '*' (every host without a rule of its own)");
        }
        return t;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the rules in force on each node.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        FaultCommands parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return parent.run(spec, FaultRequest.show(), null);
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Set (replace) the rule for TARGET: what the nodes send to TARGET is damaged as RULE says.",
                    "RULE: delay:5ms jitter:1ms loss:5%% dup:1%% (words or comma-separated; 'none' clears)."})
    static final class Set implements Callable<Integer> {
        @ParentCommand
        FaultCommands parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "TARGET", description = "an IPv4 address, or '*' for every host")
        String target;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "RULE", description = "e.g. delay:5ms loss:1%%")
        List<String> rule;

        @Override
        public Integer call() {
            String t = target(spec, target);
            FaultEntry e;
            try {
                e = FaultRule.parse(String.join(",", rule)).toEntry(t);
            } catch (IllegalArgumentException ex) {
                throw new ParameterException(spec.commandLine(), "rule: " + ex.getMessage());
            }
            return parent.run(spec, FaultRequest.set(e), e);
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
            description = "Remove the rule for TARGET, or every rule (no TARGET, or 'all').")
    static final class Clear implements Callable<Integer> {
        @ParentCommand
        FaultCommands parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET|all",
                description = "an IPv4 address, '*' (the default rule) or 'all' (default: all)")
        String target;

        @Override
        public Integer call() {
            if (target == null || target.equalsIgnoreCase("all")) {
                return parent.run(spec, FaultRequest.clearAll(), null);
            }
            FaultEntry e = FaultEntry.none(target(spec, target));
            return parent.run(spec, FaultRequest.clear(e.target()), e);
        }
    }
}
