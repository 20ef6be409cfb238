package raftudp.client;

import raftudp.config.ClusterConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which node of the cluster {@code -d} names. The node list itself is the node program's
 * ({@link ClusterConfig}: the testbed default, {@code --peers} or {@code --cluster FILE}),
 * so client and nodes read one syntax with one parser. A node's id is its index in that
 * list, and a {@code NOT_LEADER} answer's leader hint is such an index.
 */
public final class ClusterSpec {
    private ClusterSpec() {
    }

    /**
     * The index of the node {@code spec} names: its index ({@code 0}, {@code 1}, …), its host
     * (when only one node has that address) or {@code host:port} with any of its five ports.
     *
     * @throws IllegalArgumentException when it names no node of the list, or several
     */
    public static int select(ClusterConfig cluster, String spec) {
        if (!spec.isEmpty() && spec.chars().allMatch(Character::isDigit)) {
            int index = parseNumber(spec, "node index", "-d");
            if (index >= cluster.size()) {
                throw new IllegalArgumentException("node index " + index + " is not in the cluster of " + cluster.size()
                        + " nodes (0.." + (cluster.size() - 1) + ")");
            }
            return index;
        }
        int colon = spec.lastIndexOf(':');
        String host = colon >= 0 ? spec.substring(0, colon) : spec;
        int port = colon >= 0 ? parsePort(spec.substring(colon + 1), "-d " + spec) : -1;
        InetAddress address = resolve(host, "-d");
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            ClusterConfig.NodeAddress n = cluster.node(i);
            if (n.address().equals(address) && (port < 0 || n.ports().ports().contains(port))) {
                found.add(i);
            }
        }
        if (found.isEmpty()) {
            List<String> nodes = new ArrayList<>();
            cluster.nodes().forEach(n -> nodes.add(n.address().getHostAddress() + ":" + n.ports().client()));
            throw new IllegalArgumentException("-d " + spec + " is not a node of the cluster " + nodes
                    + "; give its index, or describe the cluster with --peers or --cluster");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("-d " + spec + " matches nodes " + found
                    + "; give host:port or the node's index");
        }
        return found.get(0);
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
        if (host.isEmpty()) {
            throw new IllegalArgumentException(where + ": the host is missing");
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(where + ": unknown host '" + host + "'");
        }
    }
}
