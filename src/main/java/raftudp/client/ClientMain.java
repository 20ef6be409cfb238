package raftudp.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.transport.pcap.PcapOptions;
import raftudp.transport.pcap.PcapTransport;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;
import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code raft-client}: the command-line client. Without a subcommand it keeps the original
 * project's form ({@code -s SRC -d NODE -da VALUE}); the subcommands are in
 * {@link KvCommands}, {@link StatusCommands} and {@link BenchCommand}. Options marked as
 * common may be given before or after the subcommand.
 */
@Command(name = "raft-client", mixinStandardHelpOptions = true, version = "raft-client 0.1.0",
        usageHelpAutoWidth = true,
        description = {"Client of a raftudp cluster: reads and writes its key-value store over UDP, shows the nodes' "
                + "status, and generates load.",
                "Without a command: -da VALUE appends VALUE to the list under the key 'log', as the original project "
                        + "inserted -da's value into the Raft log."},
        subcommands = {KvCommands.Put.class, KvCommands.Get.class, KvCommands.Delete.class, KvCommands.Cas.class,
                StatusCommands.Status.class, StatusCommands.Watch.class, BenchCommand.class, WorkloadCommand.class,
                FaultCommands.class},
        footer = {"", "Values: 1, 0 and -5 are integers; hello and \"\" are strings; 0x00ff or hex:00ff are bytes; "
                + "@FILE is the bytes of FILE; str:1 is the string \"1\", int:7 the integer 7. --type forces one type.",
                "", "Examples:",
                "  raft-client -s 10.0.1.11 -d 10.0.1.1 -da 1",
                "  raft-client --peers 127.0.0.1:9000,127.0.0.1:9010,127.0.0.1:9020 put k hello",
                "  raft-client get k",
                "  raft-client get --out k.bin k    (save the value of k in k.bin)",
                "  raft-client cas k - 0            (store 0 only if k is absent)",
                "  raft-client status",
                "  raft-client watch --interval-ms 500 --count 10",
                "  raft-client bench --clients 8 --duration 10 --ops 100000 --read-ratio 0.9 \\",
                "      --json bench.json",
                "  raft-client -d 10.0.1.1 fault set 10.0.2.2 delay:5ms loss:1%%",
                "      (node 0 delays and drops some of what it sends to 10.0.2.2)",
                "", "With --cluster-key FILE (the nodes' key file) every request is authenticated and only "
                        + "authenticated answers count: needed for a cluster whose nodes have a key, and for fault "
                        + "commands unless the nodes run with --allow-admin.",
                "", "Exit codes:",
                "  0  done",
                "  1  refused: by the store (cas failed, wrong type), by a node (a fault",
                "     request), or by get --out (an integer or a list is not saved)",
                "  2  bad arguments",
                "  3  no leader, or no answer in time",
                "  4  outcome unknown (session expired, interrupted)",
                "  5  transport or file error",
                "  6  key not found (get)"})
