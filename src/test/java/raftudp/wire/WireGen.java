package raftudp.wire;

import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Seeded generators of every message the wire carries, for round-trip and fuzz tests. */
final class WireGen {
    private static final long[] EDGES = {0, 1, 2, 255, 256, 65535, 65536, Integer.MAX_VALUE, 1L << 32,
        Long.MAX_VALUE - 1, Long.MAX_VALUE};

    private final Random random;

    WireGen(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** A non-negative long, often an edge value. */
    long u63() {
        return random.nextInt(3) == 0 ? EDGES[random.nextInt(EDGES.length)] : random.nextInt(1000);
    }

    /** An incarnation: nonzero, as responses must carry. */
    long incarnation() {
        return Math.max(1, u63());
    }

    int node() {
        return random.nextInt(4) == 0 ? RaftHeader.NODE_ID_MAX : random.nextInt(5);
    }

    byte[] bytes(int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    /** Any of the 15 message types, small enough for a few datagrams. */
    Object message() {
        int kind = random.nextInt(15);
        return kind < 9 ? raft(kind) : other(kind - 9);
    }

    Object raft(int kind) {
        long term = u63();
        int from = node();
        int to = node();
        switch (kind) {
            case 0:
                return new Message.VoteRequest(term, from, to, u63(), u63(), random.nextBoolean(), random.nextBoolean());
            case 1:
                return new Message.VoteResponse(term, from, to, random.nextBoolean(), random.nextBoolean(), incarnation());
            case 2:
                return append(term, from, to);
            case 3:
                return new Message.AppendResponse(term, from, to, random.nextBoolean(), u63(), u63(), u63(), incarnation());
            case 4:
                return new Message.Heartbeat(term, from, to, u63(), u63(), u63());
            case 5:
                return new Message.HeartbeatResponse(term, from, to, u63(), incarnation());
            case 6:
                byte[] data = bytes(40);
                long offset = random.nextInt(100);
                long total = offset + data.length + (random.nextBoolean() ? 0 : random.nextInt(1000));
                return new Message.SnapshotChunk(term, from, to, u63(), u63(), total, 0L, offset, data, random.nextBoolean());
            case 7:
                return new Message.SnapshotResponse(term, from, to, u63(), u63(), random.nextBoolean(), incarnation());
            default:
                return new Message.TimeoutNow(term, from, to);
        }
    }

    Message.AppendRequest append(long term, int from, int to) {
        long prev = random.nextInt(1000);
        List<Entry> entries = new ArrayList<>();
        int n = random.nextInt(4) == 0 ? 0 : random.nextInt(5);
        for (int i = 0; i < n; i++) {
            boolean noop = random.nextInt(4) == 0;
            entries.add(new Entry(prev + 1 + i, 1 + random.nextInt(9), noop ? Entry.Kind.NOOP : Entry.Kind.NORMAL,
                    noop ? Entry.EMPTY : bytes(30)));
        }
        return new Message.AppendRequest(term, from, to, prev, random.nextInt(9), u63(), entries);
    }

    Object other(int kind) {
        switch (kind) {
            case 0:
                return new ClientRequest(random.nextLong(), u63(), command());
            case 1:
                return clientResponse();
            case 2:
                return new StatusRequest();
            case 3:
                return status();
            case 4:
                return faultRequest();
            default:
                return faultResponse();
        }
    }

    /** A fault rule; all zero now and then (allowed in SET, which then clears). */
    FaultEntry faultEntry(String target) {
        int[] ppm = {0, 1, 50_000, 999_999, FaultEntry.PPM_MAX};
        int delay = random.nextInt(3) == 0 ? FaultEntry.DELAY_MS_MAX : random.nextInt(50);
        int jitter = random.nextInt(FaultEntry.DELAY_MS_MAX - delay + 1) % 40;
        return new FaultEntry(target, ppm[random.nextInt(ppm.length)], random.nextBoolean() ? 0 : delay, jitter,
                ppm[random.nextInt(ppm.length)]);
    }

    String faultTarget() {
        return random.nextInt(3) == 0 ? FaultEntry.EVERY
                : random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
    }

    FaultRequest faultRequest() {
        switch (random.nextInt(4)) {
            case 0:
                return FaultRequest.show();
            case 1:
                return FaultRequest.clear(faultTarget());
            case 2:
                return FaultRequest.clearAll();
            default:
                return FaultRequest.set(faultEntry(faultTarget()));
        }
    }

    FaultResponse faultResponse() {
        Map<String, FaultEntry> rules = new TreeMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            FaultEntry e = faultEntry(faultTarget());
            if (!e.isNone()) {
                rules.put(e.target(), e);
            }
        }
        return FaultResponse.of(random.nextInt(5), new ArrayList<>(rules.values()));
    }

    Value scalar() {
        switch (random.nextInt(3)) {
            case 0:
                return Value.of(random.nextBoolean() ? 0 : random.nextLong());
            case 1:
                return Value.of(random.nextBoolean() ? "" : "v" + random.nextInt(100) + "é");
            default:
                return Value.of(bytes(8));
        }
    }

    Command command() {
        String key = "k" + random.nextInt(10);
        switch (random.nextInt(5)) {
            case 0:
                return new Command.Put(key, scalar());
            case 1:
                return new Command.Get(key);
            case 2:
                return new Command.Delete(key);
            case 3:
                return new Command.Cas(key, random.nextBoolean() ? null : scalar(), scalar());
            default:
                return new Command.Append(key, scalar());
        }
    }

    ClientResponse clientResponse() {
        long clientId = random.nextLong();
        long seq = u63();
        switch (random.nextInt(3)) {
            case 0:
                Result r = random.nextBoolean() ? new Result.Found(scalar()) : new Result.Ok(null);
                return new ClientResponse(clientId, seq, ClientResponse.Status.OK, -1, r);
            case 1:
                return new ClientResponse(clientId, seq, ClientResponse.Status.NOT_LEADER, random.nextInt(3) - 1, null);
            default:
                return new ClientResponse(clientId, seq, ClientResponse.Status.RETRY, -1, null);
        }
    }

    StatusReport status() {
        Map<Integer, Long> match = new TreeMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            match.put(random.nextInt(7), u63());
        }
        Map<String, Long> counters = new TreeMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            counters.put("c" + random.nextInt(20), random.nextLong());
        }
        String[] roles = {"LEADER", "FOLLOWER", "CANDIDATE", "PRE_CANDIDATE"};
        return new StatusReport(random.nextInt(5), roles[random.nextInt(roles.length)], u63(),
                random.nextInt(4) - 1, u63(), u63(), u63(), u63(), match, counters);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] unhex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }
}
