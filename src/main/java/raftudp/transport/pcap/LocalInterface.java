package raftudp.transport.pcap;

import raftudp.transport.TransportException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * The Ethernet interface the transport works on, as found from {@link PcapOptions}.
 *
 * @param name     interface name, e.g. {@code h1-eth0}
 * @param address  our IPv4 address on it
 * @param ip       the same as a big-endian int
 * @param mac      its MAC (6 bytes)
 * @param mtuBytes its MTU: the largest IPv4 packet it sends
 */
record LocalInterface(String name, InetAddress address, int ip, byte[] mac, int mtuBytes) {

    /** What a user is told when pointing the pcap transport at loopback. */
    static final String LOOPBACK_ADVICE = "the pcap transport does not work on loopback (lo, 127.0.0.0/8): "
            + "the kernel drops frames injected towards its own loopback addresses as martians. "
            + "Use --transport udp for nodes on one machine's loopback; pcap is for Ethernet interfaces "
            + "(Mininet hosts, network namespaces, real hosts)";

    /** Finds the interface and address the options name, refusing loopback and non-Ethernet links. */
    static LocalInterface resolve(PcapOptions o) throws TransportException {
        InetAddress addr = o.localAddress();
        String name = o.interfaceName();
        if (addr == null && name == null) {
            throw new TransportException("the pcap transport needs this host's IPv4 address or an interface name");
        }
        if (addr != null) {
            checkAddress(addr);
        }
        NetworkInterface ni = find(name, addr);
        try {
            if (ni.isLoopback()) {
                throw new TransportException(LOOPBACK_ADVICE + " (interface " + ni.getName() + ")");
            }
            if (!ni.isUp()) {
                throw new TransportException("interface " + ni.getName() + " is down (ip link set "
                        + ni.getName() + " up)");
            }
            if (addr == null) {
                addr = firstIpv4(ni);
            } else if (!holds(ni, addr)) {
                throw new TransportException("interface " + ni.getName() + " does not hold "
                        + addr.getHostAddress() + "; give the address of that interface, or no interface");
            }
            byte[] mac = ni.getHardwareAddress();
            if (mac == null || mac.length != 6) {
                throw new TransportException("interface " + ni.getName() + " has no Ethernet address; "
                        + "the pcap transport builds Ethernet frames (use --transport udp here)");
            }
            return new LocalInterface(ni.getName(), addr, Frames.get32(addr.getAddress(), 0), mac, ni.getMTU());
        } catch (SocketException e) {
            throw new TransportException("cannot read interface " + ni.getName() + ": " + e.getMessage(), e);
        }
    }

    private static void checkAddress(InetAddress addr) throws TransportException {
        if (!(addr instanceof Inet4Address)) {
            throw new TransportException("the pcap transport speaks IPv4 only, not " + addr.getHostAddress());
        }
        if (addr.isLoopbackAddress()) {
            throw new TransportException(LOOPBACK_ADVICE + " (address " + addr.getHostAddress() + ")");
        }
        if (addr.isAnyLocalAddress() || addr.isMulticastAddress()) {
            throw new TransportException("the pcap transport needs this host's own IPv4 address, not "
                    + addr.getHostAddress());
        }
    }

    private static NetworkInterface find(String name, InetAddress addr) throws TransportException {
        NetworkInterface ni;
        try {
            ni = name != null ? NetworkInterface.getByName(name) : NetworkInterface.getByInetAddress(addr);
        } catch (SocketException e) {
            throw new TransportException("cannot list network interfaces: " + e.getMessage(), e);
        }
        if (ni == null) {
            throw new TransportException(name != null ? "no network interface named " + name
                    : "no network interface holds " + addr.getHostAddress() + " (is it this host's address?)");
        }
        return ni;
    }

    private static boolean holds(NetworkInterface ni, InetAddress addr) {
        for (InterfaceAddress a : ni.getInterfaceAddresses()) {
            if (addr.equals(a.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static InetAddress firstIpv4(NetworkInterface ni) throws TransportException {
        for (InterfaceAddress a : ni.getInterfaceAddresses()) {
            if (a.getAddress() instanceof Inet4Address) {
                return a.getAddress();
            }
        }
        throw new TransportException("interface " + ni.getName() + " has no IPv4 address");
    }

    /** Largest UDP payload that fits the MTU in one unfragmented frame. */
    int payloadBytesMax() {
        return mtuBytes - Frames.IPV4_HEADER_BYTES - Frames.UDP_HEADER_BYTES;
    }
}
