package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raft-client bench}: the load generator (see {@link Bench}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Generate load: N logical clients, each with its own session, issue gets and puts back to back "
                + "on keys bench-0 .. bench-(K-1), until --duration has passed or --ops operations have started.",
                "Prints throughput, latency percentiles (p50, p90, p99, p99.9, max) and the numbers of errors and "
                        + "timeouts. Failed operations are counted, not retried."})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    ClientMain parent;
    @Spec
    CommandSpec spec;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4", description = "Logical clients (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--duration", paramLabel = "S", defaultValue = "10",
            description = "Seconds to issue operations (default: ${DEFAULT-VALUE}).")
    double durationS;
    @Option(names = "--ops", paramLabel = "M", defaultValue = "1000000",
            description = "Most operations in all (default: ${DEFAULT-VALUE}).")
    long ops;
    @Option(names = "--value-bytes", paramLabel = "B", defaultValue = "16",
            description = "Size of written values (default: ${DEFAULT-VALUE}).")
    int valueBytes;
    @Option(names = "--read-ratio", paramLabel = "R", defaultValue = "0.5",
            description = "Share of reads, 0..1 (default: ${DEFAULT-VALUE}).")
    double readRatio;
    @Option(names = "--keys", paramLabel = "K", defaultValue = "1000", description = "Keys to spread over (default: ${DEFAULT-VALUE}).")
    int keys;
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of the key, operation and value choices (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results to FILE as JSON.")
    Path json;

    @Override
    public Integer call() {
        parent.rejectAppendWith(spec);
        BenchOptions options;
        try {
            options = new BenchOptions(clients, durationS, ops, valueBytes, readRatio, keys, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return parent.withClient(spec, (client, out) -> {
            BenchResult result = Bench.run(client, options);
            out.print(result.human());
            if (json != null) {
                try {
                    Files.writeString(json, result.json(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("raft-client: cannot write " + json + ": " + e);
                    return ClientMain.EXIT_IO;
                }
            }
            boolean failedAll = result.ops() == 0 && result.errors() + result.timeouts() > 0;
            return failedAll ? ClientMain.EXIT_UNAVAILABLE : ClientMain.EXIT_OK;
        });
    }
}
