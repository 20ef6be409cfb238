package raftudp.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/** Short factories for writing histories by hand in tests. Values are {@link Value.Int}s. */
final class Ops {

    private Ops() {
    }

    static Operation op(int client, long call, long ret, Command in, Result out) {
        return new Operation(client, call, ret, in, out);
    }

    /** An operation that was never answered. */
    static Operation pending(int client, long call, Command in) {
        return Operation.pending(client, call, in);
    }

    static List<Operation> history(Operation... ops) {
        return new ArrayList<>(Arrays.asList(ops));
    }

    static Value v(long x) {
        return Value.of(x);
    }

    static Value list(Value... items) {
        return new Value.ListValue(List.of(items));
    }

    static Command put(String key, long value) {
        return new Command.Put(key, v(value));
    }

    static Command get(String key) {
        return new Command.Get(key);
    }

    static Command delete(String key) {
        return new Command.Delete(key);
    }

    /** A cas; {@code expected == null} means "absent". */
    static Command cas(String key, Long expected, long update) {
        return new Command.Cas(key, expected == null ? null : v(expected), v(update));
    }

    static Command append(String key, long value) {
        return new Command.Append(key, v(value));
    }

    static Result ok() {
        return new Result.Ok(null);
    }

    static Result ok(long previous) {
        return new Result.Ok(v(previous));
    }

    static Result found(long value) {
        return new Result.Found(v(value));
    }

    static Result found(Value value) {
        return new Result.Found(value);
    }

    static Result notFound() {
        return new Result.NotFound();
    }

    static Result casFailed(Long current) {
        return new Result.CasFailed(current == null ? null : v(current));
    }

    static Result appended(long size) {
        return new Result.Appended(size);
    }

    static Result wrongType() {
        return new Result.WrongType();
    }

    static Result expired() {
        return new Result.SessionExpired();
    }
}
