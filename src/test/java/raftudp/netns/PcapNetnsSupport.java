package raftudp.netns;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Topologies of hosts in network namespaces for tests of the pcap transport and of
 * clusters on it, built with a {@link NetnsLab}. Addresses are 10.99.x.y and exist only
 * inside the lab's namespaces.
 *
 * <pre>
 * lan(n):    h1 .. hn (eth0, 10.99.1.i/24) --veth-- bridge br0 in namespace "sw"
 * pair():    h1 (eth0, 10.99.0.1/24) --veth-- h2 (eth0, 10.99.0.2/24)
 * routed():  h1 (10.99.1.1/24, gw .254) -- sw1/br0 -- r (10.99.1.254 | 10.99.2.254,
 *            forwarding) -- sw2/br0 -- h2 (10.99.2.1/24, gw .254)
 * </pre>
 *
 * Use: {@code requireRootAndTools()} in a {@code @BeforeAll}, then
 * {@code try (NetnsLab lab = NetnsLab.create()) { List<Host> hs = lan(lab, 3); ... }} and
 * start programs on the hosts with {@link ChildJvm#start} or {@link NetnsLab#spawn}.
 */
public final class PcapNetnsSupport {
    /** Host interface name in every topology here. */
    public static final String HOST_IFACE = "eth0";

    private PcapNetnsSupport() {
    }

    /**
     * A host: its namespace, its interface, address and MAC.
     *
     * @param name short name (h1, h2, ...)
     */
    public record Host(String name, String namespace, String iface, InetAddress address, String mac) {
    }

    /** The routed topology: two hosts on two subnets and the router between them. */
    public record Routed(Host left, Host right, String routerNamespace, String routerLeftMac, String routerRightMac) {
    }

    /**
     * Skips the calling tests, loudly, when not root (then namespaces and raw capture are
     * impossible); where CI is set (CI runs as root) that is a failure, not a skip. As root,
     * missing tools fail with what to install.
     */
    public static void requireRootAndTools() {
        if (!isRoot()) {
            String msg = "NETNS/PCAP TESTS NOT RUN: they need root (network namespaces, raw capture). "
                    + "Run them as root; CI runs as root and must run them.";
            System.err.println("\n!!!!! " + msg + " !!!!!\n");
            if (System.getenv("CI") != null) {
                Assertions.fail(msg + " (CI is set but this is not root)");
            }
            Assumptions.abort(msg);
        }
        try {
            NetnsLab.exec(List.of("ip", "-V"), java.time.Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            Assertions.fail("iproute2 is needed for network namespaces (apt-get install -y iproute2): "
                    + e.getMessage());
        }
        try {
            org.pcap4j.core.Pcaps.libVersion();
        } catch (LinkageError e) {
            Assertions.fail("libpcap is needed by pcap4j (apt-get install -y libpcap0.8): " + e);
        }
    }

    /** True when this process runs with uid 0. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** True when {@code tool} is on the PATH (e.g. tcpdump). */
    public static boolean hasTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/usr/bin", tool));
    }

    /** {@code n} hosts on one bridge: h1..hn with 10.99.1.1..n/24. */
    public static List<Host> lan(NetnsLab lab, int n) {
        String sw = lab.namespace("sw");
        lab.bridge(sw, "br0");
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            hosts.add(hostOnBridge(lab, sw, "br0", "h" + i, "10.99.1." + i + "/24", null));
        }
        return hosts;
    }

    /** Two hosts joined by one veth pair, no bridge: h1 10.99.0.1/24, h2 10.99.0.2/24. */
    public static List<Host> pair(NetnsLab lab) {
        String a = lab.namespace("h1");
        String b = lab.namespace("h2");
        lab.veth(a, HOST_IFACE, b, HOST_IFACE);
        lab.address(a, HOST_IFACE, "10.99.0.1/24");
        lab.address(b, HOST_IFACE, "10.99.0.2/24");
        return List.of(host(lab, "h1", a, "10.99.0.1"), host(lab, "h2", b, "10.99.0.2"));
    }

    /** Two subnets joined by a forwarding router; each host's default route points at it. */
    public static Routed routed(NetnsLab lab) {
        String sw1 = lab.namespace("sw1");
        String sw2 = lab.namespace("sw2");
        String r = lab.namespace("r");
        lab.bridge(sw1, "br0");
        lab.bridge(sw2, "br0");
        lab.veth(r, "r-eth1", sw1, "r");
        lab.veth(r, "r-eth2", sw2, "r");
        lab.attach(sw1, "r", "br0");
        lab.attach(sw2, "r", "br0");
        lab.address(r, "r-eth1", "10.99.1.254/24");
        lab.address(r, "r-eth2", "10.99.2.254/24");
        lab.sysctl(r, "net.ipv4.ip_forward=1");
        Host left = hostOnBridge(lab, sw1, "br0", "h1", "10.99.1.1/24", "10.99.1.254");
        Host right = hostOnBridge(lab, sw2, "br0", "h2", "10.99.2.1/24", "10.99.2.254");
        return new Routed(left, right, r, lab.mac(r, "r-eth1"), lab.mac(r, "r-eth2"));
    }

    /**
     * A host namespace {@code name} whose {@code eth0} is a port of {@code bridge} in
     * {@code switchNs}, with address {@code cidr} and, if not null, a default route.
     */
    public static Host hostOnBridge(NetnsLab lab, String switchNs, String bridge, String name, String cidr,
                                    String gateway) {
        String ns = lab.namespace(name);
        lab.veth(switchNs, name, ns, HOST_IFACE);
        lab.attach(switchNs, name, bridge);
        lab.address(ns, HOST_IFACE, cidr);
        if (gateway != null) {
            lab.route(ns, "default", "via", gateway);
        }
        return host(lab, name, ns, cidr.substring(0, cidr.indexOf('/')));
    }

    private static Host host(NetnsLab lab, String name, String ns, String ip) {
        try {
            return new Host(name, ns, HOST_IFACE, InetAddress.getByName(ip), lab.mac(ns, HOST_IFACE));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
