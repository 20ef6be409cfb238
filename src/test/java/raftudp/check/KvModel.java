package raftudp.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * The sequential specification of the store, restricted to the state of one key: a
 * {@link Value} or {@code null} when the key is absent.
 *
 * <p>Written from the documented semantics, independently of the production state machine,
 * so that the checker tests the store rather than agreeing with it:
 * <ul>
 *   <li>put stores its scalar and answers {@code Ok(previous)};</li>
 *   <li>get answers {@code Found(value)} or {@code NotFound} and changes nothing;</li>
 *   <li>delete removes the key and answers {@code Ok(previous)};</li>
 *   <li>cas stores {@code update} iff the current value equals {@code expected}
 *       ({@code null} = absent) answering {@code Ok(previous)}, else
 *       {@code CasFailed(current)} and changes nothing;</li>
 *   <li>append adds its scalar to the list (a one-item list when absent) and answers
 *       {@code Appended(newSize)}, or {@code WrongType} and changes nothing when the key
 *       holds a scalar.</li>
 * </ul>
 * The specification is deterministic: each (state, command) has exactly one answer.
 * Stateless; all methods are pure.
 */
public final class KvModel {

    private KvModel() {
    }

    /**
     * What a command does in a state.
     *
     * @param answer the only legal answer
     * @param next   the state after it ({@code null} = absent)
     */
    public record Outcome(Result answer, Value next) {
        public Outcome {
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * The verdict on one observed answer.
     *
     * @param legal    whether the observed answer is possible in the state
     * @param next     the state after the command took effect (meaningful when legal)
     * @param expected the answer the specification gives in that state
     */
    public record Step(boolean legal, Value next, Result expected) {
    }

    /** True when {@code output} tells nothing: no answer, or {@link Result.SessionExpired}. */
    public static boolean isUnknown(Result output) {
        return output == null || output instanceof Result.SessionExpired;
    }

    /**
     * Whether {@code output} is a legal answer to {@code input} in {@code state}, and the next
     * state. An unknown output ({@link #isUnknown}) is always legal, and the effect is applied:
     * the caller decides whether the command took effect at all by stepping it or not.
     *
     * @param state  the key's value, {@code null} when absent
     * @param input  a command on that key
     * @param output the observed answer, {@code null} if none
     */
    public static Step step(Value state, Command input, Result output) {
        Outcome o = apply(state, input);
        boolean legal = isUnknown(output) || o.answer().equals(output);
        return new Step(legal, o.next(), o.answer());
    }

    /** The answer and next state of {@code input} applied to {@code state}. */
    public static Outcome apply(Value state, Command input) {
        Objects.requireNonNull(input, "input");
        if (input instanceof Command.Put p) {
            return new Outcome(new Result.Ok(state), p.value());
        } else if (input instanceof Command.Get) {
            return new Outcome(state == null ? new Result.NotFound() : new Result.Found(state), state);
        } else if (input instanceof Command.Delete) {
            return new Outcome(new Result.Ok(state), null);
        } else if (input instanceof Command.Cas cas) {
            if (Objects.equals(state, cas.expected())) {
                return new Outcome(new Result.Ok(state), cas.update());
            }
            return new Outcome(new Result.CasFailed(state), state);
        } else if (input instanceof Command.Append a) {
            return append(state, a.value());
        }
        throw new IllegalArgumentException("unknown command " + input);
    }

    private static Outcome append(Value state, Value item) {
        if (state == null) {
            return new Outcome(new Result.Appended(1), new Value.ListValue(List.of(item)));
        }
        if (state instanceof Value.ListValue list) {
            List<Value> items = new ArrayList<>(list.items().size() + 1);
            items.addAll(list.items());
            items.add(item);
            return new Outcome(new Result.Appended(items.size()), new Value.ListValue(items));
        }
        return new Outcome(new Result.WrongType(), state);
    }
}
