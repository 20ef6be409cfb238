package raftudp.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builders of history and events files for the chaos checker's tests. Times are given in milliseconds. */
final class ChaosCheckFixtures {
    static final long MS = 1_000_000L;

    private ChaosCheckFixtures() {
    }

    /** The lines of one history file, as {@code raft-client workload} writes them. */
    static final class History {
        private final List<String> lines = new ArrayList<>();

        /** An append answered ok with length {@code n}. */
        History append(String process, int client, int op, String key, String value, long t0, long t1, long n) {
            return append(process, client, op, key, value, t0, t1, "ok", "\"result\":" + n);
        }

        /** An append with outcome {@code type} (ok/fail/unknown) and extra members, e.g. {@code "error":"x"}. */
        History append(String process, int client, int op, String key, String value, long t0, long t1,
                       String type, String extra) {
            String common = common(process, client, op) + ",\"f\":\"append\",\"key\":" + FlatJson.quote(key)
                    + ",\"value\":" + FlatJson.quote(value);
            lines.add("{\"type\":\"invoke\"," + common + ",\"t\":" + t0 * MS + "}");
            lines.add("{\"type\":\"" + type + "\"," + common + ",\"t\":" + t1 * MS
                    + (extra.isEmpty() ? "" : "," + extra) + "}");
            return this;
        }

        /** An append whose invoke was written but no completion (the process died). */
        History appendNoCompletion(String process, int client, int op, String key, String value, long t0) {
            lines.add("{\"type\":\"invoke\"," + common(process, client, op) + ",\"f\":\"append\",\"key\":"
                    + FlatJson.quote(key) + ",\"value\":" + FlatJson.quote(value) + ",\"t\":" + t0 * MS + "}");
            return this;
        }

        /** An ok get that returned {@code values} (null: not found). */
        History get(String process, int client, int op, String key, long t0, long t1, List<String> values) {
            return get(process, client, op, key, t0, t1, values, false);
        }

        /** An ok final get that returned {@code values}. */
        History finalGet(String process, int client, int op, String key, long t0, long t1, List<String> values) {
            return get(process, client, op, key, t0, t1, values, true);
        }

        private History get(String process, int client, int op, String key, long t0, long t1, List<String> values,
                            boolean isFinal) {
            String common = common(process, client, op) + ",\"f\":\"get\",\"key\":" + FlatJson.quote(key);
            String result = values == null ? "null"
                    : values.stream().map(FlatJson::quote).collect(Collectors.joining(",", "[", "]"));
            String fin = isFinal ? ",\"final\":true" : "";
            lines.add("{\"type\":\"invoke\"," + common + ",\"t\":" + t0 * MS + fin + "}");
            lines.add("{\"type\":\"ok\"," + common + ",\"t\":" + t1 * MS + ",\"result\":" + result + fin + "}");
            return this;
        }

        /** A raw line, as is. */
        History line(String raw) {
            lines.add(raw);
            return this;
        }

        /** The file's text: the lines, each ending with a newline. */
        String text() {
            return String.join("\n", lines) + "\n";
        }

        /** Writes the lines, each ending with a newline. */
        Path write(Path file) {
            return ChaosCheckFixtures.write(file, text());
        }

        /** Writes and reads back the operations. */
        List<ChaosHistory.ClientOp> ops(Path dir) {
            return ChaosHistory.read(List.of(write(dir.resolve("history-" + System.identityHashCode(this) + ".jsonl"))),
                    new ArrayList<>());
        }
    }

    private static String common(String process, int client, int op) {
        return "\"process\":" + FlatJson.quote(process) + ",\"client\":" + client + ",\"op\":" + op;
    }

    /** A fault window line pair. */
    static List<String> fault(long id, String kind, long startMs, long endMs) {
        return List.of(
                "{\"t\":" + startMs * MS + ",\"kind\":\"" + kind + "\",\"phase\":\"start\",\"id\":" + id
                        + ",\"detail\":\"" + kind + " " + id + "\"}",
                "{\"t\":" + endMs * MS + ",\"kind\":\"" + kind + "\",\"phase\":\"end\",\"id\":" + id
                        + ",\"detail\":\"healed\"}");
    }

    static String leader(long ms, String leader, long term) {
        return "{\"t\":" + ms * MS + ",\"kind\":\"leader\",\"leader\":"
                + (leader == null ? "null" : FlatJson.quote(leader)) + ",\"term\":" + term + "}";
    }

    static String phase(long ms, String detail) {
        return "{\"t\":" + ms * MS + ",\"kind\":\"phase\",\"detail\":" + FlatJson.quote(detail) + "}";
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeLines(Path file, List<String> lines) {
        return write(file, String.join("\n", lines) + "\n");
    }
}
