package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.check.ChaosCheckFixtures.History;

/** {@link ChaosCheck} end to end: command line, exit status, summary and files written. */
class ChaosCheckTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private int run(String... args) {
        return ChaosCheck.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private Path events() {
        List<String> lines = new ArrayList<>();
        lines.add(ChaosCheckFixtures.phase(0, "start"));
        lines.add(ChaosCheckFixtures.leader(1, "h1", 1));
        lines.addAll(ChaosCheckFixtures.fault(1, "kill", 12, 18));
        lines.add(ChaosCheckFixtures.leader(25, "h2", 2));
        lines.addAll(ChaosCheckFixtures.fault(2, "weird-new-kind", 26, 27));
        lines.add(ChaosCheckFixtures.phase(29, "heal"));
        lines.add(ChaosCheckFixtures.phase(60, "end"));
        return ChaosCheckFixtures.writeLines(dir.resolve("events.jsonl"), lines);
    }

    private String[] args(Path... histories) {
        List<String> a = new ArrayList<>();
        for (Path h : histories) {
            a.add("--history");
            a.add(h.toString());
        }
        a.addAll(List.of("--events", events().toString(), "--out", dir.resolve("out").toString(), "--title", "seed 42"));
        return a.toArray(String[]::new);
    }

    @Test
    void when_historyIsValid_then_exit0WithSummaryAndTimeline() throws Exception {
        Path h1 = new History()
                .append("h1", 1, 1, "k", "h1-1-1", 1, 10, 1)
                .append("h1", 1, 2, "k", "h1-1-2", 11, 20, "unknown", "\"error\":\"timeout\"")
                .append("h1", 1, 3, "k", "h1-1-3", 21, 22, "fail", "\"error\":\"nothing sent\"")
                .finalGet("h1", 1, 4, "k", 30, 40, List.of("h1-1-1", "h1-1-2"))
                .write(dir.resolve("h1.jsonl"));
        Path h2 = new History()
                .get("h2", 1, 1, "k", 2, 11, List.of("h1-1-1"))
                .appendNoCompletion("h2", 1, 2, "j", "h2-1-2", 25)
                .write(dir.resolve("h2.jsonl"));
        assertEquals(ChaosCheck.EXIT_PASS, run(args(h1, h2)), out() + err());
        assertTrue(out().contains("verdict: PASS"), out());
        assertFalse(out().contains("to rerun"), out());
        String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.contains("\"verdict\": \"PASS\""), json);
        assertTrue(json.contains("\"weird-new-kind\""), json);
        assertTrue(json.contains("\"leader_changes\": 1"), json);
        assertTrue(json.contains("\"append\": {\n      \"ok\": 1,\n      \"fail\": 1,\n      \"unknown\": 2\n    }"), json);
        // the kill window 12-18 ms falls in the gap between the ok completions at 11 ms and 40 ms
        assertTrue(json.contains("\"seconds\": 0.029"), json);
        assertEquals(1400, ImageIO.read(dir.resolve("out/timeline.png").toFile()).getWidth());
    }

    @Test
    void when_historyIsNotLinearizable_then_exit1WithTheExplanationAndHowToRerun() throws Exception {
        Path h = new History()
                .append("h1", 1, 1, "k", "h1-1-1", 1, 10, 1)
                .get("h2", 1, 1, "k", 20, 30, null)
                .write(dir.resolve("h.jsonl"));
        assertEquals(ChaosCheck.EXIT_VIOLATION, run(args(h)), out() + err());
        assertTrue(out().contains("linearizability: violation"), out());
        assertTrue(out().contains("VIOLATION linearizability: key k"), out());
        assertTrue(out().contains("c2=h2/1"), out());
        assertTrue(out().contains("to rerun") && out().contains(h.toString()) && out().contains("seed 42"), out());
        String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.contains("\"verdict\": \"FAIL\""), json);
        assertTrue(json.contains("\"result\": \"violation\""), json);
    }

    @Test
    void when_listAppendRuleIsBroken_then_exit1() {
        Path h = new History()
                .append("h1", 1, 1, "k", "a", 1, 10, 1)
                .finalGet("h1", 1, 2, "k", 20, 30, List.of())
                .write(dir.resolve("h.jsonl"));
        assertEquals(ChaosCheck.EXIT_VIOLATION, run(args(h)));
        assertTrue(out().contains("VIOLATION b2 key k: acknowledged append lost"), out());
    }

    @Test
    void when_aLineIsInvalid_then_exit2NamingFileAndLine() {
        Path h = ChaosCheckFixtures.write(dir.resolve("bad.jsonl"), "{\"type\":\"invoke\",\n{}\n");
        assertEquals(ChaosCheck.EXIT_INPUT_ERROR, run(args(h)));
        assertTrue(err().contains("bad.jsonl:1"), err());
        assertFalse(Files.exists(dir.resolve("out/summary.json")));
    }

    @Test
    void when_aStateDirectoryIsMissing_then_exit2NamingTheNode() {
        Path h = new History().append("h1", 1, 1, "k", "a", 1, 10, 1).write(dir.resolve("h.jsonl"));
        List<String> a = new ArrayList<>(List.of(args(h)));
        a.addAll(List.of("--state", "n1=" + dir.resolve("no-such-dir")));
        assertEquals(ChaosCheck.EXIT_INPUT_ERROR, run(a.toArray(String[]::new)));
        assertTrue(err().contains("state n1"), err());
    }

    @Test
    void when_aRequiredOptionIsMissing_then_exit2() {
        assertEquals(ChaosCheck.EXIT_INPUT_ERROR, run("--events", "e.jsonl", "--out", "o"));
    }
}
