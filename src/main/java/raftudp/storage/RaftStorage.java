package raftudp.storage;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Membership;
import raftudp.core.Snapshot;
import raftudp.core.SnapshotData;
import raftudp.core.SnapshotSink;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Durable home of one node's Raft state: hard state, log entries and the latest snapshot.
 * Implementations: the on-disk write-ahead log, and in-memory twins for tests.
 *
 * <p>Contract, in the order the runtime calls it for each {@link raftudp.core.Ready}:
 * {@link #saveSnapshot} (if any), {@link #append} (if any), {@link #saveHardState} (if
 * any), then {@link #sync()}. Nothing may be acknowledged to anyone before {@code sync}
 * returns; after a crash, {@link #load()} returns at least everything that was synced and
 * never anything that was not written. Methods throw {@link StorageException} on I/O
 * failure; the node must then stop (it cannot keep its promises).
 */
public interface RaftStorage extends AutoCloseable {

    /** What survived: the state to restart the core from. */
    record Recovered(HardState hardState, Snapshot snapshot, List<Entry> entries) {
        public Recovered {
            entries = List.copyOf(entries);
        }

        public static Recovered empty() {
            return new Recovered(HardState.EMPTY, null, List.of());
        }
    }

    /**
     * The incarnation of this storage (1 .. 2^63 - 1): drawn when it was created, kept with it,
     * different for a wiped or replaced one (see {@link raftudp.core.Membership}).
     */
    long incarnation();

    /** Reads back the durable state (call once, at start, before anything else). */
    Recovered load();

    /**
     * Appends {@code entries} (contiguous, ascending). If the first one's index is not
     * {@code lastIndex + 1}, the stored suffix from that index on is discarded first
     * (a follower overwriting conflicting entries, §5.3).
     */
    void append(List<Entry> entries);

    void saveHardState(HardState hardState);

    /**
     * Installs a snapshot: entries up to {@code snapshot.index()} are no longer needed;
     * if the stored entry at that index does not have {@code snapshot.term()} (or is
     * absent), every stored entry is discarded (the snapshot replaces a diverging log, §7).
     */
    void saveSnapshot(Snapshot snapshot);

    /** Makes everything written so far durable (per the fsync policy). */
    void sync();

    /**
     * Takes a snapshot, with the cluster's {@code members} as of {@code index} (null: none
     * known), that the state machine writes itself: {@code fill} puts exactly
     * {@code size} bytes into the buffer it is given (from its position on). Then as
     * {@link #saveSnapshot} and {@link #sync()}. Returns the snapshot, whose data reads from
     * where this storage keeps it (a file on disk: never a second copy of the state on the
     * heap). This default buffers the bytes in memory.
     */
    default Snapshot writeSnapshot(long index, long term, Membership members, long size, Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size));
        fill.accept(b);
        Snapshot s = new Snapshot(index, term, SnapshotData.of(b.array()), members);
        saveSnapshot(s);
        sync();
        return s;
    }

    /** Where received snapshot images go before {@link #saveSnapshot}; this default: memory. */
    default SnapshotSink.Factory snapshotSinks() {
        return SnapshotSink.MEMORY;
    }

    @Override
    void close();
}
