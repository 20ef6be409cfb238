package raftudp.client;

import raftudp.kv.Value;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns a command-line word into a typed {@link Value}. Every word is a value: {@code 0},
 * {@code ""} and {@code 0x} (empty bytes) are ordinary values.
 *
 * <p>With {@link ValueType#AUTO}, in this order:
 * <ul>
 *   <li>{@code @PATH}: the bytes of the file at PATH (at most {@link #FILE_BYTES_MAX});</li>
 *   <li>{@code hex:DIGITS} or {@code 0xDIGITS}: bytes, two hex digits each (0x with no digits: empty bytes);</li>
 *   <li>{@code int:N}: the integer N; {@code str:TEXT}: the string TEXT (so {@code str:42} is a string);</li>
 *   <li>an optional minus sign and decimal digits: a 64-bit integer (one that does not fit is an error,
 *       not silently a string);</li>
 *   <li>anything else, the empty word included: the string itself.</li>
 * </ul>
 * A forced type reads the word as that type only ({@link ValueType#STRING} takes it
 * literally, prefixes included). Errors are {@link IllegalArgumentException}s whose
 * message says what is wrong with which word.
 */
public final class ValueParser {
    /** Largest file a {@code @PATH} value may name, in bytes. */
    public static final int FILE_BYTES_MAX = 16 << 20;

    private ValueParser() {
    }

    /**
     * @param text the word as given on the command line
     * @param type how to type it
     * @return the value
     * @throws IllegalArgumentException when the word is not a value of that type
     */
    public static Value parse(String text, ValueType type) {
        switch (type) {
            case INT:
                return new Value.Int(parseLong(text, text));
            case STRING:
                return new Value.Str(text);
            case BYTES:
                return new Value.Bytes(parseBytes(text));
            case AUTO:
                return guess(text);
            default:
                throw new IllegalStateException("unknown type " + type);
        }
    }

    private static Value guess(String text) {
        if (text.startsWith("@") || hasHexPrefix(text)) {
            return new Value.Bytes(parseBytes(text));
        }
        if (text.startsWith("int:")) {
            return new Value.Int(parseLong(text.substring(4), text));
        }
        if (text.startsWith("str:")) {
            return new Value.Str(text.substring(4));
        }
        if (looksNumeric(text)) {
            return new Value.Int(parseLong(text, text));
        }
        return new Value.Str(text);
    }

    /** Bytes from {@code @PATH}, {@code hex:…}, {@code 0x…} or bare hex digits. */
    private static byte[] parseBytes(String text) {
        if (text.startsWith("@")) {
            return readFile(text.substring(1));
        }
        String digits = text;
        if (text.startsWith("hex:")) {
            digits = text.substring(4);
        } else if (text.startsWith("0x") || text.startsWith("0X")) {
            digits = text.substring(2);
        }
        return parseHex(digits, text);
    }

    private static boolean hasHexPrefix(String text) {
        return text.startsWith("hex:") || text.startsWith("0x") || text.startsWith("0X");
    }

    private static boolean looksNumeric(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static long parseLong(String digits, String word) {
        if (!looksNumeric(digits)) {
            throw new IllegalArgumentException("'" + word + "' is not an integer (expected an optional '-' and decimal digits)");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + word + "' does not fit in a 64-bit integer ("
                    + Long.MIN_VALUE + " .. " + Long.MAX_VALUE + "); use --type string or str:" + digits
                    + " to store it as text");
        }
    }

    /**
     * Hex digits to bytes.
     *
     * @param digits the digits, two per byte, either case
     * @param word   the whole word, for error messages
     */
    static byte[] parseHex(String digits, String word) {
        int offset = word.length() - digits.length();
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("bad hex value '" + word + "': '" + digits.charAt(i)
                        + "' at position " + (offset + i + 1) + " is not a hex digit");
            }
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("bad hex value '" + word + "': odd number of hex digits ("
                    + digits.length() + "); each byte takes two");
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < digits.length(); i++) {
            out[i / 2] = (byte) (out[i / 2] << 4 | Character.digit(digits.charAt(i), 16));
        }
        return out;
    }

    private static byte[] readFile(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'@' must be followed by a file name, e.g. @payload.bin");
        }
        Path path = Path.of(name);
        try {
            long size = Files.size(path);
            if (size > FILE_BYTES_MAX) {
                throw new IllegalArgumentException("file " + name + " has " + size + " bytes; a value holds at most "
                        + FILE_BYTES_MAX);
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read value file " + name + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read value file " + name + ": " + e);
        }
    }
}
