package raftudp.storage;

import raftudp.core.Entry;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Checks the bytes of one segment at recovery: the header, then record after record, until
 * the end of the file or the first record that is not right.
 *
 * <p>A bad record is "tearable" when it could be the remains of a write that a crash cut
 * short (cut-short header, length running past the end, checksum mismatch). It is then
 * treated as a torn tail only if no valid record follows it anywhere in the file: bytes
 * after it are searched for an intact record with a plausible index. A record whose checksum
 * holds but whose index, term or kind is wrong is never a torn write.
 */
final class SegmentScanner {

    /** Where and why a segment stops being valid. */
    record Damage(int offset, String reason, boolean tearable, int validRecordAfter) {
        /** Could a crash during a write have left this (and nothing valid follows)? */
        boolean tornTail() {
            return tearable && validRecordAfter < 0;
        }
    }

    /**
     * What a scan found: the offsets of the valid records, where they end, the term of the
     * last one (or the term carried in), and the damage that stopped the scan (null if none).
     */
    record Result(long[] offsets, int count, int end, long lastTerm, Damage damage) {
    }

    private SegmentScanner() {
    }

    /**
     * @param b           the whole file
     * @param firstIndex  index in the segment's name
     * @param prevTerm    term of the record before this segment (0 if none)
     */
    static Result scan(ByteBuffer b, long firstIndex, long prevTerm, int recordBytesMax) {
        int size = b.limit();
        if (!WalRecord.headerOk(b, firstIndex)) {
            String why = size < WalRecord.SEGMENT_HEADER ? "segment header cut short (" + size + " bytes)"
                    : "bad segment header (magic, version or first index " + firstIndex + ")";
            Damage d = new Damage(0, why, true, findValid(b, 0, firstIndex, recordBytesMax));
            return new Result(new long[0], 0, 0, prevTerm, d);
        }
        long[] offsets = new long[64];
        int count = 0;
        int pos = WalRecord.SEGMENT_HEADER;
        long term = prevTerm;
        Damage damage = null;
        while (pos < size && damage == null) {
            long expect = firstIndex + count;
            String torn = tornReason(b, pos, recordBytesMax);
            if (torn != null) {
                damage = new Damage(pos, torn, true, findValid(b, pos + 1, expect, recordBytesMax));
                break;
            }
            String wrong = wrongReason(b, pos, expect, term);
            if (wrong != null) {
                damage = new Damage(pos, wrong, false, -1);
                break;
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            offsets[count++] = pos;
            term = WalRecord.term(b, pos);
            pos += WalRecord.HEADER + (int) WalRecord.length(b, pos);
        }
        return new Result(offsets, count, pos, term, damage);
    }

    /** Why the record at {@code pos} is not intact, or null if it is. */
    private static String tornReason(ByteBuffer b, int pos, int recordBytesMax) {
        int rest = b.limit() - pos;
        if (rest < WalRecord.HEADER) {
            return "record header cut short (" + rest + " bytes left)";
        }
        long n = WalRecord.length(b, pos);
        if (n > recordBytesMax) {
            return "record length " + n + " exceeds recordBytesMax " + recordBytesMax;
        }
        if (n > rest - WalRecord.HEADER) {
            return "record of " + n + " bytes runs past the end of the file";
        }
        if (!WalRecord.crcOk(b, pos, (int) n)) {
            return "checksum mismatch";
        }
        return null;
    }

    /** Why an intact record does not belong at {@code pos}, or null if it does. */
    private static String wrongReason(ByteBuffer b, int pos, long expect, long prevTerm) {
        if (Entry.Kind.ofCode(WalRecord.kindCode(b, pos)) == null) {
            return "unknown entry kind " + WalRecord.kindCode(b, pos);
        }
        long index = WalRecord.index(b, pos);
        if (index != expect) {
            return "record has index " + index + ", expected " + expect;
        }
        long term = WalRecord.term(b, pos);
        if (term < 1 || term < prevTerm) {
            return "record " + index + " has term " + term + " after term " + prevTerm;
        }
        return null;
    }

    /**
     * Offset of the first intact record at or after {@code from} whose index is at least
     * {@code minIndex} (and not absurdly beyond it), or -1.
     */
    static int findValid(ByteBuffer b, int from, long minIndex, int recordBytesMax) {
        int size = b.limit();
        long maxIndex = minIndex + size / WalRecord.HEADER + 1;
        for (int p = from; p <= size - WalRecord.HEADER; p++) {
            long n = WalRecord.length(b, p);
            if (n > recordBytesMax || n > size - p - WalRecord.HEADER) {
                continue;
            }
            long index = WalRecord.index(b, p);
            if (index < minIndex || index > maxIndex || WalRecord.term(b, p) < 1
                    || Entry.Kind.ofCode(WalRecord.kindCode(b, p)) == null) {
                continue;
            }
            if (WalRecord.crcOk(b, p, (int) n)) {
                return p;
            }
        }
        return -1;
    }
}
