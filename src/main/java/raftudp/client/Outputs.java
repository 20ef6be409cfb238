package raftudp.client;

import raftudp.kv.Command;
import raftudp.kv.Result;

import java.io.PrintWriter;

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
