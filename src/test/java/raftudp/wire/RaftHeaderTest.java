package raftudp.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftHeaderTest {

    @Test
    void layoutIsTheDocumentedSixtyFourBytes() {
        // name:bits, in wire order: this is the table of docs/wire-format.md and of the P4 header type.
        String expected = "magic:16 version:8 msg_type:8 flags:8 reserved:24 src_id:16 dst_id:16 chunk_index:16 "
                + "chunk_count:16 message_id:32 payload_length:32 term:64 index_a:64 index_b:64 log_term:64 commit_index:64";
        assertEquals(expected, RaftHeader.FIELDS.stream().map(f -> f.p4Name() + ":" + f.bits())
                .collect(Collectors.joining(" ")));
        assertEquals(RaftHeader.HEADER_BYTES * 8, RaftHeader.FIELDS.stream().mapToInt(RaftHeader.Field::bits).sum());
        assertEquals(64, RaftHeader.HEADER_BYTES);
    }

    @Test
    void fieldsAreContiguousByteAlignedAndNaturallyAligned() {
        int offset = 0;
        for (RaftHeader.Field f : RaftHeader.FIELDS) {
            assertEquals(offset, f.offsetBits(), f.p4Name());
            assertEquals(0, f.bits() % 8, f.p4Name());
            int width = f.bits() == 24 ? 1 : f.bits() / 8; // the 24-bit filler only needs byte alignment
            assertEquals(0, f.offsetBytes() % width, f.p4Name() + " at " + f.offsetBytes());
            offset += f.bits();
        }
        assertEquals(List.of(0, 2, 3, 4, 5, 8, 10, 12, 14, 16, 20, 24, 32, 40, 48, 56),
                RaftHeader.FIELDS.stream().map(RaftHeader.Field::offsetBytes).collect(Collectors.toList()));
    }

    @Test
    void writeThenReadGivesTheSameHeaderAtAnyBase() {
        RaftHeader h = new RaftHeader(RaftHeader.MAGIC, 1, 3, 0x3F, 0xABCDEF, 65535, 7, 9, 10, -2, 0xFFFF_FFFFL,
                -1L, Long.MAX_VALUE, 1, 1L << 40, 77);
        ByteBuffer out = ByteBuffer.allocate(70);
        h.write(out, 6);
        assertEquals(0, out.position(), "absolute writes leave the position alone");
        ByteBuffer in = ByteBuffer.wrap(out.array(), 6, 64).slice();
        assertEquals(h, RaftHeader.read(in));
        assertEquals("5241" + "01" + "03" + "3f" + "abcdef", WireGen.hex(java.util.Arrays.copyOfRange(out.array(), 6, 14)));
    }

    @Test
    void fieldsRejectValuesWiderThanThemselves() {
        RaftHeader tooBig = new RaftHeader(RaftHeader.MAGIC, 256, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> tooBig.write(ByteBuffer.allocate(64), 0));
        RaftHeader negative = new RaftHeader(RaftHeader.MAGIC, 1, 1, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> negative.write(ByteBuffer.allocate(64), 0));
        assertThrows(IllegalArgumentException.class, () -> RaftHeader.read(ByteBuffer.allocate(63)));
    }

    @Test
    void typeCodesAreStable() {
        StringBuilder sb = new StringBuilder();
        for (MessageType t : MessageType.values()) {
            sb.append(t.code()).append('=').append(t).append(' ');
            assertEquals(t, MessageType.ofCode(t.code()));
        }
        assertEquals("1=VOTE_REQUEST 2=VOTE_RESPONSE 3=APPEND_REQUEST 4=APPEND_RESPONSE 5=HEARTBEAT "
                + "6=HEARTBEAT_RESPONSE 7=SNAPSHOT_CHUNK 8=SNAPSHOT_RESPONSE 9=TIMEOUT_NOW 16=CLIENT_REQUEST "
                + "17=CLIENT_RESPONSE 18=STATUS_REQUEST 19=STATUS_RESPONSE 20=FAULT_REQUEST 21=FAULT_RESPONSE "
                + "22=ERROR_RESPONSE ",
                sb.toString());
        assertEquals(null, MessageType.ofCode(0));
        assertEquals(null, MessageType.ofCode(10));
    }

    @Test
    void flagBitsAreDistinctAcrossTypes() {
        int[] flags = {RaftHeader.FLAG_PRE_VOTE, RaftHeader.FLAG_TRANSFER, RaftHeader.FLAG_GRANTED,
            RaftHeader.FLAG_SUCCESS, RaftHeader.FLAG_LAST, RaftHeader.FLAG_DONE, RaftHeader.FLAG_AUTH};
        assertArrayEquals(new int[]{1, 2, 4, 8, 16, 32, 128}, flags);
        int all = 0;
        for (MessageType t : MessageType.values()) {
            all |= t.flagsAllowed();
        }
        assertTrue((all & 0xC0) == 0, "bit 6 is reserved; bit 7 (AUTH) belongs to no type: every type may set it");
    }
}
