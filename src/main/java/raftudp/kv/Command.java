package raftudp.kv;

import java.util.Objects;

/**
 * An operation on the key-value store. Keys are non-empty UTF-8 strings of at most
 * {@link #KEY_BYTES_MAX} bytes.
 */
public sealed interface Command
        permits Command.Put, Command.Get, Command.Delete, Command.Cas, Command.Append {

    /** Longest key, in UTF-8 bytes. */
    int KEY_BYTES_MAX = 1024;

    String key();

    /** True for operations that change state (they go through the log). */
    default boolean isWrite() {
        return !(this instanceof Get);
    }

    /** Stores {@code value} under {@code key}; answers {@link Result.Ok} with the previous value. */
    record Put(String key, Value value) implements Command {
        public Put {
            checkKey(key);
            Objects.requireNonNull(value, "value");
            if (value instanceof Value.ListValue) {
                throw new IllegalArgumentException("put takes a scalar; use append to build a list");
            }
        }
    }

    /** Reads {@code key}; answers {@link Result.Found} or {@link Result.NotFound}. */
    record Get(String key) implements Command {
        public Get {
            checkKey(key);
        }
    }

    /** Removes {@code key}; answers {@link Result.Ok} with the previous value (null if absent). */
    record Delete(String key) implements Command {
        public Delete {
            checkKey(key);
        }
    }

    /**
     * Compare-and-set: when the current value equals {@code expected} ({@code null} means
     * "absent"), stores {@code update} and answers {@link Result.Ok}; otherwise answers
     * {@link Result.CasFailed} with the current value.
     */
    record Cas(String key, Value expected, Value update) implements Command {
        public Cas {
            checkKey(key);
            Objects.requireNonNull(update, "update");
            if (update instanceof Value.ListValue) {
                throw new IllegalArgumentException("cas stores a scalar");
            }
        }
    }

    /**
     * Appends a scalar to the list under {@code key}, creating the list when absent;
     * answers {@link Result.Appended} with the new length, or {@link Result.WrongType}
     * when the key holds a scalar.
     */
    record Append(String key, Value value) implements Command {
        public Append {
            checkKey(key);
            Objects.requireNonNull(value, "value");
            if (value instanceof Value.ListValue) {
                throw new IllegalArgumentException("append takes a scalar");
            }
        }
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        int n = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (n == 0 || n > KEY_BYTES_MAX) {
            throw new IllegalArgumentException("key must be 1.." + KEY_BYTES_MAX + " UTF-8 bytes, got " + n);
        }
    }
}
