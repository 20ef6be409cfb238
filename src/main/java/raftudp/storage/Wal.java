package raftudp.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Entry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The segmented write-ahead log of entries: segment files named by their first index,
 * contiguous from one to the next, the last one active.
 *
 * <p>{@link #append} only writes (to the operating system); {@link #force} makes it durable.
 * Structural changes are durable when they return (unless the policy is NEVER), so that a
 * crash never leaves stale bytes after a cut or a gap between segments: a segment is
 * fsynced before the next one is created; a suffix cut deletes later segments newest first,
 * fsyncing the directory after each, then truncates and fsyncs the segment that holds the
 * cut. Not thread-safe.
 */
final class Wal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Wal.class);
    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.wal");

    private final Path dir;
    private final DiskIo io;
    private final long segmentBytesMax;
    private final int recordBytesMax;
    private final ArrayList<Segment> segments = new ArrayList<>();
    private boolean dirDirty;
    private long unsyncedBytes;
    private ByteBuffer buf = ByteBuffer.allocate(64 << 10);

    private Wal(Path dir, DiskIo io, long segmentBytesMax, int recordBytesMax) {
        this.dir = dir;
        this.io = io;
        this.segmentBytesMax = segmentBytesMax;
        this.recordBytesMax = recordBytesMax;
    }

    /** Segment files in {@code dir}, by first index. */
    static List<Long> listSegments(Path dir) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            });
        } catch (IOException | NumberFormatException e) {
            throw new StorageException("cannot list segments in " + dir + ": " + e, e);
        }
        out.sort(null);
        return out;
    }

    /**
     * Opens the log in {@code dir}: deletes segments wholly covered by the snapshot at
     * {@code snapshotIndex} (an interrupted compaction), checks every other one, cuts a torn
     * tail off the last one, and refuses anything else.
     *
     * @throws StorageException naming the file and offset of corruption that is not a torn tail
     */
    static Wal recover(Path dir, DiskIo io, long segmentBytesMax, int recordBytesMax, long snapshotIndex) {
        Wal wal = new Wal(dir, io, segmentBytesMax, recordBytesMax);
        List<Long> firsts = new ArrayList<>(listSegments(dir));
        while (firsts.size() > 1 && firsts.get(1) <= snapshotIndex + 1) {
            Path f = dir.resolve(WalRecord.segmentName(firsts.remove(0)));
            log.info("deleting {}: covered by the snapshot at {}", f, snapshotIndex);
            DiskIo.delete(f);
            wal.dirDirty = true;
        }
        long prevTerm = 0;
        for (int i = 0; i < firsts.size(); i++) {
            long first = firsts.get(i);
            Path f = dir.resolve(WalRecord.segmentName(first));
            if (!wal.segments.isEmpty()) {
                Segment prev = wal.segments.get(wal.segments.size() - 1);
                if (prev.lastIndex() + 1 != first) {
                    throw new StorageException("log segments do not follow each other: " + prev.file + " ends at index "
                            + prev.lastIndex() + " but the next segment is " + f + " (offset 0)");
                }
            }
            Segment seg = wal.recoverSegment(f, first, prevTerm, i == firsts.size() - 1);
            if (seg != null) {
                wal.segments.add(seg);
                prevTerm = seg.lastTerm;
            }
        }
        if (!wal.segments.isEmpty() && wal.last().count() == 0) {
            Segment empty = wal.segments.remove(wal.segments.size() - 1);
            log.info("deleting {}: it holds no record", empty.file);
            DiskIo.delete(empty.file);
            wal.dirDirty = true;
        }
        if (wal.dirDirty) {
            io.fsyncDir(dir);
            wal.dirDirty = false;
        }
        return wal;
    }

    private Segment recoverSegment(Path f, long first, long prevTerm, boolean last) {
        ByteBuffer b = ByteBuffer.wrap(DiskIo.readAll(f, Integer.MAX_VALUE - 64L));
        SegmentScanner.Result r = SegmentScanner.scan(b, first, prevTerm, recordBytesMax);
        SegmentScanner.Damage d = r.damage();
        if (d == null) {
            return new Segment(f, first, r.offsets(), r.count(), r.end(), r.lastTerm());
        }
        if (!last || !d.tornTail()) {
            String why = !d.tearable() ? "" : d.validRecordAfter() >= 0
                    ? "; an intact record follows at offset " + d.validRecordAfter() + ", so this is not a torn write"
                    : "; it is not the last segment, so this is not a torn write";
            throw new StorageException("corrupt log segment " + f + " at offset " + d.offset() + ": " + d.reason()
                    + why + ". Refusing to start: restore the file or wipe the node and let it catch up");
        }
        if (d.offset() == 0) {
            log.warn("torn log tail: {} has no valid header ({}) and no intact record; deleting it", f, d.reason());
            DiskIo.delete(f);
            dirDirty = true;
            return null;
        }
        log.warn("torn log tail: {} at offset {}: {}; truncating {} bytes (records from index {} on were never synced)",
                f, d.offset(), d.reason(), b.limit() - d.offset(), first + r.count());
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(d.offset());
            io.force(ch, f);
        } catch (IOException e) {
            throw new StorageException("cannot truncate the torn tail of " + f + ": " + e, e);
        }
        return new Segment(f, first, r.offsets(), r.count(), r.end(), r.lastTerm());
    }

    /** True when no segment is left (a segment always holds a record, except while rolling). */
    boolean isEmpty() {
        return segments.isEmpty();
    }

    /** First index held; meaningless when {@link #isEmpty()}. */
    long firstIndex() {
        return segments.get(0).firstIndex;
    }

    /** Last index held, or 0 when empty. */
    long lastIndex() {
        return segments.isEmpty() ? 0 : last().lastIndex();
    }

    long lastTerm() {
        return segments.isEmpty() ? 0 : last().lastTerm;
    }

    boolean contains(long index) {
        return !isEmpty() && index >= firstIndex() && index <= lastIndex();
    }

    long segmentCount() {
        return segments.size();
    }

    long unsyncedBytes() {
        return unsyncedBytes;
    }

    boolean needsForce() {
        return dirDirty || (!segments.isEmpty() && last().dirty);
    }

    private Segment last() {
        return segments.get(segments.size() - 1);
    }

    private Segment segmentOf(long index) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).firstIndex <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Segment s = segments.get(lo);
        if (!s.contains(index)) {
            throw new IllegalStateException("log does not hold index " + index);
        }
        return s;
    }

    /** The entry at {@code index} (which the log holds), read back and checked. */
    Entry entry(long index) {
        Segment s = segmentOf(index);
        try {
            ByteBuffer b = s.read(s.offsetOf(index), s.endOf(index));
            return decodeChecked(s, b, 0, index, s.offsetOf(index));
        } catch (IOException e) {
            throw new StorageException("cannot read " + s.file + ": " + e, e);
        }
    }

    /** Entries from {@code fromIndex} (at least the first index) to the end, read back and checked. */
    List<Entry> read(long fromIndex) {
        List<Entry> out = new ArrayList<>();
        for (Segment s : segments) {
            long from = Math.max(fromIndex, s.firstIndex);
            if (from > s.lastIndex()) {
                continue;
            }
            long base = s.offsetOf(from);
            try {
                ByteBuffer b = s.read(base, s.size);
                for (long i = from; i <= s.lastIndex(); i++) {
                    out.add(decodeChecked(s, b, (int) (s.offsetOf(i) - base), i, s.offsetOf(i)));
                }
            } catch (IOException e) {
                throw new StorageException("cannot read " + s.file + ": " + e, e);
            }
        }
        return out;
    }

    private Entry decodeChecked(Segment s, ByteBuffer b, int pos, long index, long fileOffset) {
        long n = WalRecord.length(b, pos);
        if (n > b.limit() - pos - WalRecord.HEADER || !WalRecord.crcOk(b, pos, (int) n)
                || WalRecord.index(b, pos) != index) {
            throw new StorageException("log segment " + s.file + " changed under us: record " + index
                    + " at offset " + fileOffset + " no longer reads back");
        }
        return WalRecord.decode(b, pos);
    }

    /**
     * Writes {@code entries}, which must follow the last index (or start a new log), rolling
     * to a new segment when the active one is full. Not durable until {@link #force}.
     */
    void append(List<Entry> entries) {
        if (!isEmpty() && entries.get(0).index() != lastIndex() + 1) {
            throw new IllegalStateException("log append at " + entries.get(0).index() + " after " + lastIndex());
        }
        try {
            buf.clear();
            long bufStart = segments.isEmpty() ? 0 : last().size;
            for (Entry e : entries) {
                Segment s = segments.isEmpty() ? null : last();
                if (s == null || (s.size + buf.position() >= segmentBytesMax && s.count() > 0)) {
                    flush(bufStart);
                    s = roll(e.index(), s == null ? 0 : s.lastTerm);
                    bufStart = s.size;
                }
                int n = WalRecord.size(e);
                if (buf.remaining() < n) {
                    flush(bufStart);
                    bufStart = s.size;
                    if (buf.capacity() < n) {
                        buf = ByteBuffer.allocate(n);
                    }
                }
                s.add(bufStart + buf.position(), e.term());
                WalRecord.encode(e, buf);
            }
            flush(bufStart);
        } catch (IOException e) {
            throw new StorageException("cannot append to the log in " + dir + ": " + e, e);
        }
    }

    /** Writes the buffered records at the end of the active segment. */
    private void flush(long at) throws IOException {
        if (buf.position() == 0) {
            return;
        }
        Segment s = last();
        buf.flip();
        int n = buf.remaining();
        io.write(s.channel(), s.file, buf, at);
        s.size = at + n;
        s.dirty = true;
        unsyncedBytes += n;
        buf.clear();
    }

    /** Starts a new segment for {@code firstIndex}, after making the previous one durable. */
    private Segment roll(long firstIndex, long prevTerm) throws IOException {
        if (!segments.isEmpty()) {
            Segment prev = last();
            if (prev.dirty) {
                io.force(prev.channel(), prev.file);
                prev.dirty = false;
            }
            if (dirDirty) { // prev itself was created since the last fsync: make its name durable too
                io.fsyncDir(dir);
                dirDirty = false;
            }
            prev.closeChannel();
        }
        Path f = dir.resolve(WalRecord.segmentName(firstIndex));
        Segment s = new Segment(f, firstIndex, new long[0], 0, 0, prevTerm);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            io.write(ch, f, WalRecord.segmentHeader(firstIndex), 0);
        }
        s.size = WalRecord.SEGMENT_HEADER;
        s.dirty = true;
        dirDirty = true;
        segments.add(s);
        log.debug("new log segment {}", f);
        return s;
    }

    /** Makes everything written so far durable: the active segment, then the directory. */
    void force() {
        if (!segments.isEmpty() && last().dirty) {
            Segment s = last();
            try {
                io.force(s.channel(), s.file);
            } catch (IOException e) {
                throw new StorageException("cannot open " + s.file + ": " + e, e);
            }
            s.dirty = false;
        }
        if (dirDirty) {
            io.fsyncDir(dir);
            dirDirty = false;
        }
        unsyncedBytes = 0;
    }

    /**
     * Durably removes every record from {@code index} on (a conflicting suffix, §5.3):
     * later segments are deleted newest first, then the segment holding {@code index} is
     * truncated and fsynced.
     */
    void truncateFrom(long index) {
        if (isEmpty() || index > lastIndex()) {
            return;
        }
        while (!segments.isEmpty() && last().firstIndex >= index) {
            deleteLast();
        }
        if (segments.isEmpty() || last().lastIndex() < index) {
            return; // the cut fell on a segment boundary
        }
        Segment s = last();
        long termBefore = entry(index - 1).term(); // s.firstIndex < index: later segments are gone
        long off = s.offsetOf(index);
        try {
            FileChannel ch = s.channel();
            ch.truncate(off);
            io.force(ch, s.file);
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + s.file + " at offset " + off + ": " + e, e);
        }
        s.forgetFrom(index, termBefore);
        s.dirty = false;
        log.debug("log truncated from index {} ({} at offset {})", index, s.file, off);
    }

    private void deleteLast() {
        Segment s = segments.remove(segments.size() - 1);
        s.closeChannel();
        DiskIo.delete(s.file);
        io.fsyncDir(dir);
        log.debug("deleted log segment {}", s);
    }

    /** Durably deletes every segment (a snapshot replaced a diverging log, §7). */
    void discardAll() {
        while (!segments.isEmpty()) {
            deleteLast();
        }
        dirDirty = false;
        unsyncedBytes = 0;
    }

    /**
     * Deletes the segments whose records are all at or below {@code index} (a durable
     * snapshot covers them). The deletions need no ordering: recovery deletes any segment
     * left that the snapshot covers.
     */
    void compactTo(long index) {
        int n = 0;
        while (!segments.isEmpty()) {
            Segment s = segments.get(0);
            boolean covered = segments.size() > 1 ? segments.get(1).firstIndex <= index + 1 : s.lastIndex() <= index;
            if (!covered) {
                break;
            }
            segments.remove(0);
            s.closeChannel();
            DiskIo.delete(s.file);
            n++;
        }
        if (n > 0) {
            io.fsyncDir(dir);
            log.debug("compaction to index {} deleted {} segment(s)", index, n);
        }
    }

    @Override
    public void close() {
        for (Segment s : segments) {
            s.closeChannel();
        }
    }
}
