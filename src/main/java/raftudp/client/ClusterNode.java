package raftudp.client;

import raftudp.wire.PortMap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One node of a cluster as the client sees it: its host and its five ports. Its id is
 * its index in the cluster's node list (the same list the nodes were started with).
 *
 * @param host    the host as written (an IPv4 address or a name), for display
 * @param address the host's address
 * @param ports   its ports; a client talks to {@link PortMap#client()}
 */
public record ClusterNode(String host, InetAddress address, PortMap ports) {
    public ClusterNode {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(ports, "ports");
    }

    /** Where client and status requests go. */
    public InetSocketAddress clientAddress() {
        return new InetSocketAddress(address, ports.client());
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + ports.client();
    }
}
