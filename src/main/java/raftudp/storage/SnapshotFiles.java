package raftudp.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 */
final class SnapshotFiles {
    private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
    static final int MAGIC = 0x52554453;
    static final short VERSION = 1;
    static final int HEADER = 28;
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{1,20})-(\\d{1,20})");

    private SnapshotFiles() {
    }

    static String name(long index, long term) {
        return String.format("snapshot-%020d-%020d", index, term);
    }

    /** Writes {@code s} atomically; durable on return unless the policy is NEVER. */
    static void write(DiskIo io, Path dir, Snapshot s) {
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        head.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(s.index()).putLong(s.term())
                .putInt(s.data().length).flip();
        ByteBuffer data = ByteBuffer.wrap(s.data());
        ByteBuffer crc = ByteBuffer.allocate(4).putInt(DiskIo.crc32c(head, 0, HEADER, data)).flip();
        io.writeAtomically(dir, name(s.index(), s.term()), head, data, crc);
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

    /** Reads and checks one snapshot file. */
    static Snapshot read(Named n) {
        Path f = n.file();
        ByteBuffer b = ByteBuffer.wrap(DiskIo.readAll(f, Integer.MAX_VALUE - 64L));
        int size = b.remaining();
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
        byte[] data = new byte[len];
        b.get(HEADER, data);
        try {
            return new Snapshot(index, term, data);
        } catch (IllegalArgumentException e) {
            throw bad(f, 8, e.getMessage());
        }
    }

    /** Deletes every valid-named snapshot file other than {@code keep} at or below its index. */
    static void deleteOlder(Path dir, Snapshot keep) {
        for (Named n : list(dir)) {
            if (n.index() <= keep.index() && !(n.index() == keep.index() && n.term() == keep.term())) {
                DiskIo.delete(n.file());
                log.debug("deleted snapshot {} (superseded by {})", n.file(), keep);
            }
        }
    }

    private static StorageException bad(Path file, long offset, String why) {
        return new StorageException("snapshot " + file + " is invalid at offset " + offset + ": " + why);
    }
}
