package raftudp.client;

import raftudp.kv.Command;
import raftudp.kv.Result;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The lines the CLI prints for an operation's result, and its exit code. */
final class Outputs {
    private Outputs() {
    }

    /**
     * Prints what {@code result} means for {@code command}: one line on {@code out}.
     *
     * @return {@link ClientMain#EXIT_OK}, or {@link ClientMain#EXIT_REFUSED} when the store refused the change
     */
    static int print(Command command, Result result, RaftClient client, PrintWriter out) {
        out.println(line(command, result) + (command.isWrite() ? leader(client) : ""));
        return ClientMain.exitCode(result);
    }

    /**
     * Prints the answer to a get: {@code KEY = VALUE} as {@link Texts#shown} renders it, or
     * {@code KEY: not found}.
     *
     * @return {@link ClientMain#EXIT_OK}, or {@link ClientMain#EXIT_NOT_FOUND} for a missing key
     */
    static int printGet(Command.Get get, Result result, boolean hex, PrintWriter out) {
        if (result instanceof Result.Found found) {
            out.println(Texts.key(get.key()) + " = " + Texts.shown(found.value(), hex));
            return ClientMain.EXIT_OK;
        }
        out.println(line(get, result));
        return result instanceof Result.NotFound ? ClientMain.EXIT_NOT_FOUND : ClientMain.exitCode(result);
    }

    /**
     * Saves the answer to a get in {@code file}: a bytes value as it is, a string as its
     * UTF-8; prints one line saying so. A missing key, or a value of another type, leaves
     * the file untouched.
     *
     * @return {@link ClientMain#EXIT_OK}; {@link ClientMain#EXIT_NOT_FOUND} for a missing key;
     *         {@link ClientMain#EXIT_REFUSED} for an integer or a list; {@link ClientMain#EXIT_IO}
     *         when the file cannot be written
     */
    static int saveGet(Command.Get get, Result result, Path file, PrintWriter out, PrintWriter err) {
        String key = Texts.key(get.key());
        if (!(result instanceof Result.Found found)) {
            return printGet(get, result, false, out);
        }
        byte[] bytes;
        if (found.value() instanceof raftudp.kv.Value.Bytes b) {
            bytes = b.value();
        } else if (found.value() instanceof raftudp.kv.Value.Str s) {
            bytes = s.value().getBytes(StandardCharsets.UTF_8);
        } else {
            err.println("raft-client: --out saves bytes or a string, and " + key + " holds "
                    + Texts.value(found.value()) + "; " + file + " not written");
            return ClientMain.EXIT_REFUSED;
        }
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            err.println("raft-client: cannot write " + file + ": " + e);
            return ClientMain.EXIT_IO;
        }
        out.println("OK: wrote " + bytes.length + (bytes.length == 1 ? " byte" : " bytes") + " of " + key + " to "
                + file);
        return ClientMain.EXIT_OK;
    }

    /** The line for a result, without the leader. */
    static String line(Command command, Result result) {
        String key = Texts.key(command.key());
        if (result instanceof Result.Found) {
            return key + " = " + ((Result.Found) result).value();
        } else if (result instanceof Result.NotFound) {
            return key + ": not found";
        } else if (result instanceof Result.Appended) {
            long size = ((Result.Appended) result).size();
            return "OK: appended " + ((Command.Append) command).value() + " to " + key + "; " + key + " now holds "
                    + size + (size == 1 ? " value" : " values");
        } else if (result instanceof Result.WrongType) {
            return "REFUSED: " + key + " holds a single value, not a list; nothing changed";
        } else if (result instanceof Result.CasFailed) {
            Command.Cas cas = (Command.Cas) command;
            return "CAS FAILED: " + key + " is " + Texts.value(((Result.CasFailed) result).current()) + ", not "
                    + Texts.value(cas.expected()) + "; nothing changed";
        } else if (result instanceof Result.Ok) {
            return okLine(command, ((Result.Ok) result).previous());
        }
        return key + ": " + Texts.result(result);
    }

    private static String okLine(Command command, raftudp.kv.Value previous) {
        String key = Texts.key(command.key());
        String was = " (previous: " + Texts.value(previous) + ")";
        if (command instanceof Command.Put) {
            return "OK: " + key + " = " + ((Command.Put) command).value() + was;
        } else if (command instanceof Command.Delete) {
            return previous == null ? "OK: " + key + " was already absent" : "OK: deleted " + key + was;
        } else if (command instanceof Command.Cas) {
            return "OK: " + key + " = " + ((Command.Cas) command).update() + was;
        }
        return "OK: " + Texts.command(command) + was;
    }

    private static String leader(RaftClient client) {
        int l = client.leader();
        return l < 0 ? "" : " [leader: node " + l + ", " + Texts.address(client.nodes().get(l)) + "]";
    }
}
