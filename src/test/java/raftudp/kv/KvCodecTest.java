package raftudp.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static raftudp.kv.KvGen.hex;
import static raftudp.kv.KvGen.unhex;

class KvCodecTest {

    static final byte[] MIB = new byte[1 << 20];

    static {
        for (int i = 0; i < MIB.length; i++) {
            MIB[i] = (byte) (i * 31 + 7);
        }
    }

    static Stream<Value> values() {
        return Stream.of(Value.of(0), Value.of(1), Value.of(-1), Value.of(Long.MIN_VALUE), Value.of(Long.MAX_VALUE),
                Value.of(""), Value.of("hello"), Value.of("é€😀中\u0000"), Value.of(new byte[0]), Value.of(new byte[]{0}),
                Value.of(MIB), Value.of("x".repeat(70_000)),
                new Value.ListValue(List.of()),
                new Value.ListValue(List.of(Value.of(0), Value.of(""), Value.of(new byte[0]), Value.of("z"))));
    }

    static Stream<Command> commands() {
        return Stream.of(new Command.Put("k", Value.of(0)), new Command.Put("ключ", Value.of(MIB)),
                new Command.Get("k"), new Command.Delete("k"),
                new Command.Cas("k", null, Value.of("")), new Command.Cas("k", Value.of(0), Value.of(1)),
                new Command.Cas("k", new Value.ListValue(List.of(Value.of(1))), Value.of(new byte[0])),
                new Command.Append("list", Value.of(7)), new Command.Get("€".repeat(341)));
    }

    static Stream<Result> results() {
        return Stream.of(new Result.Ok(null), new Result.Ok(Value.of(0)), new Result.Found(Value.of("")),
                new Result.Found(new Value.ListValue(List.of(Value.of(1), Value.of("a")))), new Result.Found(Value.of(MIB)),
                new Result.NotFound(), new Result.CasFailed(null), new Result.CasFailed(Value.of(new byte[0])),
                new Result.Appended(0), new Result.Appended(Long.MAX_VALUE), new Result.WrongType(),
                new Result.SessionExpired());
    }

    /** Writes with an exactly sized buffer, reads back, and checks both directions consumed all. */
    static <T> byte[] roundTrip(T t, ToIntFunction<T> size, BiConsumer<ByteBuffer, T> write,
                                Function<ByteBuffer, T> read) {
        ByteBuffer out = ByteBuffer.allocate(size.applyAsInt(t));
        write.accept(out, t);
        assertFalse(out.hasRemaining(), "size() promised more bytes than write() wrote for " + t);
        ByteBuffer in = ByteBuffer.wrap(out.array());
        assertEquals(t, read.apply(in));
        assertFalse(in.hasRemaining(), "read() left bytes behind for " + t);
        return out.array();
    }

