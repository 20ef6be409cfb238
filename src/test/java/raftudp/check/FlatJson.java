package raftudp.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict reader of flat JSON objects, and the quoting half of a writer.
 *
 * <p>It reads exactly one object whose values are strings, numbers, booleans, {@code null} or
 * arrays of strings; anything else (nested objects, arrays of non-strings, duplicate names,
 * trailing text, unescaped control characters, bad escapes) is refused with a
 * {@link ParseException} giving the offset. Values map to {@link String}, {@link Long}
 * (integers; one that does not fit is refused), {@link Double} (numbers with a fraction or
 * exponent), {@link Boolean}, {@code null} and an unmodifiable {@code List<String>}.
 *
 * <p>Stateless; each call works on its own data.
 */
public final class FlatJson {

    /** The text is not a flat JSON object. */
    public static final class ParseException extends Exception {
        private final int offset;

        ParseException(String message, int offset) {
            super(message + " at offset " + offset);
            this.offset = offset;
        }

        /** Index of the character where reading failed. */
        public int offset() {
            return offset;
        }
    }

    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * Parses {@code text} as one flat object.
     *
     * @return the members in the order they appear; a JSON {@code null} is a present key
     *         mapped to {@code null}
     */
    public static Map<String, Object> parseObject(String text) throws ParseException {
        FlatJson p = new FlatJson(text);
        Map<String, Object> out = p.object();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("trailing text after the object");
        }
        return out;
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        return raftudp.wire.JsonText.quote(s);
    }

    private Map<String, Object> object() throws ParseException {
        skipSpace();
        expect('{');
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            int nameAt = pos;
            String name = string();
            if (out.containsKey(name)) {
                throw new ParseException("duplicate member \"" + name + "\"", nameAt);
            }
            skipSpace();
            expect(':');
            skipSpace();
            out.put(name, value());
            skipSpace();
            char c = next("',' or '}'");
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new ParseException("expected ',' or '}' but found '" + c + "'", pos - 1);
            }
        }
    }

    private Object value() throws ParseException {
        char c = peek();
        if (c == '"') {
            return string();
        } else if (c == '[') {
            return stringArray();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        } else if (text.startsWith("true", pos)) {
            pos += 4;
            return Boolean.TRUE;
        } else if (text.startsWith("false", pos)) {
            pos += 5;
            return Boolean.FALSE;
        } else if (text.startsWith("null", pos)) {
            pos += 4;
            return null;
        } else if (c == '{') {
            throw error("nested objects are not supported");
        }
        throw error("expected a value");
    }

    private List<String> stringArray() throws ParseException {
        expect('[');
        List<String> out = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("arrays may hold strings only");
            }
            out.add(string());
            skipSpace();
            char c = next("',' or ']'");
            if (c == ']') {
                return Collections.unmodifiableList(out);
            }
            if (c != ',') {
                throw new ParseException("expected ',' or ']' but found '" + c + "'", pos - 1);
            }
        }
    }

    private Object number() throws ParseException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        String literal = text.substring(start, pos);
        if (!integral) {
            return Double.parseDouble(literal);
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            throw new ParseException("integer " + literal + " does not fit in 64 bits", start);
        }
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private String string() throws ParseException {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next("a closing '\"'");
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new ParseException("unescaped control character in a string", pos - 1);
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next("an escape");
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(unicodeEscape());
                default -> throw new ParseException("bad escape '\\" + e + "'", pos - 2);
            }
        }
    }

    private char unicodeEscape() throws ParseException {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw error("bad hex digit in \\u escape");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next(String expected) throws ParseException {
        if (pos >= text.length()) {
            throw error("end of text, expected " + expected);
        }
        return text.charAt(pos++);
    }

    private void expect(char c) throws ParseException {
        if (peek() != c || pos >= text.length()) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private ParseException error(String message) {
        return new ParseException(message, pos);
    }
}
