package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The history-recording workload against fake clusters: pairing, outcomes, final reads, bounds. */
@Timeout(60)
class WorkloadTest {
    private static final Pattern TYPE = Pattern.compile("^\\{\"type\":\"(\\w+)\"");
    private static final Pattern ID = Pattern.compile("\"process\":\"([^\"]+)\",\"client\":(-?\\d+),\"op\":(\\d+),"
            + "\"f\":\"(\\w+)\",\"key\":\"([^\"]+)\"");
    private static final Pattern VALUE = Pattern.compile("\"value\":\"([^\"]+)\"");
    private static final Pattern RESULT = Pattern.compile("\"result\":(\\[[^]]*]|null|\\d+|\"[^\"]*\")");
    private static final Pattern TIME = Pattern.compile("\"t\":(\\d+)");

    private FakeCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One history line, taken apart. */
    record Line(String type, String id, String f, String key, String value, String result, long t, boolean fin) {
        static Line parse(String s) {
            Matcher type = TYPE.matcher(s);
            Matcher id = ID.matcher(s);
            Matcher time = TIME.matcher(s);
            assertTrue(type.find() && id.find() && time.find(), "not a history line: " + s);
            Matcher value = VALUE.matcher(s);
            Matcher result = RESULT.matcher(s);
            return new Line(type.group(1), id.group(1) + "/" + id.group(2) + "/" + id.group(3), id.group(4),
                    id.group(5), value.find() ? value.group(1) : null, result.find() ? result.group(1) : null,
                    Long.parseLong(time.group(1)), s.contains("\"final\":true"));
        }
    }

    private static List<Line> lines(StringWriter out) {
        List<Line> lines = new ArrayList<>();
        for (String s : out.toString().split("\n")) {
            lines.add(Line.parse(s));
        }
        return lines;
    }

    @Test
    void everyOperationIsInvokedThenEndsOnce_valuesAreUnique_andEveryKeyIsReadAtTheEnd() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> n.answerOk(r));
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(200));
        StringWriter out = new StringWriter();
        WorkloadOptions o = new WorkloadOptions("h11", 3, 0.4, 300, 0.3, 2, 0.2, 0, 5, System.nanoTime());
        Workload.Counts counts = Workload.run(client, o, out);

        Map<String, Line> invoked = new HashMap<>();
        Map<String, Line> ended = new HashMap<>();
        Map<String, String> finalRead = new HashMap<>();
        Set<String> values = new HashSet<>();
        for (Line l : lines(out)) {
            if (l.type().equals("invoke")) {
                assertEquals(null, invoked.put(l.id(), l), "invoked twice: " + l);
                if (l.value() != null) {
                    assertTrue(values.add(l.value()), "value written twice: " + l.value());
                }
            } else {
                Line call = invoked.get(l.id());
                assertTrue(call != null && call.t() <= l.t(), "ends before it was invoked: " + l);
                assertEquals(null, ended.put(l.id(), l), "ended twice: " + l);
                assertEquals("ok", l.type(), "the fake node answers everything: " + l);
                if (l.fin()) {
                    finalRead.put(l.key(), l.result());
                }
            }
        }
        assertEquals(invoked.keySet(), ended.keySet());
        assertTrue(counts.appendsOk() > 0 && counts.readsOk() > 0, counts.human());
        assertEquals(counts.appendsOk() + counts.readsOk() + counts.finalReads(), ended.size(), counts.human());
        // Periods 0, 1 and 2 (0.4 s in periods of 0.2 s) of 2 keys each: 6 keys read at the end.
        assertEquals(Set.of("k0-0", "k0-1", "k1-0", "k1-1", "k2-0", "k2-1"), finalRead.keySet());
        assertEquals(6, counts.finalReads());
        for (Line l : ended.values()) {
            if (l.f().equals("append")) {
                int n = Integer.parseInt(l.result());
                String list = finalRead.get(l.key());
                String[] items = list.substring(1, list.length() - 1).split(",");
                assertEquals("\"" + l.value() + "\"", items[n - 1], "appended value at its position in " + list);
            }
        }
        long last = ended.values().stream().filter(l -> !l.fin()).mapToLong(Line::t).max().orElseThrow();
        long firstFinal = ended.values().stream().filter(Line::fin).mapToLong(Line::t).min().orElseThrow();
        assertTrue(firstFinal > last, "final reads come after every other operation");
    }

    @Test
    void anUnansweredAppendIsUnknown_aFailedReadIsFail() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> {
            if (r.request().command().isWrite() || r.request().command().key().startsWith("k0-")) {
                return; // never answered: every key of this run is k0-0
            }
            n.answerOk(r);
        });
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(100));
        StringWriter out = new StringWriter();
        Workload.Counts counts = Workload.run(client, new WorkloadOptions("p", 2, 0.3, 8, 0.5, 1, 10, 0, 1,
                System.nanoTime()), out);
        List<Line> ends = lines(out).stream().filter(l -> !l.type().equals("invoke")).toList();
        assertTrue(ends.stream().filter(l -> l.f().equals("append")).allMatch(l -> l.type().equals("unknown")), out.toString());
        assertTrue(ends.stream().filter(l -> l.f().equals("get")).allMatch(l -> l.type().equals("fail")), out.toString());
        assertTrue(out.toString().contains("\"error\":\"NO_LEADER: "), out.toString());
        long started = counts.appendsUnknown() + counts.readsFailed();
        assertEquals(ends.size() - 5, started, "every operation but the final read's 5 tries: " + counts.human());
        assertTrue(started >= 2 && started <= 8, counts.human());
        assertEquals(1, counts.finalReads());
        assertEquals(1, counts.finalReadsFailed());
    }

    @Test
    void optionsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WorkloadOptions("a\"b", 1, 1, 1, 0, 1, 1, 0, 0, 0));
        assertTrue(e.getMessage().startsWith("--process a\"b: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new WorkloadOptions("a", 1, 1, 1, 0, 1, 0.01, 0, 0, 0));
        assertEquals("--key-period 0.01 outside [0.1, 86400] seconds", e.getMessage());
    }

    @Test
    void aRateSpacesTheStarts_andStopsAtTheEnd() {
        long start = System.nanoTime();
        long end = start + 1_000_000_000L;
        Workload.Pace pace = new Workload.Pace(20, start);   // 50 ms apart: slots at 50, 100, ... 950 ms
        int slots = 0;
        while (pace.awaitSlot(end)) {
            slots++;
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(19, slots);
        assertTrue(tookMs >= 900, "the 19th slot is at 950 ms, it took " + tookMs + " ms");
        Workload.Pace none = new Workload.Pace(0, start);
        assertTrue(none.awaitSlot(start), "no limit: always at once");
    }

    @Test
    void quotesWhatJsonMust() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Workload.quote("a\"b\\c\n\u0001"));
    }
}
