package raftudp.config;


import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The cluster's members, in order: node {@code i} (its Raft id) is the {@code i}-th entry,
 * an IPv4 address and the five UDP ports it listens on ({@link PortMap}).
 *
 * <p>Three ways to write it down:
 * <ul>
 *   <li>{@link #testbed()}: the testbed's 10.0.1.1, 10.0.2.2, 10.0.3.3 with the default ports;</li>
 *   <li>{@link #parsePeers}: {@code --peers a,b,c}, each item {@code host} (default ports) or
 *       {@code host:basePort}, meaning the five ports {@code base .. base+4} in the order
 *       vote, heartbeat, append, client, snapshot;</li>
 *   <li>{@link #parseFile}: a text file, one node per line, {@code <host>},
 *       {@code <host>:<basePort>} or {@code <host> <vote> <heartbeat> <append> <client> <snapshot>};
 *       blank lines and everything after {@code #} are ignored.</li>
 * </ul>
 * Hosts are IPv4 literals or names that resolve to an IPv4 address. Two nodes may share an
 * address only if their ports differ (a cluster on one machine's loopback).
 *
 * @param nodes the members in id order (1 .. 65535 of them)
 */
public record ClusterConfig(List<NodeAddress> nodes) {

    /** Most members: node ids are 0 .. 65534 on the wire. */
    public static final int NODES_MAX = 65_535;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * Where one node listens.
     *
     * @param address its IPv4 address
     * @param ports   its port of each message class
     */
    public record NodeAddress(InetAddress address, PortMap ports) {
        public NodeAddress {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(ports, "ports");
            if (!(address instanceof Inet4Address)) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
        }

        /** The socket address a message of class {@code c} is sent to. */
        public InetSocketAddress socketOf(MessageClass c) {
            return new InetSocketAddress(address, ports.portOf(c));
        }

        @Override
        public String toString() {
            return address.getHostAddress() + " (vote " + ports.vote() + ", heartbeat " + ports.heartbeat()
                    + ", append " + ports.append() + ", client " + ports.client() + ", snapshot " + ports.snapshot() + ")";
        }
    }

    /** @throws ClusterConfigException when empty, too large, or two nodes share an address and port */
    public ClusterConfig {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty() || nodes.size() > NODES_MAX) {
            throw new ClusterConfigException("a cluster has 1.." + NODES_MAX + " nodes, not " + nodes.size());
        }
        Map<InetSocketAddress, Integer> used = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeAddress n = nodes.get(i);
            for (int port : n.ports().ports()) {
                Integer other = used.putIfAbsent(new InetSocketAddress(n.address(), port), i);
                if (other != null) {
                    throw new ClusterConfigException("nodes " + other + " and " + i + " both use "
                            + n.address().getHostAddress() + ":" + port + "; nodes on one address need other ports");
                }
            }
        }
    }

    /** The testbed's three nodes: 10.0.1.1, 10.0.2.2, 10.0.3.3, each with {@link PortMap#DEFAULT}. */
    public static ClusterConfig testbed() {
        return new ClusterConfig(List.of(
                new NodeAddress(ipv4(10, 0, 1, 1), PortMap.DEFAULT),
                new NodeAddress(ipv4(10, 0, 2, 2), PortMap.DEFAULT),
                new NodeAddress(ipv4(10, 0, 3, 3), PortMap.DEFAULT)));
    }

    /** Number of nodes. */
    public int size() {
        return nodes.size();
    }

    /** Node {@code id}'s address and ports. */
    public NodeAddress node(int id) {
        return nodes.get(id);
    }

    /** The node ids 0 .. size-1. */
    public List<Integer> ids() {
        List<Integer> ids = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            ids.add(i);
        }
        return ids;
    }

    /** The id of the node whose client port is at {@code address}, if any. */
    public OptionalInt idOfClientAddress(InetSocketAddress address) {
        for (int i = 0; i < nodes.size(); i++) {
            if (node(i).socketOf(MessageClass.CLIENT).equals(address)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Parses {@code --peers}: comma-separated items, each {@code host} or {@code host:basePort}.
     *
     * @throws ClusterConfigException naming the item that is wrong
     */
    public static ClusterConfig parsePeers(String list) {
        Objects.requireNonNull(list, "list");
        String[] items = list.split(",", -1);
        List<NodeAddress> nodes = new ArrayList<>(items.length);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            try {
                nodes.add(parseHostAndBase(item));
            } catch (ClusterConfigException e) {
                throw new ClusterConfigException("--peers item " + (i + 1) + " ('" + item + "'): " + e.getMessage());
            }
        }
        return new ClusterConfig(nodes);
    }

    /**
     * Reads a cluster file (format in the class comment).
     *
     * @throws ClusterConfigException naming the file and line that is wrong, or why it cannot be read
     */
    public static ClusterConfig parseFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ClusterConfigException("cannot read cluster file " + file + ": " + e.getMessage());
        }
        return parseLines(lines, "cluster file " + file);
    }

    /** Parses the lines of a cluster file; {@code source} names it in errors. */
    public static ClusterConfig parseLines(List<String> lines, String source) {
        List<NodeAddress> nodes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            try {
                nodes.add(parseLine(content));
            } catch (ClusterConfigException e) {
                throw new ClusterConfigException(source + " line " + (i + 1) + " ('" + content + "'): " + e.getMessage());
            }
        }
        if (nodes.isEmpty()) {
            throw new ClusterConfigException(source + " lists no node (one per line: <host> "
                    + "[<vote> <heartbeat> <append> <client> <snapshot>])");
        }
        try {
            return new ClusterConfig(nodes);
        } catch (ClusterConfigException e) {
            throw new ClusterConfigException(source + ": " + e.getMessage());
        }
    }

    private static NodeAddress parseLine(String content) {
        String[] f = content.split("\\s+");
        if (f.length == 1) {
            return parseHostAndBase(f[0]);
        }
        if (f.length != 6) {
            throw new ClusterConfigException("expected <host> or <host> followed by 5 ports (vote heartbeat "
                    + "append client snapshot), found " + f.length + " fields");
        }
        int[] p = new int[5];
        for (int i = 0; i < 5; i++) {
            p[i] = port(f[i + 1], 1);
        }
        return new NodeAddress(host(f[0]), portMap(p[0], p[1], p[2], p[3], p[4]));
    }

    private static NodeAddress parseHostAndBase(String item) {
        if (item.isEmpty()) {
            throw new ClusterConfigException("empty; expected host or host:basePort");
        }
        int colon = item.lastIndexOf(':');
        if (colon < 0) {
            return new NodeAddress(host(item), PortMap.DEFAULT);
        }
        int base = port(item.substring(colon + 1), 5);
        return new NodeAddress(host(item.substring(0, colon)), portMap(base, base + 1, base + 2, base + 3, base + 4));
    }

    private static PortMap portMap(int vote, int heartbeat, int append, int client, int snapshot) {
        try {
            return new PortMap(vote, heartbeat, append, client, snapshot);
        } catch (IllegalArgumentException e) {
            throw new ClusterConfigException(e.getMessage());
        }
    }

    /** A port, leaving room for {@code span - 1} more after it. */
    private static int port(String s, int span) {
        int p;
        try {
            p = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new ClusterConfigException("'" + s + "' is not a port number");
        }
        if (p < 1 || p > 0x10000 - span) {
            throw new ClusterConfigException("port " + p + " outside 1.." + (0x10000 - span)
                    + (span > 1 ? " (a base port is followed by " + (span - 1) + " more)" : ""));
        }
        return p;
    }

    /** An IPv4 literal, or a name resolving to an IPv4 address. */
    static InetAddress host(String s) {
        if (s.isEmpty()) {
            throw new ClusterConfigException("missing host");
        }
        var m = IPV4.matcher(s);
        if (m.matches()) {
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(m.group(i + 1));
                if (v > 255) {
                    throw new ClusterConfigException("'" + s + "' is not an IPv4 address (" + v + " > 255)");
                }
                b[i] = (byte) v;
            }
            return byAddress(b);
        }
        if (s.matches("[0-9.]+")) {
            throw new ClusterConfigException("'" + s + "' is not an IPv4 address (expected four numbers a.b.c.d)");
        }
        if (!s.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw new ClusterConfigException("'" + s + "' is neither an IPv4 address nor a host name");
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(s)) {
                if (a instanceof Inet4Address) {
                    return a;
                }
            }
        } catch (UnknownHostException e) {
            throw new ClusterConfigException("unknown host '" + s + "'");
        }
        throw new ClusterConfigException("host '" + s + "' has no IPv4 address");
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        return byAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d});
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an address", e);
        }
    }

    /** Invalid cluster configuration; the message names the line or item and what is wrong. */
    public static final class ClusterConfigException extends IllegalArgumentException {
        public ClusterConfigException(String message) {
            super(message);
        }
    }
}
