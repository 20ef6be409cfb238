package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.check.ChaosCheckFixtures.History;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;
import raftudp.kv.Command;
import raftudp.kv.KvCodec;
import raftudp.kv.KvEntry;
import raftudp.kv.KvStore;
import raftudp.kv.Value;
import raftudp.node.Replica;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;

/** {@link NodeState}: data directories written with the production storage, replayed and compared. */
class ChaosCheckStateTest {
    @TempDir
    Path dir;

    /** A no-op (as a new leader appends) then one append per value on key k, each from its own session. */
    private static List<Entry> log(List<String> values) {
        List<Entry> out = new ArrayList<>();
        out.add(new Entry(1, 1, Entry.Kind.NOOP, Entry.EMPTY));
        for (int i = 0; i < values.size(); i++) {
            KvEntry ke = new KvEntry(100 + i, 1, 1_000 + i, new Command.Append("k", new Value.Str(values.get(i))));
            out.add(new Entry(i + 2, 1, Entry.Kind.NORMAL, KvCodec.encodeEntry(ke)));
        }
        return out;
    }

    private Path node(String name, List<Entry> entries, long snapshotIndex) {
        Path d = dir.resolve(name);
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(d))) {
            s.append(entries);
            s.saveHardState(new HardState(1, 1, entries.size()));
            s.sync();
            if (snapshotIndex > 0) {
                s.saveSnapshot(new Snapshot(snapshotIndex, 1, stateAfter(entries, snapshotIndex)));
                s.sync();
            }
        }
        return d;
    }

    /** The state machine's snapshot after applying entries up to {@code index}, as a node would take it. */
    private static byte[] stateAfter(List<Entry> entries, long index) {
        Replica.Options o = Replica.Options.defaults();
        KvStore store = new KvStore(o.sessionTimeoutMs(), o.sessionsMax());
        for (Entry e : entries) {
            if (e.index() <= index && e.kind() == Entry.Kind.NORMAL) {
                store.apply(KvCodec.decodeEntry(e.data()));
            }
        }
        return store.snapshot();
    }

    @Test
    void when_twoNodesHoldTheSameLog_then_digestsAndLastIndexAgree_evenIfOneCompactedIt() {
        List<Entry> entries = log(List.of("a", "b", "c", "d", "e"));
        NodeState full = NodeState.load("n1", node("n1", entries, 0));
        NodeState compacted = NodeState.load("n2", node("n2", entries, 4));
        assertEquals(6, full.lastIndex());
        assertEquals(6, compacted.lastIndex());
        assertEquals(full.sha256(), compacted.sha256());
        assertEquals(64, full.sha256().length());
        assertEquals(new Value.ListValue(List.of(Value.of("a"), Value.of("b"), Value.of("c"), Value.of("d"),
                Value.of("e"))), full.store().get("k"));
        assertEquals(List.of(), NodeState.compare(List.of(full, compacted), Map.of("k", List.of("a", "b", "c", "d", "e"))));
    }

    @Test
    void when_contentDiffers_then_digestsDifferAndTheComparisonSaysSo() {
        NodeState a = NodeState.load("n1", node("n1", log(List.of("a", "b", "c")), 0));
        NodeState b = NodeState.load("n2", node("n2", log(List.of("a", "x", "c")), 0));
        assertEquals(a.lastIndex(), b.lastIndex());
        assertNotEquals(a.sha256(), b.sha256());
        List<String> problems = NodeState.compare(List.of(a, b), Map.of());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("digest"), problems.get(0));
    }

    @Test
    void when_logEndsDiffer_then_theComparisonSaysSo() {
        NodeState a = NodeState.load("n1", node("n1", log(List.of("a", "b", "c")), 0));
        NodeState b = NodeState.load("n2", node("n2", log(List.of("a", "b")), 0));
        List<String> problems = NodeState.compare(List.of(a, b), Map.of());
        assertTrue(problems.get(0).contains("index 3 but node n1 at 4"), problems.toString());
    }

    @Test
    void when_finalReadsDisagreeWithTheState_then_theComparisonSaysSo() {
        NodeState a = NodeState.load("n1", node("n1", log(List.of("a", "b")), 0));
        assertEquals(List.of(), NodeState.compare(List.of(a), Map.of("k", List.of("a", "b"), "absent", List.of())));
        List<String> problems = NodeState.compare(List.of(a), Map.of("k", List.of("a")));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("key k"), problems.get(0));
        assertEquals(1, NodeState.compare(List.of(a), Map.of("other", List.of("a"))).size());
    }

    @Test
    void when_directoryIsMissing_then_inputErrorAndNothingIsCreated() {
        Path missing = dir.resolve("nope");
        assertThrows(ChaosInputException.class, () -> NodeState.load("n9", missing));
        assertTrue(!missing.toFile().exists());
    }

    @Test
    void when_historyAndStatesAgree_then_theWholeCheckPasses() {
        List<String> values = List.of("h1-1-1", "h1-1-2");
        Map<String, Path> states = new LinkedHashMap<>();
        states.put("n1", node("n1", log(values), 0));
        states.put("n2", node("n2", log(values), 2));
        Path history = new History()
                .append("h1", 1, 1, "k", "h1-1-1", 0, 10, 1)
                .append("h1", 1, 2, "k", "h1-1-2", 11, 20, 2)
                .finalGet("h1", 1, 3, "k", 30, 40, values)
                .write(dir.resolve("h1.jsonl"));
        Path events = ChaosCheckFixtures.writeLines(dir.resolve("events.jsonl"), List.of(ChaosCheckFixtures.phase(0, "start")));
        ChaosReport r = ChaosCheck.analyse(List.of(history), events, states, "seed 1");
        assertTrue(r.passed(), r.text());
        assertEquals(2, r.nodes().size());

        Path wrong = new History()
                .append("h1", 1, 1, "k", "h1-1-1", 0, 10, 1)
                .finalGet("h1", 1, 3, "k", 30, 40, List.of("h1-1-1"))
                .write(dir.resolve("h2.jsonl"));
        ChaosReport bad = ChaosCheck.analyse(List.of(wrong), events, states, "seed 1");
        assertEquals("FAIL", bad.verdict());
        assertTrue(bad.stateProblems().get(0).contains("key k"), bad.stateProblems().toString());
    }
}
