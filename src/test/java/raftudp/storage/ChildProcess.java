package raftudp.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link StorageChild} JVM started with this JVM's classpath; its stdout read line by line. */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Path stderr;

    ChildProcess(Path stderr, String... args) {
        this.stderr = stderr;
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), StorageChild.class.getName()));
        cmd.addAll(List.of(args));
        try {
            process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Next stdout line, or null at end of stream. */
    String readLine() {
        try {
            return out.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * SIGKILL, then wait for it to be gone. Through the {@link ProcessHandle}: unlike
     * {@link Process#destroyForcibly()} it leaves our end of the pipe open, so the lines the
     * child wrote before dying can still be read.
     */
    void kill() {
        process.toHandle().destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int waitFor() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the child wrote to stderr (for failure messages). */
    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
