package raftudp.node;

import raftudp.core.Raft;
import raftudp.kv.Command;
import raftudp.kv.Value;
import raftudp.wire.Craft;
import raftudp.wire.MessageClass;
import raftudp.wire.MessageType;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * Structure-aware hostile input for {@link ReceivePathHarness}: random bytes, mutated real
 * captures, chunk games, and well-formed forged messages of every type whose fields are
 * chosen near the target's own state (its term, last and commit index) as often as at the
 * edges (0, 1, 2^48, 2^63 - 1), so that many of them get past the decoder and admission into
 * the core. The choices come from a {@link Choices}: Jazzer's data provider (coverage-guided)
 * or a seeded random source (a fixed campaign).
 */
final class Attacker {
    /** Where the attacker's decisions come from. */
    interface Choices {
        /** 0 .. n - 1. */
        int pick(int n);

        long anyLong();

        byte[] bytes(int lengthMax);

        /** False when the source has nothing left to decide with. */
        boolean more();
    }

    /** Seeded choices, for a fixed campaign of {@code decisions} decisions. */
    static Choices seeded(long seed, long decisions) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Choices() {
            private long used;

            @Override
            public int pick(int n) {
                used++;
                return r.nextInt(n);
            }

            @Override
            public long anyLong() {
                used++;
                return r.nextLong();
            }

            @Override
            public byte[] bytes(int lengthMax) {
                used++;
                byte[] b = new byte[r.nextInt(lengthMax + 1)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
                return b;
            }

            @Override
            public boolean more() {
                return used < decisions;
            }
        };
    }

    private static final int[] RAFT_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final int[] CLIENT_TYPES = {16, 17, 18, 19, 20, 21};

    private final ReceivePathHarness h;
    private final Choices c;
    /** Forge from members' own addresses and ports too (only a cluster key stops that). */
    private final boolean spoofMembers;
    long sent;

    Attacker(ReceivePathHarness h, Choices c, boolean spoofMembers) {
        this.h = h;
        this.c = c;
        this.spoofMembers = spoofMembers;
    }

    /** One step: an attack, or some of the cluster's own life (delivery, ticks, a client write). */
    void step() {
        switch (c.pick(8)) {
            case 0 -> send(c.pick(3), anyClass(), c.bytes(160), null);
            case 1 -> mutatedCapture();
            case 2, 3 -> forgedRaft();
            case 4 -> forgedClient();
            case 5 -> chunkGames();
            default -> life();
        }
    }

    private void life() {
        switch (c.pick(3)) {
            case 0 -> h.deliver(1 + c.pick(64));
            case 1 -> {
                h.tick();
                h.deliver(64);
            }
            default -> h.clientWrite(c.pick(3), c.pick(2) == 0 ? new Command.Put("k" + c.pick(8), Value.of(c.pick(99)))
                    : new Command.Append("list", Value.of(c.pick(99))));
        }
    }

    private MessageClass anyClass() {
        return MessageClass.values()[c.pick(MessageClass.values().length)];
    }

    /** Sends {@code bytes} to node {@code to}: from the outsider, or (spoofing) as member {@code as}. */
    private void send(int to, MessageClass cls, byte[] bytes, Integer as) {
        InetSocketAddress from = ReceivePathHarness.OUTSIDER;
        if (spoofMembers && as != null && as >= 0 && as < 3 && c.pick(4) != 0) {
            from = ReceivePathHarness.CLUSTER.node(as).socketOf(cls);
        }
        sent++;
        h.inject(from, to, cls, bytes);
    }

    private void mutatedCapture() {
        if (h.captures.isEmpty()) {
            return;
        }
        byte[] d = h.captures.get(c.pick(h.captures.size())).clone();
        int edits = 1 + c.pick(4);
        for (int i = 0; i < edits && d.length > 0; i++) {
            int at = c.pick(d.length);
            switch (c.pick(4)) {
                case 0 -> d[at] ^= (byte) (1 << c.pick(8));
                case 1 -> d[at] = (byte) c.pick(256);
                case 2 -> d = java.util.Arrays.copyOf(d, at); // truncated
                default -> d = java.util.Arrays.copyOf(d, d.length + 1 + c.pick(8)); // extended
            }
        }
        MessageType t = d.length > 3 ? MessageType.ofCode(d[3] & 0xFF) : null;
        int src = d.length > 9 ? ((d[8] & 0xFF) << 8) | (d[9] & 0xFF) : 0;
        send(c.pick(3), t != null && c.pick(8) != 0 ? t.messageClass() : anyClass(), d, src);
    }

    /** A term for a message to {@code to}: near its own mostly, at the edges sometimes. */
    private long term(int to) {
        long own = h.nodes[to].raft().term();
        return switch (c.pick(10)) {
            case 0 -> 0;
            case 1 -> Raft.TERM_MAX - c.pick(2);
            case 2 -> Raft.TERM_MAX + 1;
            case 3 -> Long.MAX_VALUE;
            case 4 -> c.anyLong() & Long.MAX_VALUE;
            default -> Math.max(0, own - 1 + c.pick(4));
        };
    }

