package raftudp.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/**
 * Generates linearizable histories: a true sequential execution of random commands, each
 * wrapped in a random call/return window around its linearization point. Clients are
 * sequential (a client calls again only after its previous answer), so at most
 * {@code clients} operations overlap. Some operations end unknown: never answered (the
 * client then stops) or answered {@code SessionExpired}; each of those took effect or not,
 * at random. Deterministic for a given {@link Random}.
 *
 * @param clients        clients issuing operations, at least 1
 * @param keys           keys addressed ({@code k0}, {@code k1}, ...), at least 1
 * @param gapTicksMax    largest distance between two successive linearization points
 * @param windowTicksMax largest distance from a linearization point to its call or return
 * @param unknownRate    probability that an operation's outcome is unknown
 */
record HistoryGenerator(int clients, int keys, int gapTicksMax, int windowTicksMax, double unknownRate) {

    /** Values the generator writes; never contains {@link #NEVER_WRITTEN}. */
    private static final int POOL_SIZE = 9;

    /** A scalar no generated history ever writes. */
    static final Value NEVER_WRITTEN = Value.of("never-written");

    HistoryGenerator {
        if (clients < 1 || keys < 1 || gapTicksMax < 1 || windowTicksMax < 1) {
            throw new IllegalArgumentException("bad generator parameters");
        }
    }

    /** A history of up to {@code opCount} operations (fewer if every client hangs). */
    List<Operation> generate(Random rnd, int opCount) {
        Map<String, Value> store = new HashMap<>();
        long[] lastReturn = new long[clients];
        Arrays.fill(lastReturn, -1);
        List<Integer> live = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            live.add(c);
        }
        List<Operation> history = new ArrayList<>(opCount);
        long t = 0;
        for (int i = 0; i < opCount && !live.isEmpty(); i++) {
            int c = live.get(rnd.nextInt(live.size()));
            t = Math.max(t + 1 + rnd.nextInt(gapTicksMax), lastReturn[c] + 1);
            long call = Math.max(lastReturn[c] + 1, t - rnd.nextInt(windowTicksMax + 1));
            long ret = t + 1 + rnd.nextInt(windowTicksMax);
            String key = "k" + rnd.nextInt(keys);
            Command cmd = randomCommand(rnd, key, store.get(key));
            KvModel.Outcome outcome = KvModel.apply(store.get(key), cmd);
            Result output = outcome.answer();
            boolean applied = true;
            if (rnd.nextDouble() < unknownRate) {
                applied = rnd.nextBoolean();
                if (rnd.nextBoolean()) {
                    ret = Operation.NEVER;
                    output = null;
                    live.remove(Integer.valueOf(c));
                } else {
                    output = new Result.SessionExpired();
                }
            }
            if (applied) {
                store.put(key, outcome.next());
                if (outcome.next() == null) {
                    store.remove(key);
                }
            }
            lastReturn[c] = ret;
            history.add(new Operation(c, call, ret, cmd, output));
        }
        return history;
    }

    private static Command randomCommand(Random rnd, String key, Value current) {
        int roll = rnd.nextInt(100);
        if (roll < 30) {
            return new Command.Get(key);
        } else if (roll < 50) {
            return new Command.Put(key, poolValue(rnd));
        } else if (roll < 60) {
            return new Command.Delete(key);
        } else if (roll < 75) {
            Value expected = rnd.nextBoolean() ? current : (rnd.nextInt(4) == 0 ? null : poolValue(rnd));
            return new Command.Cas(key, expected, poolValue(rnd));
        }
        return new Command.Append(key, poolValue(rnd));
    }

    /** Ints, strings and bytes; bytes are fresh arrays so that equality must be by content. */
    private static Value poolValue(Random rnd) {
        int i = rnd.nextInt(POOL_SIZE);
        if (i < 3) {
            return Value.of(i);
        } else if (i < 6) {
            return Value.of("s" + i);
        }
        return Value.of(new byte[] {(byte) i, 42});
    }

    /**
     * Replaces the output of a random known operation with one that no order can explain: a
     * value never written, or a list size larger than the number of appends on the key.
     * Returns the index of the mutated operation, or -1 when every operation is unknown.
     */
    static int mutateImpossibly(Random rnd, List<Operation> history) {
        List<Integer> known = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (!history.get(i).isUnknown()) {
                known.add(i);
            }
        }
        if (known.isEmpty()) {
            return -1;
        }
        int index = known.get(rnd.nextInt(known.size()));
        Operation op = history.get(index);
        history.set(index, new Operation(op.clientId(), op.callTime(), op.returnTime(), op.input(),
                impossibleOutput(rnd, history, op)));
        return index;
    }

    private static Result impossibleOutput(Random rnd, List<Operation> history, Operation op) {
        Command in = op.input();
        if (in instanceof Command.Get) {
            return rnd.nextBoolean()
                    ? new Result.Found(NEVER_WRITTEN)
                    : new Result.Found(new Value.ListValue(List.of(NEVER_WRITTEN)));
        } else if (in instanceof Command.Put || in instanceof Command.Delete) {
            return new Result.Ok(NEVER_WRITTEN);
        } else if (in instanceof Command.Cas) {
            return new Result.CasFailed(NEVER_WRITTEN);
        } else if (in instanceof Command.Append) {
            long appends = history.stream()
                    .filter(o -> o.key().equals(op.key()) && o.input() instanceof Command.Append)
                    .count();
            return new Result.Appended(appends + 1 + rnd.nextInt(3));
        }
        throw new IllegalArgumentException("unknown command " + in);
    }
}
