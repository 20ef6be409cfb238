package raftudp.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: with -Xmx256m and ~110 MB of state a node died with OutOfMemoryError at every
 * snapshot, restart after restart. A replica with 100 MiB of state, its snapshots and a
 * restart must fit in a 160 MiB heap ({@code raftudp.bench.HeapBench} in a JVM of its own;
 * before the snapshots moved to mapped files it needed 384 MiB). A crash test, not a
 * measurement: the figures are in docs/performance.md.
 */
class HeapBoundTest {
    @Test
    @Timeout(300)
    void aHundredMebibytesOfStateSnapshotsAndRestartsInA160MebibyteHeap(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx160m", "-cp", System.getProperty("java.class.path"),
                "raftudp.bench.HeapBench", "--state-mb", "100", "--value-kb", "10", "--dir", dir.resolve("d").toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "bounded");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("10240 puts, state 100.1 MiB"), out);
    }
}
