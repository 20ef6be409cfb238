package raftudp.transport;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Moves UDP datagrams between this node (or client) and others. The same wire bytes go
 * over every implementation: {@code udp} (kernel sockets through Netty), {@code pcap}
 * (Ethernet/IPv4/UDP frames built and captured with pcap4j), and simulated ones in tests.
 *
 * <p>Threading: {@link #send} may be called from any thread; datagrams reach the sink on
 * the transport's I/O thread(s), so the sink must hand them over, not process them there.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts receiving datagrams addressed to this host on {@code ports}; each goes to
     * {@code sink}. Fails with a clear message when it cannot (port in use, no permission
     * for raw capture, interface not found).
     */
    void start(Set<Integer> ports, DatagramSink sink) throws TransportException;

    /**
     * Sends one datagram from local port {@code fromPort} to {@code to}. Never throws and
     * never blocks for long: a datagram that cannot go out is counted and dropped (UDP
     * semantics).
     */
    void send(int fromPort, InetSocketAddress to, byte[] payload);

    /** Short name for logs and status: "udp", "pcap", ... */
    String name();

    /** Stops receiving and releases sockets or capture handles. Idempotent. */
    @Override
    void close();
}
