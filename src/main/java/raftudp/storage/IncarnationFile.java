package raftudp.storage;

import raftudp.core.Membership;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The {@code incarnation} file: the random identity of one data directory (see
 * {@link Membership}), drawn when the directory is first opened and never changed. A directory
 * that was wiped and recreated gets another one, which is how its peers tell it from the disk
 * that voted and acknowledged before.
 *
 * <pre>
 * offset size field
 *  0     4    magic 0x52554449 ("RUDI")
 *  4     2    format version (1)
 *  6     2    reserved, 0
 *  8     8    incarnation, 1 .. 2^63 - 1
 * 16     4    CRC32C of bytes 0..15
 * </pre>
 * All fields big-endian.
 */
final class IncarnationFile {
    static final String NAME = "incarnation";
    static final int MAGIC = 0x52554449;
    static final short VERSION = 1;
    static final int SIZE = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private IncarnationFile() {
    }

    /** The directory's incarnation; a new one, written durably, when it has none yet. */
    static long readOrCreate(DiskIo io, Path dir) {
        if (Files.exists(dir.resolve(NAME))) {
            return read(dir);
        }
        long inc = fresh();
        io.writeAtomically(dir, NAME, encode(inc));
        return inc;
    }

    /** A random incarnation, 1 .. 2^63 - 1. */
    static long fresh() {
        return Membership.freshIncarnation(RANDOM::nextLong);
    }

    static ByteBuffer encode(long incarnation) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(incarnation);
        b.putInt(DiskIo.crc32c(b, 0, SIZE - 4, null));
        return b.flip();
    }

    /**
     * Reads and checks the file.
     *
     * @throws StorageException naming the file and the offset of the first bad field
     */
    static long read(Path dir) {
        Path file = dir.resolve(NAME);
        ByteBuffer b = ByteBuffer.wrap(DiskIo.readAll(file, SIZE * 4L));
        if (b.remaining() != SIZE) {
            throw bad(file, Math.min(b.remaining(), SIZE), "size " + b.remaining() + ", expected " + SIZE);
        }
        if (b.getInt(SIZE - 4) != DiskIo.crc32c(b, 0, SIZE - 4, null)) {
            throw bad(file, SIZE - 4, "checksum mismatch");
        }
        if (b.getInt(0) != MAGIC || b.getShort(4) != VERSION || b.getShort(6) != 0) {
            throw bad(file, 0, "unknown magic or version");
        }
        long inc = b.getLong(8);
        if (!Membership.validIncarnation(inc)) {
            throw bad(file, 8, "incarnation " + Long.toUnsignedString(inc) + " is not 1..2^63-1");
        }
        return inc;
    }

    private static StorageException bad(Path file, long offset, String why) {
        return new StorageException("corrupt incarnation file " + file + " at offset " + offset + ": " + why
                + " (this directory's identity is unknown; restore the file from a backup of this directory)");
    }
}
