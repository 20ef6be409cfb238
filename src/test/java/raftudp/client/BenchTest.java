package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against fake clusters: bounds, counts, failures. */
@Timeout(60)
class BenchTest {
    private FakeCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void countsEveryStartedOperationOnceAsSuccessTimeoutOrError() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.node(0).policy((n, r) -> {
            if (!r.request().command().key().equals("bench-0")) {
                n.answerOk(r); // operations on bench-0 are never answered: timeouts
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(100));
        BenchResult r = Bench.run(client, new BenchOptions(4, 60, 120, 8, 0.5, 4, 7));
        assertEquals(120, r.ops() + r.timeouts() + r.errors(), r.human());
        assertTrue(r.timeouts() > 0 && r.ops() > 0, r.human());
        assertEquals(0, r.errors());
        assertEquals(r.ops(), r.latencyUs().getTotalCount());
        assertTrue(r.reads() > 0 && r.writes() > 0, r.human());
        assertTrue(r.firstError().startsWith("no leader answered"), r.firstError());
        assertTrue(r.latencyMs(50) <= r.latencyMs(99) && r.latencyMs(99) <= r.latencyMsMax(), r.human());
    }

    @Test
    void stopsAtItsDurationWhenNothingAnswers() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> { });
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(100));
        long start = System.nanoTime();
        BenchResult r = Bench.run(client, new BenchOptions(2, 0.3, Long.MAX_VALUE, 0, 0, 10, 1));
        double tookS = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.ops());
        assertTrue(r.timeouts() >= 2, r.human());
        assertTrue(tookS < 0.3 + 0.1 + 5, "bounded by duration + deadline: " + tookS);
        assertEquals(0.0, r.latencyMs(99));
        assertTrue(r.json().contains("\"ops\": 0,"), r.json());
    }

    @Test
    void optionsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BenchOptions(1, 0, 1, 0, 0, 1, 0));
        assertEquals("--duration 0.0 outside (0, 86400] seconds", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BenchOptions(1, 1, 1, -1, 0, 1, 0));
        assertEquals("--value-bytes -1 outside 0..16777216", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BenchOptions(1, 1, 1, 0, 0, 0, 0));
        assertEquals("--keys 0 must be at least 1", e.getMessage());
    }
}
