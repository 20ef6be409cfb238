package raftudp.client;

import raftudp.wire.PortMap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster's node list, in the formats the node program accepts. A node's id is its
 * index in the list, and a {@code NOT_LEADER} answer's leader hint is such an index.
 *
 * <ul>
 *   <li>the default: the testbed's three nodes {@link #TESTBED_HOSTS} with {@link PortMap#DEFAULT};</li>
 *   <li>{@code --peers host[:basePort],…}: a base port gives the ports base .. base+4 in the
 *       order vote, heartbeat, append, client, snapshot (so the client port is base+3);
 *       without one, the default ports;</li>
 *   <li>{@code --cluster FILE}: one node per line, {@code <host> [vote heartbeat append client snapshot]};
 *       {@code #} starts a comment; blank lines are skipped.</li>
 * </ul>
 *
 * <p>This is the client's copy of the node program's parser (kept here so that the client
 * package depends on no runtime code); both accept the same syntax. Errors are
 * {@link IllegalArgumentException}s that say which entry or line is wrong and why.
 */
public final class ClusterSpec {
    /** The testbed's nodes, in id order (h1, h2, h3). */
    public static final List<String> TESTBED_HOSTS = List.of("10.0.1.1", "10.0.2.2", "10.0.3.3");
    /** Most nodes a list may hold. */
    public static final int NODES_MAX = 1024;
    /** Ports one node uses: base .. base + this - 1. */
    private static final int PORTS_PER_NODE = 5;

    private ClusterSpec() {
    }

    /** The testbed's three nodes on the default ports. */
    public static List<ClusterNode> testbed() {
        List<ClusterNode> nodes = new ArrayList<>();
        for (String host : TESTBED_HOSTS) {
            nodes.add(new ClusterNode(host, resolve(host, "default cluster"), PortMap.DEFAULT));
        }
        return List.copyOf(nodes);
    }

    /**
     * Parses {@code --peers}: comma-separated {@code host[:basePort]}.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static List<ClusterNode> parsePeers(String spec) {
        List<ClusterNode> nodes = new ArrayList<>();
        String[] items = spec.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            String where = "--peers entry " + (i + 1) + " ('" + item + "')";
            if (item.isEmpty()) {
                throw new IllegalArgumentException(where + " is empty; expected host[:basePort]");
            }
            nodes.add(parseHostBase(item, where));
        }
        return checked(nodes, "--peers");
    }

    /**
     * Reads a {@code --cluster} file.
     *
     * @throws IllegalArgumentException when it cannot be read, or naming the bad line
     */
    public static List<ClusterNode> readFile(Path file) {
        try {
            return parseLines(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cluster file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cluster file " + file + ": " + e);
        }
    }

    /**
     * Parses the lines of a cluster file.
     *
     * @param source name of the file, for messages
     */
    public static List<ClusterNode> parseLines(List<String> lines, String source) {
        List<ClusterNode> nodes = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            String where = source + " line " + (n + 1);
            String[] words = content.split("\\s+");
            if (words.length == 1) {
                nodes.add(parseHostBase(words[0], where));
            } else if (words.length == 1 + PORTS_PER_NODE) {
                int[] p = new int[PORTS_PER_NODE];
                for (int i = 0; i < PORTS_PER_NODE; i++) {
                    p[i] = parsePort(words[i + 1], where);
                }
                nodes.add(node(words[0], portMap(p[0], p[1], p[2], p[3], p[4], where), where));
            } else {
                throw new IllegalArgumentException(where + ": expected '<host>' or '<host> <vote> <heartbeat> <append> "
                        + "<client> <snapshot>', got " + words.length + " words");
            }
        }
        return checked(nodes, source);
    }

    /**
     * The index of the node {@code spec} names: its index ({@code 0}, {@code 1}, …), its host
     * (when only one node has that address) or {@code host:port} with any of its five ports.
     *
     * @throws IllegalArgumentException when it names no node of the list, or several
     */
    public static int select(List<ClusterNode> nodes, String spec) {
        if (!spec.isEmpty() && spec.chars().allMatch(Character::isDigit)) {
            int index = parseNumber(spec, "node index", "-d");
            if (index >= nodes.size()) {
                throw new IllegalArgumentException("node index " + index + " is not in the cluster of " + nodes.size()
                        + " nodes (0.." + (nodes.size() - 1) + ")");
            }
            return index;
        }
        int colon = spec.lastIndexOf(':');
        String host = colon >= 0 ? spec.substring(0, colon) : spec;
        int port = colon >= 0 ? parsePort(spec.substring(colon + 1), "-d " + spec) : -1;
        InetAddress address = resolve(host, "-d");
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            ClusterNode n = nodes.get(i);
            if (n.address().equals(address) && (port < 0 || n.ports().ports().contains(port))) {
                found.add(i);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("-d " + spec + " is not a node of the cluster " + nodes
                    + "; give its index, or describe the cluster with --peers or --cluster");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("-d " + spec + " matches nodes " + found
                    + "; give host:port or the node's index");
        }
        return found.get(0);
    }

    private static ClusterNode parseHostBase(String item, String where) {
        if (item.startsWith("[") || item.chars().filter(c -> c == ':').count() > 1) {
            throw new IllegalArgumentException(where + ": IPv6 is not supported; use an IPv4 address or a host name");
        }
        int colon = item.indexOf(':');
        if (colon < 0) {
            return node(item, PortMap.DEFAULT, where);
        }
        int base = parsePort(item.substring(colon + 1), where);
        if (base > 0xFFFF - (PORTS_PER_NODE - 1)) {
            throw new IllegalArgumentException(where + ": base port " + base + " leaves no room for its 5 ports "
                    + "(base .. base+4 must be at most 65535)");
        }
        return node(item.substring(0, colon), portMap(base, base + 1, base + 2, base + 3, base + 4, where), where);
    }

    private static ClusterNode node(String host, PortMap ports, String where) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException(where + ": the host is missing");
        }
        return new ClusterNode(host, resolve(host, where), ports);
    }

    private static PortMap portMap(int vote, int heartbeat, int append, int client, int snapshot, String where) {
        try {
            return new PortMap(vote, heartbeat, append, client, snapshot);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static int parsePort(String text, String where) {
        int port = parseNumber(text, "port", where);
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException(where + ": port " + port + " outside 1..65535");
        }
        return port;
    }

    private static int parseNumber(String text, String what, String where) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(where + ": " + what + " '" + text + "' is not a number");
        }
        return Integer.parseInt(text);
    }

    private static InetAddress resolve(String host, String where) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(where + ": unknown host '" + host + "'");
        }
    }

    private static List<ClusterNode> checked(List<ClusterNode> nodes, String source) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(source + " lists no node");
        }
        if (nodes.size() > NODES_MAX) {
            throw new IllegalArgumentException(source + " lists " + nodes.size() + " nodes; at most " + NODES_MAX);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            ClusterNode n = nodes.get(i);
            for (int port : n.ports().ports()) {
                String key = n.address().getHostAddress() + ":" + port;
                if (!seen.add(key)) {
                    throw new IllegalArgumentException(source + ": node " + i + " (" + n.host() + ") reuses " + key
                            + ", which another node already uses");
                }
            }
        }
        return List.copyOf(nodes);
    }
}
