package raftudp.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory Raft log of one node: a compacted prefix summarised by
 * ({@link #snapshotIndex()}, {@link #snapshotTerm()}), then the entries that follow it.
 *
 * <p>Invariants: entry indexes are contiguous from snapshotIndex + 1; terms never decrease
 * along the log; {@code snapshotIndex <= commit <= lastIndex}; {@code applied <= commit};
 * entries from {@link #unstableFrom()} on have not been handed out for persistence yet.
 *
 * <p>It also knows the cluster's {@link Membership} as of its end: that of the latest
 * {@link Entry.Kind#MEMBERS} entry it holds, else the one its snapshot recorded, else none (a
 * cluster not formed yet, as far as this log knows). A membership takes effect when appended.
 */
final class RaftLog {
    private long snapshotIndex;
    private long snapshotTerm;
    private final ArrayList<Entry> entries = new ArrayList<>();
    private long commit;
    private long applied;
    /** First index not yet handed out in a Ready for persistence. */
    private long unstableFrom;
    /** The membership as of the snapshot (null: none known). */
    private Membership snapshotMembers;
    /** The membership as of the last entry, and the index of the entry that set it (0: the snapshot's). */
    private Membership members;
    private long membersIndex;

    RaftLog(Snapshot snapshot, List<Entry> stored, long commit) {
        this.snapshotIndex = snapshot == null ? 0 : snapshot.index();
        this.snapshotTerm = snapshot == null ? 0 : snapshot.term();
        this.snapshotMembers = snapshot == null ? null : snapshot.members();
        long expect = snapshotIndex + 1;
        for (Entry e : stored) {
            if (e.index() < expect) {
                continue; // covered by the snapshot
            }
            check(e.index() == expect, "stored log has a gap at " + expect + ", found " + e.index());
            check(e.term() >= lastTerm(), "stored log terms decrease at " + e.index());
            entries.add(e);
            expect++;
        }
        findMembers();
        this.commit = Math.max(snapshotIndex, Math.min(commit, lastIndex()));
        this.applied = snapshotIndex;
        this.unstableFrom = lastIndex() + 1;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long snapshotTerm() {
        return snapshotTerm;
    }

    long firstIndex() {
        return snapshotIndex + 1;
    }

    long lastIndex() {
        return snapshotIndex + entries.size();
    }

    long lastTerm() {
        return entries.isEmpty() ? snapshotTerm : entries.get(entries.size() - 1).term();
    }

    long commit() {
        return commit;
    }

    long applied() {
        return applied;
    }

    long unstableFrom() {
        return unstableFrom;
    }

    /** Term of the entry at {@code index}, or -1 when compacted away or beyond the end. */
    long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    Entry entry(long index) {
        check(index > snapshotIndex && index <= lastIndex(), "no entry " + index);
        return entries.get((int) (index - snapshotIndex - 1));
    }

    boolean matchTerm(long index, long term) {
        return term(index) == term && term >= 0;
    }

    /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up-to-date as ours? */
    boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
        return otherLastTerm > lastTerm() || (otherLastTerm == lastTerm() && otherLastIndex >= lastIndex());
    }

    /** First index of the run of equal terms that contains {@code index}; for conflict hints. */
    long firstIndexOfTermAt(long index) {
        long i = Math.min(index, lastIndex());
        long t = term(i);
        while (i - 1 > snapshotIndex && term(i - 1) == t) {
            i--;
        }
        return i;
    }

    /** Last index whose term is {@code term} (scanning back from the end), or -1. */
    long lastIndexOfTerm(long term) {
        for (long i = lastIndex(); i > snapshotIndex; i--) {
            long t = term(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return -1;
            }
        }
        return -1;
    }

    /** The membership as of the last entry, or null when none is known. */
    Membership members() {
        return members;
    }

    /** The membership as of {@code index} (snapshotIndex .. lastIndex), or null when none is known. */
    Membership membersAt(long index) {
        check(index >= snapshotIndex && index <= lastIndex(), "no membership at " + index);
        if (membersIndex <= index) {
            return members;
        }
        for (long i = index; i > snapshotIndex; i--) {
            Entry e = entry(i);
            if (e.kind() == Entry.Kind.MEMBERS) {
                return Membership.decode(e.data());
            }
        }
        return snapshotMembers;
    }

    /** Sets {@link #members} from the latest MEMBERS entry held, else from the snapshot. */
    private void findMembers() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.kind() == Entry.Kind.MEMBERS) {
                members = Membership.decode(e.data());
                membersIndex = e.index();
                return;
            }
        }
        members = snapshotMembers;
        membersIndex = 0;
    }

    /** Leader append of fresh entries at the end. */
    void append(Entry e) {
        check(e.index() == lastIndex() + 1, "append out of order: " + e.index() + " after " + lastIndex());
        check(e.term() >= lastTerm(), "append with decreasing term");
        entries.add(e);
        if (e.kind() == Entry.Kind.MEMBERS) {
            members = Membership.decode(e.data());
            membersIndex = e.index();
        }
    }

    /**
     * True when one of {@code incoming} sits at a committed index this log still holds
     * (above the snapshot) with another term: a claim no real leader makes (§5.4).
     */
    boolean conflictsWithCommitted(List<Entry> incoming) {
        for (Entry e : incoming) {
            if (e.index() > commit) {
                break; // entries ascend
            }
            if (e.index() > snapshotIndex && term(e.index()) != e.term()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Follower append (§5.3 step 3-4): skip entries already present, truncate at the first
     * conflicting one, append the rest. Entries at or below commit never conflict (Log
     * Matching); finding one would be a broken invariant.
     *
     * @return the index of the last entry of {@code incoming} now in the log
     */
    long appendFromLeader(long prevIndex, List<Entry> incoming) {
        long last = prevIndex + incoming.size();
        for (Entry e : incoming) {
            if (e.index() <= snapshotIndex) {
                continue;
            }
            long have = term(e.index());
            if (have == e.term()) {
                continue;
            }
            if (have != -1) {
                check(e.index() > commit, "conflict at committed index " + e.index());
                truncateFrom(e.index());
            }
            append(e);
        }
        return last;
    }

    private void truncateFrom(long index) {
        int keep = (int) (index - snapshotIndex - 1);
        entries.subList(keep, entries.size()).clear();
        unstableFrom = Math.min(unstableFrom, index);
        if (membersIndex >= index) {
            findMembers();
        }
    }

    /**
     * Entries in {@code [lo, hi]}, stopping early once {@code bytesMax} is reached (at least
     * one entry is returned when the range is non-empty).
     */
    List<Entry> slice(long lo, long hi, int countMax, long bytesMax) {
        check(lo > snapshotIndex, "slice below the snapshot: " + lo);
        long end = Math.min(hi, lastIndex());
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = lo; i <= end && out.size() < countMax; i++) {
            Entry e = entry(i);
            bytes += e.sizeBytes();
            if (!out.isEmpty() && bytes > bytesMax) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    void commitTo(long index) {
        if (index > commit) {
            check(index <= lastIndex(), "commit " + index + " beyond last " + lastIndex());
            commit = index;
        }
    }

    /** Entries to hand out for persistence (those not yet handed out). */
    List<Entry> unstableEntries() {
        if (unstableFrom > lastIndex()) {
            return List.of();
        }
        return new ArrayList<>(entries.subList((int) (unstableFrom - snapshotIndex - 1), entries.size()));
    }

    void markStable(long index) {
        unstableFrom = Math.max(unstableFrom, index + 1);
    }

    /** Committed entries not applied yet, at most {@code countMax}. */
    List<Entry> committedToApply(int countMax) {
        long lo = Math.max(applied + 1, snapshotIndex + 1);
        long hi = Math.min(commit, lo + countMax - 1);
        List<Entry> out = new ArrayList<>();
        for (long i = lo; i <= hi; i++) {
            out.add(entry(i));
        }
        return out;
    }

    void appliedTo(long index) {
        check(index <= commit, "applied " + index + " beyond commit " + commit);
        applied = Math.max(applied, index);
    }

    /** Discards entries up to {@code index}, which the state machine has snapshotted. */
    void compact(long index) {
        check(index <= applied, "compact beyond applied");
        if (index <= snapshotIndex) {
            return;
        }
        long t = term(index);
        Membership m = membersAt(index);
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        snapshotIndex = index;
        snapshotTerm = t;
        snapshotMembers = m;
        if (membersIndex <= index) {
            membersIndex = 0;
        }
    }

    /**
     * Installs a snapshot received from the leader (§7): keeps the entries after it if the
     * log holds the snapshot's last entry, otherwise discards the whole log.
     */
    void restore(Snapshot s) {
        // A snapshot without a membership (one received: images carry none) leaves the one known
        // in place; until membership changes exist (issue 11) a cluster's members never change.
        Membership m = s.members() != null ? s.members() : members;
        if (matchTerm(s.index(), s.term()) && s.index() <= lastIndex()) {
            entries.subList(0, (int) (s.index() - snapshotIndex)).clear();
        } else {
            entries.clear();
        }
        snapshotIndex = s.index();
        snapshotTerm = s.term();
        snapshotMembers = m;
        findMembers();
        commit = Math.max(commit, s.index());
        applied = s.index();
        unstableFrom = Math.max(unstableFrom, s.index() + 1);
        if (unstableFrom > lastIndex() + 1) {
            unstableFrom = lastIndex() + 1;
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("raft log invariant broken: " + what);
        }
    }
}
