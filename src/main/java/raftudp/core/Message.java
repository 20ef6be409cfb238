package raftudp.core;

import java.util.List;
import java.util.Objects;

/**
 * Every message one Raft node sends another. Records under a sealed interface so that
 * handlers switch exhaustively. {@code from} and {@code to} are node ids (indexes into the
 * cluster's node list); {@code term} is the sender's current term, except where a record
 * says otherwise.
 */
public sealed interface Message
        permits Message.VoteRequest, Message.VoteResponse, Message.AppendRequest,
                Message.AppendResponse, Message.Heartbeat, Message.HeartbeatResponse,
                Message.SnapshotChunk, Message.SnapshotResponse, Message.TimeoutNow, Message.Response {

    long term();

    int from();

    int to();

    /**
     * RequestVote (§5.2) or, with {@code preVote}, a pre-vote (thesis §9.6) whose
     * {@code term} is the term the sender would campaign in (its current term + 1).
     * {@code transfer} marks a campaign started by {@link TimeoutNow}: voters then ignore
     * their leader lease.
     */
    record VoteRequest(long term, int from, int to, long lastLogIndex, long lastLogTerm,
                       boolean preVote, boolean transfer) implements Message {
    }

    /**
     * Reply to a {@link VoteRequest}. A granted pre-vote carries the request's term; any
     * rejection carries the voter's current term. {@code incarnation} is the voter's (see
     * {@link Membership}), as in every response.
     */
    record VoteResponse(long term, int from, int to, boolean granted, boolean preVote, long incarnation)
            implements Message, Response {
    }

    /** AppendEntries (§5.3): entries follow {@code prevLogIndex}; may be empty (a probe). */
    record AppendRequest(long term, int from, int to, long prevLogIndex, long prevLogTerm,
                         long leaderCommit, List<Entry> entries) implements Message {
        public AppendRequest {
            entries = List.copyOf(entries);
        }

        /** Index of the last entry carried, or prevLogIndex when empty. */
        public long lastIndex() {
            return prevLogIndex + entries.size();
        }
    }

    /**
     * Reply to an {@link AppendRequest}. On success {@code index} is the last index the
     * follower now holds matching the leader (prevLogIndex + entries). On rejection
     * {@code index} is the rejected prevLogIndex, and ({@code conflictTerm},
     * {@code conflictIndex}) is the fast-backtracking hint: the term the follower has at
     * prevLogIndex (0 if its log is shorter) and the first index it holds of that term
     * (or its last index + 1 when shorter).
     */
    record AppendResponse(long term, int from, int to, boolean success, long index,
                          long conflictTerm, long conflictIndex, long incarnation) implements Message, Response {
    }

    /**
     * Leader heartbeat. {@code commit} is min(leader commit, follower match) so a follower
     * never commits past what it is known to hold. {@code readContext} is the latest
     * ReadIndex round (0 when none); the follower echoes it. {@code incarnation} is the
     * receiver's incarnation as the leader's {@link Membership} records it (0: none recorded).
     */
    record Heartbeat(long term, int from, int to, long commit, long readContext, long incarnation)
            implements Message {
    }

    /** Reply to a {@link Heartbeat}; {@code readContext} echoes the heartbeat's. */
    record HeartbeatResponse(long term, int from, int to, long readContext, long incarnation)
            implements Message, Response {
    }

    /**
     * One chunk of an InstallSnapshot (§7). Bytes {@code [offset, offset + data.length)} of
     * the snapshot whose total size is {@code totalBytes}; {@code last} marks the final one.
     * {@code checksum} is the CRC32C of the whole image ({@link Snapshot#checksum()}), the same
     * in every chunk of one transfer: the receiver checks it before anything is installed.
     */
    record SnapshotChunk(long term, int from, int to, long snapshotIndex, long snapshotTerm,
                         long totalBytes, long checksum, long offset, byte[] data, boolean last) implements Message {
        public SnapshotChunk {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SnapshotChunk c && c.term == term && c.from == from && c.to == to
                    && c.snapshotIndex == snapshotIndex && c.snapshotTerm == snapshotTerm
                    && c.totalBytes == totalBytes && c.checksum == checksum && c.offset == offset && c.last == last
                    && java.util.Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(term, from, to, snapshotIndex, offset);
        }

        @Override
        public String toString() {
            return "SnapshotChunk[term=" + term + ", from=" + from + ", to=" + to + ", snapshot="
                    + snapshotIndex + "@" + snapshotTerm + ", offset=" + offset + "/" + totalBytes
                    + ", crc=" + Long.toHexString(checksum)
                    + ", len=" + data.length + ", last=" + last + "]";
        }
    }

    /**
     * Reply to a {@link SnapshotChunk}: the follower holds {@code nextOffset} contiguous
     * bytes of snapshot {@code snapshotIndex}; {@code done} once it installed the snapshot
     * (or already had everything it covers).
     */
    record SnapshotResponse(long term, int from, int to, long snapshotIndex, long nextOffset,
                            boolean done, long incarnation) implements Message, Response {
    }

    /**
     * An answer to a request, which carries its sender's {@code incarnation} (1 .. 2^63 - 1):
     * the identity of the data directory that made it, checked against the {@link Membership}
     * before anything else is believed.
     */
    sealed interface Response extends Message
            permits VoteResponse, AppendResponse, HeartbeatResponse, SnapshotResponse {
        long incarnation();
    }

    /** Leadership transfer (thesis §3.10): the receiver campaigns at once. */
    record TimeoutNow(long term, int from, int to) implements Message {
    }
}
