package raftudp.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running a test main inside a namespace of a {@link NetnsLab}, driven by one-line
 * commands on its stdin; each command gets one answer line on stdout, {@code ok ...} or
 * {@code err ...}. Other stdout lines are ignored; stderr goes to the lab's log file,
 * whose tail is shown when a call fails. Every call has a timeout; {@link #close} stops
 * the process by its PID.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final String name;
    private final Process process;
    private final Path log;
    private final Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "child-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code main} with this JVM's class path inside {@code ns} and waits for its
     * first line ({@code ok ready}).
     */
    public static ChildJvm start(NetnsLab lab, String ns, String name, Class<?> main, List<String> jvmFlags,
                                 String... args) throws IOException {
        Process p = lab.spawn(ns, name, NetnsLab.javaCommand(main, jvmFlags, args));
        ChildJvm c = new ChildJvm(name, p, lab.logFile(name));
        c.await(Duration.ofSeconds(30), "ready");
        return c;
    }

    private void readAnswers() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("ok") || line.startsWith("err")) {
                    answers.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        answers.add(EOF);
    }

    /** Sends {@code command}; returns the text after {@code ok } (or ""), fails on {@code err}, EOF or the timeout. */
    public String call(String command, Duration timeout) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot send '" + command + "': " + e + logTail());
        }
        return await(timeout, command);
    }

    /** {@link #call} with a 30 s timeout. */
    public String call(String command) {
        return call(command, Duration.ofSeconds(30));
    }

    private String await(Duration timeout, String what) {
        String line;
        try {
            line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted waiting for " + what);
        }
        if (line == null) {
            throw new IllegalStateException(name + ": no answer to '" + what + "' within " + timeout + logTail());
        }
        if (line.equals(EOF)) {
            answers.add(EOF);
            throw new IllegalStateException(name + ": process ended before answering '" + what + "'" + logTail());
        }
        if (line.startsWith("err")) {
            throw new IllegalStateException(name + ": '" + what + "' failed: " + line + logTail());
        }
        return line.length() > 3 ? line.substring(3) : "";
    }

    /** The PID of the process (ip netns exec replaces itself with java, so it is the JVM's). */
    public long pid() {
        return process.pid();
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- stderr of " + name + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Asks the child to quit, then stops it by PID if it does not within 3 s. */
    @Override
    public void close() {
        try {
            stdin.write("quit\n");
            stdin.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                NetnsLab.stop(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            NetnsLab.stop(process);
        }
    }
}
