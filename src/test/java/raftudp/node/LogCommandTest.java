package raftudp.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Membership;
import raftudp.kv.Command;
import raftudp.kv.KvCodec;
import raftudp.kv.KvEntry;
import raftudp.kv.KvStore;
import raftudp.kv.Value;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11: {@code raft-node.jar log DIR}, a data directory as text or JSON lines. */
class LogCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new LogCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The incarnation of the directory {@link #node()} made. */
    private long incarnation;
    private static final Membership MEMBERS = new Membership(java.util.Map.of(0, 0x1aL, 1, 0x2bL, 2, 0x3cL));

    private Path node() {
        Path d = dir.resolve("node-0");
        KvStore kv = new KvStore(60_000, 10);
        kv.apply(new KvEntry(0x5a, 1, 100, new Command.Put("a", Value.of(1))));
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(d))) {
            incarnation = s.incarnation();
            s.append(List.of(new Entry(1, 1, Entry.Kind.MEMBERS, MEMBERS.encode()),
                    new Entry(2, 1, Entry.Kind.NORMAL, KvCodec.encodeEntry(new KvEntry(0x5a, 1, 100,
                            new Command.Put("a", Value.of(1)))))));
            s.sync();
            s.writeSnapshot(2, 1, MEMBERS, kv.snapshotSize(), kv::writeSnapshot);
            s.append(List.of(new Entry(3, 2, Entry.Kind.NORMAL, KvCodec.encodeEntry(new KvEntry(0x5a, 2, 130,
                            new Command.Append("my list", Value.of("x"))))),
                    new Entry(4, 2, Entry.Kind.NORMAL, new byte[] {9, 9})));
            s.saveHardState(new HardState(2, 1, 3));
            s.sync();
        }
        return d;
    }

    @Test
    void printsTheHardStateTheSnapshotAndEveryEntryWithItsCommand() {
        Run r = run(node().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("incarnation " + Long.toHexString(incarnation)), r.out());
        assertTrue(r.out().contains("hard state: term 2, voted for 1, commit 3"), r.out());
        assertTrue(r.out().contains("snapshot: through index 2 (term 1), "), r.out());
        assertTrue(r.out().contains("1 keys, 1 client sessions, members 0=1a 1=2b 2=3c"), r.out());
        assertTrue(r.out().contains("entries 3..4 (2; committed through 3):"), r.out());
        assertTrue(r.out().contains("3 t2 NORMAL client 5a seq 2 at 130 ms: append \"x\" to \"my list\""), r.out());
        assertTrue(r.out().contains("4 t2 NORMAL (not known committed) UNREADABLE (2 bytes): "), r.out());
    }

    @Test
    void printsJsonLines() {
        Run r = run(node().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().trim().split("\n");
        assertEquals(4, lines.length, r.out());
        assertEquals("{\"type\":\"hard_state\",\"term\":2,\"voted_for\":1,\"commit\":3,\"incarnation\":\""
                + Long.toHexString(incarnation) + "\"}", lines[0]);
        assertTrue(lines[1].startsWith("{\"type\":\"snapshot\",\"index\":2,\"term\":1,\"bytes\":"), lines[1]);
        assertTrue(lines[1].endsWith(",\"members\":\"0=1a 1=2b 2=3c\"}"), lines[1]);
        assertEquals("{\"type\":\"entry\",\"index\":3,\"term\":2,\"kind\":\"NORMAL\",\"committed\":true,\"client\":\"5a\","
                + "\"seq\":2,\"time_ms\":130,\"op\":\"append\",\"key\":\"my list\","
                + "\"command\":\"append \\\"x\\\" to \\\"my list\\\"\"}", lines[2]);
        assertTrue(lines[3].startsWith("{\"type\":\"entry\",\"index\":4,\"term\":2,\"kind\":\"NORMAL\",\"committed\":false,"
                + "\"error\":"), lines[3]);
    }

    @Test
    void aRunningNodesDirectoryIsRefusedWithWhatToDo_andNotADataDirectoryToo() {
        Path d = node();
        try (FileStorage running = FileStorage.open(FileStorageOptions.defaults(d))) {
            Run r = run(d.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("stop the node, or copy its directory and read the copy"), r.err());
        }
        Run r = run(dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not a node's data directory (no hardstate file)"), r.err());
    }
}
