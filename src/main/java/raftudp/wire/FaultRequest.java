package raftudp.wire;

import java.util.Objects;

/**
 * Changes or lists the fault rules of a node's transport (its own loss, delay, jitter and
 * duplication on what it sends), at run time; sent on the client port. The node applies
 * it and answers a {@link FaultResponse} with the rules then in force. It is an admin
 * request: a node accepts it only when it is authenticated, or when the node has no
 * cluster key and was started with {@code --allow-admin} ({@code docs/wire-format.md} §10).
 *
 * @param op         what to do
 * @param entry      {@link Op#SET}: the rule (a rule of all zeros clears its target);
 *                   {@link Op#CLEAR}: the target, all values zero; {@link Op#SHOW} and
 *                   {@link Op#CLEAR_ALL}: null
 * @param issuedAtMs the sender's wall clock (milliseconds since the epoch) when it sent the
 *                   request, in header {@code index_a}: set on authenticated requests (a node
 *                   refuses them outside its replay window), 0 on the others
 */
public record FaultRequest(Op op, FaultEntry entry, long issuedAtMs) {

    /** The operations, with their wire code. */
    public enum Op {
        /** List the rules; change nothing. */
        SHOW(0),
        /** Set (replace) the rule of one target. */
        SET(1),
        /** Remove the rule of one target. */
        CLEAR(2),
        /** Remove every rule, the default included. */
        CLEAR_ALL(3);

        final int code;

        Op(int code) {
            this.code = code;
        }

        /** The op of a wire code, or null. */
        static Op ofCode(int code) {
            for (Op o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            return null;
        }
    }

    /** @throws IllegalArgumentException when the entry does not fit the op, or the time is negative */
    public FaultRequest {
        Objects.requireNonNull(op, "op");
        if (issuedAtMs < 0) {
            throw new IllegalArgumentException("issuedAtMs " + issuedAtMs + " is negative");
        }
        boolean needsEntry = op == Op.SET || op == Op.CLEAR;
        if (needsEntry != (entry != null)) {
            throw new IllegalArgumentException(op + (needsEntry ? " needs" : " takes no") + " rule");
        }
        if (op == Op.CLEAR && !entry.isNone()) {
            throw new IllegalArgumentException("CLEAR carries a target only: " + entry);
        }
    }

    /** A request without a time (unauthenticated). */
    public FaultRequest(Op op, FaultEntry entry) {
        this(op, entry, 0);
    }

    /** This request stamped with the sender's wall clock {@code nowMs} (for an authenticated send). */
    public FaultRequest issuedAt(long nowMs) {
        return new FaultRequest(op, entry, nowMs);
    }

    public static FaultRequest show() {
        return new FaultRequest(Op.SHOW, null);
    }

    public static FaultRequest set(FaultEntry rule) {
        return new FaultRequest(Op.SET, rule);
    }

    public static FaultRequest clear(String target) {
        return new FaultRequest(Op.CLEAR, FaultEntry.none(target));
    }

    public static FaultRequest clearAll() {
        return new FaultRequest(Op.CLEAR_ALL, null);
    }
}
