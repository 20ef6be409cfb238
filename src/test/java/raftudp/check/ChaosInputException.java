package raftudp.check;

/**
 * The input of {@link ChaosCheck} is unusable: a history or events file that does not parse
 * or contradicts itself, a state directory that cannot be read. The message names the file
 * and line (or directory) and what is wrong; the checker exits with status 2.
 */
public final class ChaosInputException extends RuntimeException {

    /** @param message names the file, line and problem */
    public ChaosInputException(String message) {
        super(message);
    }

    /** @param message names the file, line and problem */
    public ChaosInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
