package raftudp.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import raftudp.core.Entry;
import raftudp.kv.KvCodec;
import raftudp.kv.KvStore;
import raftudp.kv.Value;
import raftudp.node.Replica;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.RaftStorage;
import raftudp.storage.StorageException;

/**
 * The key-value state a stopped node's data directory holds, rebuilt as
 * {@link raftudp.node.Replica} rebuilds it at start: the snapshot's state (or an empty store)
 * with every later log entry applied, no-op entries skipped. Unlike a restarting node, it
 * applies the log up to its last entry, committed or not: the campaign stops the nodes once
 * they hold the same log end.
 *
 * @param name        the name the node was given on the command line
 * @param dir         its data directory
 * @param lastIndex   the index of the last entry (the snapshot's, if the log is empty; 0 if none)
 * @param commitIndex the commit index of the stored hard state
 * @param sha256      hex SHA-256 of {@link KvStore#snapshot()} after the replay
 * @param store       the replayed state
 */
public record NodeState(String name, Path dir, long lastIndex, long commitIndex, String sha256, KvStore store) {

    /**
     * Opens {@code dir} with the production storage (which, like a starting node, may delete
     * leftover temporary files and cut a torn log tail) and replays it.
     *
     * @throws ChaosInputException when the directory is missing, locked, corrupt, or holds an
     *                             entry the key-value layer cannot decode
     */
    public static NodeState load(String name, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ChaosInputException("state " + name + ": " + dir + " is not a directory");
        }
        RaftStorage.Recovered rec;
        try (FileStorage storage = FileStorage.open(FileStorageOptions.defaults(dir))) {
            rec = storage.load();
        } catch (StorageException e) {
            throw new ChaosInputException("state " + name + ": cannot open " + dir + ": " + e.getMessage(), e);
        }
        Replica.Options options = Replica.Options.defaults();
        KvStore store;
        long lastIndex = rec.snapshot() == null ? 0 : rec.snapshot().index();
        try {
            store = rec.snapshot() == null
                    ? new KvStore(options.sessionTimeoutMs(), options.sessionsMax())
                    : KvStore.restore(raftudp.storage.SnapshotBytes.buffer(rec.snapshot().data()), options.sessionTimeoutMs(), options.sessionsMax());
            for (Entry e : rec.entries()) {
                lastIndex = e.index();
                if (e.kind() == Entry.Kind.NOOP) {
                    continue;
                }
                store.apply(KvCodec.decodeEntry(e.data()));
            }
        } catch (KvCodec.MalformedException e) {
            throw new ChaosInputException("state " + name + ": " + dir + " holds an unreadable snapshot or entry"
                    + " (last index read " + lastIndex + "): " + e.getMessage(), e);
        }
        return new NodeState(name, dir, lastIndex, rec.hardState().commit(), sha256(store.snapshot()), store);
    }

    /**
     * Check (c): every node holds the same last index and the same state digest, and the first
     * node's state agrees with each key's final list (a key whose final list is empty must be
     * absent). With no node, nothing is checked; with one, only the final lists.
     *
     * @param finals each key's final list F, for keys that have a final read
     * @return one message per disagreement; empty when all agree
     */
    public static List<String> compare(List<NodeState> nodes, Map<String, List<String>> finals) {
        List<String> out = new ArrayList<>();
        if (nodes.isEmpty()) {
            return out;
        }
        NodeState first = nodes.get(0);
        for (NodeState n : nodes.subList(1, nodes.size())) {
            if (n.lastIndex() != first.lastIndex()) {
                out.add("state: node " + n.name() + " ends its log at index " + n.lastIndex() + " but node "
                        + first.name() + " at " + first.lastIndex());
            }
            if (!n.sha256().equals(first.sha256())) {
                out.add("state: node " + n.name() + " has state digest " + n.sha256() + " but node " + first.name()
                        + " has " + first.sha256());
            }
        }
        for (Map.Entry<String, List<String>> f : finals.entrySet()) {
            Value held = first.store().get(f.getKey());
            List<Value> expected = new ArrayList<>();
            for (String s : f.getValue()) {
                expected.add(new Value.Str(s));
            }
            boolean agrees = held == null ? expected.isEmpty()
                    : held instanceof Value.ListValue list && list.items().equals(expected);
            if (!agrees) {
                out.add("state: key " + f.getKey() + " holds " + (held == null ? "nothing" : held) + " in node "
                        + first.name() + " but its final read returned " + f.getValue());
            }
        }
        return out;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
