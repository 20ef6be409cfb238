package raftudp.sim;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Snapshot;
import raftudp.storage.MemoryStorage;
import raftudp.storage.RaftStorage;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated disk: {@link MemoryStorage} semantics (what was not synced is lost at a
 * crash), plus a seeded chance that the machine dies inside {@code sync()}, before the data
 * is durable and before anything depending on it was sent. A leader's replication messages
 * ({@code Ready.sendFirst}) have left by then: followers may hold entries its disk lost.
 */
final class SimStorage implements RaftStorage {
    /** Thrown out of the replica to signal the machine died mid-write. */
    static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash in sync", null, false, false);
        }
    }

    final MemoryStorage disk = new MemoryStorage();
    private final SplittableRandom random;
    private double crashInSyncRate;
    private boolean crashesDisabled;
    private boolean crashAtNextSync;
    /** Successful syncs so far. */
    private long syncs;

    SimStorage(SplittableRandom random, double crashInSyncRate) {
        this.random = random;
        this.crashInSyncRate = crashInSyncRate;
    }

    /** From now on the machine never dies inside sync. */
    void disableCrashes() {
        crashInSyncRate = 0;
        crashesDisabled = true;
        crashAtNextSync = false;
    }

    /** The machine dies inside the next sync (unless crashes were disabled). */
    void crashAtNextSync() {
        crashAtNextSync = !crashesDisabled;
    }

    @Override
    public Recovered load() {
        return disk.load();
    }

    @Override
    public void append(List<Entry> entries) {
        disk.append(entries);
    }

    @Override
    public void saveHardState(HardState hardState) {
        disk.saveHardState(hardState);
    }

    @Override
    public void saveSnapshot(Snapshot snapshot) {
        disk.saveSnapshot(snapshot);
    }

    @Override
    public void sync() {
        if (crashAtNextSync) {
            crashAtNextSync = false;
            throw new Crash();
        }
        if (crashInSyncRate > 0 && random.nextDouble() < crashInSyncRate) {
            throw new Crash();
        }
        disk.sync();
        syncs++;
    }

    long syncs() {
        return syncs;
    }

    @Override
    public void close() {
    }
}
