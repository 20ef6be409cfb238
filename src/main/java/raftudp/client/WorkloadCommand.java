package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raft-client workload}: the history-recording workload (see {@link Workload}). */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = {"Record a history for consistency checks: N logical clients, each with its own session, append "
                + "values unique to the run to lists and read them back, on --keys keys that change every "
                + "--key-period seconds, until --duration has passed or --ops operations have started; then every key "
                + "is read once more (the final reads).",
                "Every operation is written to --history FILE as JSON lines: an invoke line, then an ok, fail "
                        + "(certainly not applied) or unknown (maybe applied, at most once) line; times are "
                        + "CLOCK_MONOTONIC nanoseconds. make chaos runs it and checks the history "
                        + "(docs/chaos.md)."})
final class WorkloadCommand implements Callable<Integer> {
    @ParentCommand
    ClientMain parent;
    @Spec
    CommandSpec spec;

    @Option(names = "--history", paramLabel = "FILE", required = true, description = "Where to write the history (JSON lines).")
    Path history;
    @Option(names = "--process", paramLabel = "NAME", description = "This process's name in the history and in every "
            + "value it writes (default: the host name).")
    String process;
    @Option(names = "--clients", paramLabel = "N", defaultValue = "4", description = "Logical clients (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--duration", paramLabel = "S", defaultValue = "10",
            description = "Seconds to issue operations (default: ${DEFAULT-VALUE}).")
    double durationS;
    @Option(names = "--ops", paramLabel = "M", defaultValue = "10000000",
            description = "Most operations in all (default: ${DEFAULT-VALUE}).")
    long ops;
    @Option(names = "--read-ratio", paramLabel = "R", defaultValue = "0.3",
            description = "Share of reads, 0..1 (default: ${DEFAULT-VALUE}).")
    double readRatio;
    @Option(names = "--keys", paramLabel = "K", defaultValue = "4", description = "Keys in use at once (default: ${DEFAULT-VALUE}).")
    int keys;
    @Option(names = "--key-period", paramLabel = "S", defaultValue = "10",
            description = "Seconds before the keys in use change (default: ${DEFAULT-VALUE}).")
    double keyPeriodS;
    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Most operations started per second by this process; 0: as fast as they complete "
                    + "(default: ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the key and operation choices (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--start-ns", paramLabel = "T", description = "The run's time origin in CLOCK_MONOTONIC nanoseconds "
            + "(Python: time.monotonic_ns()); processes given the same one share keys and final reads. Default: now.")
    Long startNs;

    @Override
    public Integer call() {
        parent.rejectAppendWith(spec);
        WorkloadOptions options;
        try {
            options = new WorkloadOptions(process != null ? process : hostName(), clients, durationS, ops, readRatio,
                    keys, keyPeriodS, rate, seed, startNs != null ? startNs : System.nanoTime());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Writer out;
        try {
            out = Files.newBufferedWriter(history, StandardCharsets.UTF_8);
        } catch (IOException e) {
            spec.commandLine().getErr().println("raft-client: cannot write " + history + ": " + e);
            return ClientMain.EXIT_IO;
        }
        try (out) {
            return parent.withClient(spec, (client, terminal) -> {
                Workload.Counts counts = Workload.run(client, options, out);
                terminal.print(counts.human());
                return counts.appendsOk() + counts.readsOk() == 0 ? ClientMain.EXIT_UNAVAILABLE : ClientMain.EXIT_OK;
            });
        } catch (IOException | UncheckedIOException e) {
            spec.commandLine().getErr().println("raft-client: cannot write " + history + ": " + e);
            return ClientMain.EXIT_IO;
        }
    }

    private static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h.isEmpty() ? "client" : h.replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (UnknownHostException e) {
            return "client";
        }
    }
}
