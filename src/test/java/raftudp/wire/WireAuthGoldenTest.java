package raftudp.wire;

import org.junit.jupiter.api.Test;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;
import raftudp.kv.Value;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.wire.WireGen.hex;
import static raftudp.wire.WireGen.unhex;

/**
 * The authentication test vectors of docs/wire-format.md §10.7, pinned: the key
 * 00 01 02 … 1f (32 bytes), and three authenticated datagrams with their exact trailers.
 * The trailers were computed independently of this code (Python's hmac module,
 * HMAC-SHA256 truncated to 16 bytes). If one of these fails, the MAC or the AUTH layout changed.
 */
class WireAuthGoldenTest {
    static final ClusterKey KEY = ClusterKey.of(HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

    static final Message.VoteRequest VOTE = new Message.VoteRequest(5, 1, 2, 7, 4, true, false);
    static final String VOTE_HEX = "5241 01 01 81 000000"     // VoteRequest, flags PRE_VOTE | AUTH
            + "0001 0002 0000 0001 00000001 00000000"         // node 1 -> 2, chunk 0 of 1, message 1, no payload
            + "0000000000000005 0000000000000007 0000000000000000 0000000000000004 0000000000000000"
            + "6fdd2882f188247a0f8b17a58ab8ac3d";             // MAC: HMAC-SHA256(key, the 64 bytes before)[0..16)

    static final ClientRequest PUT = new ClientRequest(42, 7, new Command.Put("k", Value.of(0)));
    static final String PUT_HEX = "5241 01 10 80 000000"       // ClientRequest, flags AUTH
            + "ffff ffff 0000 0001 00000002 0000000d"         // payload_length 13: the trailer is not counted
            + "0000000000000000 000000000000002a 0000000000000007 0000018bcfe56800 0000000000000000" // log_term: sent at
            + "01 0001 6b 01 0000000000000000"                // Put "k" = Int 0
            + "915373ae126c7d26bcbdc9afec163058";             // MAC over the 77 bytes before

    /** 2023-11-14T22:13:20Z, the sender's clock. */
    static final long ISSUED_AT_MS = 1_700_000_000_000L;
    static final FaultRequest SHOW = FaultRequest.show().issuedAt(ISSUED_AT_MS);
    static final String SHOW_HEX = "5241 01 14 80 000000"      // FaultRequest, flags AUTH
            + "ffff ffff 0000 0001 00000003 00000001"
            + "0000000000000000 0000018bcfe56800 0000000000000000 0000000000000000 0000000000000000" // index_a: time
            + "00"                                            // SHOW
            + "633dbc62f11e79f12e2bf9b000f80c97";

    private static void assertGolden(Object message, int selfId, int messageId, String hex) {
        List<byte[]> datagrams = new WireCodec(selfId, messageId, WireLimits.DEFAULT, new WireStats(), KEY,
                () -> ISSUED_AT_MS).encode(message);
        assertEquals(1, datagrams.size());
        assertEquals(hex(unhex(hex)), hex(datagrams.get(0)));
        Optional<WireDecoder.Received> r = new WireDecoder(new WireStats(), () -> 0, "golden", KEY)
                .decode(unhex(hex), "peer");
        assertTrue(r.isPresent(), "the vector decodes with the key");
        assertEquals(message, r.get().message());
        assertTrue(r.get().authenticated());
    }

    @Test
    void theKeyHasTheDocumentedFingerprint() {
        assertEquals(32, KEY.length());
        assertEquals("630dcd29", KEY.fingerprint(), "first 4 bytes of SHA-256(00 01 .. 1f)");
    }

    @Test
    void preVoteRequest() {
        assertGolden(VOTE, 1, 1, VOTE_HEX);
    }

    @Test
    void clientRequestPutsTheValueZero() {
        assertGolden(PUT, RaftHeader.NO_NODE, 2, PUT_HEX);
    }

    @Test
    void faultRequestShowCarriesTheSendersClock() {
        assertGolden(SHOW, RaftHeader.NO_NODE, 3, SHOW_HEX);
    }

    @Test
    void theVectorsOfTheSpecAreWhatTheEncoderProduces() throws IOException {
        String spec = Files.readString(Path.of("docs/wire-format.md"));
        int at = spec.indexOf("### 10.7");
        assertTrue(at > 0, "docs/wire-format.md has section 10.7");
        List<String> dumps = WireGoldenTest.hexDumps(spec.substring(at));
        assertEquals(List.of(hex(unhex(VOTE_HEX)), hex(unhex(PUT_HEX)), hex(unhex(SHOW_HEX))), dumps,
                "the hex dumps of section 10.7");
        assertTrue(spec.substring(at).contains("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                "the key is given in hex");
    }
}
