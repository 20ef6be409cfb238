package raftudp.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Membership;
import raftudp.core.Snapshot;
import raftudp.core.SnapshotData;
import raftudp.core.SnapshotSink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshot files {@code snapshot-<index>-<term>} (both numbers zero-padded to 20 digits),
 * each written atomically like the hard state.
 *
 * <pre>
 * offset size field
 *  0     4    magic 0x52554453 ("RUDS")
 *  4     2    format version (1)
 *  6     2    reserved, 0
 *  8     8    last included index
 * 16     8    last included term
 * 24     4    n, length of the data
 * 28     n    data (opaque: the key-value state with client sessions)
 * 28+n   4    CRC32C of bytes 0..27+n
 * </pre>
 *
 * Beside each, {@code snapshot-<index>-<term>.members} holds the cluster's membership as of
 * the snapshot (when known), written before the snapshot is saved:
 *
 * <pre>
 * offset size field
 *  0     4    magic 0x5255444D ("RUDM")
 *  4     2    format version (1)
 *  6     2    reserved, 0
 *  8     4    m, length of the membership
 * 12     m    the membership ({@link Membership#encode()})
 * 12+m   4    CRC32C of bytes 0..11+m
 * </pre>
 *
 * A snapshot without one (written before memberships existed, or by a crash between the two
 * writes) loads with no membership: its node then needs every node's vote to lead until it
 * sees a leader's MEMBERS entry, which costs availability, never safety.
 *
 * Files are written through a memory mapping and read back as one ({@link MappedSnapshot}):
 * the state machine fills the data region in place and parses it in place, so a snapshot as
 * large as the state costs page cache, not heap. The data is at most {@link #DATA_BYTES_MAX}.
 */
final class SnapshotFiles {
    private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
    static final int MAGIC = 0x52554453;
    static final short VERSION = 1;
    static final int HEADER = 28;
    static final int MEMBERS_MAGIC = 0x5255444D;
    private static final String MEMBERS_SUFFIX = ".members";
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{1,20})-(\\d{1,20})");

    private SnapshotFiles() {
    }

    static String name(long index, long term) {
        return String.format("snapshot-%020d-%020d", index, term);
    }

    /** Largest data region: the whole file must fit in one mapping. */
    static final long DATA_BYTES_MAX = Integer.MAX_VALUE - 64L;

    /**
     * Makes {@code s} a snapshot file of {@code dir}, atomically; durable on return unless the
     * policy is NEVER. Data already in this directory's file of that name (written by
     * {@link #write(DiskIo, Path, long, long, long, Consumer)}) stays where it is; data from
     * {@link #sink} is moved there; other data is copied in.
     */
    static void write(DiskIo io, Path dir, Snapshot s) {
        writeMembers(io, dir, s);
        Path target = dir.resolve(name(s.index(), s.term()));
        if (s.data() instanceof MappedSnapshot m && m.file().getParent().equals(dir)) {
            if (m.file().equals(target)) {
                return;
            }
            forceMap(io, m.map(), m.file());
            rename(io, dir, m.file(), target);
            m.movedTo(target);
            return;
        }
        SnapshotData d = s.data();
        write(io, dir, s.index(), s.term(), d.size(), out -> {
            for (long off = 0; off < d.size(); ) {
                int n = (int) Math.min(1 << 20, d.size() - off);
                out.put(d.read(off, n));
                off += n;
            }
        });
    }

    /**
     * Writes a snapshot file of {@code size} data bytes that {@code fill} puts into the
     * buffer it is given (from its position on, exactly {@code size} bytes), atomically;
     * durable on return unless the policy is NEVER. Returns the file's data, mapped.
     */
    static MappedSnapshot write(DiskIo io, Path dir, long index, long term, long size, Consumer<ByteBuffer> fill) {
        checkSize(size);
        String name = name(index, term);
        Path tmp = dir.resolve(name + ".tmp");
        MappedByteBuffer map = mapNew(tmp, index, term, size);
        ByteBuffer data = map.slice(HEADER, (int) size);
        fill.accept(data);
        if (data.hasRemaining()) {
            throw new IllegalStateException("snapshot data short by " + data.remaining() + " of " + size + " bytes");
        }
        seal(map, size);
        forceMap(io, map, tmp);
        Path target = dir.resolve(name);
        rename(io, dir, tmp, target);
        return new MappedSnapshot(map, target);
    }

    /**
     * Where a received snapshot goes: {@code dir/snapshot-incoming-INDEX-TERM.tmp}, mapped;
     * {@link #write(DiskIo, Path, Snapshot)} later moves it into place (a crash before leaves
     * a .tmp file, deleted at the next open).
     */
    static SnapshotSink.Factory sinks(Path dir) {
        return (index, term, size) -> {
            checkSize(size);
            Path tmp = dir.resolve(String.format("snapshot-incoming-%020d-%020d.tmp", index, term));
            MappedByteBuffer map = mapNew(tmp, index, term, size);
            ByteBuffer data = map.slice(HEADER, (int) size);
            return new SnapshotSink() {
                @Override
                public void write(byte[] chunk) {
                    data.put(chunk);
                }

                @Override
                public SnapshotData finish() {
                    if (data.hasRemaining()) {
                        throw new IllegalStateException("snapshot sink finished " + data.remaining() + " bytes short");
                    }
                    seal(map, size);
                    return new MappedSnapshot(map, tmp);
                }

                @Override
                public void abort() {
                    DiskIo.delete(tmp);
                }
            };
        };
    }

    private static void checkSize(long size) {
        if (size < 0 || size > DATA_BYTES_MAX) {
            throw new StorageException("a snapshot of " + size + " bytes is over the " + DATA_BYTES_MAX
                    + " a snapshot file holds");
        }
    }

    /** A new file of the snapshot's full length, mapped read-write, its header written. */
    private static MappedByteBuffer mapNew(Path file, long index, long term, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + size + 4);
            map.putInt(0, MAGIC).putShort(4, VERSION).putShort(6, (short) 0).putLong(8, index).putLong(16, term)
                    .putInt(24, (int) size);
            return map;
        } catch (IOException e) {
            throw new StorageException("cannot create " + file + ": " + e, e);
        }
    }

    /** Writes the checksum over header and data. */
    private static void seal(MappedByteBuffer map, long size) {
        map.putInt(HEADER + (int) size, DiskIo.crc32c(map, 0, HEADER + (int) size, null));
    }

    private static void forceMap(DiskIo io, MappedByteBuffer map, Path file) {
        if (!io.durable()) {
            return;
        }
        try {
            map.force();
        } catch (java.io.UncheckedIOException e) {
            throw new StorageException("fsync failed on " + file + ": " + e.getCause(), e);
        }
    }

    private static void rename(DiskIo io, Path dir, Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("cannot rename " + from + " to " + to + ": " + e, e);
        }
        io.fsyncDir(dir);
    }

    /** Writes {@code s}'s membership file, when it has a membership. */
    private static void writeMembers(DiskIo io, Path dir, Snapshot s) {
        if (s.members() == null) {
            return;
        }
        byte[] m = s.members().encode();
        ByteBuffer b = ByteBuffer.allocate(12 + m.length + 4);
        b.putInt(MEMBERS_MAGIC).putShort(VERSION).putShort((short) 0).putInt(m.length).put(m);
        b.putInt(DiskIo.crc32c(b, 0, 12 + m.length, null));
        io.writeAtomically(dir, name(s.index(), s.term()) + MEMBERS_SUFFIX, b.flip());
    }

    /**
     * The membership file of snapshot {@code n}, or null when there is none or it does not read
     * back intact (a WARN says so: the node then runs as if it had none).
     */
    private static Membership readMembers(Named n) {
        Path f = n.file().resolveSibling(n.file().getFileName() + MEMBERS_SUFFIX);
        if (!Files.exists(f)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(DiskIo.readAll(f, 1 << 20));
        String why;
        if (b.remaining() < 16 || b.getInt(0) != MEMBERS_MAGIC || b.getShort(4) != VERSION || b.getShort(6) != 0) {
            why = "unknown magic or version, or shorter than 16 bytes";
        } else if (b.getInt(8) != b.remaining() - 16) {
            why = "membership length " + b.getInt(8) + " does not match the file size " + b.remaining();
        } else if (b.getInt(b.remaining() - 4) != DiskIo.crc32c(b, 0, b.remaining() - 4, null)) {
            why = "checksum mismatch";
        } else {
            byte[] m = new byte[b.getInt(8)];
            b.get(12, m);
            try {
                return Membership.decode(m);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
        }
        log.warn("ignoring the membership file {}: {}", f, why);
        return null;
    }

    /** A snapshot file on disk, by the index and term its name claims. */
    record Named(Path file, long index, long term) {
    }

    /** Snapshot files in {@code dir}, newest (highest index, then term) first. */
    static List<Named> list(Path dir) {
        List<Named> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    try {
                        out.add(new Named(f, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                    } catch (NumberFormatException e) {
                        log.warn("ignoring {}: index or term out of range", f);
                    }
                }
            });
        } catch (IOException e) {
            throw new StorageException("cannot list " + dir + ": " + e, e);
        }
        out.sort(Comparator.comparingLong(Named::index).thenComparingLong(Named::term).reversed());
        return out;
    }

    /**
     * The newest snapshot that reads back intact, or null if none. Invalid ones are logged
     * at WARN and skipped (left on disk for inspection).
     */
    static Snapshot loadNewestValid(Path dir) {
        for (Named n : list(dir)) {
            try {
                return read(n);
            } catch (StorageException e) {
                log.warn("ignoring invalid snapshot: {}", e.getMessage());
            }
        }
        return null;
    }

    /** Maps and checks one snapshot file (its data stays in the mapping). */
    static Snapshot read(Named n) {
        Path f = n.file();
        MappedByteBuffer b;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize > DATA_BYTES_MAX + HEADER + 4) {
                throw bad(f, 0, "file is " + fileSize + " bytes, more than a snapshot file holds");
            }
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        } catch (IOException e) {
            throw new StorageException("cannot read " + f + ": " + e, e);
        }
        int size = b.capacity();
        if (size < HEADER + 4) {
            throw bad(f, size, "file is only " + size + " bytes");
        }
        if (b.getInt(0) != MAGIC || b.getShort(4) != VERSION || b.getShort(6) != 0) {
            throw bad(f, 0, "unknown magic or version");
        }
        int len = b.getInt(24);
        if (len != size - HEADER - 4) {
            throw bad(f, 24, "data length " + len + " does not match the file size " + size);
        }
        if (b.getInt(HEADER + len) != DiskIo.crc32c(b, 0, HEADER + len, null)) {
            throw bad(f, HEADER + len, "checksum mismatch");
        }
        long index = b.getLong(8);
        long term = b.getLong(16);
        if (index != n.index() || term != n.term()) {
            throw bad(f, 8, "holds " + index + "@" + term + ", its name says " + n.index() + "@" + n.term());
        }
        try {
            return new Snapshot(index, term, new MappedSnapshot(b, f), readMembers(n));
        } catch (IllegalArgumentException e) {
            throw bad(f, 8, e.getMessage());
        }
    }

    /** Deletes every valid-named snapshot file other than {@code keep} at or below its index. */
    static void deleteOlder(Path dir, Snapshot keep) {
        for (Named n : list(dir)) {
            if (n.index() <= keep.index() && !(n.index() == keep.index() && n.term() == keep.term())) {
                DiskIo.delete(n.file());
                DiskIo.delete(n.file().resolveSibling(n.file().getFileName() + MEMBERS_SUFFIX));
                log.debug("deleted snapshot {} (superseded by {})", n.file(), keep);
            }
        }
    }

    private static StorageException bad(Path file, long offset, String why) {
        return new StorageException("snapshot " + file + " is invalid at offset " + offset + ": " + why);
    }
}
