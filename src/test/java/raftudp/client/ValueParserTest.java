package raftudp.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raftudp.kv.Value;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueParserTest {

    private static Value auto(String text) {
        return ValueParser.parse(text, ValueType.AUTO);
    }

    @Test
    void zeroAndOneAreIntegers() {
        assertEquals(new Value.Int(0), auto("0"));
        assertEquals(new Value.Int(1), auto("1"));
        assertEquals(new Value.Int(-42), auto("-42"));
        assertEquals(new Value.Int(Long.MAX_VALUE), auto(Long.toString(Long.MAX_VALUE)));
        assertEquals(new Value.Int(Long.MIN_VALUE), auto(Long.toString(Long.MIN_VALUE)));
    }

    @Test
    void emptyWordIsTheEmptyString() {
        assertEquals(new Value.Str(""), auto(""));
        assertEquals(new Value.Str(""), ValueParser.parse("", ValueType.STRING));
    }

    @Test
    void wordsAreStrings() {
        assertEquals(new Value.Str("hello"), auto("hello"));
        assertEquals(new Value.Str("-"), auto("-"));
        assertEquals(new Value.Str("1.5"), auto("1.5"));
        assertEquals(new Value.Str("héllo wörld"), auto("héllo wörld"));
    }

    @ParameterizedTest
    @CsvSource({"0x00ff, 00ff", "hex:00ff, 00ff", "0XAbCd, abcd", "0x, ''", "hex:, ''"})
    void hexPrefixesGiveBytes(String word, String hex) {
        Value v = auto(word);
        assertTrue(v instanceof Value.Bytes, v.toString());
        assertArrayEquals(ValueParser.parseHex(hex, hex), ((Value.Bytes) v).value());
    }

    @Test
    void hexBytesKeepLeadingZeros() {
        assertArrayEquals(new byte[]{0, (byte) 0xff}, ((Value.Bytes) auto("0x00ff")).value());
        assertArrayEquals(new byte[0], ((Value.Bytes) auto("0x")).value());
    }

    @Test
    void prefixesForceAType() {
        assertEquals(new Value.Str("42"), auto("str:42"));
        assertEquals(new Value.Str(""), auto("str:"));
        assertEquals(new Value.Int(7), auto("int:7"));
    }

    @Test
    void forcedTypesReadTheWordAsThatType() {
        assertEquals(new Value.Str("0"), ValueParser.parse("0", ValueType.STRING));
        assertEquals(new Value.Str("0x00"), ValueParser.parse("0x00", ValueType.STRING));
        assertEquals(new Value.Str("@file"), ValueParser.parse("@file", ValueType.STRING));
        assertEquals(new Value.Int(0), ValueParser.parse("0", ValueType.INT));
        assertArrayEquals(new byte[]{0x12, 0x34}, ((Value.Bytes) ValueParser.parse("1234", ValueType.BYTES)).value());
        assertArrayEquals(new byte[0], ((Value.Bytes) ValueParser.parse("", ValueType.BYTES)).value());
    }

    @Test
    void fileValuesAreItsBytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("v.bin");
        byte[] content = {0, 1, 2, (byte) 0xfe};
        Files.write(f, content);
        assertArrayEquals(content, ((Value.Bytes) auto("@" + f)).value());
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertArrayEquals(new byte[0], ((Value.Bytes) ValueParser.parse("@" + empty, ValueType.BYTES)).value());
    }

    @Test
    void missingFileSaysSo(@TempDir Path dir) {
        String word = "@" + dir.resolve("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> auto(word));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> auto("@"));
        assertTrue(e.getMessage().contains("file name"), e.getMessage());
    }

    @Test
    void badHexSaysWhereAndWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> auto("0x0g"));
        assertEquals("bad hex value '0x0g': 'g' at position 4 is not a hex digit", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> auto("hex:abc"));
        assertTrue(e.getMessage().contains("odd number of hex digits (3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ValueParser.parse("xyz", ValueType.BYTES));
        assertTrue(e.getMessage().contains("'x' at position 1"), e.getMessage());
    }

    @Test
    void badIntegersSaySo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValueParser.parse("abc", ValueType.INT));
        assertTrue(e.getMessage().contains("'abc' is not an integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> auto("99999999999999999999"));
        assertTrue(e.getMessage().contains("does not fit in a 64-bit integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ValueParser.parse("", ValueType.INT));
        assertTrue(e.getMessage().contains("is not an integer"), e.getMessage());
    }

    @Test
    void typeNamesParse() {
        assertEquals(ValueType.INT, ValueType.parse("int"));
        assertEquals(ValueType.STRING, ValueType.parse("String"));
        assertEquals(ValueType.BYTES, ValueType.parse("BYTES"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueType.parse("float"));
        assertTrue(e.getMessage().contains("use int, string, bytes"), e.getMessage());
    }
}
