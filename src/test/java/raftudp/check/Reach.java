package raftudp.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * A conservative test of whether some order of some of a set of writes can bring a key into a
 * state where a given answer is legal. The search uses it to abandon a configuration whose
 * next deadline cannot be met by any of the operations allowed to come before it, instead of
 * trying every order of them. "Unreachable" must be certain; "reachable" may be wrong.
 *
 * <p>Relies on how states can arise (see {@link KvModel}): a scalar only from a put or a cas
 * writing it; absence only from a delete; a list only by appends to a list or to an absent key.
 */
final class Reach {

    /** The states in which an answer is legal, as {@link KvModel} defines them. */
    sealed interface Need {
    }

    /** No state. */
    record Never() implements Need {
    }

    /** Exactly this state ({@code null} = absent). */
    record Exactly(Value state) implements Need {
    }

    /** Absent when {@code size == 0}, else a list of {@code size} items. */
    record ListOfSize(long size) implements Need {
    }

    /** Any scalar. */
    record AnyScalar() implements Need {
    }

    /** Small lists, scanned: cheaper than hashing for the handful of operations involved. */
    private final List<Value> scalarsWritable = new ArrayList<>();
    private final List<Value> appendable = new ArrayList<>();
    private boolean canDelete;

    private Reach() {
    }

    /**
     * The states in which {@code output} is a legal answer to {@code input}; {@code output}
     * must be known (not null, not session-expired).
     */
    static Need need(Command input, Result output) {
        Objects.requireNonNull(output, "output");
        if (input instanceof Command.Get) {
            if (output instanceof Result.Found f) {
                return new Exactly(f.value());
            }
            return output instanceof Result.NotFound ? new Exactly(null) : new Never();
        } else if (input instanceof Command.Put || input instanceof Command.Delete) {
            return output instanceof Result.Ok ok ? new Exactly(ok.previous()) : new Never();
        } else if (input instanceof Command.Cas cas) {
            if (output instanceof Result.Ok ok && Objects.equals(ok.previous(), cas.expected())) {
                return new Exactly(ok.previous());
            }
            if (output instanceof Result.CasFailed cf && !Objects.equals(cf.current(), cas.expected())) {
                return new Exactly(cf.current());
            }
            return new Never();
        } else if (input instanceof Command.Append) {
            if (output instanceof Result.Appended a) {
                return a.size() >= 1 ? new ListOfSize(a.size() - 1) : new Never();
            }
            return output instanceof Result.WrongType ? new AnyScalar() : new Never();
        }
        throw new IllegalArgumentException("unknown command " + input);
    }

    /**
     * What some order of some of {@code writes} (each at most once) can do. An operation's
     * possible effect is taken from its command and, when known, its output.
     */
    static Reach of(Iterable<Operation> writes) {
        Reach r = new Reach();
        for (Operation op : writes) {
            r.add(op);
        }
        return r;
    }

    private void add(Operation op) {
        Command in = op.input();
        Result out = op.isUnknown() ? null : op.output();
        if (in instanceof Command.Put p) {
            scalarsWritable.add(p.value());
        } else if (in instanceof Command.Delete) {
            canDelete = true;
        } else if (in instanceof Command.Cas cas && (out == null || out instanceof Result.Ok)) {
            scalarsWritable.add(cas.update());
        } else if (in instanceof Command.Append a && (out == null || out instanceof Result.Appended)) {
            appendable.add(a.value());
        }
    }

    /** False only when no order of some of the writes takes {@code state} to one in {@code need}. */
    boolean canReach(Need need, Value state) {
        if (need instanceof Never) {
            return false;
        } else if (need instanceof AnyScalar) {
            return isScalar(state) || !scalarsWritable.isEmpty();
        } else if (need instanceof Exactly e) {
            return canReachExactly(e.state(), state);
        } else if (need instanceof ListOfSize l) {
            return canReachSize(l.size(), state);
        }
        throw new IllegalArgumentException("unknown need " + need);
    }

    private boolean canReachExactly(Value target, Value state) {
        if (Objects.equals(target, state)) {
            return true;
        }
        if (target == null) {
            return canDelete;
        }
        if (!(target instanceof Value.ListValue list)) {
            return scalarsWritable.contains(target);
        }
        List<Value> items = list.items();
        if (state instanceof Value.ListValue from && isPrefix(from.items(), items)
                && canAppendAll(items.subList(from.items().size(), items.size()))) {
            return true;
        }
        return (state == null || canDelete) && canAppendAll(items);
    }

    private boolean canReachSize(long size, Value state) {
        boolean fromAbsent = state == null || canDelete;
        if (size == 0) {
            return fromAbsent;
        }
        if (state instanceof Value.ListValue from && from.items().size() <= size
                && appendable.size() >= size - from.items().size()) {
            return true;
        }
        return fromAbsent && appendable.size() >= size;
    }

    /** Whether {@code items} is a sub-multiset of the appendable values. */
    private boolean canAppendAll(List<Value> items) {
        if (items.size() > appendable.size()) {
            return false;
        }
        List<Value> left = new ArrayList<>(appendable);
        for (Value v : items) {
            if (!left.remove(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrefix(List<Value> prefix, List<Value> items) {
        return prefix.size() <= items.size() && prefix.equals(items.subList(0, prefix.size()));
    }

    private static boolean isScalar(Value v) {
        return v != null && !(v instanceof Value.ListValue);
    }
}
