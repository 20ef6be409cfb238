package raftudp.client;

import raftudp.wire.StatusReport;

import java.net.InetSocketAddress;

/**
 * One node's line in a status table: its report, or why there is none.
 *
 * @param node    its index in the cluster list
 * @param address its client address
 * @param report  its answer, or null when it did not answer
 * @param error   with no report: why (e.g. {@code "no answer within 1 s"}); otherwise null
 */
public record NodeStatus(int node, InetSocketAddress address, StatusReport report, String error) {
    /** True when the node answered. */
    public boolean answered() {
        return report != null;
    }
}
