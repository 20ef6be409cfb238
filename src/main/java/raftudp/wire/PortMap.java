package raftudp.wire;

import java.util.List;
import java.util.Optional;

/**
 * The UDP port of each {@link MessageClass}. A node listens on all five; a message is sent
 * to the receiver's port of its class (the same port numbers on every node unless a
 * deployment says otherwise). Source and destination port of a packet are the same port.
 *
 * @param vote      VoteRequest, VoteResponse, TimeoutNow
 * @param heartbeat Heartbeat, HeartbeatResponse
 * @param append    AppendRequest, AppendResponse
 * @param client    ClientRequest, ClientResponse, StatusRequest, StatusResponse
 * @param snapshot  SnapshotChunk, SnapshotResponse
 */
public record PortMap(int vote, int heartbeat, int append, int client, int snapshot) {

    /** The defaults, after the original project: 0x9997, 0x9996, 0x9998, 0x9994, 0x9995. */
    public static final PortMap DEFAULT = new PortMap(0x9997, 0x9996, 0x9998, 0x9994, 0x9995);

    /** @throws IllegalArgumentException when a port is outside 1..65535 or two classes share one */
    public PortMap {
        List<Integer> ports = List.of(vote, heartbeat, append, client, snapshot);
        for (int p : ports) {
            if (p < 1 || p > 0xFFFF) {
                throw new IllegalArgumentException("port " + p + " outside 1..65535");
            }
        }
        if (ports.stream().distinct().count() != ports.size()) {
            throw new IllegalArgumentException("every message class needs its own port: " + ports);
        }
    }

    /** The five ports in {@link MessageClass} order (for listeners and capture filters). */
    public List<Integer> ports() {
        return List.of(vote, heartbeat, append, client, snapshot);
    }

    /** The port of a message class. */
    public int portOf(MessageClass c) {
        switch (c) {
            case VOTE:
                return vote;
            case HEARTBEAT:
                return heartbeat;
            case APPEND:
                return append;
            case CLIENT:
                return client;
            case SNAPSHOT:
                return snapshot;
            default:
                throw new IllegalStateException("unknown class " + c);
        }
    }

    /** The port a message of this type goes to. */
    public int portOf(MessageType type) {
        return portOf(type.messageClass());
    }

    /**
     * The port {@code message} is sent to.
     *
     * @throws IllegalArgumentException when the wire does not carry {@code message}
     */
    public int portFor(Object message) {
        return portOf(MessageType.of(message));
    }

    /** The class whose port is {@code port}, or empty when it is none of ours. */
    public Optional<MessageClass> classOfPort(int port) {
        for (MessageClass c : MessageClass.values()) {
            if (portOf(c) == port) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