public final class ClientMain implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_REFUSED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 3;
    public static final int EXIT_UNKNOWN = 4;
    public static final int EXIT_IO = 5;
    /** {@code get} of a key that holds nothing. */
    public static final int EXIT_NOT_FOUND = 6;

    /** Makes the transport a client sends and receives through; tests give an in-memory one. */
    @FunctionalInterface
    interface TransportFactory {
        /**
         * @param source        the -s address, or null for any
         * @param raw           true for --raw (pcap)
         * @param interfaceName --interface, or null
         */
        Transport create(InetAddress source, boolean raw, String interfaceName) throws TransportException;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "-s", scope = ScopeType.INHERIT, paramLabel = "ADDRESS",
            description = "Source IPv4 address: the client binds it (with --raw, writes it into the packets). "
                    + "Default: any local address (required with --raw).")
    String source;

    @Option(names = "-d", scope = ScopeType.INHERIT, paramLabel = "NODE",
            description = "Node to ask first: its index, host, or host:port. Any node will do: a follower redirects "
                    + "to the leader and the client follows. For status: the one node to show.")
    String destination;

    @Option(names = "-da", paramLabel = "VALUE",
            description = "Append VALUE to the list under the key 'log' (see --key) and print the answer. The original "
                    + "project inserted this value into the Raft log; here it goes through the log into the store.")
    String appendValue;

    @Option(names = "--key", paramLabel = "KEY", defaultValue = "log", description = "Key -da appends to (default: ${DEFAULT-VALUE}).")
    String appendKey;

    @Option(names = "--type", scope = ScopeType.INHERIT, paramLabel = "TYPE", defaultValue = "auto",
            description = "Type of the values given: int, string, bytes or auto (default: guess from the text).")
    String type;

    @Option(names = "--peers", scope = ScopeType.INHERIT, paramLabel = "HOST[:BASE],...",
            description = "The cluster's nodes in id order; BASE gives ports BASE..BASE+4 (vote, heartbeat, append, "
                    + "client, snapshot). Default: 10.0.1.1,10.0.2.2,10.0.3.3 on the default ports.")
    String peers;

    @Option(names = "--cluster", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "File listing the nodes, one per line: <host> [vote heartbeat append client snapshot]; "
                    + "# starts a comment.")
    Path clusterFile;

    @Option(names = "--pace-us", scope = ScopeType.INHERIT, paramLabel = "US", defaultValue = "${env:RAFTUDP_PACE_US:-0}",
            description = "Space the datagrams of a large request US microseconds apart, for software switches "
                    + "that lose back-to-back bursts (BMv2: 200). Default: $RAFTUDP_PACE_US (the testbed "
                    + "sets it), else 0: back to back; now ${DEFAULT-VALUE}.")
    long paceMicros;

    @Option(names = "--timeout-ms", scope = ScopeType.INHERIT, paramLabel = "MS", defaultValue = "10000",
            description = "Give an operation up when no leader answered it within MS (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--raw", scope = ScopeType.INHERIT,
            description = "Craft the client's packets with pcap (Ethernet/IPv4/UDP from the -s address), like the "
                    + "original; needs root or CAP_NET_RAW. Default: kernel UDP sockets.")
    boolean raw;

    @Option(names = "--interface", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "With --raw: the interface to use (default: the one holding the -s address).")
    String interfaceName;

    @Option(names = "--source-port", scope = ScopeType.INHERIT, paramLabel = "PORT",
            description = "UDP source port. Default: any free port; with --raw, the client port 39316 (0x9994).")
    Integer sourcePort;

    @Option(names = "--cluster-key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The cluster's key file (as given to the nodes): authenticate every request, take only "
                    + "authenticated answers. Make one with: head -c 32 /dev/urandom | base64 > cluster.key; "
                    + "chmod 600 cluster.key")
    Path clusterKeyFile;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", defaultValue = "warn",
            description = "Log level on stderr: error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
    String logLevel;

    private final TransportFactory transports;

    /** The program as run from the command line: real transports. */
    public ClientMain() {
        this(ClientMain::defaultTransport);
    }

    ClientMain(TransportFactory transports) {
        this.transports = transports;
    }

    public static void main(String[] args) {
        // Netty probes for Flight Recorder at start, which costs a one-shot command ~70 ms
        // (docs/node.md, "Start-up"); -Dio.netty.jfr.enabled=true brings it back.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        System.exit(commandLine(new ClientMain()).execute(args));
    }

    /**
     * The command line of {@code app}. Picocli's {@code @file} argument files are off:
     * {@code @FILE} is a value here (the bytes of FILE).
     */
    static CommandLine commandLine(ClientMain app) {
        CommandLine cl = new CommandLine(app).setExpandAtFiles(false);
        cl.setParameterExceptionHandler(ClientMain::usageError);
        return cl;
    }

    /** A bad argument: what is wrong, a suggestion when picocli has one, where to read more. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("raft-client: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more.");
        err.flush();
        return EXIT_USAGE;
    }

    /** The original form: {@code -da VALUE} appends VALUE to the list under {@code --key}. */
    @Override
    public Integer call() {
        if (appendValue == null) {
            throw new ParameterException(spec.commandLine(), "nothing to do: give -da VALUE or a command "
                    + "(put, get, delete, cas, status, watch, bench, fault); see raft-client --help");
        }
        Value value = value(spec, appendValue, "-da");
        String key = key(spec, appendKey, "--key");
        return withClient(spec, (client, out) -> Outputs.print(new raftudp.kv.Command.Append(key, value),
                client.append(key, value), client, out));
    }

    // ---- shared by the subcommands ----

    /** What a command does once connected; returns the exit code. */
    @FunctionalInterface
    interface Action {
        int run(RaftClient client, PrintWriter out) throws RaftClientException, InterruptedException;
    }

    /** Fails when -da was given together with a subcommand, which would silently ignore it. */
    void rejectAppendWith(CommandSpec sub) {
        if (appendValue != null) {
            throw new ParameterException(sub.commandLine(), "-da cannot be combined with the " + sub.name()
                    + " command; use one or the other");
        }
    }

    /** Parses a value word with --type; a bad word is a usage error naming {@code what}. */
    Value value(CommandSpec at, String word, String what) {
        try {
            return ValueParser.parse(word, ValueType.parse(type));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(at.commandLine(), what + ": " + e.getMessage());
        }
    }

    /** Checks a key; a bad one is a usage error. */
    static String key(CommandSpec at, String key, String what) {
        int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > raftudp.kv.Command.KEY_BYTES_MAX) {
            throw new ParameterException(at.commandLine(), what + ": a key is 1.." + raftudp.kv.Command.KEY_BYTES_MAX
                    + " bytes of UTF-8, got " + bytes);
        }
        return key;
    }

    /** The node list from --peers, --cluster or the default. */
    ClusterConfig cluster(CommandSpec at) {
        try {
            if (peers != null && clusterFile != null) {
                throw new IllegalArgumentException("give either --peers or --cluster, not both");
            }
            if (peers != null) {
                return ClusterConfig.parsePeers(peers);
            }
            return clusterFile != null ? ClusterConfig.parseFile(clusterFile) : ClusterConfig.testbed();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(at.commandLine(), e.getMessage());
        }
    }

    /** The -d node's index, or -1 when -d was not given. */
    int destination(CommandSpec at, ClusterConfig nodes) {
        if (destination == null) {
            return -1;
        }
        try {
            return ClusterSpec.select(nodes, destination);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(at.commandLine(), e.getMessage());
        }
    }

    /**
     * Connects as the common options say, runs {@code action}, closes. Failures become
     * a message on stderr and an exit code; bad options are usage errors.
     */
    int withClient(CommandSpec at, Action action) {
        PrintWriter err = at.commandLine().getErr();
        ClientOptions options = clientOptions(at);
        InetAddress src = sourceAddress(at);
        setLogLevel(at);
        RaftClient client;
        try {
            client = RaftClient.start(options, transports.create(src, raw, interfaceName));
        } catch (TransportException e) {
            err.println("raft-client: cannot start the " + (raw ? "pcap" : "udp") + " transport"
                    + (source != null ? " at -s " + source : "") + ": " + e.getMessage()
                    + (source != null && !raw ? "; -s must be an address of this host" : ""));
            return EXIT_IO;
        }
        try (client) {
            return action.run(client, at.commandLine().getOut());
        } catch (RaftClientException e) {
            err.println("raft-client: " + e.getMessage());
            return exitCode(e.kind());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("raft-client: interrupted");
            return EXIT_UNKNOWN;
        } finally {
            at.commandLine().getOut().flush();
            err.flush();
        }
    }

    private ClientOptions clientOptions(CommandSpec at) {
        ClusterConfig nodes = cluster(at);
        int first = destination(at, nodes);
        if (timeoutMs < 1 || timeoutMs > 3_600_000) {
            throw new ParameterException(at.commandLine(), "--timeout-ms " + timeoutMs + " outside 1..3600000");
        }
        if (paceMicros < 0 || paceMicros > 100_000) {
            throw new ParameterException(at.commandLine(), "--pace-us " + paceMicros + " outside 0..100000");
        }
        if (raw && source == null) {
            throw new ParameterException(at.commandLine(), "--raw needs -s ADDRESS: the source address written into "
                    + "the crafted packets");
        }
        if (sourcePort != null && (sourcePort < 0 || sourcePort > 0xFFFF)) {
            throw new ParameterException(at.commandLine(), "--source-port " + sourcePort + " outside 0..65535");
        }
        int port = sourcePort != null ? sourcePort : raw ? PortMap.DEFAULT.client() : 0;
        List<InetSocketAddress> addresses = new ArrayList<>();
        nodes.nodes().forEach(n -> addresses.add(n.socketOf(MessageClass.CLIENT)));
        return ClientOptions.of(addresses).withFirstNode(Math.max(0, first)).withLocalPort(port)
                .withDeadlineMs(timeoutMs).withAttemptTimeoutMs(Math.min(timeoutMs, ClientOptions.ATTEMPT_TIMEOUT_MS_DEFAULT))
                .withClusterKey(clusterKey(at)).withPacing(paceMicros);
    }

    /** The --cluster-key, or null; warns on stderr when the file is readable by others. A bad file is a usage error. */
    private ClusterKey clusterKey(CommandSpec at) {
        if (clusterKeyFile == null) {
            return null;
        }
        ClusterKey key;
        try {
            key = ClusterKey.read(clusterKeyFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(at.commandLine(), "--cluster-key: " + e.getMessage());
        }
        ClusterKey.permissionWarning(clusterKeyFile).ifPresent(w -> {
            at.commandLine().getErr().println("raft-client: warning: " + w);
            at.commandLine().getErr().flush();
        });
        return key;
    }

    private InetAddress sourceAddress(CommandSpec at) {
        if (source == null) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(source);
            if (!(a instanceof Inet4Address)) {
                throw new UnknownHostException();
            }
            return a;
        } catch (UnknownHostException e) {
            throw new ParameterException(at.commandLine(), "-s " + source + " is not an IPv4 address or known host");
        }
    }

    private void setLogLevel(CommandSpec at) {
        String l = logLevel.toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace", "off").contains(l)) {
            throw new ParameterException(at.commandLine(), "--log-level " + logLevel
                    + " is not one of error, warn, info, debug, trace, off");
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(l, Level.WARN));
        }
    }

    /** The exit code for a failure kind. */
    static int exitCode(RaftClientException.Kind kind) {
        switch (kind) {
            case OUTCOME_UNKNOWN:
            case INTERRUPTED:
                return EXIT_UNKNOWN;
            case NO_LEADER:
            case NO_ANSWER:
            case BUSY:
            case CLOSED:
            default:
                return EXIT_UNAVAILABLE;
        }
    }

    static Transport defaultTransport(InetAddress source, boolean raw, String interfaceName) throws TransportException {
        if (raw) {
            return new PcapTransport(new PcapOptions(interfaceName, source));
        }
        try {
            return new UdpTransport(source != null ? source : InetAddress.getByAddress(new byte[4]));
        } catch (UnknownHostException e) {
            throw new TransportException("no wildcard address", e);
        }
    }

    /** For the exit code of a printed result. */
    static int exitCode(Result r) {
        return r instanceof Result.CasFailed || r instanceof Result.WrongType ? EXIT_REFUSED : EXIT_OK;
    }
}
