package raftudp.core;

/**
 * Thrown by a runtime that finds {@link Raft#dataLost()} set: this node's data directory is
 * not the one it joined the cluster with, so it stops rather than vote or acknowledge again.
 * The message says what showed it and what to do.
 */
public final class DataLostException extends RuntimeException {
    public DataLostException(String message) {
        super(message);
    }
}
