package raftudp.storage;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Storage in memory, for tests and throwaway runs. Models a crash: what was written but
 * not synced is lost by {@link #crash()}; what was synced survives it. Writes are queued
 * and applied at {@link #sync()}, so a sync costs what it writes, not the log's size.
 */
public final class MemoryStorage implements RaftStorage {
    private HardState hard = HardState.EMPTY;
    private Snapshot snapshot;
    /** Synced entries, contiguous and ascending. */
    private final ArrayList<Entry> entries = new ArrayList<>();
    private final List<Runnable> unsynced = new ArrayList<>();
    private final long incarnation;

    /** An empty storage with a random incarnation. */
    public MemoryStorage() {
        this(IncarnationFile.fresh());
    }

    /** An empty storage with the given incarnation (1 .. 2^63 - 1). */
    public MemoryStorage(long incarnation) {
        if (!raftudp.core.Membership.validIncarnation(incarnation)) {
            throw new IllegalArgumentException("incarnation " + incarnation + " is not 1..2^63-1");
        }
        this.incarnation = incarnation;
    }

    @Override
    public long incarnation() {
        return incarnation;
    }

    @Override
    public Recovered load() {
        return new Recovered(hard, snapshot, entries);
    }

    @Override
    public void append(List<Entry> batch) {
        if (!batch.isEmpty()) {
            List<Entry> copy = List.copyOf(batch);
            unsynced.add(() -> applyAppend(copy));
        }
    }

    private void applyAppend(List<Entry> batch) {
        long first = batch.get(0).index();
        if (!entries.isEmpty()) {
            long base = entries.get(0).index();
            int keep = (int) Math.max(0, Math.min(entries.size(), first - base));
            entries.subList(keep, entries.size()).clear();
        }
        if (!entries.isEmpty() && entries.get(entries.size() - 1).index() != first - 1) {
            throw new StorageException("append leaves a gap: stored up to "
                    + entries.get(entries.size() - 1).index() + ", appending " + first);
        }
        entries.addAll(batch);
    }

    @Override
    public void saveHardState(HardState hardState) {
        unsynced.add(() -> hard = hardState);
    }

    @Override
    public void saveSnapshot(Snapshot s) {
        unsynced.add(() -> applySnapshot(s));
    }

    private void applySnapshot(Snapshot s) {
        int at = -1;
        if (!entries.isEmpty()) {
            long pos = s.index() - entries.get(0).index();
            if (pos >= 0 && pos < entries.size() && entries.get((int) pos).term() == s.term()) {
                at = (int) pos;
            }
        }
        if (at >= 0) {
            entries.subList(0, at + 1).clear();
        } else {
            entries.clear();
        }
        snapshot = s;
    }

    @Override
    public void sync() {
        for (Runnable op : unsynced) {
            op.run();
        }
        unsynced.clear();
    }

    /** Forgets everything written since the last sync, as a power cut would. */
    public void crash() {
        unsynced.clear();
    }

    @Override
    public void close() {
    }
}
