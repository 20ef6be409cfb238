package raftudp.sim;

import raftudp.core.Entry;
import raftudp.core.HardState;
import raftudp.core.Membership;
import raftudp.core.Snapshot;
import raftudp.storage.MemoryStorage;
import raftudp.storage.RaftStorage;
import raftudp.storage.StorageException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated disk: {@link MemoryStorage} semantics (what was synced survives a crash), with
 * the faults of a real one, each drawn from the seed:
 * <ul>
 *   <li>the machine dies inside {@code sync()}, before the data is durable and before
 *       anything depending on it was sent (a leader's replication messages,
 *       {@code Ready.sendFirst}, have left by then: followers may hold entries its disk lost);
 *   <li>torn writes: at a crash, part of what was written but not synced may survive anyway,
 *       as the page cache may have written it back: a prefix of the log appends (down to a
 *       prefix of the entries of the last one), in order, as a write-ahead log keeps them;
 *       never the hard state written after them (FileStorage writes it only once the log
 *       before it is forced), never a snapshot;
 *   <li>a full disk: {@code sync()} fails with a {@link StorageException} ("No space left on
 *       device"), which stops the node as it stops a real one; it stays full for a while,
 *       so a node restarted on it stops again at its first sync.
 * </ul>
 */
final class SimStorage implements RaftStorage {
    /** Thrown out of the node to signal the machine died mid-write. */
    static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash in sync", null, false, false);
        }
    }

    private MemoryStorage disk;
    private final SplittableRandom random;
    private double crashInSyncRate;
    private final double tornWriteRate;
    private boolean crashesDisabled;
    private boolean crashAtNextSync;
    private boolean full;
    /** Written since the last sync, in order: appends (entries) and the others (null). */
    private final List<List<Entry>> unsynced = new ArrayList<>();
    /** Successful syncs so far. */
    private long syncs;
    /** Crashes that kept part of what was not synced. */
    private long tornCrashes;

    SimStorage(SplittableRandom random, double crashInSyncRate, double tornWriteRate) {
        this.random = random;
        this.crashInSyncRate = crashInSyncRate;
        this.tornWriteRate = tornWriteRate;
        this.disk = new MemoryStorage(freshIncarnation());
    }

    /** A new disk's incarnation, drawn from the seed. */
    private long freshIncarnation() {
        return Membership.freshIncarnation(random::nextLong);
    }

    @Override
    public long incarnation() {
        return disk.incarnation();
    }

    /** From now on the machine never dies inside sync, and the disk has room. */
    void disableCrashes() {
        crashInSyncRate = 0;
        crashesDisabled = true;
        crashAtNextSync = false;
        full = false;
    }

    /** The machine dies inside the next sync (unless crashes were disabled). */
    void crashAtNextSync() {
        crashAtNextSync = !crashesDisabled;
    }

    /** The disk fills up (true) or gets room again (false). */
    void setFull(boolean full) {
        this.full = full && !crashesDisabled;
    }

    boolean full() {
        return full;
    }

    @Override
    public Recovered load() {
        return disk.load();
    }

    @Override
    public void append(List<Entry> entries) {
        if (!entries.isEmpty()) {
            unsynced.add(List.copyOf(entries));
        }
        disk.append(entries);
    }

    @Override
    public void saveHardState(HardState hardState) {
        unsynced.add(null);
        disk.saveHardState(hardState);
    }

    @Override
    public void saveSnapshot(Snapshot snapshot) {
        unsynced.add(null);
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
        if (full && !unsynced.isEmpty()) {
            throw new StorageException("simulated: No space left on device (sync of " + unsynced.size()
                    + " write(s))");
        }
        disk.sync();
        unsynced.clear();
        syncs++;
    }

    long syncs() {
        return syncs;
    }

    long tornCrashes() {
        return tornCrashes;
    }

    /**
     * The power goes: what was synced stays; of the rest, usually nothing, sometimes a prefix
     * of the log appends (a torn write).
     */
    void crash() {
        List<List<Entry>> pending = new ArrayList<>(unsynced);
        unsynced.clear();
        disk.crash();
        if (pending.isEmpty() || tornWriteRate == 0 || random.nextDouble() >= tornWriteRate) {
            return;
        }
        List<List<Entry>> appends = new ArrayList<>();
        for (List<Entry> op : pending) {
            if (op != null) {
                appends.add(op);
            }
        }
        if (appends.isEmpty()) {
            return;
        }
        int whole = random.nextInt(appends.size());
        for (int i = 0; i < whole; i++) {
            disk.append(appends.get(i));
        }
        List<Entry> last = appends.get(whole);
        disk.append(last.subList(0, 1 + random.nextInt(last.size())));
        disk.sync();
        tornCrashes++;
    }

    /** The disk is replaced by an empty one (an operator wiped the data directory; the machine is down). */
    void wipe() {
        unsynced.clear();
        disk = new MemoryStorage(freshIncarnation());
    }

    @Override
    public void close() {
    }
}
