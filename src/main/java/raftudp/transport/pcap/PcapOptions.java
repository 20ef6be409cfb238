package raftudp.transport.pcap;

import java.net.InetAddress;

/**
 * How the pcap transport opens its capture.
 *
 * @param interfaceName  interface to use, or null to pick the one holding {@code localAddress}
 * @param localAddress   this host's IPv4 address (the frames' source)
 */
public record PcapOptions(String interfaceName, InetAddress localAddress) {
}
