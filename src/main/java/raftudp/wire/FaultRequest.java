package raftudp.wire;

import java.util.Objects;

/**
 * Changes or lists the fault rules of a node's transport (its own loss, delay, jitter and
 * duplication on what it sends), at run time; sent on the client port. The node applies
 * it and answers a {@link FaultResponse} with the rules then in force.
 *
 * @param op    what to do
 * @param entry {@link Op#SET}: the rule (a rule of all zeros clears its target);
 *              {@link Op#CLEAR}: the target, all values zero; {@link Op#SHOW} and
 *              {@link Op#CLEAR_ALL}: null
 */
public record FaultRequest(Op op, FaultEntry entry) {

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

    /** @throws IllegalArgumentException when the entry does not fit the op */
    public FaultRequest {
        Objects.requireNonNull(op, "op");
        boolean needsEntry = op == Op.SET || op == Op.CLEAR;
        if (needsEntry != (entry != null)) {
            throw new IllegalArgumentException(op + (needsEntry ? " needs" : " takes no") + " rule");
        }
        if (op == Op.CLEAR && !entry.isNone()) {
            throw new IllegalArgumentException("CLEAR carries a target only: " + entry);
        }
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
