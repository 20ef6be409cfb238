package raftudp.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Where a {@link Transport} delivers what it received. Must not throw; must not block long. */
@FunctionalInterface
public interface DatagramSink {
    /**
     * @param from      the sender's address and port
     * @param localPort the port it arrived on (tells the message class)
     * @param payload   the UDP payload; valid only during the call (copy what you keep)
     */
    void received(InetSocketAddress from, int localPort, ByteBuffer payload);
}
