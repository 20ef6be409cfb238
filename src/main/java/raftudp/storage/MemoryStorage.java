package raftudp.storage;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Storage in memory, for tests and throwaway runs. Models a crash: what was written but
 * not synced is lost by {@link #crash()}; what was synced survives it.
 */
public final class MemoryStorage implements RaftStorage {
    private State written = new State(HardState.EMPTY, null, new ArrayList<>());
    private State synced = written.copy();

    private record State(HardState hard, Snapshot snapshot, ArrayList<Entry> entries) {
        State copy() {
            return new State(hard, snapshot, new ArrayList<>(entries));
        }
    }

    @Override
    public Recovered load() {
        return new Recovered(synced.hard(), synced.snapshot(), synced.entries());
    }

    @Override
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        ArrayList<Entry> log = written.entries();
        long first = entries.get(0).index();
        log.removeIf(e -> e.index() >= first);
        if (!log.isEmpty() && log.get(log.size() - 1).index() != first - 1) {
            throw new StorageException("append leaves a gap: stored up to "
                    + log.get(log.size() - 1).index() + ", appending " + first);
        }
        log.addAll(entries);
    }

    @Override
    public void saveHardState(HardState hardState) {
        written = new State(hardState, written.snapshot(), written.entries());
    }

    @Override
    public void saveSnapshot(Snapshot s) {
        ArrayList<Entry> log = written.entries();
        boolean matches = log.stream().anyMatch(e -> e.index() == s.index() && e.term() == s.term());
        if (matches) {
            log.removeIf(e -> e.index() <= s.index());
        } else {
            log.clear();
        }
        written = new State(written.hard(), s, log);
    }

    @Override
    public void sync() {
        synced = written.copy();
    }

    /** Forgets everything written since the last sync, as a power cut would. */
    public void crash() {
        written = synced.copy();
    }

    @Override
    public void close() {
    }
}
