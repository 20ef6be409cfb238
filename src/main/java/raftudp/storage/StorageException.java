package raftudp.storage;

/** Storage failed (I/O error or corruption that cannot be repaired): the node must stop. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