    /** An index near node {@code to}'s last or commit index, or at an edge. */
    private long index(int to) {
        Raft r = h.nodes[to].raft();
        return switch (c.pick(8)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE - c.pick(2);
            case 2 -> c.anyLong() & Long.MAX_VALUE;
            case 3, 4 -> Math.max(0, r.commitIndex() - 2 + c.pick(5));
            default -> Math.max(0, r.lastIndex() - 2 + c.pick(5));
        };
    }

    private void forgedRaft() {
        int to = c.pick(3);
        int type = RAFT_TYPES[c.pick(RAFT_TYPES.length)];
        MessageType mt = MessageType.ofCode(type);
        int src = switch (c.pick(6)) {
            case 0 -> 3 + c.pick(100);
            case 1 -> 0xFFFF;
            default -> c.pick(3);
        };
        int dst = c.pick(6) == 0 ? c.pick(3) : to;
        long term = term(to);
        long a = index(to);
        long logTerm = c.pick(3) == 0 ? term : Math.max(0, term - c.pick(3));
        int flags = c.pick(5) == 0 ? c.pick(256) : mt.flagsAllowed() & c.pick(256);
        Craft k = Craft.type(type).flags(flags).from(src).to(dst).term(term).indexA(a).logTerm(logTerm)
                .messageId((int) c.anyLong());
        switch (mt) {
            case APPEND_REQUEST -> {
                int count = c.pick(4);
                long[] terms = new long[count];
                long t = logTerm;
                for (int i = 0; i < count; i++) {
                    t = Math.min(term, t + c.pick(2));
                    terms[i] = t;
                }
                byte[] data = c.pick(4) == 0 ? c.bytes(24) : Craft.kvPut("f" + c.pick(4), c.pick(9));
                k.indexB(c.pick(8) == 0 ? index(to) : a + count).commitIndex(index(to)).payload(Craft.entries(data, terms));
            }
            case APPEND_RESPONSE -> k.indexB(index(to)).logTerm(c.pick(2) == 0 ? 0 : logTerm);
            case HEARTBEAT -> k.logTerm(0).commitIndex(index(to));
            case HEARTBEAT_RESPONSE, VOTE_RESPONSE, TIMEOUT_NOW -> k.indexA(type == 6 ? a : 0).logTerm(0);
            case SNAPSHOT_CHUNK -> {
                byte[] image = c.pick(3) == 0 ? new byte[0] : c.bytes(48);
                long total = c.pick(4) == 0 ? image.length + c.pick(8) : image.length;
                long crc = new raftudp.core.Snapshot(0, 0, image).checksum() ^ (c.pick(3) == 0 ? 1 : 0);
                k.indexB(c.pick(4) == 0 ? c.pick(8) : 0).commitIndex(crc).payload(Craft.snapshotBody(total, image));
            }
            case SNAPSHOT_RESPONSE -> k.indexB(c.pick(64)).logTerm(0);
            default -> { }
        }
        send(to, c.pick(10) == 0 ? anyClass() : mt.messageClass(), k.bytes(), src);
    }

    private void forgedClient() {
        int to = c.pick(3);
        int type = CLIENT_TYPES[c.pick(CLIENT_TYPES.length)];
        long clientId = switch (c.pick(3)) {
            case 0 -> 0;
            case 1 -> 42;
            default -> c.anyLong();
        };
        long seq = switch (c.pick(4)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> c.pick(5);
            default -> c.anyLong() & Long.MAX_VALUE;
        };
        byte[] body = switch (type) {
            case 16 -> c.pick(4) == 0 ? c.bytes(40) : Craft.putInt("c" + c.pick(4), c.pick(9));
            case 17 -> c.pick(2) == 0 ? new byte[]{1, (byte) 0xFF, (byte) 0xFF} : c.bytes(24); // NOT_LEADER
            case 21 -> c.pick(2) == 0 ? new byte[2] : c.bytes(24); // no rules
            default -> c.bytes(24);
        };
        Craft k = Craft.type(type).indexA(type <= 17 ? clientId : 0).indexB(type <= 17 ? seq : 0)
                .from(type == 19 || type == 21 || c.pick(4) == 0 ? c.pick(3) : 0xFFFF).payload(body);
        send(to, MessageClass.CLIENT, k.bytes(), null);
    }

    /** A message in chunks: shuffled, duplicated, one chunk altered, or left incomplete. */
    private void chunkGames() {
        int to = c.pick(3);
        byte[] body = Craft.putInt("chunked", c.pick(1000));
        int count = 2 + c.pick(3);
        int per = (body.length + count - 1) / count;
        int messageId = (int) c.anyLong();
        for (int round = 0; round < count + c.pick(3); round++) {
            int i = c.pick(count);
            int lo = Math.min(body.length, i * per);
            int hi = Math.min(body.length, lo + per);
            byte[] part = java.util.Arrays.copyOfRange(body, lo, hi);
            if (c.pick(6) == 0 && part.length > 0) {
                part[0] ^= 1;
            }
            send(to, MessageClass.CLIENT, Craft.type(16).indexA(7).indexB(1 + c.pick(3)).chunk(i, count)
                    .messageId(messageId).payload(part).bytes(), null);
        }
    }
}
