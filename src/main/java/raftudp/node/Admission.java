package raftudp.node;

import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.kv.ClientRequest;
import raftudp.kv.KvCodec;
import raftudp.config.ClusterConfig;
import raftudp.wire.DropReason;
import raftudp.wire.FaultRequest;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;
import raftudp.logging.RateLimitedLog;
import raftudp.wire.StatusRequest;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The one validation step between the wire decoder and the node's event loop
 * (docs/wire-format.md §7.1). The decoder has checked the format (every field in range,
 * every body well-formed); this step checks what a remote party claims against who it is
 * and what the protocol allows: the sender is a member, at the address and port the
 * cluster configuration gives it; the message is for this node; its terms leave room to
 * campaign; its fields agree with each other under the Raft rules; client sessions follow
 * the session rules. A message that fails is counted under one {@link DropReason} of kind
 * {@link DropReason.Kind#MESSAGE} and dropped, with a rate-limited WARN; nothing is answered.
 *
 * <p>Stateless and thread-safe: the transport's I/O threads call it.
 */
final class Admission {
    /** What admission made of a message: the loop's input, or the reason it was dropped. */
    record Verdict(NodeInput input, DropReason dropped, String detail) {
        static Verdict admit(NodeInput input) {
            return new Verdict(input, null, null);
        }

        static Verdict drop(DropReason reason, String detail) {
            return new Verdict(null, reason, detail);
        }
    }

    private final int selfId;
    private final ClusterConfig cluster;
    private final WireStats stats;
    private final RateLimitedLog warnings;

    Admission(int selfId, ClusterConfig cluster, WireStats stats, RateLimitedLog warnings) {
        this.selfId = selfId;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * The input {@code r} makes for the event loop, or null when it was dropped (counted
     * and logged here).
     *
     * @param from      the datagram's source address and port
     * @param arrivedOn the class of the local port it arrived on
     */
    NodeInput admit(WireDecoder.Received r, InetSocketAddress from, MessageClass arrivedOn) {
        Verdict v = judge(r.message(), from, arrivedOn, r.authenticated());
        if (v.dropped() != null) {
            stats.countRejected(v.dropped());
            warnings.warn(v.dropped(), () -> "node " + selfId + ": dropped a " + r.type() + " from " + from + ": "
                    + v.dropped() + " (" + v.detail() + ")");
        }
        return v.input();
    }

    /** The verdict alone, without counting or logging. */
    Verdict judge(Object m, InetSocketAddress from, MessageClass arrivedOn, boolean authenticated) {
        if (m instanceof Message msg) {
            return judgeRaft(msg, from, arrivedOn);
        }
        if (m instanceof ClientRequest req) {
            if (req.clientId() != 0 && req.seq() < 1) {
                return Verdict.drop(DropReason.BAD_SESSION, "client " + Long.toUnsignedString(req.clientId())
                        + " with seq " + req.seq() + ": a session's requests are numbered from 1");
            }
            return Verdict.admit(new NodeInput.Client(req, from));
        }
        if (m instanceof StatusRequest) {
            return Verdict.admit(new NodeInput.Status(from));
        }
        if (m instanceof FaultRequest f) {
            return Verdict.admit(new NodeInput.Fault(f, from, authenticated));
        }
        return Verdict.drop(DropReason.UNEXPECTED_TYPE, "nodes do not take " + MessageType.of(m));
    }

    /**
     * Who sent a Raft message and to whom, judged from the header alone: null when {@code from}
     * is member {@code src}'s address and port of {@code cls} and {@code dst} is this node,
     * else the drop. The decoder asks this of every chunk before buffering it.
     */
    Verdict checkSource(int src, int dst, Object origin, MessageClass cls) {
        if (dst != selfId) {
            return Verdict.drop(DropReason.MISADDRESSED, "for node " + dst + ", this is node " + selfId);
        }
        if (src < 0 || src >= cluster.size()) {
            return Verdict.drop(DropReason.NOT_MEMBER, "node " + src + " is not a member (cluster of "
                    + cluster.size() + ")");
        }
        if (src == selfId) {
            return Verdict.drop(DropReason.WRONG_SOURCE, "claims to come from this node");
        }
        InetSocketAddress expected = cluster.node(src).socketOf(cls);
        if (!(origin instanceof InetSocketAddress from) || !expected.getAddress().equals(from.getAddress())
                || expected.getPort() != from.getPort()) {
            return Verdict.drop(DropReason.WRONG_SOURCE, "node " + src + " sends from " + expected
                    + ", not " + origin);
        }
        return null;
    }

    /** The chunk gate of this node's decoders: only Raft messages from members are buffered. */
    String refuseChunk(raftudp.wire.RaftHeader h, Object origin) {
        MessageType t = h.type();
        if (!t.isRaft()) {
            return null; // clients may send from anywhere; reassembly limits bound what they hold
        }
        Verdict v = checkSource(h.source(), h.destination(), origin, t.messageClass());
        return v == null ? null : v.dropped() + ": " + v.detail();
    }

    private Verdict judgeRaft(Message m, InetSocketAddress from, MessageClass arrivedOn) {
        Verdict source = checkSource(m.from(), m.to(), from, arrivedOn);
        if (source != null) {
            return source;
        }
        if (m.term() > Raft.TERM_MAX) {
            return Verdict.drop(DropReason.TERM_CEILING, "term " + m.term() + " above the ceiling " + Raft.TERM_MAX);
        }
        String claim = badClaim(m);
        if (claim != null) {
            return Verdict.drop(DropReason.BAD_CLAIM, claim);
        }
        if (m instanceof Message.AppendRequest a) {
            String entry = badEntry(a.entries());
            if (entry != null) {
                return Verdict.drop(DropReason.BAD_ENTRY, entry);
            }
        }
        return Verdict.admit(new NodeInput.Peer(m));
    }

    /**
     * What in {@code m} no correct sender could have sent, or null. Terms only grow along a
     * log and never pass the sender's current term; a leader's term is at least 1.
     */
    static String badClaim(Message m) {
        if (m instanceof Message.VoteRequest v) {
            return v.term() < 1 ? "a campaign for term 0"
                    : v.lastLogTerm() > v.term() ? "last log term " + v.lastLogTerm() + " above term " + v.term()
                    : v.preVote() && v.transfer() ? "a transfer campaign skips the pre-vote"
                    : null;
        }
        if (m instanceof Message.AppendRequest a) {
            return badAppend(a);
        }
        if (m instanceof Message.AppendResponse a) {
            return a.conflictTerm() > a.term() ? "conflict term " + a.conflictTerm() + " above term " + a.term()
                    : a.success() && (a.conflictTerm() != 0 || a.conflictIndex() != 0)
                    ? "a success carries no conflict hint" : null;
        }
        if (m instanceof Message.SnapshotChunk c) {
            return badSnapshotChunk(c);
        }
        if (m instanceof Message.Heartbeat || m instanceof Message.TimeoutNow) {
            return m.term() < 1 ? "a leader of term 0" : null;
        }
        return null; // VoteResponse, HeartbeatResponse, SnapshotResponse: a term is all they claim
    }

    private static String badAppend(Message.AppendRequest a) {
        if (a.term() < 1) {
            return "a leader of term 0";
        }
        if (a.prevLogTerm() > a.term()) {
            return "prevLogTerm " + a.prevLogTerm() + " above term " + a.term();
        }
        if (a.prevLogIndex() == 0 && a.prevLogTerm() != 0) {
            return "prevLogTerm " + a.prevLogTerm() + " at index 0";
        }
        long previous = a.prevLogTerm();
        List<Entry> entries = a.entries();
        for (Entry e : entries) {
            if (e.term() < previous || e.term() > a.term()) {
                return "entry " + e.index() + " of term " + e.term() + " after term " + previous
                        + " in an append of term " + a.term();
            }
            previous = e.term();
        }
        return null;
    }

    /**
     * What makes one of {@code entries} unappliable, or null. A committed entry that does not
     * decode would stop every replica that applies it, so none is let in.
     */
    static String badEntry(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.kind() == Entry.Kind.NOOP) {
                if (e.data().length != 0) {
                    return "NOOP entry " + e.index() + " carries " + e.data().length + " bytes";
                }
                continue;
            }
            if (e.kind() == Entry.Kind.MEMBERS) {
                continue; // its data was checked when the datagram was decoded
            }
            try {
                KvCodec.decodeEntry(e.data());
            } catch (RuntimeException ex) { // KvCodec.MalformedException; anything else too
                return "entry " + e.index() + " is not a key-value log entry: " + ex.getMessage();
            }
        }
        return null;
    }

    private static String badSnapshotChunk(Message.SnapshotChunk c) {
        if (c.term() < 1) {
            return "a leader of term 0";
        }
        if (c.snapshotIndex() < 1 || c.snapshotTerm() < 1 || c.snapshotTerm() > c.term()) {
            return "snapshot " + c.snapshotIndex() + "@" + c.snapshotTerm() + " from a leader of term " + c.term();
        }
        boolean ends = c.offset() + c.data().length == c.totalBytes();
        if (ends != c.last()) {
            return "LAST flag " + c.last() + " on a chunk that " + (ends ? "ends" : "does not end") + " the snapshot";
        }
        return null;
    }
}
