package raftudp.core;

/**
 * Where a follower puts the chunks of a snapshot it receives (§7), in order. The runtime
 * decides where that is: {@link #MEMORY} for tests and the simulator, a file for a node
 * (docs/storage.md), so that a snapshot as large as the state never sits on the heap twice.
 */
public interface SnapshotSink {
    /** Appends {@code chunk} (the chunks of one image, from offset 0 on, in order). */
    void write(byte[] chunk);

    /** All {@code size} bytes were written: the image, to hand to the state machine's check. */
    SnapshotData finish();

    /** The transfer is given up: forget what was written. */
    void abort();

    /** Opens a sink for one incoming image. */
    @FunctionalInterface
    interface Factory {
        SnapshotSink open(long index, long term, long size);
    }

    /** Sinks that collect the image in an array. */
    Factory MEMORY = (index, term, size) -> new SnapshotSink() {
        private byte[] buffer = new byte[Math.toIntExact(size)];
        private int written;

        @Override
        public void write(byte[] chunk) {
            System.arraycopy(chunk, 0, buffer, written, chunk.length);
            written += chunk.length;
        }

        @Override
        public SnapshotData finish() {
            if (written != buffer.length) {
                throw new IllegalStateException("snapshot sink finished at " + written + " of " + buffer.length + " bytes");
            }
            SnapshotData d = SnapshotData.of(buffer);
            buffer = null;
            return d;
        }

        @Override
        public void abort() {
            buffer = null;
        }
    };
}
