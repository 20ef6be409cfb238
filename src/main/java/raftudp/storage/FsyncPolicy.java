package raftudp.storage;

/**
 * When {@link FileStorage#sync()} forces written data to the disk (fsync / fdatasync).
 *
 * <p>Whatever the policy, {@code sync()} hands everything appended since the previous call
 * to the operating system, so a crash of the process alone (SIGKILL, OOM kill) loses
 * nothing that {@code sync()} returned from. The policy decides what survives a crash of
 * the machine (power cut, kernel panic, VM killed).
 */
public enum FsyncPolicy {
    /**
     * Default. Every {@code sync()} that has something unsynced fsyncs it before returning:
     * what {@code sync()} returned from survives a power cut. Concurrent proposals share
     * one fsync when the runtime group-commits (one append of everything queued, then one
     * {@code sync()}).
     */
    ALWAYS,
    /**
     * {@code sync()} fsyncs only when the oldest unsynced write is at least
     * {@code batchIntervalMs} old or at least {@code batchBytesMax} bytes are unsynced;
     * otherwise it returns at once, and the hard state waits for that next fsync. At risk on
     * a power cut: the entries and the hard state (term, vote, commit) of that window, so a
     * restarted node may vote twice in a term or forget entries it acknowledged. Safe for
     * Raft only if a majority never loses power together. The bound holds while
     * {@code sync()} keeps being called (the runtime calls it on each tick).
     */
    BATCH,
    /**
     * Never fsyncs (throwaway runs, tests, benchmarks of everything but the disk). A power
     * cut may lose or tear anything, including the hard state; the node may then refuse
     * to start. Logged loudly at open.
     */
    NEVER
}
