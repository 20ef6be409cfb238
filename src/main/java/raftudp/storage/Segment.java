package raftudp.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One log segment file and the in-memory index of its records (their offsets). Only the
 * active (last) segment keeps a channel open.
 */
final class Segment {
    final Path file;
    final long firstIndex;
    private long[] offsets;
    private int count;
    /** Bytes in the file (header included): where the next record goes. */
    long size;
    /** Term of the last record (or of the record before this segment, if empty). */
    long lastTerm;
    /** Written since the last fsync. */
    boolean dirty;
    private FileChannel channel;

    Segment(Path file, long firstIndex, long[] offsets, int count, long size, long lastTerm) {
        this.file = file;
        this.firstIndex = firstIndex;
        this.offsets = offsets.length == 0 ? new long[16] : offsets;
        this.count = count;
        this.size = size;
        this.lastTerm = lastTerm;
    }

    int count() {
        return count;
    }

    /** Index of the last record; {@code firstIndex - 1} when empty. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    boolean contains(long index) {
        return index >= firstIndex && index <= lastIndex();
    }

    long offsetOf(long index) {
        if (!contains(index)) {
            throw new IllegalStateException(file + " does not hold index " + index);
        }
        return offsets[(int) (index - firstIndex)];
    }

    /** Byte offset where the record at {@code index} ends. */
    long endOf(long index) {
        return index == lastIndex() ? size : offsetOf(index + 1);
    }

    void add(long offset, long term) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = offset;
        lastTerm = term;
    }

    /** Forgets records from {@code index} on (the file is cut separately). */
    void forgetFrom(long index, long termBefore) {
        long off = offsetOf(index);
        count = (int) (index - firstIndex);
        size = off;
        lastTerm = termBefore;
    }

    FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    boolean isOpen() {
        return channel != null;
    }

    /** Reads bytes {@code [from, to)} of the file. */
    ByteBuffer read(long from, long to) throws IOException {
        if (to - from > Integer.MAX_VALUE - 64) {
            throw new StorageException(file + ": range " + from + ".." + to + " is too large to read");
        }
        ByteBuffer b = ByteBuffer.allocate((int) (to - from));
        if (channel != null) {
            readFully(channel, b, from);
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                readFully(ch, b, from);
            }
        }
        return b.flip();
    }

    private void readFully(FileChannel ch, ByteBuffer b, long from) throws IOException {
        long pos = from;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new StorageException(file + " ends at " + pos + " but its index says " + (from + b.limit()));
            }
            pos += n;
        }
    }

    void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new StorageException("cannot close " + file + ": " + e, e);
            } finally {
                channel = null;
            }
        }
    }

    @Override
    public String toString() {
        return file.getFileName() + "[" + firstIndex + ".." + lastIndex() + ", " + size + "B]";
    }
}
