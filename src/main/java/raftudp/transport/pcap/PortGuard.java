package raftudp.transport.pcap;

import raftudp.transport.TransportException;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Kernel UDP sockets bound on our ports and never read. The capture sees datagrams before
 * the kernel's UDP layer does; without a socket on the port, the kernel would answer each
 * one with an ICMP port-unreachable. With one, it queues the datagram on the socket (a tiny
 * receive buffer, so a few are kept and the rest silently dropped) and sends nothing back.
 * Binding also reserves the ports: a second program on the same address and port fails
 * to start, as with the {@code udp} transport.
 */
final class PortGuard implements AutoCloseable {
    /** Receive buffer asked for; the kernel rounds it up to its minimum (a few KiB). */
    private static final int RECEIVE_BUFFER_BYTES = 1;

    private final List<DatagramSocket> sockets;

    private PortGuard(List<DatagramSocket> sockets) {
        this.sockets = sockets;
    }

    /** A guard that binds nothing (the port guard is turned off). */
    static PortGuard none() {
        return new PortGuard(List.of());
    }

    /** Binds one socket per port on {@code address}; all or none. */
    static PortGuard bind(InetAddress address, Collection<Integer> ports) throws TransportException {
        List<DatagramSocket> bound = new ArrayList<>();
        for (int port : new TreeSet<>(ports)) {
            DatagramSocket s = null;
            try {
                s = new DatagramSocket(null);
                s.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
                s.bind(new InetSocketAddress(address, port));
                bound.add(s);
            } catch (IOException e) {
                if (s != null) {
                    s.close();
                }
                new PortGuard(bound).close();
                throw new TransportException("cannot reserve UDP " + address.getHostAddress() + ":" + port
                        + " for the pcap transport: " + e.getMessage()
                        + " (is another node or program using this address and port?)", e);
            }
        }
        return new PortGuard(bound);
    }

    /** Ports held. */
    int size() {
        return sockets.size();
    }

    @Override
    public void close() {
        for (DatagramSocket s : sockets) {
            s.close();
        }
    }
}
