package raftudp.node;

import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;

import java.net.InetSocketAddress;

/**
 * What the I/O threads (and callers of {@link NodeRuntime#query}) hand to a node's event
 * loop through its bounded inbox. Only the loop thread acts on them.
 */
sealed interface NodeInput {

    /** A Raft message from a peer. */
    record Peer(Message message) implements NodeInput {
    }

    /** A client request, answered at {@code client} (the request's source address and port). */
    record Client(ClientRequest request, InetSocketAddress client) implements NodeInput {
    }

    /** A status request, answered at {@code client}. */
    record Status(InetSocketAddress client) implements NodeInput {
    }

    /**
     * A fault-rule request (an admin request), answered at {@code client} with the rules in
     * force, or with a refusal; {@code authenticated} when its datagram carried a MAC the
     * node's key verified.
     */
    record Fault(raftudp.wire.FaultRequest request, InetSocketAddress client, boolean authenticated)
            implements NodeInput {
    }

    /** Work to run on the loop thread (queries from tests and tools). */
    record Task(Runnable work) implements NodeInput {
    }

    /** Wakes the loop so that it notices it must stop. */
    record Wake() implements NodeInput {
    }

    /** A short description for DEBUG lines: never the values themselves (a value may be 1 MiB). */
    static String describe(Object message) {
        if (message instanceof ClientRequest r) {
            Command c = r.command();
            return "ClientRequest[client=" + r.clientId() + ", seq=" + r.seq() + ", "
                    + c.getClass().getSimpleName() + " " + abbreviate(c.key()) + "]";
        }
        if (message instanceof Message.SnapshotChunk s) {
            return "SnapshotChunk[term=" + s.term() + ", from=" + s.from() + ", to=" + s.to() + ", index="
                    + s.snapshotIndex() + ", offset=" + s.offset() + "]";
        }
        return abbreviate(String.valueOf(message));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }
}
