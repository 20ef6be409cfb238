package raftudp.netns;

import raftudp.node.NodeMain;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code raft-node} ({@link NodeMain}) running as a child JVM inside a namespace of a
 * {@link NetnsLab}, so that it has that namespace's network to itself. Its stdout and
 * stderr go to the lab's log file {@code <name>.log}. Stopped, paused and resumed by
 * signals to its own PID ({@code ip netns exec} replaces itself with java); the lab stops
 * it at the latest when it closes.
 */
public final class NodeProcess {
    /** Fast start of a short-lived JVM. */
    public static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto");
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final Process process;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /** Starts {@code raft-node ARGS...} in {@code namespace}; returns at once (readiness: ask its status). */
    public static NodeProcess start(NetnsLab lab, String namespace, String name, List<String> args) throws IOException {
        Process p = lab.spawn(namespace, name, NetnsLab.javaCommand(NodeMain.class, JVM_FLAGS,
                args.toArray(String[]::new)));
        OutputStream log = Files.newOutputStream(lab.logFile(name), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Thread drain = new Thread(() -> {
            try (log; var in = p.getInputStream()) {
                in.transferTo(log);
            } catch (IOException e) {
                // the process ended
            }
        }, "stdout-" + name);
        drain.setDaemon(true);
        drain.start();
        return new NodeProcess(name, p);
    }

    /** The node's arguments for a pcap node {@code id} of {@code peers} using {@code dataDir}. */
    public static List<String> pcapArgs(int id, String peers, java.nio.file.Path dataDir) {
        return new ArrayList<>(List.of(String.valueOf(id), "--peers", peers, "--transport", "pcap",
                "--data-dir", dataDir.toString()));
    }

    /** {@link #pcapArgs} plus the options that give the child {@code settings}' timeouts, snapshot interval and --allow-admin. */
    public static List<String> pcapArgs(int id, String peers, java.nio.file.Path dataDir,
                                        raftudp.node.NodeSettings settings) {
        List<String> args = pcapArgs(id, peers, dataDir);
        args.addAll(List.of("--tick-ms", String.valueOf(settings.tickMs()),
                "--heartbeat-ticks", String.valueOf(settings.heartbeatTicks()),
                "--election-ticks", settings.electionTicksMin() + "-" + settings.electionTicksMax(),
                "--snapshot-every", String.valueOf(settings.snapshotEveryEntries())));
        if (settings.allowAdmin()) {
            args.add("--allow-admin");
        }
        if (settings.clusterKey() != null) {
            throw new IllegalArgumentException("a child node gets its key from a file: add --cluster-key FILE yourself");
        }
        return args;
    }

    /** The JVM's PID. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL (a crash: nothing is flushed that was not already), then waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM (a clean stop), then waits; SIGKILL if it has not stopped within 10 s. */
    public void terminate() {
        process.destroy();
        if (!awaitExit()) {
            kill();
        }
    }

    /** SIGSTOP: the JVM freezes, its kernel sockets stay open (the host looks alive but silent). */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String sig) {
        if (process.isAlive()) {
            NetnsLab.exec(List.of("kill", "-" + sig, String.valueOf(process.pid())), EXIT_TIMEOUT);
        }
    }

    private boolean awaitExit() {
        try {
            if (process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println(name + ": still running " + EXIT_TIMEOUT + " after a signal");
        return false;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