    @ParameterizedTest
    @MethodSource("values")
    void everyValueTypeRoundTripsAndSizeIsExact(Value v) {
        byte[] bytes = roundTrip(v, KvCodec::valueSize, KvCodec::writeValue, KvCodec::readValue);
        assertEquals(v.encodedSize(), bytes.length);
        assertEquals(v.tag(), bytes[0]);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandTypeRoundTrips(Command c) {
        roundTrip(c, KvCodec::commandSize, KvCodec::writeCommand, KvCodec::readCommand);
    }

    @ParameterizedTest
    @MethodSource("results")
    void everyResultTypeRoundTrips(Result r) {
        roundTrip(r, KvCodec::resultSize, KvCodec::writeResult, KvCodec::readResult);
    }

    @Test
    void entriesRoundTripWithAndWithoutSession() {
        for (KvEntry e : List.of(new KvEntry(42, 1, 1_700_000_000_000L, new Command.Put("k", Value.of(0))),
                new KvEntry(-5, Long.MAX_VALUE, 0, new Command.Append("l", Value.of(""))),
                KvEntry.unsessioned(9, new Command.Delete("k")))) {
            assertEquals(e, KvCodec.decodeEntry(KvCodec.encodeEntry(e)));
        }
    }

    @ParameterizedTest
    @CsvSource({
        // value,                   golden bytes
        "int0,       01 0000000000000000",
        "intMinus1,  01 ffffffffffffffff",
        "strEmpty,   02 00000000",
        "strE,       02 00000002 c3a9",
        "bytes,      03 00000002 00ff",
        "list,       04 00000002 01 0000000000000005 02 00000001 61",
    })
    void valueBytesArePinned(String name, String golden) {
        Value v = switch (name) {
            case "int0" -> Value.of(0);
            case "intMinus1" -> Value.of(-1);
            case "strEmpty" -> Value.of("");
            case "strE" -> Value.of("é");
            case "bytes" -> Value.of(new byte[]{0, (byte) 0xFF});
            default -> new Value.ListValue(List.of(Value.of(5), Value.of("a")));
        };
        assertEquals(golden.replace(" ", ""), hex(roundTrip(v, KvCodec::valueSize, KvCodec::writeValue,
                KvCodec::readValue)));
    }

    @Test
    void commandResultAndEntryBytesArePinned() {
        assertEquals("01" + "00016b" + "010000000000000001", hex(encode(new Command.Put("k", Value.of(1)))));
        assertEquals("02" + "00016b", hex(encode(new Command.Get("k"))));
        assertEquals("03" + "00016b", hex(encode(new Command.Delete("k"))));
        assertEquals("04" + "00016b" + "00" + "0200000000", hex(encode(new Command.Cas("k", null, Value.of("")))));
        assertEquals("04" + "00016b" + "01" + "010000000000000000" + "0300000000",
                hex(encode(new Command.Cas("k", Value.of(0), Value.of(new byte[0])))));
        assertEquals("05" + "00016b" + "010000000000000002", hex(encode(new Command.Append("k", Value.of(2)))));

        assertEquals("0100", hex(encode(new Result.Ok(null))));
        assertEquals("0101" + "010000000000000007", hex(encode(new Result.Ok(Value.of(7)))));
        assertEquals("02" + "0200000000", hex(encode(new Result.Found(Value.of("")))));
        assertEquals("03", hex(encode(new Result.NotFound())));
        assertEquals("0400", hex(encode(new Result.CasFailed(null))));
        assertEquals("05" + "0000000000000003", hex(encode(new Result.Appended(3))));
        assertEquals("06", hex(encode(new Result.WrongType())));
        assertEquals("07", hex(encode(new Result.SessionExpired())));

        KvEntry e = new KvEntry(0x0102, 3, 0x10, new Command.Get("k"));
        assertEquals("01" + "0000000000000102" + "0000000000000003" + "0000000000000010" + "0200016b",
                hex(KvCodec.encodeEntry(e)));
    }

    @Test
    void littleEndianBuffersStillGetNetworkOrder() {
        Command c = new Command.Cas("k", Value.of(1), Value.of("ab"));
        ByteBuffer out = ByteBuffer.allocate(KvCodec.commandSize(c)).order(ByteOrder.LITTLE_ENDIAN);
        KvCodec.writeCommand(out, c);
        assertArrayEquals(encode(c), out.array());
        assertEquals(c, KvCodec.readCommand(ByteBuffer.wrap(out.array()).order(ByteOrder.LITTLE_ENDIAN)));
    }

    @Test
    void readersStartAtThePositionAndStopAfterTheirBytes() {
        ByteBuffer out = ByteBuffer.allocate(64);
        out.put((byte) 0x55);
        KvCodec.writeValue(out, Value.of("ab"));
        KvCodec.writeResult(out, new Result.Appended(4));
        out.put((byte) 0x66);
        out.flip();
        out.get();
        assertEquals(Value.of("ab"), KvCodec.readValue(out));
        assertEquals(new Result.Appended(4), KvCodec.readResult(out));
        assertEquals(0x66, out.get());
    }

    @Test
    void longestKeyIsAcceptedAndOneByteMoreIsNot() {
        String longest = "€".repeat(341) + "a"; // 341 * 3 + 1 = 1024 bytes
        Command c = new Command.Get(longest);
        assertEquals(1 + 2 + 1024, KvCodec.commandSize(c));
        assertEquals(c, KvCodec.readCommand(ByteBuffer.wrap(encode(c))));

        ByteBuffer tooLong = ByteBuffer.allocate(1 + 2 + 1025);
        tooLong.put(KvCodec.OP_GET).putShort((short) 1025);
        while (tooLong.hasRemaining()) {
            tooLong.put((byte) 'a');
        }
        assertMalformed("key length 1025", tooLong.array(), KvCodec::readCommand);
    }

    @Test
    void writersRejectStringsWithoutUtf8Form() {
        assertThrows(IllegalArgumentException.class, () -> KvCodec.valueSize(Value.of("a\uD800")));
        assertThrows(IllegalArgumentException.class,
                () -> KvCodec.writeValue(ByteBuffer.allocate(16), Value.of("\uDC00b")));
        assertThrows(IllegalArgumentException.class, () -> KvCodec.commandSize(new Command.Get("\uD800")));
        assertEquals(1 + 4 + 4, KvCodec.valueSize(Value.of("😀")));
    }

    @ParameterizedTest
    @CsvSource({
        "unknown value tag 0,            00",
        "unknown value tag 5,            05 00",
        "unknown value tag 255,          ff",
        "truncated int value,            01 000000",
        "truncated string length,        02 0000",
        "string length 4294967295,       02 ffffffff 61",
        "string length 3 exceeds,        02 00000003 6161",
        "bytes length 2147483648,        03 80000000",
        "list count 4294967295,          04 ffffffff 00",
        "list count 2 exceeds,           04 00000002 0300000000",
        "list item must be a scalar,     04 00000001 04 00000000",
        "invalid UTF-8,                  02 00000002 c080",
        "invalid UTF-8,                  02 00000003 eda080",
        "invalid UTF-8,                  02 00000001 80",
        "invalid UTF-8,                  02 00000002 e282",
        "invalid UTF-8,                  02 00000004 f4908080",
    })
    void malformedValuesAreRejectedWithReasonAndOffset(String reason, String hexBytes) {
        assertMalformed(reason, unhex(hexBytes), KvCodec::readValue);
    }

    @ParameterizedTest
    @CsvSource({
        "unknown command op 0,           00 00016b",
        "unknown command op 6,           06 00016b",
        "truncated key length,           02 00",
        "key length 0,                   02 0000",
        "key length 65535,               02 ffff 6b",
        "truncated key,                  02 0002 6b",
        "invalid UTF-8 in key,           02 0001 ff",
        "put value must be a scalar,     01 00016b 04 00000000",
        "append value must be a scalar,  05 00016b 04 00000000",
        "cas update must be a scalar,    04 00016b 00 04 00000000",
        "presence byte must be 0 or 1,   04 00016b 02 0100000000000000000100000000000000",
        "truncated put value tag,        01 00016b",
    })
    void malformedCommandsAreRejected(String reason, String hexBytes) {
        assertMalformed(reason, unhex(hexBytes), KvCodec::readCommand);
    }

    @ParameterizedTest
    @CsvSource({
        "unknown result code 0,          00",
        "unknown result code 8,          08",
        "truncated result code,          ''",
        "presence byte must be 0 or 1,   01 07",
        "truncated ok previous presence, 01",
        "negative appended size,         05 ffffffffffffffff",
        "truncated appended size,        05 00000000",
        "truncated value tag,            02",
    })
    void malformedResultsAreRejected(String reason, String hexBytes) {
        assertMalformed(reason, unhex(hexBytes), KvCodec::readResult);
    }

    @ParameterizedTest
    @CsvSource({
        "unsupported entry version 2,    02 0000000000000000 0000000000000000 0000000000000000 0200016b",
        "seq starts at 1,                01 0000000000000001 0000000000000000 0000000000000000 0200016b",
        "seq must not be negative,       01 0000000000000000 ffffffffffffffff 0000000000000000 0200016b",
        "timestampMs must not be neg,    01 0000000000000000 0000000000000000 ffffffffffffffff 0200016b",
        "1 trailing bytes,               01 0000000000000000 0000000000000000 0000000000000000 0200016b 00",
        "truncated entry version,        ''",
        "truncated client id,            01 00",
    })
    void malformedEntriesAreRejected(String reason, String hexBytes) {
        assertMalformed(reason, unhex(hexBytes), in -> KvCodec.decodeEntry(in.array()));
    }

    @Test
    void everyTruncationOfAValidEncodingIsMalformed() {
        KvGen gen = new KvGen(7);
        for (int i = 0; i < 300; i++) {
            KvEntry e = gen.entry();
            byte[] full = KvCodec.encodeEntry(e);
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                assertThrows(KvCodec.MalformedException.class, () -> KvCodec.decodeEntry(cut), e + " cut at " + n);
            }
            Result r = gen.result();
            byte[] result = encode(r);
            for (int n = 0; n < result.length; n++) {
                ByteBuffer cut = ByteBuffer.wrap(result, 0, n);
                assertThrows(KvCodec.MalformedException.class, () -> KvCodec.readResult(cut), r + " cut at " + n);
            }
        }
    }

