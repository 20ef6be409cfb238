package raftudp.storage;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process of the crash and lock tests (run with the test classpath).
 *
 * <ul>
 *   <li>{@code hold DIR}: opens the storage, prints {@code locked <pid>}, waits for stdin to close.</li>
 *   <li>{@code work DIR SEED SEGMENT_BYTES}: recovers, prints {@code start <last>}, then forever:
 *       prints {@code begin <first> <count> <term>} (an append, which may cut a suffix above the
 *       commit index) or {@code snap <index> <term>} (a compaction), does it, saves a hard state,
 *       syncs with policy ALWAYS and only then prints {@code ack}. Entry contents are
 *       {@link Fixtures#entry}; snapshot data is {@link #snapshotData}.</li>
 * </ul>
 */
public final class StorageChild {
    private StorageChild() {
    }

    static byte[] snapshotData(long index, long term) {
        return ("snapshot " + index + "@" + term).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        if (args[0].equals("hold")) {
            try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(dir))) {
                System.out.println("locked " + ProcessHandle.current().pid() + " " + s.load().entries().size());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close our stdin
                }
            }
            return;
        }
        FileStorageOptions opts = FileStorageOptions.builder(dir).segmentBytesMax(Long.parseLong(args[3]))
                .fsyncPolicy(FsyncPolicy.ALWAYS).build();
        try (FileStorage s = FileStorage.open(opts)) {
            new Work(s, new Random(Long.parseLong(args[2])), System.out).run();
        }
    }

    /** The append loop: a Raft-shaped log with a lagging commit index. */
    private static final class Work {
        private final FileStorage s;
        private final Random rnd;
        private final PrintStream out;
        private long snapIndex;
        private final List<Long> terms = new ArrayList<>(); // terms of snapIndex+1..last
        private long term;
        private long commit;

        Work(FileStorage s, Random rnd, PrintStream out) {
            this.s = s;
            this.rnd = rnd;
            this.out = out;
            RaftStorage.Recovered r = s.load();
            snapIndex = r.snapshot() == null ? 0 : r.snapshot().index();
            r.entries().forEach(e -> terms.add(e.term()));
            term = Math.max(1, Math.max(r.hardState().term(), terms.isEmpty() ? 0 : terms.get(terms.size() - 1)));
            commit = Math.max(snapIndex, r.hardState().commit());
        }

        private long last() {
            return snapIndex + terms.size();
        }

        void run() {
            say("start " + last());
            while (true) {
                int p = rnd.nextInt(100);
                if (p < 5 && commit > snapIndex) {
                    long t = terms.get((int) (commit - snapIndex - 1));
                    say("snap " + commit + " " + t);
                    s.saveSnapshot(new Snapshot(commit, t, snapshotData(commit, t)));
                    terms.subList(0, (int) (commit - snapIndex)).clear();
                    snapIndex = commit;
                } else {
                    long first = last() + 1;
                    if (p < 15 && last() > commit) {
                        first = commit + 1 + rnd.nextInt((int) (last() - commit));
                        term++;
                    }
                    List<Entry> batch = Fixtures.entries(first, first + rnd.nextInt(12), term);
                    say("begin " + first + " " + batch.size() + " " + term);
                    s.append(batch);
                    terms.subList((int) (first - snapIndex - 1), terms.size()).clear();
                    batch.forEach(e -> terms.add(e.term()));
                }
                s.saveHardState(new HardState(term, 0, commit));
                s.sync();
                say("ack");
                commit = Math.max(commit, last() - rnd.nextInt(30));
            }
        }

        private void say(String line) {
            out.println(line);
            out.flush();
        }
    }
}
