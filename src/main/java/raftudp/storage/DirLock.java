package raftudp.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive use of a data directory: an OS lock on its {@code LOCK} file, held until
 * {@link #close()} or the death of the process, with the holder's pid written in the file.
 *
 * <p>Directories locked by this JVM are also remembered in a set and refused before the
 * lock file is opened again: on POSIX, closing any descriptor of a file drops every lock
 * the process holds on it, so a second open must not even touch the file.
 */
final class DirLock implements AutoCloseable {
    static final String NAME = "LOCK";
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (which must exist).
     *
     * @throws StorageException if another process or another storage in this JVM holds it
     */
    static DirLock acquire(Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new StorageException("cannot resolve data directory " + dir + ": " + e, e);
        }
        long pid = ProcessHandle.current().pid();
        if (!HELD.add(real)) {
            throw new StorageException("data directory " + real + " is already open in this process (pid "
                    + pid + "); one storage per directory");
        }
        try {
            return lock(real, pid);
        } catch (RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
    }

    private static DirLock lock(Path real, long pid) {
        Path file = real.resolve(NAME);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another channel of this JVM (not opened by us)
            }
            if (lock == null) {
                String holder = holder(file);
                ch.close();
                throw new StorageException("data directory " + real + " is in use by another process" + holder
                        + " (lock file " + file + "); one node per directory");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new DirLock(real, ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StorageException("cannot lock data directory " + real + ": " + e, e);
        }
    }

    /** " (pid N)" from the lock file, or "" if it names none. */
    private static String holder(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return s.matches("\\d{1,19}") ? " (pid " + s + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot release the lock on " + dir + ": " + e, e);
        } finally {
            HELD.remove(dir);
        }
    }
}
