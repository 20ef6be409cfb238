package raftudp.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The bytes of a snapshot, opaque to the core: the core only measures them, reads ranges of
 * them (to send chunks) and checksums them. Where they live is the runtime's business: in
 * memory ({@link #of(byte[])}), or in a file the storage maps (so that a node's heap never
 * holds a second copy of its state). Immutable once handed to the core.
 */
public interface SnapshotData {
    /** Length in bytes. */
    long size();

    /**
     * A copy of {@code length} bytes from {@code offset}.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the data
     */
    byte[] read(long offset, int length);

    /** CRC32C of every byte (0 .. 2^32 - 1), what SnapshotChunks carry. Implementations may cache it. */
    long checksum();

    /** In-memory data; {@code bytes} is not copied: do not mutate it. */
    static SnapshotData of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** Every byte, in a new array (small snapshots, tests; at most 2^31 - 9 bytes). */
    default byte[] toByteArray() {
        if (size() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("snapshot of " + size() + " bytes does not fit in one array");
        }
        return read(0, (int) size());
    }

    /** CRC32C of {@code data}, read in pieces of at most 1 MiB. */
    static long checksumOf(SnapshotData data) {
        CRC32C crc = new CRC32C();
        long size = data.size();
        for (long off = 0; off < size; ) {
            int n = (int) Math.min(1 << 20, size - off);
            crc.update(data.read(off, n));
            off += n;
        }
        return crc.getValue();
    }

    /** Snapshot bytes held in an array. */
    final class Bytes implements SnapshotData {
        private final byte[] bytes;
        private long checksum = -1;

        Bytes(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public byte[] read(long offset, int length) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
        }

        @Override
        public byte[] toByteArray() {
            return bytes.clone();
        }

        /** The array itself, not a copy. */
        public byte[] array() {
            return bytes;
        }

        @Override
        public long checksum() {
            if (checksum < 0) {
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                checksum = crc.getValue();
            }
            return checksum;
        }
    }
}
