package raftudp.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The file operations of one {@link FileStorage}, counting fsyncs and bytes written.
 * "Structural" fsyncs (making a rename, deletion, truncation or new file durable) happen
 * unless the policy is {@link FsyncPolicy#NEVER}. Errors become {@link StorageException}s
 * naming the file.
 */
final class DiskIo {
    private final boolean durable;
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    DiskIo(FsyncPolicy policy) {
        this.durable = policy != FsyncPolicy.NEVER;
    }

    /** False under {@link FsyncPolicy#NEVER}: nothing is ever forced. */
    boolean durable() {
        return durable;
    }

    long fsyncs() {
        return fsyncs.get();
    }

    long bytesWritten() {
        return bytesWritten.get();
    }

    /** fdatasync of {@code ch} (data and the size; not the mtime), when durable. */
    void force(FileChannel ch, Path file) {
        if (!durable) {
            return;
        }
        try {
            ch.force(false);
            fsyncs.incrementAndGet();
        } catch (IOException e) {
            throw new StorageException("fsync failed on " + file + ": " + e, e);
        }
    }

    /** fsync of a directory, making creations, renames and deletions in it durable. */
    void fsyncDir(Path dir) {
        if (!durable) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
            fsyncs.incrementAndGet();
        } catch (IOException e) {
            throw new StorageException("fsync failed on directory " + dir + ": " + e, e);
        }
    }

    /** Writes all of {@code buf} at {@code position}. */
    void write(FileChannel ch, Path file, ByteBuffer buf, long position) {
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                int n = ch.write(buf, pos);
                pos += n;
                bytesWritten.addAndGet(n);
            }
        } catch (IOException e) {
            throw new StorageException("write failed on " + file + " at offset " + position + ": " + e, e);
        }
    }

    /**
     * Replaces {@code dir/name} atomically: writes {@code dir/name.tmp}, fsyncs it, renames
     * it over {@code name}, fsyncs {@code dir}. A crash leaves the old file or the new one,
     * never a mix (a leftover {@code .tmp} is deleted at the next open).
     */
    void writeAtomically(Path dir, String name, ByteBuffer... parts) {
        Path tmp = dir.resolve(name + ".tmp");
        Path target = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            for (ByteBuffer part : parts) {
                int n = part.remaining();
                write(ch, tmp, part, pos);
                pos += n;
            }
            force(ch, tmp);
        } catch (IOException e) {
            throw new StorageException("cannot write " + tmp + ": " + e, e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("cannot rename " + tmp + " to " + target + ": " + e, e);
        }
        fsyncDir(dir);
    }

    /** Deletes {@code file} if present (not durable until {@link #fsyncDir}). */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file + ": " + e, e);
        }
    }

    /** The whole content of a (bounded) file. */
    static byte[] readAll(Path file, long bytesMax) {
        try {
            long size = Files.size(file);
            if (size > bytesMax) {
                throw new StorageException(file + " is " + size + " bytes, more than the " + bytesMax
                        + " it may hold");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e, e);
        }
    }

    /** CRC32C of {@code len} bytes of {@code buf} from {@code off}, then of {@code more}. */
    static int crc32c(ByteBuffer buf, int off, int len, ByteBuffer more) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(off + len).position(off));
        if (more != null) {
            crc.update(more.duplicate());
        }
        return (int) crc.getValue();
    }
}
