package raftudp.storage;

import raftudp.core.SnapshotData;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Snapshot data that lives in a snapshot file mapped into memory (the page cache, not the
 * heap): what {@link FileStorage} hands out for the snapshots it writes, loads and
 * receives, so that a node never holds a copy of its state on the heap beside the state.
 * The mapping stays valid after its file is renamed or deleted (Linux frees the pages once
 * nothing maps them). Immutable once finished.
 */
final class MappedSnapshot implements SnapshotData {
    private final MappedByteBuffer map;
    private final ByteBuffer data;
    private volatile Path file;
    private long checksum = -1;

    /**
     * @param map  the whole file, mapped
     * @param file where it is now
     */
    MappedSnapshot(MappedByteBuffer map, Path file) {
        this.map = map;
        this.file = file;
        this.data = map.slice(SnapshotFiles.HEADER, map.capacity() - SnapshotFiles.HEADER - 4).asReadOnlyBuffer();
    }

    /** The file that holds it. */
    Path file() {
        return file;
    }

    void movedTo(Path to) {
        file = Objects.requireNonNull(to);
    }

    /** The whole file's mapping (header, data, checksum). */
    MappedByteBuffer map() {
        return map;
    }

    /** The data, read-only, position 0, limit its size. */
    ByteBuffer buffer() {
        return data.duplicate();
    }

    @Override
    public long size() {
        return data.capacity();
    }

    @Override
    public byte[] read(long offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.capacity());
        byte[] out = new byte[length];
        data.get((int) offset, out);
        return out;
    }

    @Override
    public synchronized long checksum() {
        if (checksum < 0) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(buffer());
            checksum = crc.getValue();
        }
        return checksum;
    }

    @Override
    public String toString() {
        return "mapped(" + file + ", " + size() + "B)";
    }
}
