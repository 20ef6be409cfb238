package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import raftudp.core.DataLostException;
import raftudp.core.TermCeilingException;
import raftudp.logging.LogSetup;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.FsyncPolicy;
import raftudp.storage.StorageException;
import raftudp.transport.FaultRule;
import raftudp.transport.FaultyTransport;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.transport.pcap.PcapOptions;
import raftudp.transport.pcap.PcapTransport;
import raftudp.transport.udp.UdpTransport;
import raftudp.config.ClusterConfig;
import raftudp.wire.ClusterKey;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code raft-node}: runs one node of the cluster until SIGTERM or Ctrl-C.
 * {@code java -jar raft-node.jar 0} starts node 0 of the default (testbed) cluster;
 * {@code java -jar raft-node.jar log DIR} prints a data directory as text ({@link LogCommand}).
 * Exit codes: 0 clean stop (a JVM stopped by SIGTERM reports 143), 1 the node could not
 * start or failed, {@value #EXIT_USAGE} bad arguments, {@value #EXIT_DATA_LOST} its data directory
 * is not the one it joined the cluster with (docs/node.md, "Lost data").
 */
@Command(name = "raft-node", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Runs one node of a raftudp cluster (Raft over UDP) until SIGTERM or Ctrl-C.",
                "The cluster is the ordered node list of --cluster or --peers (default: the testbed's "
                        + "10.0.1.1, 10.0.2.2, 10.0.3.3); INDEX selects this node in it, and is its Raft id."},
        footer = {"", "raft-node log DIR [--json]: print a stopped node's data directory as text (hard state, snapshot, "
                + "entries and their commands) instead of running a node; see raft-node log --help.",
                "", "Cluster file: one node per line, '<host>', '<host>:<basePort>' or "
                + "'<host> <vote> <heartbeat> <append> <client> <snapshot>'; '#' starts a comment.",
                "A basePort stands for the five ports base..base+4: vote, heartbeat, append, client, snapshot.",
                "Faults (--fault TARGET=RULE, repeatable): what this node sends to TARGET (an IPv4 host, or '*' for "
                        + "every host without its own rule) is damaged: RULE is comma-separated delay:5ms, jitter:1ms, "
                        + "loss:5%%, dup:1%% (or none), e.g.",
                "  --fault 10.0.2.2=delay:5ms,loss:1%% --fault '*=delay:2ms'",
                "Change them at run time with 'raft-client fault'; see docs/node.md.",
                "Security: with --cluster-key FILE every datagram is authenticated (HMAC-SHA256) and only "
                        + "authenticated ones are taken; admin requests ('raft-client fault') are accepted when "
                        + "authenticated. Without a key they are refused unless --allow-admin is given. Make a key "
                        + "(docs/wire-format.md section 10) with:",
                "  head -c 32 /dev/urandom | base64 > cluster.key; chmod 600 cluster.key",
                "Logs go to stderr, and with --log-file FILE or $RAFTUDP_LOG_DIR to a file too.",
                "Defaults of the timeouts are measured: see docs/timeouts.md.",
                "Exit codes: 0 clean stop (a JVM ended by SIGTERM reports 143), 1 the node could not start or "
                        + "failed, 2 bad arguments, 3 its data directory is not the one it joined the cluster with "
                        + "(wiped or replaced: see docs/node.md, \"Lost data\")."})
