package raftudp.kv;

/** Commands as one line of text, for people: the client's messages and {@code raft-node log}. */
public final class CommandText {
    private CommandText() {
    }

    /** A short description of a command, e.g. {@code put k = 1}, {@code append "x" to log}. */
    public static String of(Command c) {
        if (c instanceof Command.Put p) {
            return "put " + key(p.key()) + " = " + value(p.value());
        } else if (c instanceof Command.Get) {
            return "get " + key(c.key());
        } else if (c instanceof Command.Delete) {
            return "delete " + key(c.key());
        } else if (c instanceof Command.Cas x) {
            return "cas " + key(x.key()) + " " + value(x.expected()) + " -> " + value(x.update());
        } else if (c instanceof Command.Append a) {
            return "append " + value(a.value()) + " to " + key(a.key());
        }
        throw new IllegalStateException("unknown command " + c);
    }

    /** A key, quoted when it holds spaces or is empty. */
    public static String key(String k) {
        return k.isEmpty() || k.chars().anyMatch(Character::isWhitespace) ? '"' + k + '"' : k;
    }

    /** A value, or "absent" for null (long bytes values are shortened by their own toString). */
    public static String value(Value v) {
        return v == null ? "absent" : v.toString();
    }
}
