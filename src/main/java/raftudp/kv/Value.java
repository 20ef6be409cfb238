package raftudp.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A typed value held under a key. Every value is a value: {@code Int(0)}, the empty
 * string and the empty byte array are all distinct, storable values.
 *
 * <p>A key holds either a scalar ({@link Int}, {@link Str}, {@link Bytes}) or a
 * {@link ListValue} of scalars, built by {@link Command.Append}.
 */
public sealed interface Value permits Value.Int, Value.Str, Value.Bytes, Value.ListValue {

    /** Wire tag of the type; stable, part of the format. */
    byte tag();

    /** Bytes this value occupies when encoded, tag and length prefixes included. */
    int encodedSize();

    static Value of(long v) {
        return new Int(v);
    }

    static Value of(String s) {
        return new Str(s);
    }

    static Value of(byte[] b) {
        return new Bytes(b);
    }

    /** A signed 64-bit integer. */
    record Int(long value) implements Value {
        public static final byte TAG = 1;

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public int encodedSize() {
            return 1 + 8;
        }

        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A UTF-8 string. */
    record Str(String value) implements Value {
        public static final byte TAG = 2;

        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public int encodedSize() {
            return 1 + 4 + value.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** Opaque bytes; equality is by content. The array is not copied: do not mutate it. */
    record Bytes(byte[] value) implements Value {
        public static final byte TAG = 3;

        public Bytes {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public int encodedSize() {
            return 1 + 4 + value.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            if (value.length <= 32) {
                StringBuilder sb = new StringBuilder("0x");
                for (byte x : value) {
                    sb.append(String.format("%02x", x));
                }
                return sb.toString();
            }
            return "bytes[" + value.length + "]";
        }
    }

    /** An ordered list of scalars, grown by {@link Command.Append}. Immutable. */
    record ListValue(List<Value> items) implements Value {
        public static final byte TAG = 4;

        public ListValue {
            items = List.copyOf(items);
            for (Value v : items) {
                if (v instanceof ListValue) {
                    throw new IllegalArgumentException("lists hold scalars only");
                }
            }
        }

        @Override
        public byte tag() {
            return TAG;
        }

        @Override
        public int encodedSize() {
            int n = 1 + 4;
            for (Value v : items) {
                n += v.encodedSize();
            }
            return n;
        }

        @Override
        public String toString() {
            return items.toString();
        }
    }
}
