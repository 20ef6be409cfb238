package raftudp.storage;

import raftudp.core.Entry;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Byte layout of log segments (all fields big-endian).
 *
 * <p>A segment file {@code <first index, 20 digits>.wal} starts with a header:
 * <pre>
 * offset size field
 *  0     4    magic 0x52554457 ("RUDW")
 *  4     2    format version (1)
 *  6     2    reserved, 0
 *  8     8    index of the first record (equal to the number in the file name)
 * </pre>
 * then records back to back, with consecutive indexes:
 * <pre>
 * offset size field
 *  0     4    n, payload length (unsigned, at most recordBytesMax)
 *  4     8    index
 * 12     8    term
 * 20     1    kind (Entry.Kind code: 0 NOOP, 1 NORMAL)
 * 21     4    CRC32C of bytes 0..20 followed by the n payload bytes
 * 25     n    payload (the entry's data)
 * </pre>
 */
final class WalRecord {
    static final int SEGMENT_MAGIC = 0x52554457;
    static final short VERSION = 1;
    static final int SEGMENT_HEADER = 16;
    static final int HEADER = 25;
    private static final int CRC_AT = 21;

    private WalRecord() {
    }

    static String segmentName(long firstIndex) {
        return String.format("%020d.wal", firstIndex);
    }

    static ByteBuffer segmentHeader(long firstIndex) {
        return ByteBuffer.allocate(SEGMENT_HEADER).putInt(SEGMENT_MAGIC).putShort(VERSION).putShort((short) 0)
                .putLong(firstIndex).flip();
    }

    /** Is there a well-formed segment header for {@code firstIndex} at the start of {@code b}? */
    static boolean headerOk(ByteBuffer b, long firstIndex) {
        return b.limit() >= SEGMENT_HEADER && b.getInt(0) == SEGMENT_MAGIC && b.getShort(4) == VERSION
                && b.getShort(6) == 0 && b.getLong(8) == firstIndex;
    }

    static int size(Entry e) {
        return HEADER + e.data().length;
    }

    /** Appends the record of {@code e} at {@code out}'s position (which must have room). */
    static void encode(Entry e, ByteBuffer out) {
        int start = out.position();
        out.putInt(e.data().length).putLong(e.index()).putLong(e.term()).put((byte) e.kind().code);
        out.putInt(0).put(e.data());
        out.putInt(start + CRC_AT, crc(out, start, e.data().length));
    }

    /** The CRC a record at {@code pos} with an {@code n}-byte payload must carry. */
    static int crc(ByteBuffer b, int pos, int n) {
        CRC32C c = new CRC32C();
        ByteBuffer d = b.duplicate();
        c.update(d.limit(pos + CRC_AT).position(pos));
        c.update(d.limit(pos + HEADER + n).position(pos + HEADER));
        return (int) c.getValue();
    }

    static long length(ByteBuffer b, int pos) {
        return b.getInt(pos) & 0xffff_ffffL;
    }

    static long index(ByteBuffer b, int pos) {
        return b.getLong(pos + 4);
    }

    static long term(ByteBuffer b, int pos) {
        return b.getLong(pos + 12);
    }

    static int kindCode(ByteBuffer b, int pos) {
        return b.get(pos + 20) & 0xff;
    }

    static boolean crcOk(ByteBuffer b, int pos, int n) {
        return b.getInt(pos + CRC_AT) == crc(b, pos, n);
    }

    /** Decodes the (already checked) record at {@code pos}. */
    static Entry decode(ByteBuffer b, int pos) {
        int n = (int) length(b, pos);
        byte[] data = n == 0 ? Entry.EMPTY : new byte[n];
        b.get(pos + HEADER, data);
        return new Entry(index(b, pos), term(b, pos), Entry.Kind.ofCode(kindCode(b, pos)), data);
    }
}
