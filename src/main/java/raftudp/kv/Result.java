package raftudp.kv;

/** The answer of the state machine to one {@link Command}. */
public sealed interface Result
        permits Result.Ok, Result.Found, Result.NotFound, Result.CasFailed, Result.Appended,
                Result.WrongType, Result.SessionExpired {

    /** A put, delete or successful cas; {@code previous} is null when the key was absent. */
    record Ok(Value previous) implements Result {
    }

    /** A get that found a value. */
    record Found(Value value) implements Result {
    }

    /** A get on an absent key. */
    record NotFound() implements Result {
    }

    /** A cas whose expectation did not hold; {@code current} is null when absent. */
    record CasFailed(Value current) implements Result {
    }

    /** An append; {@code size} is the list's length after it. */
    record Appended(long size) implements Result {
    }

    /** An append onto a key that holds a scalar; nothing changed. */
    record WrongType() implements Result {
    }

    /**
     * The request's session is unknown or older than the session's last request, so it may
     * already have been applied: nothing was applied now and the client must not retry it
     * blindly.
     */
    record SessionExpired() implements Result {
    }
}
