package raftudp.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Membership;
import raftudp.core.Snapshot;
import raftudp.kv.CommandText;
import raftudp.kv.KvCodec;
import raftudp.kv.KvEntry;
import raftudp.kv.KvStore;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.RaftStorage;
import raftudp.storage.SnapshotBytes;
import raftudp.storage.StorageException;
import raftudp.wire.JsonText;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code raft-node.jar log DIR}: a data directory as text, the readable log people kept in
 * the sibling projects ("raftlog"): the hard state, the snapshot's metadata, then every entry
 * (index, term, kind, the client's session and the decoded command). {@code --json} prints
 * JSON lines instead. For a stopped node's directory, or a copy of a running node's; it opens
 * the directory as the node would (a torn last record is cut, as at a restart).
 */
@Command(name = "raft-node log", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Print a node's data directory as text: hard state, snapshot, entries with their decoded "
                + "commands. The node must be stopped (or give a copy of its directory)."},
        footer = {"", "Exit codes: 0 printed, 1 the directory cannot be read (locked by a running node, corrupt), "
                + "2 bad arguments."})
final class LogCommand implements Callable<Integer> {
    /** Longest command text printed in full; longer ones are cut, with their length. */
    static final int COMMAND_CHARS_MAX = 200;

    @Parameters(index = "0", paramLabel = "DIR", description = "the data directory (e.g. data/node-0)")
    Path dir;

    @Option(names = "--json", description = "JSON lines: one object for the hard state, one for the snapshot, one per entry")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(dir)) {
            err.println("raft-node log: " + dir + " is not a directory");
            err.flush();
            return 1;
        }
        if (!Files.exists(dir.resolve("hardstate"))) {
            err.println("raft-node log: " + dir + " is not a node's data directory (no hardstate file)");
            err.flush();
            return 1;
        }
        RaftStorage.Recovered rec;
        try (FileStorage storage = FileStorage.open(FileStorageOptions.defaults(dir))) {
            rec = storage.load();
            print(rec, storage.incarnation(), out);
        } catch (StorageException e) {
            err.println("raft-node log: cannot read " + dir + ": " + e.getMessage()
                    + (e.getMessage() != null && (e.getMessage().contains("in use") || e.getMessage().contains("already open")) ? " (stop the node, or copy its "
                    + "directory and read the copy)" : ""));
            err.flush();
            return 1;
        }
        out.flush();
        return 0;
    }

    private void print(RaftStorage.Recovered rec, long incarnation, PrintWriter out) {
        HardState hs = rec.hardState();
        Snapshot snap = rec.snapshot();
        if (json) {
            out.println("{\"type\":\"hard_state\",\"term\":" + hs.term() + ",\"voted_for\":" + hs.votedFor()
                    + ",\"commit\":" + hs.commit() + ",\"incarnation\":\"" + Long.toHexString(incarnation) + "\"}");
        } else {
            out.println("data directory " + dir.toAbsolutePath() + ", incarnation " + Long.toHexString(incarnation));
            out.println("hard state: term " + hs.term() + ", voted for " + (hs.votedFor() < 0 ? "nobody" : hs.votedFor())
                    + ", commit " + hs.commit());
        }
        if (snap != null) {
            String contents;
            try {
                KvStore kv = KvStore.restore(SnapshotBytes.buffer(snap.data()), Long.MAX_VALUE, Integer.MAX_VALUE);
                contents = json ? ",\"keys\":" + kv.size() + ",\"sessions\":" + kv.sessionCount()
                        : ", " + kv.size() + " keys, " + kv.sessionCount() + " client sessions";
            } catch (KvCodec.MalformedException e) {
                contents = json ? ",\"error\":" + JsonText.quote(e.getMessage()) : ", unreadable: " + e.getMessage();
            }
            out.println(json ? "{\"type\":\"snapshot\",\"index\":" + snap.index() + ",\"term\":" + snap.term()
                    + ",\"bytes\":" + snap.data().size() + contents
                    + (snap.members() == null ? "" : ",\"members\":" + JsonText.quote(snap.members().toString())) + "}"
                    : "snapshot: through index " + snap.index() + " (term " + snap.term() + "), " + snap.data().size()
                    + " bytes" + contents + (snap.members() == null ? "" : ", members " + snap.members()));
        } else if (!json) {
            out.println("snapshot: none");
        }
        if (!json) {
            out.println(rec.entries().isEmpty() ? "entries: none" : "entries " + rec.entries().get(0).index() + ".."
                    + rec.entries().get(rec.entries().size() - 1).index() + " (" + rec.entries().size()
                    + "; committed through " + hs.commit() + "):");
        }
        for (Entry e : rec.entries()) {
            out.println(json ? entryJson(e, hs.commit()) : entryText(e, hs.commit()));
        }
    }

    private static String entryText(Entry e, long commit) {
        StringBuilder sb = new StringBuilder().append(e.index()).append(" t").append(e.term()).append(' ')
                .append(e.kind()).append(e.index() > commit ? " (not known committed)" : "");
        if (e.kind() == Entry.Kind.NOOP) {
            return sb.toString();
        }
        if (e.kind() == Entry.Kind.MEMBERS) {
            return sb.append(' ').append(membersText(e)).toString();
        }
        try {
            KvEntry k = KvCodec.decodeEntry(e.data());
            sb.append(" client ").append(k.clientId() == KvEntry.NO_SESSION ? "-" : Long.toHexString(k.clientId()))
                    .append(" seq ").append(k.seq()).append(" at ").append(k.timestampMs()).append(" ms: ")
                    .append(shortened(CommandText.of(k.command())));
        } catch (KvCodec.MalformedException ex) {
            sb.append(" UNREADABLE (").append(e.data().length).append(" bytes): ").append(ex.getMessage());
        }
        return sb.toString();
    }

    /** "0=<incarnation hex> 1=…", or what is wrong with the entry's data. */
    private static String membersText(Entry e) {
        try {
            return Membership.decode(e.data()).toString();
        } catch (IllegalArgumentException ex) {
            return "UNREADABLE (" + e.data().length + " bytes): " + ex.getMessage();
        }
    }

    private static String entryJson(Entry e, long commit) {
        StringBuilder sb = new StringBuilder("{\"type\":\"entry\",\"index\":").append(e.index()).append(",\"term\":")
                .append(e.term()).append(",\"kind\":\"").append(e.kind()).append("\",\"committed\":")
                .append(e.index() <= commit);
        if (e.kind() == Entry.Kind.MEMBERS) {
            sb.append(",\"members\":").append(JsonText.quote(membersText(e)));
        } else if (e.kind() != Entry.Kind.NOOP) {
            try {
                KvEntry k = KvCodec.decodeEntry(e.data());
                sb.append(",\"client\":").append(JsonText.quote(Long.toHexString(k.clientId()))).append(",\"seq\":")
                        .append(k.seq()).append(",\"time_ms\":").append(k.timestampMs()).append(",\"op\":\"")
                        .append(CommandText.of(k.command()).split(" ", 2)[0]).append("\",\"key\":")
                        .append(JsonText.quote(k.command().key())).append(",\"command\":")
                        .append(JsonText.quote(shortened(CommandText.of(k.command()))));
            } catch (KvCodec.MalformedException ex) {
                sb.append(",\"error\":").append(JsonText.quote(ex.getMessage()));
            }
        }
        return sb.append('}').toString();
    }

    private static String shortened(String text) {
        return text.length() <= COMMAND_CHARS_MAX ? text
                : text.substring(0, COMMAND_CHARS_MAX) + "... (" + text.length() + " characters)";
    }
}
