package raftudp.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Deterministic binary encoding of the key-value layer: values, commands, results and
 * log entries. Every object has exactly one encoding, so decode-then-encode gives back
 * the same bytes.
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li>All integers are big-endian (network byte order) whatever the {@link ByteOrder} of
 *     the buffer passed in. {@code u8}, {@code u16}, {@code u32} are unsigned;
 *     {@code i64} is two's complement signed.</li>
 * <li>Strings are UTF-8, length-prefixed, without terminator or BOM handling. A decoder
 *     rejects ill-formed UTF-8 (overlong forms, encoded surrogates, truncated sequences);
 *     a writer rejects Java strings with a lone surrogate ({@link IllegalArgumentException}),
 *     as they have no UTF-8 form.</li>
 * <li>{@code presence} is one byte: {@code 0} absent (nothing follows), {@code 1} present
 *     (a {@code value} follows); any other byte is malformed.</li>
 * </ul>
 *
 * <h2>Value</h2>
 * <pre>
 * value  = tag:u8 payload
 *   tag 1  Int     payload = v:i64                                  (9 bytes in all)
 *   tag 2  Str     payload = n:u32, n bytes of UTF-8
 *   tag 3  Bytes   payload = n:u32, n bytes
 *   tag 4  List    payload = count:u32, count x scalar             (scalar = value with tag 1..3)
 * </pre>
 * Lists do not nest. The empty string, empty bytes, the empty list and {@code Int 0}
 * are ordinary values.
 *
 * <h2>Command</h2>
 * <pre>
 * command = op:u8, keyLen:u16, keyLen bytes of UTF-8 (1 &lt;= keyLen &lt;= 1024), fields
 *   op 1  Put      fields = value:scalar
 *   op 2  Get      fields = (none)
 *   op 3  Delete   fields = (none)
 *   op 4  Cas      fields = presence:u8, [expected:value if presence = 1], update:scalar
 *   op 5  Append   fields = value:scalar
 * </pre>
 * A Cas whose presence byte is 0 expects the key to be absent. Its expected value may be
 * a list; its update may not.
 *
 * <h2>Result</h2>
 * <pre>
 * result = code:u8, fields
 *   code 1  Ok              fields = presence:u8, [previous:value]
 *   code 2  Found           fields = value:value
 *   code 3  NotFound        fields = (none)
 *   code 4  CasFailed       fields = presence:u8, [current:value]
 *   code 5  Appended        fields = size:i64 (&gt;= 0)
 *   code 6  WrongType       fields = (none)
 *   code 7  SessionExpired  fields = (none)
 * </pre>
 *
 * <h2>Log entry</h2>
 * <pre>
 * entry = version:u8 (= 1), clientId:i64, seq:i64, timestampMs:i64, command
 * </pre>
 * {@code timestampMs >= 0}; {@code seq >= 1} when {@code clientId != 0}, {@code seq >= 0}
 * otherwise. The entry fills the Raft entry's data exactly: trailing bytes are malformed.
 *
 * <h2>Errors</h2>
 * Readers trust no length: every length and count is checked against
 * {@link ByteBuffer#remaining()} before anything is allocated, and any violation throws
 * {@link MalformedException} naming the problem and its offset (the buffer position).
 * After a {@code MalformedException} the buffer position is unspecified. Writers need
 * {@code xxxSize(..)} bytes remaining in {@code out}, else they throw
 * {@link java.nio.BufferOverflowException}; they advance {@code out} by exactly that much.
 */
public final class KvCodec {

    /** Op byte of {@link Command.Put}. */
    public static final byte OP_PUT = 1;
    /** Op byte of {@link Command.Get}. */
    public static final byte OP_GET = 2;
    /** Op byte of {@link Command.Delete}. */
    public static final byte OP_DELETE = 3;
    /** Op byte of {@link Command.Cas}. */
    public static final byte OP_CAS = 4;
    /** Op byte of {@link Command.Append}. */
    public static final byte OP_APPEND = 5;

    /** Code byte of {@link Result.Ok}. */
    public static final byte RESULT_OK = 1;
    /** Code byte of {@link Result.Found}. */
    public static final byte RESULT_FOUND = 2;
    /** Code byte of {@link Result.NotFound}. */
    public static final byte RESULT_NOT_FOUND = 3;
    /** Code byte of {@link Result.CasFailed}. */
    public static final byte RESULT_CAS_FAILED = 4;
    /** Code byte of {@link Result.Appended}. */
    public static final byte RESULT_APPENDED = 5;
    /** Code byte of {@link Result.WrongType}. */
    public static final byte RESULT_WRONG_TYPE = 6;
    /** Code byte of {@link Result.SessionExpired}. */
    public static final byte RESULT_SESSION_EXPIRED = 7;

    /** Version byte that starts every encoded {@link KvEntry}. */
    public static final byte ENTRY_VERSION = 1;
    /** Bytes of an entry before its command: version, clientId, seq, timestampMs. */
    public static final int ENTRY_HEADER_BYTES = 1 + 8 + 8 + 8;

    /** Smallest encoded scalar (an empty Str or Bytes): bounds a list's count by the bytes left. */
    static final int SCALAR_BYTES_MIN = 1 + 4;

    private KvCodec() {
    }

    /** Input that is not a valid encoding. The message says what is wrong and where. */
    public static final class MalformedException extends RuntimeException {
        private final int offset;

        /** A problem at {@code offset} (a position in the input). */
        public MalformedException(String what, int offset) {
            super(what + " at offset " + offset);
            this.offset = offset;
        }

        /** A problem without a known offset; {@link #offset()} answers -1. */
        public MalformedException(String message) {
            super(message);
            this.offset = -1;
        }

        /** Position in the input where the problem was found, or -1 if unknown. */
        public int offset() {
            return offset;
        }
    }

    // ---------------------------------------------------------------- values

    /** Encoded size of {@code v} in bytes, tag included. */
    public static int valueSize(Value v) {
        Objects.requireNonNull(v, "value");
        if (v instanceof Value.Int) {
            return 1 + 8;
        } else if (v instanceof Value.Str s) {
            return Math.addExact(1 + 4, utf8Length(s.value()));
        } else if (v instanceof Value.Bytes b) {
            return Math.addExact(1 + 4, b.value().length);
        } else if (v instanceof Value.ListValue l) {
            return Math.addExact(1 + 4, itemsSize(l.items()));
        }
        throw new IllegalStateException("unknown value type " + v.getClass());
    }

    /** Writes {@code v} as {@code value}. */
    public static void writeValue(ByteBuffer out, Value v) {
        Objects.requireNonNull(v, "value");
        out.put(v.tag());
        if (v instanceof Value.Int i) {
            putI64(out, i.value());
        } else if (v instanceof Value.Str s) {
            byte[] utf8 = utf8(s.value());
            putI32(out, utf8.length);
            out.put(utf8);
        } else if (v instanceof Value.Bytes b) {
            putI32(out, b.value().length);
            out.put(b.value());
        } else if (v instanceof Value.ListValue l) {
            writeItems(out, l.items());
        } else {
            throw new IllegalStateException("unknown value type " + v.getClass());
        }
    }

    /** Reads one {@code value} (scalar or list). */
    public static Value readValue(ByteBuffer in) {
        int at = in.position();
        byte tag = getU8(in, "value tag");
        if (tag == Value.ListValue.TAG) {
            return readListPayload(in);
        }
        return readScalarPayload(in, tag, at);
    }

    /** Reads one scalar {@code value}; a list is malformed here. */
    static Value readScalar(ByteBuffer in, String what) {
        int at = in.position();
        byte tag = getU8(in, what + " tag");
        if (tag == Value.ListValue.TAG) {
            throw new MalformedException(what + " must be a scalar, found a list", at);
        }
        return readScalarPayload(in, tag, at);
    }

    /** Encoded size of a list's items (without its tag and count). */
    static int itemsSize(List<Value> items) {
        int n = 0;
        for (Value item : items) {
            n = Math.addExact(n, valueSize(item));
        }
        return n;
    }

    /** Writes a list's payload (after the tag): count, then each scalar. */
    static void writeItems(ByteBuffer out, List<Value> items) {
        putI32(out, items.size());
        for (Value item : items) {
            if (item instanceof Value.ListValue) {
                throw new IllegalArgumentException("lists hold scalars only");
            }
            writeValue(out, item);
        }
    }

    private static Value readScalarPayload(ByteBuffer in, byte tag, int tagOffset) {
        if (tag == Value.Int.TAG) {
            return new Value.Int(getI64(in, "int value"));
        } else if (tag == Value.Str.TAG) {
            int n = getLength(in, "string length");
            return new Value.Str(readUtf8(in, n, "string"));
        } else if (tag == Value.Bytes.TAG) {
            int n = getLength(in, "bytes length");
            byte[] b = new byte[n];
            in.get(b);
            return new Value.Bytes(b);
        }
        throw new MalformedException("unknown value tag " + (tag & 0xFF), tagOffset);
    }

    private static Value readListPayload(ByteBuffer in) {
        int at = in.position();
        long count = getU32(in, "list count");
        if (count > in.remaining() / SCALAR_BYTES_MIN) {
            throw new MalformedException("list count " + count + " exceeds what "
                    + in.remaining() + " remaining bytes can hold", at);
        }
        List<Value> items = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            items.add(readScalar(in, "list item"));
        }
        return new Value.ListValue(items);
    }

    // ---------------------------------------------------------------- commands

    /** Encoded size of {@code c} in bytes, op byte included. */
    public static int commandSize(Command c) {
        Objects.requireNonNull(c, "command");
        int n = 1 + 2 + keyLength(c.key());
        if (c instanceof Command.Put p) {
            return Math.addExact(n, valueSize(p.value()));
        } else if (c instanceof Command.Get || c instanceof Command.Delete) {
            return n;
        } else if (c instanceof Command.Cas cas) {
            int expected = cas.expected() == null ? 0 : valueSize(cas.expected());
            return Math.addExact(Math.addExact(n + 1, expected), valueSize(cas.update()));
        } else if (c instanceof Command.Append a) {
            return Math.addExact(n, valueSize(a.value()));
        }
        throw new IllegalStateException("unknown command type " + c.getClass());
    }

    /** Writes {@code c} as {@code command}. */
    public static void writeCommand(ByteBuffer out, Command c) {
        Objects.requireNonNull(c, "command");
        out.put(opOf(c));
        writeKey(out, c.key());
        if (c instanceof Command.Put p) {
            writeValue(out, p.value());
        } else if (c instanceof Command.Cas cas) {
            writeOptional(out, cas.expected());
            writeValue(out, cas.update());
        } else if (c instanceof Command.Append a) {
            writeValue(out, a.value());
        }
    }

    /** Reads one {@code command}. */
    public static Command readCommand(ByteBuffer in) {
        int at = in.position();
        byte op = getU8(in, "command op");
        if (op < OP_PUT || op > OP_APPEND) {
            throw new MalformedException("unknown command op " + (op & 0xFF), at);
        }
        String key = readKey(in);
        try {
            switch (op) {
                case OP_PUT:
                    return new Command.Put(key, readScalar(in, "put value"));
                case OP_GET:
                    return new Command.Get(key);
                case OP_DELETE:
                    return new Command.Delete(key);
                case OP_CAS:
                    Value expected = readOptional(in, "cas expected");
                    return new Command.Cas(key, expected, readScalar(in, "cas update"));
                default:
                    return new Command.Append(key, readScalar(in, "append value"));
            }
        } catch (IllegalArgumentException e) {
            // The checks above should make this unreachable; never let it escape a decoder.
            throw new MalformedException("invalid command: " + e.getMessage(), at);
        }
    }

    private static byte opOf(Command c) {
        if (c instanceof Command.Put) {
            return OP_PUT;
        } else if (c instanceof Command.Get) {
            return OP_GET;
        } else if (c instanceof Command.Delete) {
            return OP_DELETE;
        } else if (c instanceof Command.Cas) {
            return OP_CAS;
        } else if (c instanceof Command.Append) {
            return OP_APPEND;
        }
        throw new IllegalStateException("unknown command type " + c.getClass());
    }

    private static int keyLength(String key) {
        int n = utf8Length(key);
        if (n < 1 || n > Command.KEY_BYTES_MAX) {
            throw new IllegalArgumentException("key must be 1.." + Command.KEY_BYTES_MAX + " UTF-8 bytes, got " + n);
        }
        return n;
    }

    /** Reads {@code keyLen:u16} and the key's UTF-8 bytes. */
    static String readKey(ByteBuffer in) {
        int at = in.position();
        int n = getU16(in, "key length");
        if (n == 0 || n > Command.KEY_BYTES_MAX) {
            throw new MalformedException("key length " + n + " outside 1.." + Command.KEY_BYTES_MAX, at);
        }
        return readUtf8(in, n, "key");
    }

    /** Writes {@code keyLen:u16} and the key's UTF-8 bytes. */
    static void writeKey(ByteBuffer out, String key) {
        keyLength(key);
        byte[] b = utf8(key);
        putU16(out, b.length);
        out.put(b);
    }

    /** Encoded size of a key: length prefix and UTF-8 bytes. */
    static int keySize(String key) {
        return 2 + keyLength(key);
    }

    // ---------------------------------------------------------------- results

    /** Encoded size of {@code r} in bytes, code byte included. */
    public static int resultSize(Result r) {
        Objects.requireNonNull(r, "result");
        if (r instanceof Result.Ok ok) {
            return optionalSize(ok.previous());
        } else if (r instanceof Result.Found f) {
            return Math.addExact(1, valueSize(Objects.requireNonNull(f.value(), "found value")));
        } else if (r instanceof Result.CasFailed cf) {
            return optionalSize(cf.current());
        } else if (r instanceof Result.Appended) {
            return 1 + 8;
        }
        return 1;
    }

    /** Writes {@code r} as {@code result}. */
    public static void writeResult(ByteBuffer out, Result r) {
        Objects.requireNonNull(r, "result");
        out.put(codeOf(r));
        if (r instanceof Result.Ok ok) {
            writeOptional(out, ok.previous());
        } else if (r instanceof Result.Found f) {
            writeValue(out, Objects.requireNonNull(f.value(), "found value"));
        } else if (r instanceof Result.CasFailed cf) {
            writeOptional(out, cf.current());
        } else if (r instanceof Result.Appended a) {
            if (a.size() < 0) {
                throw new IllegalArgumentException("appended size must not be negative: " + a.size());
            }
            putI64(out, a.size());
        }
    }

    /** Reads one {@code result}. */
    public static Result readResult(ByteBuffer in) {
        int at = in.position();
        byte code = getU8(in, "result code");
        switch (code) {
            case RESULT_OK:
                return new Result.Ok(readOptional(in, "ok previous"));
            case RESULT_FOUND:
                return new Result.Found(readValue(in));
            case RESULT_NOT_FOUND:
                return new Result.NotFound();
            case RESULT_CAS_FAILED:
                return new Result.CasFailed(readOptional(in, "cas-failed current"));
            case RESULT_APPENDED: {
                int sizeAt = in.position();
                long size = getI64(in, "appended size");
                if (size < 0) {
                    throw new MalformedException("negative appended size " + size, sizeAt);
                }
                return new Result.Appended(size);
            }
            case RESULT_WRONG_TYPE:
                return new Result.WrongType();
            case RESULT_SESSION_EXPIRED:
                return new Result.SessionExpired();
            default:
                throw new MalformedException("unknown result code " + (code & 0xFF), at);
        }
    }

    private static byte codeOf(Result r) {
        if (r instanceof Result.Ok) {
            return RESULT_OK;
        } else if (r instanceof Result.Found) {
            return RESULT_FOUND;
        } else if (r instanceof Result.NotFound) {
            return RESULT_NOT_FOUND;
        } else if (r instanceof Result.CasFailed) {
            return RESULT_CAS_FAILED;
        } else if (r instanceof Result.Appended) {
            return RESULT_APPENDED;
        } else if (r instanceof Result.WrongType) {
            return RESULT_WRONG_TYPE;
        } else if (r instanceof Result.SessionExpired) {
            return RESULT_SESSION_EXPIRED;
        }
        throw new IllegalStateException("unknown result type " + r.getClass());
    }

    /** Size of a code byte, a presence byte and the value if present. */
    private static int optionalSize(Value v) {
        return v == null ? 2 : Math.addExact(2, valueSize(v));
    }

    private static void writeOptional(ByteBuffer out, Value v) {
        if (v == null) {
            out.put((byte) 0);
        } else {
            out.put((byte) 1);
            writeValue(out, v);
        }
    }

    private static Value readOptional(ByteBuffer in, String what) {
        int at = in.position();
        byte presence = getU8(in, what + " presence");
        if (presence == 0) {
            return null;
        } else if (presence == 1) {
            return readValue(in);
        }
        throw new MalformedException(what + ": presence byte must be 0 or 1, got " + (presence & 0xFF), at);
    }

    // ---------------------------------------------------------------- entries

    /** Encodes {@code e} as the data of one Raft log entry. */
    public static byte[] encodeEntry(KvEntry e) {
        Objects.requireNonNull(e, "entry");
        ByteBuffer out = ByteBuffer.allocate(Math.addExact(ENTRY_HEADER_BYTES, commandSize(e.command())));
        out.put(ENTRY_VERSION);
        putI64(out, e.clientId());
        putI64(out, e.seq());
        putI64(out, e.timestampMs());
        writeCommand(out, e.command());
        if (out.hasRemaining()) {
            throw new IllegalStateException("entry size mismatch: " + out.remaining() + " bytes unwritten");
        }
        return out.array();
    }

    /** Decodes the data of one Raft log entry; all of {@code data} must be the entry. */
    public static KvEntry decodeEntry(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        byte version = getU8(in, "entry version");
        if (version != ENTRY_VERSION) {
            throw new MalformedException("unsupported entry version " + (version & 0xFF), 0);
        }
        long clientId = getI64(in, "client id");
        long seq = getI64(in, "seq");
        long timestampMs = getI64(in, "timestamp");
        String problem = KvEntry.problem(clientId, seq, timestampMs);
        if (problem != null) {
            throw new MalformedException(problem, 1);
        }
        Command command = readCommand(in);
        if (in.hasRemaining()) {
            throw new MalformedException(in.remaining() + " trailing bytes after the entry", in.position());
        }
        return new KvEntry(clientId, seq, timestampMs, command);
    }

    // ---------------------------------------------------------------- primitives

    private static boolean bigEndian(ByteBuffer b) {
        return b.order() == ByteOrder.BIG_ENDIAN;
    }

    private static void need(ByteBuffer in, int n, String what) {
        if (in.remaining() < n) {
            throw new MalformedException("truncated " + what + ": need " + n + " bytes, "
                    + in.remaining() + " remain", in.position());
        }
    }

    static byte getU8(ByteBuffer in, String what) {
        need(in, 1, what);
        return in.get();
    }

    static int getU16(ByteBuffer in, String what) {
        need(in, 2, what);
        short s = in.getShort();
        return (bigEndian(in) ? s : Short.reverseBytes(s)) & 0xFFFF;
    }

    static long getU32(ByteBuffer in, String what) {
        need(in, 4, what);
        int i = in.getInt();
        return (bigEndian(in) ? i : Integer.reverseBytes(i)) & 0xFFFF_FFFFL;
    }

    static long getI64(ByteBuffer in, String what) {
        need(in, 8, what);
        long l = in.getLong();
        return bigEndian(in) ? l : Long.reverseBytes(l);
    }

    /** Reads a u32 length and checks that many bytes remain; the position is then at the bytes. */
    static int getLength(ByteBuffer in, String what) {
        int at = in.position();
        long n = getU32(in, what);
        if (n > in.remaining()) {
            throw new MalformedException(what + " " + n + " exceeds the " + in.remaining() + " remaining bytes", at);
        }
        return (int) n;
    }

    static void putU16(ByteBuffer out, int v) {
        short s = (short) v;
        out.putShort(bigEndian(out) ? s : Short.reverseBytes(s));
    }

    static void putI32(ByteBuffer out, int v) {
        out.putInt(bigEndian(out) ? v : Integer.reverseBytes(v));
    }

    static void putI64(ByteBuffer out, long v) {
        out.putLong(bigEndian(out) ? v : Long.reverseBytes(v));
    }

    /** Decodes the next {@code n} bytes as strict UTF-8. */
    private static String readUtf8(ByteBuffer in, int n, String what) {
        int at = in.position();
        need(in, n, what);
        ByteBuffer slice = in.slice();
        slice.limit(n);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String s;
        try {
            s = decoder.decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("invalid UTF-8 in " + what + " of " + n + " bytes", at);
        }
        in.position(at + n);
        return s;
    }

    /** UTF-8 bytes of a well-formed string. */
    static byte[] utf8(String s) {
        utf8Length(s);
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Length of the UTF-8 form of {@code s}.
     *
     * @throws IllegalArgumentException when {@code s} holds a lone surrogate
     */
    static int utf8Length(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("lone surrogate at index " + i + ": no UTF-8 form");
            } else {
                n += 3;
            }
            if (n < 0) {
                throw new ArithmeticException("string too long to encode");
            }
        }
        return n;
    }
}
