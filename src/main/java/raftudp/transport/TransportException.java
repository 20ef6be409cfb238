package raftudp.transport;

/** A transport could not start; the message says why and what to do about it. */
public class TransportException extends Exception {
    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
