package raftudp.client;

import java.util.Locale;

/**
 * How a command-line value is typed (see {@link ValueParser}): guessed from its text, or
 * forced with {@code --type}.
 */
public enum ValueType {
    /** Guess: {@code @file} and {@code 0x…}/{@code hex:…} are bytes, integers are ints, the rest strings. */
    AUTO,
    /** A signed 64-bit integer. */
    INT,
    /** The text itself, as a UTF-8 string, without interpreting any prefix. */
    STRING,
    /** Bytes: hex digits (optionally after {@code 0x} or {@code hex:}) or {@code @file}. */
    BYTES;

    /**
     * The type named {@code name}: {@code auto}, {@code int}, {@code string} (or {@code str})
     * or {@code bytes}, in any case.
     *
     * @throws IllegalArgumentException naming the accepted words
     */
    public static ValueType parse(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "auto":
                return AUTO;
            case "int":
            case "integer":
                return INT;
            case "string":
            case "str":
                return STRING;
            case "bytes":
            case "hex":
                return BYTES;
            default:
                throw new IllegalArgumentException("unknown value type '" + name + "': use int, string, bytes or auto");
        }
    }
}
