package raftudp.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The replicated state machine: a map from keys to typed values, plus client sessions
 * that make every client request take effect at most once (thesis §6.3).
 *
 * <p><b>Deterministic.</b> The state after a sequence of {@link #apply} calls depends only
 * on that sequence: no clock, no randomness, ordered collections only. Time is "now", the
 * largest {@link KvEntry#timestampMs()} applied so far, so it never goes back even when
 * leaders' clocks disagree. Replicas that apply the same log, or restore the same
 * {@link #snapshot()} and then apply the same suffix, hold identical state.
 *
 * <p><b>Sessions.</b> A session per client id keeps the client's last seq and that
 * request's result. See {@link #apply} for the rules. A session is dropped when its
 * last activity is older than {@code now - sessionTimeoutMs}, or, when more than
 * {@code sessionsMax} exist, the least recently active goes first (ties: lowest client
 * id), never the one the current entry just used. Expiry costs O(log n) per dropped
 * session: sessions are kept ordered by (last activity, client id). Because a client
 * unknown to the store may start with seq 1, a client must stop retrying its first
 * request well before {@code sessionTimeoutMs}: a retry of seq 1 that arrives after its
 * session expired is applied again.
 *
 * <p><b>Values are immutable here.</b> {@link Value.Bytes} wraps an array without copying
 * it, so this class copies byte arrays on the way in (commands) and on the way out
 * (results, {@link #get}); nothing a caller holds aliases the store's state, including
 * the results cached in sessions. Lists are held as growable lists so that append costs
 * O(1); reading a list builds a {@link Value.ListValue} (O(length)).
 *
 * <p>Not thread-safe: the node's event loop drives it.
 */
public final class KvStore {

    /** First four bytes of a snapshot: ASCII "KVSN". */
    public static final int SNAPSHOT_MAGIC = 0x4B56534E;
    /** The snapshot format version this class writes and reads. */
    public static final int SNAPSHOT_VERSION = 1;
    /** Snapshot bytes around the body: magic, version, body length, CRC32C. */
    public static final int SNAPSHOT_FRAME_BYTES = 4 + 4 + 4 + 4;

    private static final Comparator<Session> BY_ACTIVITY =
            Comparator.<Session>comparingLong(s -> s.lastActivityMs).thenComparingLong(s -> s.clientId);

    private final long sessionTimeoutMs;
    private final int sessionsMax;
    private final TreeMap<String, Cell> cells = new TreeMap<>();
    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    /** The same sessions, least recently active first. Remove before changing lastActivityMs. */
    private final TreeSet<Session> byActivity = new TreeSet<>(BY_ACTIVITY);
    private long nowMs;

    /**
     * An empty store.
     *
     * @param sessionTimeoutMs a session idle longer than this is dropped; at least 1
     * @param sessionsMax      most sessions kept; at least 1
     */
    public KvStore(long sessionTimeoutMs, int sessionsMax) {
        if (sessionTimeoutMs < 1) {
            throw new IllegalArgumentException("sessionTimeoutMs must be at least 1, got " + sessionTimeoutMs);
        }
        if (sessionsMax < 1) {
            throw new IllegalArgumentException("sessionsMax must be at least 1, got " + sessionsMax);
        }
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.sessionsMax = sessionsMax;
    }

    /** What a key holds: a scalar, or a list of scalars that append grows in place. */
    private static final class Cell {
        final Value scalar;
        final ArrayList<Value> items;

        Cell(Value scalar, ArrayList<Value> items) {
            this.scalar = scalar;
            this.items = items;
        }

        Value value() {
            return scalar != null ? scalar : new Value.ListValue(items);
        }

        boolean holds(Value v) {
            if (scalar != null) {
                return scalar.equals(v);
            }
            return v instanceof Value.ListValue l && l.items().equals(items);
        }
    }

    /** One client's session. */
    private static final class Session {
        final long clientId;
        long lastSeq;
        Result lastResult;
        long lastActivityMs;

        Session(long clientId, long lastSeq, Result lastResult, long lastActivityMs) {
            this.clientId = clientId;
            this.lastSeq = lastSeq;
            this.lastResult = lastResult;
            this.lastActivityMs = lastActivityMs;
        }
    }

    // ---------------------------------------------------------------- applying

    /**
     * Applies one committed entry, in log order, and answers the client's result.
     *
     * <p>First "now" advances to {@code e.timestampMs()} if that is later, and idle
     * sessions expire. Then, for a client session:
     * <ul>
     * <li>unknown client, seq 1: a new session; the command is applied;</li>
     * <li>unknown client, seq &gt; 1: {@link Result.SessionExpired}, nothing applied (its
     *     session expired and the request may have been applied before);</li>
     * <li>seq == last seq: the cached result of that request, nothing applied (a retry);</li>
     * <li>seq &lt; last seq: {@link Result.SessionExpired}, nothing applied (a stale duplicate);</li>
     * <li>seq &gt; last seq: the command is applied and its result cached.</li>
     * </ul>
     * A get applied through the log reads and is cached like any command. An entry
     * without a session ({@code clientId == 0}) is applied every time.
     *
     * @throws IllegalArgumentException when a string in the command has no UTF-8 form
     *                                  (never for entries from {@link KvCodec#decodeEntry})
     */
    public Result apply(KvEntry e) {
        Objects.requireNonNull(e, "entry");
        KvCodec.commandSize(e.command()); // fails here rather than in a later snapshot
        nowMs = Math.max(nowMs, e.timestampMs());
        expireIdle();
        if (!e.hasSession()) {
            return export(execute(e.command()));
        }
        Session s = sessions.get(e.clientId());
        if (s == null) {
            if (e.seq() != 1) {
                return new Result.SessionExpired();
            }
            s = new Session(e.clientId(), 0, null, nowMs);
            sessions.put(s.clientId, s);
        } else if (e.seq() == s.lastSeq) {
            touch(s);
            return export(s.lastResult);
        } else if (e.seq() < s.lastSeq) {
            return new Result.SessionExpired();
        }
        Result r = execute(e.command());
        s.lastSeq = e.seq();
        s.lastResult = r;
        touch(s);
        evictOverflow(s);
        return export(r);
    }

    /** A local read with no effect on sessions or time (for ReadIndex / lease reads). */
    public Result read(Command.Get g) {
        return export(get(cells.get(g.key())));
    }

    private Result execute(Command c) {
        Cell cell = cells.get(c.key());
        if (c instanceof Command.Get) {
            return get(cell);
        } else if (c instanceof Command.Put p) {
            cells.put(p.key(), new Cell(own(p.value()), null));
            return new Result.Ok(cell == null ? null : cell.value());
        } else if (c instanceof Command.Delete) {
            cells.remove(c.key());
            return new Result.Ok(cell == null ? null : cell.value());
        } else if (c instanceof Command.Cas cas) {
            boolean holds = cas.expected() == null ? cell == null : cell != null && cell.holds(cas.expected());
            if (!holds) {
                return new Result.CasFailed(cell == null ? null : cell.value());
            }
            cells.put(cas.key(), new Cell(own(cas.update()), null));
            return new Result.Ok(cell == null ? null : cell.value());
        } else if (c instanceof Command.Append a) {
            if (cell == null) {
                ArrayList<Value> items = new ArrayList<>();
                items.add(own(a.value()));
                cells.put(a.key(), new Cell(null, items));
                return new Result.Appended(1);
            } else if (cell.scalar != null) {
                return new Result.WrongType();
            }
            cell.items.add(own(a.value()));
            return new Result.Appended(cell.items.size());
        }
        throw new IllegalStateException("unknown command type " + c.getClass());
    }

    private static Result get(Cell cell) {
        return cell == null ? new Result.NotFound() : new Result.Found(cell.value());
    }

    private void touch(Session s) {
        byActivity.remove(s);
        s.lastActivityMs = nowMs;
        byActivity.add(s);
    }

    /** Drops sessions idle for longer than the timeout; O(log n) per session dropped. */
    private void expireIdle() {
        long horizonMs = nowMs - sessionTimeoutMs; // nowMs >= 0 and timeout >= 1: no overflow
        while (!byActivity.isEmpty() && byActivity.first().lastActivityMs < horizonMs) {
            sessions.remove(byActivity.pollFirst().clientId);
        }
    }

    /** Drops the least recently active sessions beyond sessionsMax, sparing {@code keep}. */
    private void evictOverflow(Session keep) {
        while (sessions.size() > sessionsMax) {
            Session victim = byActivity.first();
            if (victim == keep) {
                victim = byActivity.higher(keep); // exists: size > sessionsMax >= 1
            }
            byActivity.remove(victim);
            sessions.remove(victim.clientId);
        }
    }

    // ---------------------------------------------------------------- copies

    /** A copy the caller cannot use to change the store (Bytes arrays are not shared). */
    private static Value own(Value v) {
        if (v instanceof Value.Bytes b) {
            return new Value.Bytes(b.value().clone());
        } else if (v instanceof Value.ListValue l) {
            List<Value> items = new ArrayList<>(l.items().size());
            for (Value item : l.items()) {
                items.add(own(item));
            }
            return new Value.ListValue(items);
        }
        return v;
    }

    private static Result export(Result r) {
        if (r instanceof Result.Ok ok && ok.previous() != null) {
            return new Result.Ok(own(ok.previous()));
        } else if (r instanceof Result.Found f) {
            return new Result.Found(own(f.value()));
        } else if (r instanceof Result.CasFailed cf && cf.current() != null) {
            return new Result.CasFailed(own(cf.current()));
        }
        return r;
    }

    // ---------------------------------------------------------------- observers

    /** Number of keys. */
    public int size() {
        return cells.size();
    }

    /** Number of live client sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /** True when {@code clientId} has a live session. */
    public boolean hasSession(long clientId) {
        return sessions.containsKey(clientId);
    }

    /** The value under {@code key} (a copy), or null if absent. */
    public Value get(String key) {
        Cell cell = cells.get(key);
        return cell == null ? null : own(cell.value());
    }

    /** The store's time: the largest entry timestamp applied so far, 0 at first. */
    public long now() {
        return nowMs;
    }

    /** The session timeout this store was built with. */
    public long sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** The session limit this store was built with. */
    public int sessionsMax() {
        return sessionsMax;
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * The whole state as bytes; equal states give equal bytes. Layout (big-endian):
     * <pre>
     * snapshot = magic:u32 (0x4B56534E "KVSN"), version:u32 (1), bodyLength:u32, body,
     *            crc:u32 (CRC32C of every byte before it, magic to end of body)
     * body     = nowMs:i64,
     *            keyCount:u32, keyCount x (key, value)        keys in ascending String order
     *            sessionCount:u32, sessionCount x session    client ids in ascending order
     * key      = keyLen:u16, UTF-8 bytes                     (as in a command)
     * session  = clientId:i64 (!= 0), lastSeq:i64 (&gt;= 1), lastActivityMs:i64 (0..nowMs),
     *            lastResult:result
     * </pre>
     * {@code value} and {@code result} are as in {@link KvCodec}.
     *
     * @throws IllegalStateException if the state does not fit in one array
     */
    public byte[] snapshot() {
        long size = snapshotSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("state of " + size + " bytes does not fit in one snapshot array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        writeSnapshot(out);
        return out.array();
    }

    /** The length of {@link #snapshot()}, without building it. */
    public long snapshotSize() {
        long body = 8 + 4 + 4;
        for (Map.Entry<String, Cell> kv : cells.entrySet()) {
            body += KvCodec.keySize(kv.getKey()) + cellSize(kv.getValue());
        }
        for (Session s : sessions.values()) {
            body += 8 + 8 + 8 + KvCodec.resultSize(s.lastResult);
        }
        return body + SNAPSHOT_FRAME_BYTES;
    }

    /**
     * Writes {@link #snapshot()}'s bytes into {@code out} from its position on, which
     * advances by {@link #snapshotSize()}: a heap buffer, or a file mapped into memory so
     * that the state is never copied on the heap.
     *
     * @throws IllegalStateException if the body is over 4 GiB (its length is a u32) or
     *                               {@code out} has less room than the snapshot needs
     */
    public void writeSnapshot(ByteBuffer out) {
        long size = snapshotSize();
        long body = size - SNAPSHOT_FRAME_BYTES;
        if (body > 0xFFFF_FFFFL) {
            throw new IllegalStateException("state of " + body + " bytes is over the snapshot format's 4 GiB");
        }
        if (out.remaining() < size) {
            throw new IllegalStateException("snapshot of " + size + " bytes, room for " + out.remaining());
        }
        int start = out.position();
        out.putInt(SNAPSHOT_MAGIC).putInt(SNAPSHOT_VERSION).putInt((int) body);
        out.putLong(nowMs).putInt(cells.size());
        for (Map.Entry<String, Cell> kv : cells.entrySet()) {
            KvCodec.writeKey(out, kv.getKey());
            writeCell(out, kv.getValue());
        }
        out.putInt(sessions.size());
        for (Session s : sessions.values()) {
            out.putLong(s.clientId).putLong(s.lastSeq).putLong(s.lastActivityMs);
            KvCodec.writeResult(out, s.lastResult);
        }
        out.putInt(crc(out, start, out.position() - start));
        if (out.position() - start != size) {
            throw new IllegalStateException("snapshot size mismatch: " + (out.position() - start) + " of " + size);
        }
    }

    private static int cellSize(Cell c) {
        return c.scalar != null ? KvCodec.valueSize(c.scalar) : Math.addExact(1 + 4, KvCodec.itemsSize(c.items));
    }

    private static void writeCell(ByteBuffer out, Cell c) {
        if (c.scalar != null) {
            KvCodec.writeValue(out, c.scalar);
        } else {
            out.put(Value.ListValue.TAG);
            KvCodec.writeItems(out, c.items);
        }
    }

    private static int crc(ByteBuffer data, int from, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer range = data.duplicate();
        range.limit(from + length).position(from);
        crc.update(range);
        return (int) crc.getValue();
    }

    /**
     * A store holding the state of {@code data}, a {@link #snapshot()}. If the limits are
     * tighter than the snapshot's sessions allow, sessions are dropped by the usual rules.
     *
     * @throws KvCodec.MalformedException when {@code data} is not an intact snapshot (bad
     *                                    magic, version, length or checksum, or a body
     *                                    that breaks the format)
     */
    public static KvStore restore(byte[] data, long sessionTimeoutMs, int sessionsMax) {
        return restore(ByteBuffer.wrap(data), sessionTimeoutMs, sessionsMax);
    }

    /**
     * {@link #restore(byte[], long, int)} from the bytes between {@code data}'s position and
     * limit (a heap buffer or a mapped file; {@code data} itself is not moved).
     */
    public static KvStore restore(ByteBuffer data, long sessionTimeoutMs, int sessionsMax) {
        KvStore store = new KvStore(sessionTimeoutMs, sessionsMax);
        store.parse(data.slice(), true);
        store.expireIdle();
        store.evictOverflow(null);
        return store;
    }

    /**
     * Checks that {@code data} (position to limit) is a snapshot {@link #restore} would
     * accept, without building the store: the values are parsed and dropped, so the check
     * needs no more memory than the largest single value.
     *
     * @throws KvCodec.MalformedException as {@link #restore} would
     */
    public static void validate(ByteBuffer data) {
        new KvStore(Long.MAX_VALUE, Integer.MAX_VALUE).parse(data.slice(), false);
    }

    private void parse(ByteBuffer in, boolean keepCells) {
        int length = in.remaining();
        if (length < SNAPSHOT_FRAME_BYTES) {
            throw new KvCodec.MalformedException("snapshot of " + length + " bytes is shorter than its "
                    + SNAPSHOT_FRAME_BYTES + "-byte frame", 0);
        }
        int magic = in.getInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new KvCodec.MalformedException(String.format("bad snapshot magic 0x%08x", magic), 0);
        }
        int version = in.getInt();
        if (version != SNAPSHOT_VERSION) {
            throw new KvCodec.MalformedException("unsupported snapshot version " + Integer.toUnsignedString(version), 4);
        }
        long bodyLength = in.getInt() & 0xFFFF_FFFFL;
        if (bodyLength != length - SNAPSHOT_FRAME_BYTES) {
            throw new KvCodec.MalformedException("snapshot body length " + bodyLength + " but "
                    + (length - SNAPSHOT_FRAME_BYTES) + " bytes present (truncated or extended)", 8);
        }
        int crcAt = length - 4;
        int expected = in.getInt(crcAt);
        int actual = crc(in, 0, crcAt);
        if (expected != actual) {
            throw new KvCodec.MalformedException(String.format("snapshot CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    expected, actual), crcAt);
        }
        in.limit(crcAt);
        readBody(in, keepCells);
    }

    private void readBody(ByteBuffer in, boolean keepCells) {
        int at = in.position();
        nowMs = KvCodec.getI64(in, "snapshot now");
        if (nowMs < 0) {
            throw new KvCodec.MalformedException("negative snapshot now " + nowMs, at);
        }
        long keyCount = checkedCount(in, "key count", 2 + 1 + KvCodec.SCALAR_BYTES_MIN);
        String previous = null;
        for (long i = 0; i < keyCount; i++) {
            at = in.position();
            String key = KvCodec.readKey(in);
            if (previous != null && previous.compareTo(key) >= 0) {
                throw new KvCodec.MalformedException("snapshot keys out of order or repeated", at);
            }
            previous = key;
            Value v = KvCodec.readValue(in);
            if (!keepCells) {
                continue;
            }
            cells.put(key, v instanceof Value.ListValue l ? new Cell(null, new ArrayList<>(l.items())) : new Cell(v, null));
        }
        long sessionCount = checkedCount(in, "session count", 8 + 8 + 8 + 1);
        for (long i = 0; i < sessionCount; i++) {
            readSession(in);
        }
        if (in.hasRemaining()) {
            throw new KvCodec.MalformedException(in.remaining() + " trailing bytes in the snapshot body", in.position());
        }
    }

    private void readSession(ByteBuffer in) {
        int at = in.position();
        long clientId = KvCodec.getI64(in, "session client id");
        long lastSeq = KvCodec.getI64(in, "session seq");
        long lastActivityMs = KvCodec.getI64(in, "session activity");
        if (clientId == KvEntry.NO_SESSION || lastSeq < 1 || lastActivityMs < 0 || lastActivityMs > nowMs) {
            throw new KvCodec.MalformedException("bad session (client " + clientId + ", seq " + lastSeq
                    + ", activity " + lastActivityMs + "ms, now " + nowMs + "ms)", at);
        }
        if (!sessions.isEmpty() && sessions.lastKey() >= clientId) {
            throw new KvCodec.MalformedException("snapshot sessions out of order or repeated", at);
        }
        Session s = new Session(clientId, lastSeq, KvCodec.readResult(in), lastActivityMs);
        sessions.put(clientId, s);
        byActivity.add(s);
    }

    private static long checkedCount(ByteBuffer in, String what, int bytesEachMin) {
        int at = in.position();
        long n = KvCodec.getU32(in, what);
        if (n > in.remaining() / bytesEachMin) {
            throw new KvCodec.MalformedException(what + " " + n + " exceeds what " + in.remaining()
                    + " remaining bytes can hold", at);
        }
        return n;
    }
}
