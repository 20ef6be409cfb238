package raftudp.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A tcpdump (Debian package {@code tcpdump}) writing a capture file inside a namespace of a
 * {@link NetnsLab}: started, waited for until it listens, stopped by its PID. Bounded:
 * at most {@link #FRAMES_MAX} frames, and the lab stops it at the latest.
 */
public final class Tcpdump implements AutoCloseable {
    /** Frames captured at most. */
    public static final int FRAMES_MAX = 200_000;

    private final Process process;
    private final Path file;
    private final Path log;

    private Tcpdump(Process process, Path file, Path log) {
        this.process = process;
        this.file = file;
        this.log = log;
    }

    /**
     * Captures on {@code iface} in {@code ns} into {@code file} (a {@code .pcap} path) with an
     * optional BPF filter; returns once tcpdump says it is listening.
     */
    public static Tcpdump start(NetnsLab lab, String ns, String iface, Path file, String... filter) throws IOException {
        String name = "tcpdump-" + file.getFileName();
        Path log = lab.logFile(name);
        Files.deleteIfExists(log);
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-Z", "root", "-i", iface, "-n", "-U",
                "--immediate-mode", "-s", "2048", "-c", String.valueOf(FRAMES_MAX),
                "-w", file.toAbsolutePath().toString()));
        cmd.addAll(List.of(filter));
        Process p = lab.spawn(ns, name, cmd);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("listening on")) {
                return new Tcpdump(p, file, log);
            }
            if (!p.isAlive()) {
                break;
            }
            sleep(20);
        }
        NetnsLab.stop(p);
        throw new IllegalStateException("tcpdump did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    /** Stops tcpdump (it flushes the file on SIGTERM) and returns the file. */
    public Path stop() {
        sleep(200); // frames still on their way through the veths
        NetnsLab.stop(process);
        return file;
    }

    /** tcpdump's own verbose decoding of a capture file ({@code tcpdump -nvv -r}), run inside {@code ns}. */
    public static String decode(NetnsLab lab, String ns, Path file) {
        return lab.run(ns, "tcpdump", "-nvv", "-r", file.toAbsolutePath().toString());
    }

    /** What tcpdump printed (its statistics end up here after {@link #stop}). */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        NetnsLab.stop(process);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
