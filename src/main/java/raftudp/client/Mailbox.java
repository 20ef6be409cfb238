package raftudp.client;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands answers from the transport's thread to the one caller waiting for them. Bounded:
 * when full, further answers are refused (they can only be duplicates of what is queued).
 */
final class Mailbox {
    private static final RaftClient.Answer CLOSED = new RaftClient.Answer(-1, null, null);

    private final BlockingQueue<RaftClient.Answer> queue;
    /** When the last chunk of a multi-datagram answer to this mailbox's request arrived; valid once one has. */
    private volatile long lastChunkNanos;
    private volatile boolean chunksArrived;

    Mailbox(int capacity) {
        queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Queues an answer; false when the mailbox is full. Never blocks. */
    boolean offer(RaftClient.Answer answer) {
        return queue.offer(answer);
    }

    /** Notes that a chunk of a multi-datagram answer arrived (the answer is on its way). */
    void chunkArrived() {
        lastChunkNanos = System.nanoTime();
        chunksArrived = true;
    }

    boolean chunksArrived() {
        return chunksArrived;
    }

    /** {@link System#nanoTime()} of the last {@link #chunkArrived()}. */
    long lastChunkNanos() {
        return lastChunkNanos;
    }

    /** Wakes the waiting caller with {@link RaftClientException.Kind#CLOSED}. */
    void close() {
        queue.clear();
        queue.offer(CLOSED);
    }

    /**
     * The next answer, waiting until {@code untilNanos} ({@link System#nanoTime()} time).
     *
     * @return the answer, or null when none came in time
     * @throws RaftClientException CLOSED when the client closed, INTERRUPTED when the thread was interrupted
     */
    RaftClient.Answer poll(long untilNanos) throws RaftClientException {
        try {
            RaftClient.Answer a = queue.poll(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == CLOSED) {
                queue.offer(CLOSED);
                throw new RaftClientException(RaftClientException.Kind.CLOSED,
                        "the client was closed while waiting for an answer");
            }
            return a;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RaftClientException(RaftClientException.Kind.INTERRUPTED, "interrupted while waiting for an answer");
        }
    }
}
