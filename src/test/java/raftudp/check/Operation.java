package raftudp.check;

import java.util.Objects;
import raftudp.kv.Command;
import raftudp.kv.Result;

/**
 * One client operation as observed from outside the cluster: when the client called, when it
 * got the answer, what it asked and what it was told.
 *
 * <p>An operation is <em>unknown</em> ({@link #isUnknown()}) when it was never answered
 * ({@code returnTime == Long.MAX_VALUE} and/or {@code output == null}) or was answered
 * {@link Result.SessionExpired}: it may or may not have taken effect (at most once), at any
 * point after its call, and its output says nothing.
 *
 * @param clientId   the client that issued it (for reports only)
 * @param callTime   simulator time the request was sent
 * @param returnTime simulator time the answer arrived; {@link Long#MAX_VALUE} if never
 * @param input      the command; its key decides the partition the checker puts it in
 * @param output     the answer, or {@code null} if none
 */
public record Operation(int clientId, long callTime, long returnTime, Command input, Result output) {

    /** Marks an operation that never returned. */
    public static final long NEVER = Long.MAX_VALUE;

    /** Checks {@code callTime < returnTime} and that {@code input} is present. */
    public Operation {
        Objects.requireNonNull(input, "input");
        if (callTime >= returnTime) {
            throw new IllegalArgumentException(
                    "call must precede return: call=" + callTime + " return=" + returnTime);
        }
    }

    /** An operation that was sent but never answered. */
    public static Operation pending(int clientId, long callTime, Command input) {
        return new Operation(clientId, callTime, NEVER, input, null);
    }

    /** The key the command addresses. */
    public String key() {
        return input.key();
    }

    /** True when the outcome is unknown: the operation may or may not have taken effect. */
    public boolean isUnknown() {
        return output == null || returnTime == NEVER || output instanceof Result.SessionExpired;
    }

    /** Compact form, e.g. {@code c2 [10,25] put(x, 1) -> ok(null)} or {@code c1 [30,inf) get(x) -> ?}. */
    @Override
    public String toString() {
        String window = returnTime == NEVER
                ? "[" + callTime + ",inf)"
                : "[" + callTime + "," + returnTime + "]";
        return "c" + clientId + " " + window + " " + formatCommand(input) + " -> " + formatResult(output);
    }

    /** Compact form of a command: {@code put(k, v)}, {@code cas(k, null->2)}, .... */
    public static String formatCommand(Command c) {
        if (c instanceof Command.Put p) {
            return "put(" + p.key() + ", " + p.value() + ")";
        } else if (c instanceof Command.Get g) {
            return "get(" + g.key() + ")";
        } else if (c instanceof Command.Delete d) {
            return "delete(" + d.key() + ")";
        } else if (c instanceof Command.Cas cas) {
            return "cas(" + cas.key() + ", " + cas.expected() + "->" + cas.update() + ")";
        } else if (c instanceof Command.Append a) {
            return "append(" + a.key() + ", " + a.value() + ")";
        }
        throw new IllegalArgumentException("unknown command " + c);
    }

    /** Compact form of a result: {@code ok(1)}, {@code found("a")}, {@code ?} for none, .... */
    public static String formatResult(Result r) {
        if (r == null) {
            return "?";
        } else if (r instanceof Result.Ok ok) {
            return "ok(" + ok.previous() + ")";
        } else if (r instanceof Result.Found f) {
            return "found(" + f.value() + ")";
        } else if (r instanceof Result.NotFound) {
            return "not-found";
        } else if (r instanceof Result.CasFailed cf) {
            return "cas-failed(" + cf.current() + ")";
        } else if (r instanceof Result.Appended ap) {
            return "appended(" + ap.size() + ")";
        } else if (r instanceof Result.WrongType) {
            return "wrong-type";
        } else if (r instanceof Result.SessionExpired) {
            return "session-expired?";
        }
        throw new IllegalArgumentException("unknown result " + r);
    }
}
