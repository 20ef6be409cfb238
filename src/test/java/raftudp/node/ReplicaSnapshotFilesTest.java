package raftudp.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.core.Message;
import raftudp.core.Role;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.FsyncPolicy;
import raftudp.storage.SnapshotBytes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: a node's snapshots live in files mapped into memory, never as a second copy of the
 * state on the heap: taken by the store writing itself into the file, sent from the mapping,
 * received into a mapped file, and a snapshot is taken by bytes as well as by entries, so the
 * log the core keeps in memory stays bounded whatever the entry sizes.
 */
class ReplicaSnapshotFilesTest {
    private static final List<Integer> IDS = List.of(0, 1, 2);

    private final ArrayDeque<Message> network = new ArrayDeque<>();
    private final List<Replica<Integer>> replicas = new ArrayList<>();
    private final List<FileStorage> storages = new ArrayList<>();
    private final boolean[] down = new boolean[3];
    private long ok;

    private Replica<Integer> open(Path dir, int id, Replica.Options options) {
        FileStorage storage = FileStorage.open(FileStorageOptions.builder(dir.resolve("node-" + id))
                .fsyncPolicy(FsyncPolicy.NEVER).build());
        SplittableRandom r = new SplittableRandom(id + 1);
        Replica<Integer> rep = new Replica<>(NodeSettings.defaults().withTimeouts(10, 2, 6, 12).raftConfig(id, IDS),
                storage, r::nextInt, new Replica.Outbox<>() {
                    @Override
                    public void send(Message m) {
                        network.add(m);
                    }

                    @Override
                    public void reply(Integer client, ClientResponse response) {
                        if (response.status() == ClientResponse.Status.OK) {
                            ok++;
                        }
                    }
                }, options, () -> 1_000);
        while (replicas.size() <= id) {
            replicas.add(null);
            storages.add(null);
        }
        replicas.set(id, rep);
        storages.set(id, storage);
        return rep;
    }

    private void deliver() {
        for (int guard = 0; !network.isEmpty() && guard < 1_000_000; guard++) {
            Message m = network.poll();
            if (!down[m.to()] && !down[m.from()]) {
                replicas.get(m.to()).receive(m);
                replicas.get(m.to()).drain();
            }
        }
    }

    private void tickAll(int n) {
        for (int i = 0; i < n; i++) {
            for (int id = 0; id < replicas.size(); id++) {
                if (!down[id]) {
                    replicas.get(id).tick();
                    replicas.get(id).drain();
                }
            }
            deliver();
        }
    }

    private Replica<Integer> leader() {
        for (int round = 0; round < 500; round++) {
            for (int id = 0; id < replicas.size(); id++) {
                if (!down[id] && replicas.get(id).raft().role() == Role.LEADER) {
                    return replicas.get(id);
                }
            }
            tickAll(1);
        }
        throw new AssertionError("no leader");
    }

    private void put(Replica<Integer> leader, int i, int valueBytes) {
        byte[] v = new byte[valueBytes];
        Arrays.fill(v, (byte) i);
        leader.submit(new ClientRequest(7, i + 1, new Command.Put("k" + (i % 50), new Value.Bytes(v))), 0);
        leader.drain();
        deliver();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aSnapshotIsTakenByBytes_writtenIntoAMappedFile_andSentAndReceivedThroughFiles(@TempDir Path dir)
            throws IOException {
        // Entries would allow 10,000 entries between snapshots; 64 KiB of applied bytes comes first.
        Replica.Options options = new Replica.Options(10_000, 60_000, 100, 64 << 10);
        for (int id = 0; id < 3; id++) {
            open(dir, id, options);
        }
        Replica<Integer> leader = leader(); // a new cluster forms with every node
        down[2] = true; // node 2 misses everything since, then needs a snapshot
        for (int i = 0; i < 100; i++) {
            put(leader, i, 4096); // 100 x 4 KiB: several snapshots by bytes
        }
        tickAll(3);
        assertEquals(100, ok, "every put answered");
        assertNotNull(leader.raft().snapshot(), "a snapshot by bytes, far below 10,000 entries");
        assertTrue(leader.raft().firstIndex() > 50, "the log was compacted: first index " + leader.raft().firstIndex());
        assertTrue(SnapshotBytes.buffer(leader.raft().snapshot().data()).isDirect(),
                "the leader's snapshot is a mapped file, not a heap array");

        down[2] = false;
        tickAll(200);
        Replica<Integer> follower = replicas.get(2);
        assertEquals(leader.raft().appliedIndex(), follower.raft().appliedIndex(), "the follower caught up");
        assertArrayEquals(leader.kv().snapshot(), follower.kv().snapshot(), "the same state");
        assertTrue(SnapshotBytes.buffer(follower.raft().snapshot().data()).isDirect(),
                "the received snapshot is a mapped file too");
        List<Path> left = files(dir.resolve("node-2"));
        assertTrue(left.stream().noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no incoming file left: " + left);
        assertTrue(left.stream().anyMatch(p -> p.getFileName().toString().startsWith("snapshot-")), left.toString());

        // Restarted, node 2 comes back from its mapped snapshot and its log, and rejoins.
        long installed = follower.raft().snapshot().index();
        storages.get(2).close();
        Replica<Integer> again = open(dir, 2, options);
        assertTrue(again.raft().appliedIndex() >= installed, "restored from the snapshot file");
        tickAll(50);
        assertArrayEquals(leader.kv().snapshot(), again.kv().snapshot());
    }
}
