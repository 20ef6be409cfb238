package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.check.Ops.append;
import static raftudp.check.Ops.appended;
import static raftudp.check.Ops.cas;
import static raftudp.check.Ops.delete;
import static raftudp.check.Ops.found;
import static raftudp.check.Ops.get;
import static raftudp.check.Ops.list;
import static raftudp.check.Ops.ok;
import static raftudp.check.Ops.pending;
import static raftudp.check.Ops.put;
import static raftudp.check.Ops.v;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/** The pruning test of the search: exact with no writes, and never wrongly "unreachable". */
class ReachTest {

    private static final Value[] STATES = {null, v(0), v(1), list(v(0)), list(v(1)), list(v(0), v(1))};

    private static final Command[] COMMANDS = {put("k", 0), put("k", 1), get("k"), delete("k"),
        cas("k", null, 1), cas("k", 0L, 1), cas("k", 1L, 0), append("k", 0), append("k", 1)};

    private static final Result[] OUTPUTS = {ok(), ok(0), ok(1), new Result.Ok(list(v(0))),
        found(0), found(1), found(list(v(0))), found(list(v(0), v(1))), found(list(v(1), v(0))),
        new Result.NotFound(), new Result.CasFailed(null), new Result.CasFailed(v(0)),
        new Result.CasFailed(v(1)), new Result.CasFailed(list(v(0), v(1))),
        appended(0), appended(1), appended(2), appended(3), new Result.WrongType()};

    @Test
    void withNoWrites_theNeedHoldsExactlyWhereTheModelAcceptsTheAnswer() {
        Reach none = Reach.of(List.of());
        for (Value s : STATES) {
            for (Command c : COMMANDS) {
                for (Result out : OUTPUTS) {
                    boolean legal = KvModel.step(s, c, out).legal();
                    assertEquals(legal, none.canReach(Reach.need(c, out), s),
                            () -> c + " -> " + out + " in " + s);
                }
            }
        }
    }

    @Test
    void neverSaysUnreachable_whenSomeOrderOfSomeWritesReachesALegalState() {
        Random rnd = new Random(7);
        for (int round = 0; round < 1000; round++) {
            List<Operation> writes = new ArrayList<>();
            for (int i = 0, n = rnd.nextInt(4); i < n; i++) {
                writes.add(pending(i, 0, COMMANDS[rnd.nextInt(COMMANDS.length)]));
            }
            Value start = STATES[rnd.nextInt(STATES.length)];
            Reach reach = Reach.of(writes);
            for (Value end : statesReachable(start, writes)) {
                for (Command c : COMMANDS) {
                    for (Result out : OUTPUTS) {
                        if (KvModel.step(end, c, out).legal()) {
                            assertTrue(reach.canReach(Reach.need(c, out), start),
                                    () -> c + " -> " + out + " from " + start + " by " + writes);
                        }
                    }
                }
            }
        }
    }

    /** Every state some order of some of {@code writes} leads to, by enumeration. */
    private static List<Value> statesReachable(Value start, List<Operation> writes) {
        List<Value> out = new ArrayList<>();
        out.add(start);
        for (int i = 0; i < writes.size(); i++) {
            List<Operation> rest = new ArrayList<>(writes);
            Operation w = rest.remove(i);
            out.addAll(statesReachable(KvModel.apply(start, w.input()).next(), rest));
        }
        return out;
    }

    @Test
    void aListInAnOrderTheAppendsCannotBuild_isUnreachable() {
        Reach r = Reach.of(List.of(pending(1, 0, append("k", 1))));
        assertTrue(r.canReach(Reach.need(get("k"), found(list(v(0), v(1)))), list(v(0))));
        assertFalse(r.canReach(Reach.need(get("k"), found(list(v(1), v(0)))), list(v(0))));
        assertFalse(r.canReach(Reach.need(get("k"), found(list(v(1), v(1)))), null));
    }

    @Test
    void aDelete_letsAListBeRebuiltFromScratch() {
        Reach r = Reach.of(List.of(pending(1, 0, delete("k")), pending(2, 0, append("k", 1))));
        assertTrue(r.canReach(Reach.need(get("k"), found(list(v(1)))), list(v(0))));
        assertTrue(r.canReach(Reach.need(append("k", 5), appended(2)), v(3)));
        assertFalse(r.canReach(Reach.need(append("k", 5), appended(3)), v(3)));
    }

    @Test
    void aScalarNoWriteProduces_isUnreachable() {
        Reach r = Reach.of(List.of(pending(1, 0, put("k", 1)), pending(2, 0, cas("k", 1L, 0))));
        assertTrue(r.canReach(Reach.need(get("k"), found(0)), null));
        assertFalse(r.canReach(Reach.need(get("k"), found(Value.of("never"))), null));
        assertFalse(r.canReach(Reach.need(get("k"), new Result.NotFound()), v(1)));
    }
}