public final class NodeMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMain.class);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "this node's index in the cluster list (0-based)")
    int index;

    @Option(names = "--cluster", paramLabel = "FILE", description = "cluster file (format below)")
    Path clusterFile;

    @Option(names = "--peers", paramLabel = "LIST",
            description = "comma-separated nodes, each host or host:basePort, e.g. 127.0.0.1:40000,127.0.0.1:40010")
    String peers;

    @Option(names = "--transport", paramLabel = "auto|udp|pcap", defaultValue = "auto",
            description = "auto (default): pcap with CAP_NET_RAW on a non-loopback address, else udp")
    String transport;

    @Option(names = "--interface", paramLabel = "IFACE",
            description = "pcap: interface to capture on (default: the one holding the node's address)")
    String iface;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default: data/node-INDEX)")
    Path dataDir;

    @Option(names = "--tick-ms", paramLabel = "MS", defaultValue = "" + NodeSettings.TICK_MS_DEFAULT,
            description = "length of a tick (default: ${DEFAULT-VALUE})")
    int tickMs;

    @Option(names = "--heartbeat-ticks", paramLabel = "N", defaultValue = "" + NodeSettings.HEARTBEAT_TICKS_DEFAULT,
            description = "leader heartbeat period in ticks (default: ${DEFAULT-VALUE})")
    int heartbeatTicks;

    @Option(names = "--election-ticks", paramLabel = "MIN-MAX",
            defaultValue = NodeSettings.ELECTION_TICKS_MIN_DEFAULT + "-" + NodeSettings.ELECTION_TICKS_MAX_DEFAULT,
            description = "randomized election timeout range in ticks, MAX exclusive (default: ${DEFAULT-VALUE})")
    String electionTicks;

    @Option(names = "--fsync", paramLabel = "always|batch|never", defaultValue = "always",
            description = "when the log is forced to disk (default: ${DEFAULT-VALUE}; never = throwaway runs only)")
    String fsync;

    @Option(names = "--fsync-batch-ms", paramLabel = "MS", defaultValue = "" + FileStorageOptions.BATCH_INTERVAL_MS_DEFAULT,
            description = "with --fsync batch: longest a write waits for its fsync (default: ${DEFAULT-VALUE})")
    long fsyncBatchMs;

    @Option(names = "--commit-persist-ms", paramLabel = "MS", defaultValue = "100",
            description = "write a hard state whose only change is the commit index at most this often; 0 = always"
                    + " (default: ${DEFAULT-VALUE}; term and vote are always written at once)")
    long commitPersistMs;

    @Option(names = "--snapshot-every", paramLabel = "N", defaultValue = "" + NodeSettings.SNAPSHOT_EVERY_ENTRIES_DEFAULT,
            description = "applied entries between snapshots (default: ${DEFAULT-VALUE})")
    long snapshotEvery;

    @Option(names = "--fault", paramLabel = "TARGET=RULE",
            description = "damage what this node sends to TARGET (IPv4 host or '*'): RULE is e.g. "
                    + "delay:5ms,jitter:1ms,loss:5%%,dup:1%% (repeatable; format below)")
    List<String> faults = new ArrayList<>();

    @Option(names = "--cluster-key", paramLabel = "FILE",
            description = "the cluster's shared key (16..1024 bytes; one trailing newline ignored): authenticate "
                    + "everything sent, take only authenticated datagrams")
    Path clusterKeyFile;

    @Option(names = "--pace-us", paramLabel = "US", defaultValue = "${env:RAFTUDP_PACE_US:-0}",
            description = "space the datagrams of each multi-datagram message (snapshot chunks, large "
                    + "appends and answers) US microseconds apart, for software switches that lose "
                    + "back-to-back bursts (BMv2: 200); default: $RAFTUDP_PACE_US (the testbed sets it), "
                    + "else 0: back to back; now ${DEFAULT-VALUE}")
    long paceMicros;

    @Option(names = "--allow-admin",
            description = "without --cluster-key: accept admin requests (fault rules) from anyone who can reach "
                    + "the client port; default: refuse them")
    boolean allowAdmin;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "TRACE, DEBUG, INFO, WARN or ERROR (default: INFO, or $RAFTUDP_LOG_LEVEL)")
    String logLevel;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "append the log to FILE as well as to stderr (default: $RAFTUDP_LOG_DIR/node-INDEX.log "
                    + "when RAFTUDP_LOG_DIR is set, else stderr only)")
    Path logFile;

    /** The environment: {@link System#getenv(String)}, or what a test gives. */
    private final UnaryOperator<String> env;

    /** The program as run from the command line: the process's environment. */
    public NodeMain() {
        this(System::getenv);
    }

    NodeMain(UnaryOperator<String> env) {
        this.env = env;
    }

    /** Exit code of a bad argument. */
    static final int EXIT_USAGE = 2;
    /** Exit code of a node whose data directory is not the one it joined the cluster with. */
    static final int EXIT_DATA_LOST = 3;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("log")) { // raft-node.jar log DIR: not a node, its data as text
            System.exit(new CommandLine(new LogCommand()).setParameterExceptionHandler(NodeMain::usageError)
                    .execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine(new NodeMain()).execute(args));
    }

    /** The command line of {@code app}: a bad argument prints one line and where to read more, not the usage. */
    static CommandLine commandLine(NodeMain app) {
        return new CommandLine(app).setParameterExceptionHandler(NodeMain::usageError);
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("raft-node: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more.");
        err.flush();
        return EXIT_USAGE;
    }

    /** Everything the arguments decide, checked before anything starts. */
    record Plan(ClusterConfig cluster, int index, NodeSettings settings, TransportChoice transport,
                FileStorageOptions storage, Map<String, FaultRule> faults, Optional<Path> logFile) {
    }

    @Override
    public Integer call() throws InterruptedException {
        Plan plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        out.println("raft-node " + plan.index() + ": " + plan.cluster().node(plan.index()) + ", transport "
                + plan.transport().kind().name().toLowerCase() + " (" + plan.transport().reason() + "), data "
                + plan.storage().dir() + ", fsync " + plan.storage().fsyncPolicy().name().toLowerCase()
                + ", faults " + Faults.describe(plan.faults()));
        out.println("raft-node " + plan.index() + ": " + plan.settings().describeSecurity());
        out.flush();
        Optional<Path> logTo = plan.logFile().filter(f -> logFileOpens(f, err));
        LOG.info("node {}: data directory {}, log file {}", plan.index(), plan.storage().dir().toAbsolutePath(),
                logTo.map(f -> f.toAbsolutePath().toString()).orElse("none (stderr only)"));
        if (clusterKeyFile != null) {
            ClusterKey.permissionWarning(clusterKeyFile).ifPresent(w -> {
                err.println("raft-node: WARNING: " + w);
                err.flush();
            });
        }
        if (plan.storage().fsyncPolicy() == FsyncPolicy.NEVER) {
            err.println("raft-node: WARNING: --fsync never: nothing is forced to disk; a power cut can lose "
                    + "acknowledged writes and votes. Throwaway runs only.");
            err.flush();
        }
        NodeRuntime rt;
        try {
            FileStorage storage = FileStorage.open(plan.storage());
            rt = NodeRuntime.start(plan.cluster(), plan.index(), plan.settings(), storage, transportFor(plan));
        } catch (StorageException | TransportException | TermCeilingException e) {
            err.println("raft-node: cannot start node " + plan.index() + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("node {}: shutting down (signal)", rt.id());
            rt.close();
        }, "raft-node-shutdown"));
        while (!rt.awaitStopped(Duration.ofHours(1))) {
            // runs until a signal's shutdown hook closes it, or it fails
        }
        if (rt.failure() instanceof DataLostException lost) {
            rt.close();
            err.println("raft-node: node " + plan.index() + " stopped: " + lost.getMessage());
            err.flush();
            return EXIT_DATA_LOST;
        }
        if (rt.failure() != null) {
            rt.close();
            err.println("raft-node: node " + plan.index() + " failed: " + rt.failure());
            err.flush();
            return 1;
        }
        return 0;
    }

    /** Checks every argument; a bad one is a {@link CommandLine.ParameterException} (exit code 2). */
    Plan plan() {
        applyLogLevel();
        if (clusterFile != null && peers != null) {
            throw bad("--cluster and --peers both give the node list: use one");
        }
        ClusterConfig cluster;
        try {
            cluster = clusterFile != null ? ClusterConfig.parseFile(clusterFile)
                    : peers != null ? ClusterConfig.parsePeers(peers) : ClusterConfig.testbed();
        } catch (ClusterConfig.ClusterConfigException e) {
            throw bad(e.getMessage());
        }
        if (index < 0 || index >= cluster.size()) {
            throw bad("node index " + index + " is out of range: the cluster has " + cluster.size()
                    + " node(s), so INDEX is 0.." + (cluster.size() - 1));
        }
        NodeSettings settings;
        try {
            int[] range = parseRange(electionTicks);
            settings = NodeSettings.defaults().withTimeouts(tickMs, heartbeatTicks, range[0], range[1])
                    .withSnapshotEvery(snapshotEvery).withAllowAdmin(allowAdmin)
                    .withPacing(paceMicros);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (clusterKeyFile != null) {
            try {
                settings = settings.withClusterKey(ClusterKey.read(clusterKeyFile));
            } catch (IllegalArgumentException e) {
                throw bad("--cluster-key: " + e.getMessage());
            }
        }
        TransportChoice choice;
        FsyncPolicy policy;
        try {
            choice = TransportChoice.choose(TransportChoice.Kind.parse(transport), cluster.node(index).address(),
                    TransportChoice.processHasNetRaw());
            policy = parseFsync(fsync);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (fsyncBatchMs < 1 || commitPersistMs < 0) {
            throw bad("--fsync-batch-ms must be at least 1 and --commit-persist-ms at least 0");
        }
        Map<String, FaultRule> faultRules;
        try {
            faultRules = Faults.parseOptions(faults);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        Path dir = dataDir != null ? dataDir : FileStorageOptions.defaultDir(index);
        FileStorageOptions storage = FileStorageOptions.builder(dir).fsyncPolicy(policy)
                .batch(fsyncBatchMs, FileStorageOptions.BATCH_BYTES_MAX_DEFAULT)
                .commitPersistIntervalMs(commitPersistMs).build();
        return new Plan(cluster, index, settings, choice, storage, faultRules,
                LogSetup.nodeLogFile(logFile, env.apply(LogSetup.LOG_DIR_ENV), index));
    }

    /** Sends the log to {@code file} too; true if it could, else a warning on {@code err}. */
    private static boolean logFileOpens(Path file, PrintWriter err) {
        Optional<String> problem = LogSetup.addFile(file);
        problem.ifPresent(p -> {
            err.println("raft-node: WARNING: cannot log to " + file + " (" + p + "); logging to stderr only");
            err.flush();
        });
        return problem.isEmpty();
    }

    /** The transport of the plan inside the fault layer, with the --fault rules in force from the start. */
    private Transport transportFor(Plan plan) {
        ClusterConfig.NodeAddress self = plan.cluster().node(plan.index());
        Transport inner = plan.transport().kind() == TransportChoice.Kind.PCAP
                ? new PcapTransport(new PcapOptions(iface, self.address())) : new UdpTransport(self.address());
        FaultyTransport faulty = new FaultyTransport(inner, new SecureRandom().nextLong());
        plan.faults().forEach((target, rule) -> Faults.set(faulty, target, rule));
        return faulty;
    }

    /** "MIN-MAX" → {min, max}. */
    static int[] parseRange(String s) {
        String[] parts = s.trim().split("-", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("--election-ticks '" + s + "': expected MIN-MAX, e.g. 30-60");
        }
        try {
            return new int[]{Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--election-ticks '" + s + "': MIN and MAX must be whole numbers");
        }
    }

    static FsyncPolicy parseFsync(String s) {
        for (FsyncPolicy p : FsyncPolicy.values()) {
            if (p.name().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("--fsync '" + s + "': use always, batch or never");
    }

    private void applyLogLevel() {
        if (logLevel == null) {
            return;
        }
        ch.qos.logback.classic.Level level = ch.qos.logback.classic.Level.toLevel(logLevel.trim(), null);
        if (level == null) {
            throw bad("--log-level '" + logLevel + "': use TRACE, DEBUG, INFO, WARN, ERROR or OFF");
        }
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger lb) {
            lb.setLevel(level);
        }
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
