package raftudp.bench;

import raftudp.core.Message;
import raftudp.core.Role;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.node.NodeSettings;
import raftudp.node.Replica;
import raftudp.storage.FileStorage;
import raftudp.storage.FileStorageOptions;
import raftudp.storage.FsyncPolicy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Heap benchmark (not a test): how much heap a node needs for its state. One replica (a
 * one-node cluster: it commits alone) on a real data directory takes puts of
 * {@code --value-kb} KiB to distinct keys until the state holds {@code --state-mb} MiB,
 * snapshotting as a node does (every 10,000 entries or 64 MiB of applied entries), then is
 * closed and restarted from its directory (snapshot + log). Run it in a JVM with a given
 * {@code -Xmx}: it either prints its figures or dies with OutOfMemoryError. Figures: the state
 * (the snapshot's size), the peak heap used after a collection in each phase, and the
 * largest heap the JVM ever used.
 *
 * <pre>
 * java -Xmx256m -cp target/classes:target/test-classes:$(cat target/sim.classpath) raftudp.bench.HeapBench \
 *     --state-mb 100 --value-kb 10 [--dir target/heap-bench]
 * </pre>
 */
public final class HeapBench {
    private HeapBench() {
    }

    private static long ok;

    public static void main(String[] args) throws IOException {
        long stateMb = 100;
        int valueKb = 10;
        Path dir = Path.of("target", "heap-bench");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--state-mb" -> stateMb = Long.parseLong(args[i + 1]);
                case "--value-kb" -> valueKb = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--state-mb N, --value-kb N, --dir D)");
            }
        }
        delete(dir);
        long xmx = Runtime.getRuntime().maxMemory();
        System.out.printf(Locale.ROOT, "heap-bench: state %d MiB of %d KiB values, -Xmx %d MiB%n", stateMb, valueKb,
                xmx >> 20);
        long start = System.nanoTime();
        FileStorage storage = open(dir);
        Replica<Integer> r = replica(storage);
        elect(r);
        long target = stateMb << 20;
        byte[] value = new byte[valueKb << 10];
        long puts = 0;
        long loadPeak = 0;
        while (puts * value.length < target) {
            new SplittableRandom(puts).nextBytes(value);
            r.submit(new ClientRequest(7, puts + 1, new Command.Put("key-" + puts, new Value.Bytes(value.clone()))), 0);
            r.drain();
            puts++;
            if (puts % 2000 == 0) {
                loadPeak = Math.max(loadPeak, liveHeap());
            }
        }
        long state = r.kv().snapshotSize();
        loadPeak = Math.max(loadPeak, liveHeap());
        long snapshots = r.raft().snapshot() == null ? 0 : r.raft().snapshot().index();
        storage.close();
        r = null;
        long restartStart = System.nanoTime();
        FileStorage again = open(dir);
        Replica<Integer> back = replica(again);
        long restartLive = liveHeap();
        if (back.kv().snapshotSize() != state && back.raft().appliedIndex() == 0) {
            throw new AssertionError("restart lost the state");
        }
        elect(back);
        long afterElect = back.kv().snapshotSize();
        again.close();
        System.out.printf(Locale.ROOT, "heap-bench: %d puts, state %.1f MiB (%d after restart), last snapshot at "
                        + "index %d; live heap after GC: load peak %.1f MiB, after restart %.1f MiB; JVM peak heap "
                        + "%.1f MiB; load %.1f s, restart %.1f s%n", puts, state / 1048576.0, afterElect, snapshots,
                loadPeak / 1048576.0, restartLive / 1048576.0, peakHeap() / 1048576.0,
                (restartStart - start) / 1e9, (System.nanoTime() - restartStart) / 1e9);
    }

    private static FileStorage open(Path dir) {
        return FileStorage.open(FileStorageOptions.builder(dir).fsyncPolicy(FsyncPolicy.NEVER).build());
    }

    private static Replica<Integer> replica(FileStorage storage) {
        SplittableRandom random = new SplittableRandom(1);
        return new Replica<>(NodeSettings.defaults().raftConfig(0, List.of(0)), storage, random::nextInt,
                new Replica.Outbox<>() {
                    @Override
                    public void send(Message m) {
                    }

                    @Override
                    public void reply(Integer client, ClientResponse response) {
                        ok++;
                    }
                }, Replica.Options.defaults(), () -> 1_000);
    }

    private static void elect(Replica<Integer> r) {
        for (int i = 0; i < 10_000 && r.raft().role() != Role.LEADER; i++) {
            r.tick();
            r.drain();
        }
        if (r.raft().role() != Role.LEADER) {
            throw new AssertionError("a one-node cluster did not elect itself");
        }
    }

    /** Heap in use after a full collection: what the node holds, not its garbage. */
    private static long liveHeap() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    /** The largest heap the JVM used (sum of the heap pools' peaks). */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
