package raftudp.client;

import raftudp.wire.StatusReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders nodes' status reports as an aligned text table: id, address, role, term, leader,
 * commit, applied, last index, datagrams received and sent, datagrams dropped as bad, and
 * a note (a leader's peers' match indexes, or why a node did not answer).
 */
public final class StatusTable {
    private static final List<String> HEADER =
            List.of("id", "address", "role", "term", "leader", "commit", "applied", "last", "rx", "tx", "drops", "note");

    private StatusTable() {
    }

    /** The table, one line per node after a header line, each line ending in a newline. */
    public static String render(List<NodeStatus> rows) {
        List<List<String>> cells = new ArrayList<>();
        cells.add(HEADER);
        for (NodeStatus s : rows) {
            cells.add(row(s));
        }
        int[] widths = new int[HEADER.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                l.append(cell);
                if (i < line.size() - 1) {
                    l.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static List<String> row(NodeStatus s) {
        String id = Integer.toString(s.node());
        String address = Texts.address(s.address());
        StatusReport r = s.report();
        if (r == null) {
            return List.of(id, address, "?", "-", "-", "-", "-", "-", "-", "-", "-", s.error());
        }
        return List.of(id, address, r.role(), Long.toString(r.term()), r.leaderId() < 0 ? "-" : Integer.toString(r.leaderId()),
                Long.toString(r.commitIndex()), Long.toString(r.appliedIndex()), Long.toString(r.lastLogIndex()),
                counter(r, "rx.datagrams"), counter(r, "tx.datagrams"), Long.toString(drops(r.counters())), note(s));
    }

    private static String counter(StatusReport r, String name) {
        return Long.toString(r.counters().getOrDefault(name, 0L));
    }

    /** Datagrams dropped as bad, over all reasons. */
    static long drops(Map<String, Long> counters) {
        long n = 0;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (e.getKey().startsWith("drop.")) {
                n += e.getValue();
            }
        }
        return n;
    }

    private static String note(NodeStatus s) {
        StatusReport r = s.report();
        if (r.nodeId() != s.node()) {
            return "reports id " + r.nodeId() + ": is the node list the same as the node's?";
        }
        if (r.matchIndex().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("match");
        r.matchIndex().forEach((peer, index) -> sb.append(' ').append(peer).append(':').append(index));
        return sb.toString();
    }
}
