package raftudp.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * The operations of a chaos run, read from the history files that {@code raft-client workload}
 * writes (one per client process) and paired into one {@link ClientOp} per operation.
 *
 * <p>An invoke line and its completion line share (process, client, op) and must agree on
 * f, key and value; the completion must come later ({@code t} strictly greater). An invoke
 * without a completion is {@link Outcome#UNKNOWN}. A completion without an invoke, a second
 * invoke or completion of one operation, or a malformed member is an input error.
 */
public final class ChaosHistory {

    /** What the client learned about an operation. */
    public enum Outcome {
        /** It took effect, with {@link ClientOp#result()}. */
        OK,
        /** It certainly did not take effect. */
        FAIL,
        /** It may have taken effect, at most once. */
        UNKNOWN;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One operation of one client.
     *
     * @param process   the client process (a host name)
     * @param client    the client within the process
     * @param op        the operation number within the client
     * @param command   append(key, value) or get(key)
     * @param invokeT   when it was invoked, monotonic nanoseconds
     * @param completeT when it completed, or {@link Operation#NEVER} when no completion was written
     * @param outcome   ok, fail or unknown
     * @param result    for ok: Appended, WrongType, Found or NotFound; otherwise null
     * @param isFinal   a read made after the workload ended and the cluster healed
     * @param error     the client's error text for fail/unknown, or null
     * @param where     "file:line" of the invoke line
     */
    public record ClientOp(String process, long client, long op, Command command, long invokeT,
                           long completeT, Outcome outcome, Result result, boolean isFinal,
                           String error, String where) {
        public ClientOp {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(outcome, "outcome");
        }

        public String key() {
            return command.key();
        }

        public boolean isAppend() {
            return command instanceof Command.Append;
        }

        /** "append" or "get". */
        public String f() {
            return isAppend() ? "append" : "get";
        }

        /** The appended string, or null for a get. */
        public String value() {
            return command instanceof Command.Append a ? ((Value.Str) a.value()).value() : null;
        }

        /** The new length an ok append reported, or -1 (not ok, or wrong type). */
        public long appendedLength() {
            return result instanceof Result.Appended ap ? ap.size() : -1;
        }

        /** The list an ok get returned (empty for not-found), or null when not an ok get. */
        public List<String> readValues() {
            if (result instanceof Result.NotFound) {
                return List.of();
            }
            if (result instanceof Result.Found found && found.value() instanceof Value.ListValue list) {
                List<String> out = new ArrayList<>(list.items().size());
                for (Value v : list.items()) {
                    out.add(((Value.Str) v).value());
                }
                return out;
            }
            return null;
        }

        /** E.g. {@code h11/3#17 append(k2-1, "h11-3-17") [t 1.234567 s..1.240000 s] ok appended(4)}. */
        public String describe(long originT) {
            String done = completeT == Operation.NEVER ? "no completion" : seconds(completeT, originT);
            return process + "/" + client + "#" + op + " " + Operation.formatCommand(command)
                    + " [t " + seconds(invokeT, originT) + ".." + done + "] " + outcome.label()
                    + (outcome == Outcome.OK ? " " + Operation.formatResult(result) : "")
                    + (isFinal ? " (final read)" : "");
        }
    }

    /** Seconds of {@code t} after {@code originT}, e.g. {@code 12.345678 s}. */
    static String seconds(long t, long originT) {
        return String.format(java.util.Locale.ROOT, "%.6f s", (t - originT) / 1e9);
    }

    private record OpId(String process, long client, long op) {
    }

    private ChaosHistory() {
    }

    /**
     * Reads and pairs the operations of every file, ordered by invoke time.
     *
     * @param warnings receives a message for each dropped truncated last line
     * @throws ChaosInputException on any invalid or inconsistent line
     */
    public static List<ClientOp> read(List<Path> files, List<String> warnings) {
        Map<OpId, JsonLines.Line> invokes = new LinkedHashMap<>();
        Map<OpId, JsonLines.Line> completions = new LinkedHashMap<>();
        for (Path file : files) {
            for (JsonLines.Line line : JsonLines.read(file, warnings)) {
                String type = JsonLines.string(line, "type");
                OpId id = new OpId(JsonLines.string(line, "process"), JsonLines.integer(line, "client"),
                        JsonLines.integer(line, "op"));
                Map<OpId, JsonLines.Line> into;
                switch (type) {
                    case "invoke" -> into = invokes;
                    case "ok", "fail", "unknown" -> into = completions;
                    default -> throw new ChaosInputException(line.where() + ": unknown \"type\" " + FlatJson.quote(type));
                }
                JsonLines.Line earlier = into.putIfAbsent(id, line);
                if (earlier != null) {
                    throw new ChaosInputException(line.where() + ": operation " + label(id) + " already has a"
                            + (into == invokes ? "n invoke" : " completion") + " line at " + earlier.where());
                }
            }
        }
        for (Map.Entry<OpId, JsonLines.Line> c : completions.entrySet()) {
            if (!invokes.containsKey(c.getKey())) {
                throw new ChaosInputException(c.getValue().where() + ": completion of " + label(c.getKey())
                        + " without an invoke line");
            }
        }
        List<ClientOp> ops = new ArrayList<>(invokes.size());
        for (Map.Entry<OpId, JsonLines.Line> e : invokes.entrySet()) {
            ops.add(pair(e.getKey(), e.getValue(), completions.get(e.getKey())));
        }
        ops.sort(Comparator.comparingLong(ClientOp::invokeT));
        return ops;
    }

    private static String label(OpId id) {
        return id.process() + "/" + id.client() + "#" + id.op();
    }

    private static ClientOp pair(OpId id, JsonLines.Line invoke, JsonLines.Line done) {
        Command command = command(invoke);
        long invokeT = JsonLines.integer(invoke, "t");
        boolean isFinal = Boolean.TRUE.equals(invoke.fields().get("final"));
        if (done == null) {
            return new ClientOp(id.process(), id.client(), id.op(), command, invokeT, Operation.NEVER,
                    Outcome.UNKNOWN, null, isFinal, "no completion line", invoke.where());
        }
        Command again = command(done);
        if (!again.equals(command)) {
            throw new ChaosInputException(done.where() + ": completion " + Operation.formatCommand(again)
                    + " does not match its invoke " + Operation.formatCommand(command) + " at " + invoke.where());
        }
        long completeT = JsonLines.integer(done, "t");
        if (completeT <= invokeT) {
            throw new ChaosInputException(done.where() + ": completion time " + completeT
                    + " is not after the invoke time " + invokeT + " (" + invoke.where() + ")");
        }
        Object fin = done.fields().get("final");
        if (fin != null && !(fin instanceof Boolean)) {
            throw new ChaosInputException(done.where() + ": \"final\" must be a boolean, got " + fin);
        }
        isFinal |= Boolean.TRUE.equals(fin);
        Outcome outcome = Outcome.valueOf(JsonLines.string(done, "type").toUpperCase(java.util.Locale.ROOT));
        Result result = outcome == Outcome.OK ? result(done, command) : null;
        String error = outcome == Outcome.OK ? null : JsonLines.optionalString(done, "error");
        return new ClientOp(id.process(), id.client(), id.op(), command, invokeT, completeT, outcome, result,
                isFinal, error, invoke.where());
    }

    private static Command command(JsonLines.Line line) {
        String f = JsonLines.string(line, "f");
        String key = JsonLines.string(line, "key");
        try {
            switch (f) {
                case "append" -> {
                    return new Command.Append(key, new Value.Str(JsonLines.string(line, "value")));
                }
                case "get" -> {
                    if (line.fields().get("value") != null) {
                        throw new ChaosInputException(line.where() + ": a get carries no \"value\"");
                    }
                    return new Command.Get(key);
                }
                default -> throw new ChaosInputException(line.where() + ": unknown \"f\" " + FlatJson.quote(f)
                        + " (expected append or get)");
            }
        } catch (IllegalArgumentException e) {
            throw new ChaosInputException(line.where() + ": " + e.getMessage());
        }
    }

    private static Result result(JsonLines.Line done, Command command) {
        if (!done.fields().containsKey("result")) {
            throw new ChaosInputException(done.where() + ": an ok completion needs a \"result\"");
        }
        Object r = done.fields().get("result");
        if (command instanceof Command.Append) {
            if ("wrong_type".equals(r)) {
                return new Result.WrongType();
            }
            if (r instanceof Long n && n >= 1) {
                return new Result.Appended(n);
            }
            throw new ChaosInputException(done.where() + ": an ok append's \"result\" must be a length >= 1 or "
                    + "\"wrong_type\", got " + r);
        }
        if (r == null) {
            return new Result.NotFound();
        }
        if (r instanceof List<?> items) {
            List<Value> values = new ArrayList<>(items.size());
            for (Object item : items) {
                values.add(new Value.Str((String) item));
            }
            return new Result.Found(new Value.ListValue(values));
        }
        throw new ChaosInputException(done.where() + ": an ok get's \"result\" must be a list of strings or null, got " + r);
    }

    /**
     * The operations as the linearizability checker takes them: failed ones left out (they
     * never took effect), unknown ones never returning. Times become nanoseconds after
     * {@code originT}, which keeps the checker's explanations readable. Each (process, client)
     * gets a checker client id, numbered from 1 in order of first appearance.
     *
     * @param clientNames receives checker client id -> "process/client", for reports
     */
    public static List<Operation> toOperations(List<ClientOp> ops, long originT, Map<Integer, String> clientNames) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<Operation> out = new ArrayList<>(ops.size());
        for (ClientOp op : ops) {
            String name = op.process() + "/" + op.client();
            int id = ids.computeIfAbsent(name, n -> ids.size() + 1);
            clientNames.put(id, name);
            switch (op.outcome()) {
                case FAIL -> { }
                case UNKNOWN -> out.add(Operation.pending(id, op.invokeT() - originT, op.command()));
                case OK -> out.add(new Operation(id, op.invokeT() - originT, op.completeT() - originT, op.command(),
                        op.result()));
                default -> throw new IllegalStateException("unknown outcome " + op.outcome());
            }
        }
        return out;
    }
}
