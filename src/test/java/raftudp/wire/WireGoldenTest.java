package raftudp.wire;

import org.junit.jupiter.api.Test;
import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.Result;
import raftudp.kv.Value;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raftudp.wire.WireGen.hex;
import static raftudp.wire.WireGen.unhex;

/**
 * Golden byte vectors: the format, pinned. Each vector was written by hand from
 * docs/wire-format.md (the first is its worked example). If one of these fails, the wire
 * format changed: that needs a new version number, not a new vector.
 */
class WireGoldenTest {

    private static void assertGolden(Object message, int selfId, int messageId, int datagramBytesMax, String... hex) {
        List<byte[]> datagrams = new WireCodec(selfId, messageId, WireLimits.DEFAULT, new WireStats())
                .encode(message, datagramBytesMax);
        assertEquals(hex.length, datagrams.size(), "datagrams");
        WireDecoder decoder = new WireDecoder(new WireStats(), () -> 0, "golden");
        Object decoded = null;
        for (int i = 0; i < hex.length; i++) {
            assertEquals(hex(unhex(hex[i])), hex(datagrams.get(i)), "datagram " + i);
            decoded = decoder.decode(unhex(hex[i]), "peer").map(WireDecoder.Received::message).orElse(null);
        }
        assertEquals(message, decoded, "the vector decodes to the message");
    }

    @Test
    void preVoteRequest() {
        assertGolden(new Message.VoteRequest(5, 1, 2, 7, 4, true, false), 1, 1, 1472,
                "5241 01 01 01 000000"                  // magic "RA", version 1, VOTE_REQUEST, PRE_VOTE, reserved
                        + "0001 0002 0000 0001"         // source 1, destination 2, chunk 0 of 1
                        + "00000001 00000000"           // message id 1, no payload
                        + "0000000000000005"            // term 5
                        + "0000000000000007"            // index_a = lastLogIndex 7
                        + "0000000000000000"            // index_b unused
                        + "0000000000000004"            // log_term = lastLogTerm 4
                        + "0000000000000000");          // commit_index unused
    }

    @Test
    void appendRequestWithANoopAndAnEntry() {
        Message.AppendRequest a = new Message.AppendRequest(3, 0, 2, 5, 2, 4, List.of(
                new Entry(6, 3, Entry.Kind.NOOP, Entry.EMPTY), new Entry(7, 3, Entry.Kind.NORMAL, new byte[]{(byte) 0xAB, (byte) 0xCD})));
        assertGolden(a, 0, 9, 1472,
                "5241 01 03 00 000000 0000 0002 0000 0001 00000009 00000020"
                        + "0000000000000003 0000000000000005 0000000000000007 0000000000000002 0000000000000004"
                        + "00000002"                                   // two entries
                        + "0000000000000003 00 00000000"               // term 3, NOOP, no data
                        + "0000000000000003 01 00000002 abcd");        // term 3, NORMAL, 2 bytes
    }

    @Test
    void clientRequestPutsTheValueZero() {
        ClientRequest r = new ClientRequest(42, 7, new Command.Put("k", Value.of(0)));
        assertGolden(r, RaftHeader.NO_NODE, 2, 1472,
                "5241 01 10 00 000000 ffff ffff 0000 0001 00000002 0000000d"
                        + "0000000000000000 000000000000002a 0000000000000007 0000000000000000 0000000000000000"
                        + "01 0001 6b 01 0000000000000000");          // Put, key "k", Int 0
    }

    @Test
    void clientResponsesOkAndNotLeader() {
        ClientRequest r = new ClientRequest(42, 7, new Command.Put("k", Value.of("")));
        assertGolden(ClientResponse.ok(r, new Result.Ok(Value.of(new byte[0]))), 1, 3, 1472,
                "5241 01 11 00 000000 0001 ffff 0000 0001 00000003 0000000a"
                        + "0000000000000000 000000000000002a 0000000000000007 0000000000000000 0000000000000000"
                        + "00 ffff"                                   // OK, no leader hint
                        + "01 01 03 00000000");                       // Ok, previous present: empty Bytes
        assertGolden(ClientResponse.notLeader(r, 2), 1, 4, 1472,
                "5241 01 11 00 000000 0001 ffff 0000 0001 00000004 00000003"
                        + "0000000000000000 000000000000002a 0000000000000007 0000000000000000 0000000000000000"
                        + "01 0002");                                 // NOT_LEADER, ask node 2
    }

    @Test
    void statusReport() {
        StatusReport s = new StatusReport(1, "LEADER", 3, 1, 9, 8, 1, 9, Map.of(2, 7L, 0, 9L), Map.of("rx.x", 5L));
        assertGolden(s, 0, 6, 1472,
                "5241 01 13 00 000000 0001 ffff 0000 0001 00000006 00000036"
                        + "0000000000000003 0000000000000001 0000000000000009 0000000000000000 0000000000000009"
                        + "0001 0000000000000008"                   // leader 1, applied 8
                        + "06 4c4541444552"                         // "LEADER"
                        + "0002 0000 0000000000000009 0002 0000000000000007" // match index of 0 and 2
                        + "0001 04 72782e78 0000000000000005");     // counter rx.x = 5
    }

