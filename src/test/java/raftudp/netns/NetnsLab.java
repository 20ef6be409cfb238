package raftudp.netns;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Network namespaces, veth pairs, bridges and processes for tests, all created by this lab
 * and all removed by {@link #close()} (also from a shutdown hook, and by the next lab when
 * a JVM died before cleaning up: leftovers are recognised by the creator's dead PID in
 * their names). Needs root and iproute2.
 *
 * <p>Safety: every namespace is named {@code rulab-<pid>-<n>-<name>}; both ends of every
 * veth are created inside namespaces of this lab (never in the caller's namespace), and
 * addresses and routes are only ever set inside them. Every command runs with a timeout.
 *
 * <p>A JVM thread cannot easily enter another namespace, so code that must run "on a
 * host" runs as a child process started with {@code ip netns exec} ({@link #spawn},
 * {@link #javaCommand}, {@link ChildJvm}).
 */
public final class NetnsLab implements AutoCloseable {
    /** Prefix of every namespace a lab makes. */
    public static final String PREFIX = "rulab-";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Set<NetnsLab> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NetnsLab lab : List.copyOf(OPEN)) {
                lab.close();
            }
        }, "netns-lab-cleanup"));
    }

    private final String id;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Path logDir;

    private NetnsLab() throws IOException {
        this.id = PREFIX + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
        this.logDir = Files.createDirectories(Path.of("target", "netns-logs", id));
    }

    /** A new, empty lab; first removes namespaces left by labs of JVMs that are gone. */
    public static NetnsLab create() throws IOException {
        removeLeftovers();
        NetnsLab lab = new NetnsLab();
        OPEN.add(lab);
        return lab;
    }

    /** Creates namespace {@code <lab id>-<name>} with its loopback up; returns its full name. */
    public String namespace(String name) {
        String ns = id + "-" + name;
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair from {@code ifA} in {@code nsA} to {@code ifB} in {@code nsB}, both up. */
    public void veth(String nsA, String ifA, String nsB, String ifB) {
        ip("-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        ip("-n", nsA, "link", "set", ifA, "up");
        ip("-n", nsB, "link", "set", ifB, "up");
    }

    /** A Linux bridge {@code name} in {@code ns}, up, bridging without netfilter where that can be turned off. */
    public void bridge(String ns, String name) {
        ip("-n", ns, "link", "add", name, "type", "bridge");
        ip("-n", ns, "link", "set", name, "up");
        runQuietly(ns, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0");
    }

    /** Makes {@code iface} of {@code ns} a port of {@code bridge}. */
    public void attach(String ns, String iface, String bridge) {
        ip("-n", ns, "link", "set", iface, "master", bridge);
    }

    /** Adds an address such as {@code 10.99.1.1/24} to {@code iface} in {@code ns}. */
    public void address(String ns, String iface, String cidr) {
        ip("-n", ns, "addr", "add", cidr, "dev", iface);
    }

    /** Adds a route in {@code ns}, e.g. {@code route(ns, "default", "via", "10.99.1.254")}. */
    public void route(String ns, String... spec) {
        List<String> cmd = new ArrayList<>(List.of("-n", ns, "route", "add"));
        cmd.addAll(List.of(spec));
        ip(cmd.toArray(String[]::new));
    }

    /** Sets a sysctl inside {@code ns}, e.g. {@code net.ipv4.ip_forward=1}. */
    public void sysctl(String ns, String assignment) {
        run(ns, "sysctl", "-qw", assignment);
    }

    /** The MAC of {@code iface} in {@code ns}, as {@code aa:bb:cc:dd:ee:ff}. */
    public String mac(String ns, String iface) {
        return run(ns, "cat", "/sys/class/net/" + iface + "/address").trim();
    }

    /** Runs {@code ip args...} in the caller's namespace (only namespace-scoped commands are passed here). */
    private void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        exec(cmd, COMMAND_TIMEOUT);
    }

    /** Runs a command inside {@code ns}; returns its output; fails on a non-zero exit or the timeout. */
    public String run(String ns, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return exec(cmd, COMMAND_TIMEOUT);
    }

    private void runQuietly(String ns, String... command) {
        try {
            run(ns, command);
        } catch (IllegalStateException e) {
            // optional setting (e.g. br_netfilter not loaded): fine without
        }
    }

    /**
     * Starts {@code command} inside {@code ns}; its stderr goes to a log file of this lab,
     * stdout stays a pipe. The process is destroyed (by its PID) when the lab closes.
     */
    public Process spawn(String ns, String logName, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile(logName).toFile()))
                .start();
        processes.add(p);
        return p;
    }

    /** Where {@link #spawn} writes the stderr of {@code logName}. */
    public Path logFile(String logName) {
        return logDir.resolve(logName + ".log");
    }

    /** {@code java -cp <this JVM's class path> <main> args...} with small-heap flags. */
    public static List<String> javaCommand(Class<?> main, List<String> jvmFlags, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Stops this lab's processes (by PID) and deletes its namespaces, newest first. Idempotent. */
    @Override
    public void close() {
        OPEN.remove(this);
        List<Process> ps;
        synchronized (processes) {
            ps = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process p : ps) {
            stop(p);
        }
        List<String> ns;
        synchronized (namespaces) {
            ns = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        Collections.reverse(ns);
        for (String n : ns) {
            killAll(n);
            try {
                exec(List.of("ip", "netns", "del", n), COMMAND_TIMEOUT);
            } catch (IllegalStateException e) {
                System.err.println("netns lab: could not delete namespace " + n + ": " + e.getMessage());
            }
        }
    }

    /** Destroys {@code p} and its descendants, politely first. */
    static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills, by PID, what still runs inside namespace {@code ns}: only processes this lab started can be there. */
    private static void killAll(String ns) {
        String pids;
        try {
            pids = exec(List.of("ip", "netns", "pids", ns), COMMAND_TIMEOUT);
        } catch (IllegalStateException e) {
            return;
        }
        for (String pid : pids.trim().split("\\s+")) {
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Deletes namespaces named by a lab whose JVM no longer runs. */
    static void removeLeftovers() {
        String list;
        try {
            list = exec(List.of("ip", "netns", "list"), COMMAND_TIMEOUT);
        } catch (IllegalStateException e) {
            return;
        }
        for (String line : list.split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            try {
                long pid = Long.parseLong(parts[0]);
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
            } catch (NumberFormatException e) {
                continue;
            }
            killAll(name);
            try {
                exec(List.of("ip", "netns", "del", name), COMMAND_TIMEOUT);
            } catch (IllegalStateException e) {
                // another JVM may be cleaning it too
            }
        }
    }

    /** Runs a command and returns its stdout (stderr merged); fails on a non-zero exit or the timeout. */
    static String exec(List<String> cmd, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("netns-lab", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", cmd) + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    /** This lab's id, the prefix of its namespace names. */
    public String id() {
        return id;
    }
}
