package raftudp.wire;

/**
 * A message mapped onto the wire: the header fields shared by all its chunks, and its
 * whole body (before chunking).
 */
record Frame(MessageType type, int flags, int source, int destination, long term, long indexA, long indexB,
             long logTerm, long commitIndex, byte[] body) {

    static final byte[] NO_BODY = new byte[0];

    /** This frame with other flags. */
    Frame withFlags(int newFlags) {
        return new Frame(type, newFlags, source, destination, term, indexA, indexB, logTerm, commitIndex, body);
    }

    /** This frame with another {@code log_term} (a keyed ClientRequest's issue time, §10.5). */
    Frame withLogTerm(long value) {
        return new Frame(type, flags, source, destination, term, indexA, indexB, value, commitIndex, body);
    }

    /** The header of chunk {@code index} of {@code count} carrying {@code length} body bytes. */
    RaftHeader header(int messageId, int index, int count, int length) {
        return new RaftHeader(RaftHeader.MAGIC, RaftHeader.VERSION, type.code(), flags, 0, source, destination,
                index, count, messageId, length, term, indexA, indexB, logTerm, commitIndex);
    }
}