    @Test
    void faultRequestSetsDelayJitterLossAndDuplication() {
        FaultRequest r = FaultRequest.set(new FaultEntry("10.0.2.2", 50_000, 5, 1, 10_000));
        assertGolden(r, RaftHeader.NO_NODE, 7, 1472,
                "5241 01 14 00 000000 ffff ffff 0000 0001 00000007 00000016"
                        + "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
                        + "01"                                      // SET
                        + "04 0a000202"                             // target: IPv4 10.0.2.2
                        + "0000c350 00000005 00000001 00002710");   // loss 50000 ppm (5 %), 5 ms, jitter 1 ms, dup 1 %
        assertGolden(FaultRequest.clear("*"), RaftHeader.NO_NODE, 8, 1472,
                "5241 01 14 00 000000 ffff ffff 0000 0001 00000008 00000002"
                        + "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
                        + "02 00");                                 // CLEAR the default rule
        assertGolden(FaultRequest.show(), RaftHeader.NO_NODE, 9, 1472,
                "5241 01 14 00 000000 ffff ffff 0000 0001 00000009 00000001"
                        + "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
                        + "00");                                    // SHOW
    }

    @Test
    void faultResponseListsTheDefaultFirst() {
        FaultResponse r = FaultResponse.of(2, List.of(new FaultEntry("10.0.1.1", 0, 5, 0, 0),
                new FaultEntry("*", 10_000, 0, 0, 0)));
        assertGolden(r, 0, 10, 1472,
                "5241 01 15 00 000000 0002 ffff 0000 0001 0000000a 00000028"
                        + "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"
                        + "0002"                                    // two rules
                        + "00 00002710 00000000 00000000 00000000"  // every destination: loss 1 %
                        + "04 0a000101 00000000 00000005 00000000 00000000"); // 10.0.1.1: delay 5 ms
    }

    @Test
    void snapshotChunkSplitIntoThreeDatagrams() {
        byte[] image = {1, 2, 3, 4};
        long crc = new raftudp.core.Snapshot(10, 2, image).checksum();
        assertEquals(0x29308cf4L, crc, "CRC32C of 01 02 03 04");
        Message.SnapshotChunk c = new Message.SnapshotChunk(2, 0, 1, 10, 2, 4, crc, 0, image, true);
        // commit_index = imageChecksum, the CRC32C of the whole image
        String fields = "0000000000000002 000000000000000a 0000000000000000 0000000000000002 0000000029308cf4";
        // body = total 4 (8 bytes), length 4 (4 bytes), data (4 bytes): 16 bytes in chunks of 70 - 64 = 6
        assertGolden(c, 0, 0xFFFF_FFFF, 70,
                "5241 01 07 10 000000 0000 0001 0000 0003 ffffffff 00000006" + fields + "000000000000",
                "5241 01 07 10 000000 0000 0001 0001 0003 ffffffff 00000006" + fields + "000400000004",
                "5241 01 07 10 000000 0000 0001 0002 0003 ffffffff 00000004" + fields + "01020304");
    }

    @Test
    void crc32cCheckValue_isTheStandardOne() {
        // the CRC-32C "check" value every implementation lists: CRC of the ASCII digits 1-9
        assertEquals(0xe3069283L, new raftudp.core.Snapshot(1, 1, "123456789".getBytes()).checksum());
    }

    @Test
    void theWorkedExamplesOfTheSpecAreWhatTheEncoderProduces() throws IOException {
        String spec = Files.readString(Path.of("docs/wire-format.md"));
        List<String> dumps = hexDumps(spec.substring(spec.indexOf("## 9."), spec.indexOf("## 10.")));
        assertEquals(3, dumps.size(), "hex dumps in docs/wire-format.md section 9");
        ClientRequest put = new ClientRequest(42, 7, new Command.Put("k", Value.of(0)));
        assertEquals(dumps.get(0), hex(new WireCodec(1, 1, WireLimits.DEFAULT, new WireStats())
                .encode(new Message.VoteRequest(5, 1, 2, 7, 4, true, false)).get(0)));
        assertEquals(dumps.get(1), hex(new WireCodec(RaftHeader.NO_NODE, 2, WireLimits.DEFAULT, new WireStats())
                .encode(put).get(0)));
        assertEquals(dumps.get(2), hex(new WireCodec(1, 4, WireLimits.DEFAULT, new WireStats())
                .encode(ClientResponse.notLeader(put, 2)).get(0)));
    }

    /** The bytes of each fenced block made of "offset  hex bytes" lines, as one hex string per block. */
    static List<String> hexDumps(String markdown) {
        List<String> dumps = new ArrayList<>();
        StringBuilder current = null;
        for (String line : markdown.split("\n")) {
            if (line.matches("[0-9a-f]{4}  [0-9a-f]{2}( {1,2}[0-9a-f]{2})*")) {
                if (current == null) {
                    current = new StringBuilder();
                }
                current.append(line.substring(6).replace(" ", ""));
            } else if (current != null) {
                dumps.add(current.toString());
                current = null;
            }
        }
        return dumps;
    }
}
