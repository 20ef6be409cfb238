package raftudp.wire;

import java.nio.ByteBuffer;

/**
 * Datagrams built field by field from docs/wire-format.md §3, the way a user with Scapy
 * would build them: nothing here goes through the codec, so the tests that use it test the
 * receive path against the spec, not against our own encoder. Defaults: version 1, no flags,
 * from and to 0xFFFF, chunk 0 of 1, message id 1, all 64-bit fields 0, no payload.
 */
public final class Craft {
    private int magic = RaftHeader.MAGIC;
    private int version = RaftHeader.VERSION;
    private final int type;
    private int flags;
    private int src = 0xFFFF;
    private int dst = 0xFFFF;
    private int chunkIndex;
    private int chunkCount = 1;
    private int messageId = 1;
    private long term;
    private long indexA;
    private long indexB;
    private long logTerm;
    private long commitIndex;
    private byte[] payload = new byte[0];

    private Craft(int type) {
        this.type = type;
    }

    /** A datagram of message type {@code code} (§4). */
    public static Craft type(int code) {
        return new Craft(code);
    }

    public Craft flags(int f) {
        flags = f;
        return this;
    }

    public Craft from(int id) {
        src = id;
        return this;
    }

    public Craft to(int id) {
        dst = id;
        return this;
    }

    public Craft chunk(int index, int count) {
        chunkIndex = index;
        chunkCount = count;
        return this;
    }

    public Craft messageId(int id) {
        messageId = id;
        return this;
    }

    public Craft term(long t) {
        term = t;
        return this;
    }

    public Craft indexA(long v) {
        indexA = v;
        return this;
    }

    public Craft indexB(long v) {
        indexB = v;
        return this;
    }

    public Craft logTerm(long v) {
        logTerm = v;
        return this;
    }

    public Craft commitIndex(long v) {
        commitIndex = v;
        return this;
    }

    public Craft payload(byte[] p) {
        payload = p.clone();
        return this;
    }

    public Craft version(int v) {
        version = v;
        return this;
    }

    public Craft magic(int m) {
        magic = m;
        return this;
    }

    /** The datagram: the 64-byte header, big-endian, then the payload; payload_length set. */
    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(64 + payload.length);
        b.putShort((short) magic).put((byte) version).put((byte) type).put((byte) flags).put(new byte[3]);
        b.putShort((short) src).putShort((short) dst).putShort((short) chunkIndex).putShort((short) chunkCount);
        b.putInt(messageId).putInt(payload.length);
        b.putLong(term).putLong(indexA).putLong(indexB).putLong(logTerm).putLong(commitIndex);
        b.put(payload);
        return b.array();
    }

    /** A Put command body (§5.3): op 1, the key, an Int value. */
    public static byte[] putInt(String key, long value) {
        byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 2 + k.length + 9).put((byte) 1).putShort((short) k.length).put(k)
                .put((byte) 1).putLong(value).array();
    }

    /** A SnapshotChunk body (§5.2): totalBytes, length, data. */
    public static byte[] snapshotBody(long totalBytes, byte[] data) {
        return ByteBuffer.allocate(12 + data.length).putLong(totalBytes).putInt(data.length).put(data).array();
    }

    /** A key-value log entry (§5.6) without a session: version 1, client 0, seq 0, time 0, Put key = value. */
    public static byte[] kvPut(String key, long value) {
        byte[] cmd = putInt(key, value);
        return ByteBuffer.allocate(1 + 24 + cmd.length).put((byte) 1).putLong(0).putLong(0).putLong(0).put(cmd).array();
    }

    /** An AppendRequest body (§5.1) of NORMAL entries with the given terms, each holding {@code data}. */
    public static byte[] entries(byte[] data, long... terms) {
        return entries(1, data, terms);
    }

    /** An AppendRequest body (§5.1) of entries of kind {@code kind} with the given terms, each holding {@code data}. */
    public static byte[] entries(int kind, byte[] data, long... terms) {
        ByteBuffer b = ByteBuffer.allocate(4 + terms.length * (13 + data.length)).putInt(terms.length);
        for (long t : terms) {
            b.putLong(t).put((byte) kind).putInt(data.length).put(data);
        }
        return b.array();
    }

    /** A MEMBERS entry's data (§5.1): a u16 count, then (u16 id, u64 incarnation) by ascending id. */
    public static byte[] members(long... incarnationsById) {
        ByteBuffer b = ByteBuffer.allocate(2 + 10 * incarnationsById.length).putShort((short) incarnationsById.length);
        for (int id = 0; id < incarnationsById.length; id++) {
            b.putShort((short) id).putLong(incarnationsById[id]);
        }
        return b.array();
    }
}
