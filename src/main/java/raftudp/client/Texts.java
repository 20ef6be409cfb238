package raftudp.client;

import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

/** Human-readable renderings shared by the client library's messages and the CLI. */
final class Texts {
    private Texts() {
    }

    /** A value, or "absent" for null. */
    static String value(Value v) {
        return raftudp.kv.CommandText.value(v);
    }

    /** Longest bytes value {@code get} prints in full without {@code --hex}, in bytes. */
    static final int SHOWN_BYTES_MAX = 256;
    /** How many leading bytes {@code get} prints of a longer value without {@code --hex}. */
    static final int PREFIX_BYTES = 32;

    /**
     * A value as {@code get} prints it. Bytes: with {@code hex}, {@code 0x} and every byte
     * in hex, however many; without, printable ASCII (0x20..0x7e, at least one byte) as
     * {@code b"text"} with {@code "} and {@code \} escaped, other bytes in hex, and a value
     * longer than {@link #SHOWN_BYTES_MAX} as its length and first {@link #PREFIX_BYTES}
     * bytes. Lists show their items so; other values as {@link #value(Value)}.
     */
    static String shown(Value v, boolean hex) {
        if (v instanceof Value.Bytes b) {
            return shownBytes(b.value(), hex);
        }
        if (v instanceof Value.ListValue l) {
            StringBuilder sb = new StringBuilder("[");
            for (Value item : l.items()) {
                sb.append(sb.length() > 1 ? ", " : "").append(shown(item, hex));
            }
            return sb.append(']').toString();
        }
        return value(v);
    }

    private static String shownBytes(byte[] b, boolean hex) {
        if (hex) {
            return "0x" + hex(b, b.length);
        }
        if (b.length > SHOWN_BYTES_MAX) {
            return "bytes[" + b.length + "] 0x" + hex(b, PREFIX_BYTES) + "... (--hex shows all, --out FILE saves them)";
        }
        if (!printable(b)) {
            return "0x" + hex(b, b.length);
        }
        StringBuilder sb = new StringBuilder("b\"");
        for (byte x : b) {
            if (x == '"' || x == '\\') {
                sb.append('\\');
            }
            sb.append((char) x);
        }
        return sb.append('"').toString();
    }

    /** True for at least one byte, all printable ASCII. */
    static boolean printable(byte[] b) {
        if (b.length == 0) {
            return false;
        }
        for (byte x : b) {
            if (x < 0x20 || x > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** The first {@code n} bytes of {@code b} as lower-case hex digits. */
    static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return sb.toString();
    }

    /** A key, quoted when it holds spaces or is empty. */
    static String key(String k) {
        return raftudp.kv.CommandText.key(k);
    }

    /** A short description of a command, e.g. {@code put k = 1}. */
    static String command(Command c) {
        return raftudp.kv.CommandText.of(c);
    }

    /** The verb of a command: put, get, delete, cas or append. */
    static String verb(Command c) {
        return command(c).split(" ", 2)[0];
    }

    /** A duration: {@code 300 ms}, {@code 10 s}, {@code 1.5 s}. */
    static String millis(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** {@code 10.0.1.1:39316}, without the host name part {@link InetSocketAddress#toString()} adds. */
    static String address(java.net.InetSocketAddress a) {
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }

    /** A client id as 16 hex digits. */
    static String clientId(long id) {
        return String.format("%016x", id);
    }

    /** A result in words, e.g. {@code OK (previous: absent)}. */
    static String result(Result r) {
        if (r instanceof Result.Ok) {
            return "OK (previous: " + value(((Result.Ok) r).previous()) + ")";
        } else if (r instanceof Result.Found) {
            return "found " + ((Result.Found) r).value();
        } else if (r instanceof Result.NotFound) {
            return "not found";
        } else if (r instanceof Result.CasFailed) {
            return "cas failed (current: " + value(((Result.CasFailed) r).current()) + ")";
        } else if (r instanceof Result.Appended) {
            return "appended (size " + ((Result.Appended) r).size() + ")";
        } else if (r instanceof Result.WrongType) {
            return "wrong type";
        } else if (r instanceof Result.SessionExpired) {
            return "session expired";
        }
        throw new IllegalStateException("unknown result " + r);
    }
}
