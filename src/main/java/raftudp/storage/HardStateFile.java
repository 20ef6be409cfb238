package raftudp.storage;

import raftudp.core.HardState;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code hardstate} file: one fixed-size record, replaced atomically.
 *
 * <pre>
 * offset size field
 *  0     4    magic 0x52554448 ("RUDH")
 *  4     2    format version (1)
 *  6     2    reserved, 0
 *  8     8    term
 * 16     4    votedFor (-1: none)
 * 20     8    commit index
 * 28     4    CRC32C of bytes 0..27
 * </pre>
 * All fields big-endian.
 */
final class HardStateFile {
    static final String NAME = "hardstate";
    static final int MAGIC = 0x52554448;
    static final short VERSION = 1;
    static final int SIZE = 32;

    private HardStateFile() {
    }

    static ByteBuffer encode(HardState hs) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0)
                .putLong(hs.term()).putInt(hs.votedFor()).putLong(hs.commit());
        b.putInt(DiskIo.crc32c(b, 0, SIZE - 4, null));
        return b.flip();
    }

    /** Writes {@code hs} atomically (temp file, fsync, rename, fsync dir). */
    static void write(DiskIo io, Path dir, HardState hs) {
        io.writeAtomically(dir, NAME, encode(hs));
    }

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(NAME));
    }

    /**
     * Reads and checks the hard state.
     *
     * @throws StorageException naming the file and the offset of the first bad field
     */
    static HardState read(Path dir) {
        Path file = dir.resolve(NAME);
        ByteBuffer b = ByteBuffer.wrap(DiskIo.readAll(file, SIZE * 4L));
        if (b.remaining() != SIZE) {
            throw bad(file, Math.min(b.remaining(), SIZE), "size " + b.remaining() + ", expected " + SIZE);
        }
        int crc = DiskIo.crc32c(b, 0, SIZE - 4, null);
        if (b.getInt(SIZE - 4) != crc) {
            throw bad(file, SIZE - 4, "checksum mismatch");
        }
        if (b.getInt(0) != MAGIC || b.getShort(4) != VERSION || b.getShort(6) != 0) {
            throw bad(file, 0, "unknown magic or version");
        }
        try {
            return new HardState(b.getLong(8), b.getInt(16), b.getLong(20));
        } catch (IllegalArgumentException e) {
            throw bad(file, 8, e.getMessage());
        }
    }

    private static StorageException bad(Path file, long offset, String why) {
        return new StorageException("corrupt hard state " + file + " at offset " + offset + ": " + why
                + " (the term and vote cannot be trusted; restore the file or wipe the node)");
    }
}
