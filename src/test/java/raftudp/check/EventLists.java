package raftudp.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The call and return events of one key's operations, numbered in time order and threaded
 * into two doubly linked lists from which linearized operations are unlinked and relinked
 * (Lowe's variant of the Wing–Gong search).
 *
 * <p>Nodes {@code 0..events-1} are the events: at equal times calls come before returns (so
 * operations that touch in time count as concurrent), then by operation index. The known
 * list holds the calls and returns of known operations; the unknown list holds the calls of
 * unknown operations, which have no return (it is at +infinity). Node numbers compare as
 * times: a call precedes a return iff its node number is smaller.
 */
final class EventLists {

    /** Sentinels of the two lists. */
    final int head;
    final int tail;
    final int unknownHead;
    final int unknownTail;
    /** Per node: successor and predecessor in its list. */
    final int[] next;
    private final int[] prev;
    /** Per event node: the operation and whether it is a call. */
    final int[] opOfNode;
    final boolean[] isCall;
    /** Per operation: its call node and its return node ({@code -1} when unknown). */
    final int[] callNode;
    private final int[] returnNode;

    EventLists(List<Operation> ops) {
        int n = ops.size();
        callNode = new int[n];
        returnNode = new int[n];
        Arrays.fill(returnNode, -1);
        long[][] events = sortedEvents(ops);
        int m = events.length;
        head = m;
        tail = m + 1;
        unknownHead = m + 2;
        unknownTail = m + 3;
        next = new int[m + 4];
        prev = new int[m + 4];
        opOfNode = new int[m];
        isCall = new boolean[m];
        for (int node = 0; node < m; node++) {
            int op = (int) events[node][2];
            opOfNode[node] = op;
            isCall[node] = events[node][1] == 0;
            if (isCall[node]) {
                callNode[op] = node;
            } else {
                returnNode[op] = node;
            }
        }
        int lastKnown = head;
        int lastUnknown = unknownHead;
        for (int node = 0; node < m; node++) {
            if (ops.get(opOfNode[node]).isUnknown()) {
                lastUnknown = append(lastUnknown, node);
            } else {
                lastKnown = append(lastKnown, node);
            }
        }
        append(lastKnown, tail);
        append(lastUnknown, unknownTail);
    }

    /** Events as {time, kind (0 call, 1 return), op}, sorted: time, then calls first, then op. */
    private static long[][] sortedEvents(List<Operation> ops) {
        List<long[]> events = new ArrayList<>(2 * ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            events.add(new long[] {op.callTime(), 0, i});
            if (!op.isUnknown()) {
                events.add(new long[] {op.returnTime(), 1, i});
            }
        }
        events.sort((a, b) -> {
            int c = Long.compare(a[0], b[0]);
            if (c == 0) {
                c = Long.compare(a[1], b[1]);
            }
            return c != 0 ? c : Long.compare(a[2], b[2]);
        });
        return events.toArray(new long[0][]);
    }

    private int append(int last, int node) {
        next[last] = node;
        prev[node] = last;
        return node;
    }

    /** Number of event nodes. */
    int events() {
        return opOfNode.length;
    }

    /**
     * The earliest return still linked: every operation called before it (and not yet
     * linearized) is a candidate to linearize next. Throws when no known operation is pending.
     */
    int firstReturn() {
        int node = next[head];
        while (node != tail && isCall[node]) {
            node = next[node];
        }
        if (node == tail) {
            throw new IllegalStateException("no known operation pending");
        }
        return node;
    }

    /** Unlinks the call of {@code op} and its return, if any. */
    void lift(int op) {
        unlink(callNode[op]);
        if (returnNode[op] >= 0) {
            unlink(returnNode[op]);
        }
    }

    /** Relinks what {@link #lift} unlinked; lifts must be undone in reverse order. */
    void unlift(int op) {
        if (returnNode[op] >= 0) {
            relink(returnNode[op]);
        }
        relink(callNode[op]);
    }

    private void unlink(int node) {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private void relink(int node) {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }
}
