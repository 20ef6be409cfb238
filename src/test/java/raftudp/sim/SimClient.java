package raftudp.sim;

import raftudp.check.Operation;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.wire.ClusterKey;
import raftudp.wire.MessageClass;
import raftudp.wire.RaftHeader;
import raftudp.wire.WireCodec;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireLimits;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A simulated client: issues one operation at a time, follows redirects, retries with the
 * same (session, seq) on timeouts and RETRY answers, and records every operation with its
 * call and return times for the linearizability check. An operation it gives up on is
 * recorded as unknown (it may still take effect, at most once).
 */
final class SimClient {
    /** An operation not answered this long after its call is given up (recorded as unknown). */
    private static final long GIVE_UP_MS = 10_000;

    private final int id;
    private final Simulation sim;
    private final SplittableRandom random;
    private final List<Operation> history;
    private final int keys;
    private final int largeValueBytes;
    private final int opTimeoutMs;
    private final InetSocketAddress address;
    private final WireCodec codec;
    private final WireDecoder decoder;

    private long session;
    /** Sequence of this session's writes: dense, so the session table can apply each once. */
    private long seq;
    /** Reads need no session: they go out as (0, readId) with a fresh id each. */
    private long readId;
    /** The (clientId, seq) pair the operation in flight travels under. */
    private long requestClient;
    private long requestSeq;
    private Command command;
    private long callTime;
    private int attempts;
    private int target;
    private long token;
    private boolean waiting;
    private boolean stopped;
    private int completed;
    private Value lastSeen;

    SimClient(int id, Simulation sim, SplittableRandom random, List<Operation> history, SimParams p) {
        this.id = id;
        this.sim = sim;
        this.random = random;
        this.history = history;
        this.keys = p.workload().keys();
        this.largeValueBytes = p.workload().largeValueBytes();
        this.opTimeoutMs = p.workload().opTimeoutMs();
        this.target = random.nextInt(p.nodes());
        this.address = Simulation.clientAddress(id);
        WireStats stats = new WireStats();
        ClusterKey key = p.cluster().clusterKey();
        this.codec = new WireCodec(RaftHeader.NO_NODE, random.nextInt(), WireLimits.DEFAULT, stats, key,
                () -> SimNode.EPOCH_MS + sim.now());
        this.decoder = new WireDecoder(stats, sim::now, "simulated client " + id, key);
        newSession();
    }

    private void newSession() {
        session = random.nextLong() & Long.MAX_VALUE | 1;
        seq = 0;
        readId = random.nextLong() & 0xFFFF_FFFFL; // distinct read ids across this client's sessions
    }

    int completed() {
        return completed;
    }

    boolean waiting() {
        return waiting;
    }

    /** No new operations after the current one. */
    void stop() {
        stopped = true;
    }

    /** Starts the next operation, or {@code fixed} when given. */
    void start(Command fixed) {
        if (stopped && fixed == null) {
            return;
        }
        command = fixed != null ? fixed : randomCommand();
        if (command.isWrite()) {
            requestClient = session;
            requestSeq = ++seq;
        } else {
            requestClient = 0;
            requestSeq = ++readId;
        }
        callTime = sim.now();
        attempts = 0;
        waiting = true;
        send();
    }

    private void send() {
        sim.note("client " + id + " sends " + requestClient + "/" + requestSeq + " to " + target + " attempt " + (attempts + 1)
                + ": " + Operation.formatCommand(command));
        attempts++;
        long t = ++token;
        sim.transmit(address, sim.cluster().node(target).socketOf(MessageClass.CLIENT),
                codec.encode(new ClientRequest(requestClient, requestSeq, command)));
        sim.schedule(opTimeoutMs, () -> timeout(t));
    }

    private void timeout(long t) {
        if (!waiting || t != token) {
            return;
        }
        target = random.nextInt(sim.size());
        if (sim.now() - callTime >= GIVE_UP_MS) {
            finish(null, Long.MAX_VALUE);
            return;
        }
        send();
    }

    /** A datagram for this client: decoded and reassembled as the real client does. */
    void onDatagram(InetSocketAddress from, byte[] datagram) {
        Optional<WireDecoder.Received> got = decoder.decode(ByteBuffer.wrap(datagram), from, MessageClass.CLIENT);
        if (got.isPresent() && got.get().message() instanceof ClientResponse r) {
            onResponse(r);
        }
    }

    private void onResponse(ClientResponse r) {
        sim.note("client " + id + " gets " + r.clientId() + "/" + r.seq() + " " + r.status() + " hint " + r.leaderHint()
                + (r.result() == null ? "" : " " + Operation.formatResult(r.result())));
        if (!waiting || r.clientId() != requestClient || r.seq() != requestSeq) {
            return; // a late or duplicated answer to an earlier attempt or operation
        }
        switch (r.status()) {
            case OK -> {
                if (r.result() instanceof Result.SessionExpired) {
                    finish(null, Long.MAX_VALUE);
                    newSession();
                } else {
                    finish(r.result(), sim.now());
                }
            }
            case NOT_LEADER -> {
                if (r.leaderHint() >= 0) {
                    retrySoon(r.leaderHint(), 1);
                } else {
                    retrySoon(random.nextInt(sim.size()), 20); // election under way: back off
                }
            }
            case RETRY -> retrySoon(r.leaderHint() >= 0 ? r.leaderHint() : random.nextInt(sim.size()), 10);
        }
    }

    private void retrySoon(int node, int backoffMs) {
        long t = ++token; // the pending timeout no longer applies
        target = node;
        sim.schedule(backoffMs + random.nextInt(backoffMs * 5), () -> {
            if (waiting && t == token) {
                if (sim.now() - callTime >= GIVE_UP_MS) {
                    finish(null, Long.MAX_VALUE);
                } else {
                    send();
                }
            }
        });
    }

    private void finish(Result result, long returnTime) {
        waiting = false;
        token++;
        history.add(new Operation(id, callTime, returnTime, command, result));
        if (result != null) {
            completed++;
            if (result instanceof Result.Found f) {
                lastSeen = f.value();
            }
        }
        sim.schedule(random.nextInt(20), () -> start(null));
    }

    /** Records the operation in flight as unknown (the run ends). */
    void abandon() {
        if (waiting) {
            waiting = false;
            token++;
            history.add(new Operation(id, callTime, Long.MAX_VALUE, command, null));
        }
    }

    private Command randomCommand() {
        String key = "k" + random.nextInt(keys);
        int op = random.nextInt(100);
        if (op < 30) {
            return new Command.Get(key);
        } else if (op < 55) {
            return new Command.Put(key, randomValue());
        } else if (op < 70) {
            return new Command.Append(key, randomValue());
        } else if (op < 90) {
            Value expected = random.nextInt(3) == 0 ? null : (lastSeen instanceof Value.ListValue ? null : lastSeen);
            return new Command.Cas(key, random.nextBoolean() ? expected : randomValue(), randomValue());
        }
        return new Command.Delete(key);
    }

    private Value randomValue() {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return Value.of(random.nextInt(4)); // small range: 0 included, CAS hits often
        } else if (kind < 7) {
            return Value.of(random.nextBoolean() ? "" : "s" + random.nextInt(3));
        } else if (kind < 9 || largeValueBytes == 0) {
            byte[] b = new byte[random.nextInt(3)];
            random.nextBytes(b);
            return Value.of(b);
        }
        byte[] big = new byte[largeValueBytes];
        random.nextBytes(big);
        return Value.of(big);
    }
}
