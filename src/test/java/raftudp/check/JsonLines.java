package raftudp.check;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a file of JSON lines (one flat object per line, UTF-8) with {@link FlatJson}.
 *
 * <p>A line that is not valid UTF-8 or not a flat object is an input error naming the file
 * and line, except the last line of a file that does not end with a newline: a process
 * killed while writing leaves such a truncated line, so it is dropped with a warning. Blank
 * lines are skipped.
 */
public final class JsonLines {

    /**
     * One object read from a file.
     *
     * @param file   where it was read
     * @param number its line number, from 1
     * @param fields its members
     */
    public record Line(Path file, int number, Map<String, Object> fields) {
        /** "file:line", for messages. */
        public String where() {
            return file + ":" + number;
        }
    }

    private JsonLines() {
    }

    /**
     * Reads every object of {@code file}.
     *
     * @param warnings receives a message for a dropped truncated last line
     * @throws ChaosInputException when the file cannot be read or a line is invalid
     */
    public static List<Line> read(Path file, List<String> warnings) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ChaosInputException("cannot read " + file + ": " + e, e);
        }
        List<Line> out = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < bytes.length) {
            number++;
            int end = indexOf(bytes, (byte) '\n', start);
            boolean unterminated = end < 0;
            int stop = unterminated ? bytes.length : end;
            try {
                String text = decode(bytes, start, stop);
                if (!text.isBlank()) {
                    out.add(new Line(file, number, FlatJson.parseObject(text)));
                }
            } catch (CharacterCodingException | FlatJson.ParseException e) {
                String why = e instanceof FlatJson.ParseException ? e.getMessage() : "not valid UTF-8";
                if (!unterminated) {
                    throw new ChaosInputException(file + ":" + number + ": invalid line: " + why);
                }
                warnings.add(file + ":" + number + ": ignored the truncated last line (no newline at the end): " + why);
            }
            start = unterminated ? bytes.length : end + 1;
        }
        return out;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(byte[] bytes, int from, int to) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, from, to - from))
                .toString();
    }

    /** The string member {@code name}; input error when absent or not a string. */
    public static String string(Line line, String name) {
        Object v = line.fields().get(name);
        if (!(v instanceof String s)) {
            throw new ChaosInputException(line.where() + ": \"" + name + "\" must be a string, got " + describe(line, name));
        }
        return s;
    }

    /** The string member {@code name}, or null when absent or JSON null; input error otherwise. */
    public static String optionalString(Line line, String name) {
        Object v = line.fields().get(name);
        if (v != null && !(v instanceof String)) {
            throw new ChaosInputException(line.where() + ": \"" + name + "\" must be a string or null, got " + v);
        }
        return (String) v;
    }

    /** The integer member {@code name}; input error when absent or not an integer. */
    public static long integer(Line line, String name) {
        Object v = line.fields().get(name);
        if (!(v instanceof Long n)) {
            throw new ChaosInputException(line.where() + ": \"" + name + "\" must be an integer, got " + describe(line, name));
        }
        return n;
    }

    private static String describe(Line line, String name) {
        return line.fields().containsKey(name) ? String.valueOf(line.fields().get(name)) : "nothing (missing)";
    }
}