    @Test
    void malformedExceptionCarriesTheOffset() {
        KvCodec.MalformedException e = assertThrows(KvCodec.MalformedException.class,
                () -> KvCodec.readCommand(ByteBuffer.wrap(unhex("01 00016b 09"))));
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().endsWith("at offset 4"), e.getMessage());
        assertEquals(-1, new KvCodec.MalformedException("x").offset());
    }

    @Test
    void absentAndPresentNullableFieldsStayDistinct() {
        Command.Cas absent = (Command.Cas) KvCodec.readCommand(ByteBuffer.wrap(encode(new Command.Cas("k", null, Value.of(0)))));
        assertNull(absent.expected());
        Result.Ok ok = (Result.Ok) KvCodec.readResult(ByteBuffer.wrap(encode(new Result.Ok(Value.of(0)))));
        assertEquals(Value.of(0), ok.previous());
    }

    static byte[] encode(Command c) {
        ByteBuffer out = ByteBuffer.allocate(KvCodec.commandSize(c));
        KvCodec.writeCommand(out, c);
        return out.array();
    }

    static byte[] encode(Result r) {
        ByteBuffer out = ByteBuffer.allocate(KvCodec.resultSize(r));
        KvCodec.writeResult(out, r);
        return out.array();
    }

    static void assertMalformed(String reason, byte[] input, Function<ByteBuffer, ?> read) {
        KvCodec.MalformedException e = assertThrows(KvCodec.MalformedException.class,
                () -> read.apply(ByteBuffer.wrap(input)), () -> "accepted " + hex(input));
        assertTrue(e.getMessage().contains(reason), () -> "message '" + e.getMessage() + "' lacks '" + reason + "'");
        assertTrue(e.getMessage().contains("at offset "), e.getMessage());
    }
}
