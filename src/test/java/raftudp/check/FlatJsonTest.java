package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link FlatJson}: what it reads, what it refuses, and that quoting reads back. */
class FlatJsonTest {

    @Test
    void when_everyValueType_then_eachMapsToItsJavaType() throws Exception {
        Map<String, Object> m = FlatJson.parseObject(
                " {\"s\":\"x\", \"n\":-42, \"big\":1234567890123, \"b\":true, \"f\":false, \"z\":null,"
                        + " \"a\":[\"p\",\"q\"], \"e\":[], \"d\":1.5e3} ");
        assertEquals("x", m.get("s"));
        assertEquals(-42L, m.get("n"));
        assertEquals(1234567890123L, m.get("big"));
        assertEquals(Boolean.TRUE, m.get("b"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("z"));
        assertNull(m.get("z"));
        assertEquals(List.of("p", "q"), m.get("a"));
        assertEquals(List.of(), m.get("e"));
        assertEquals(1500.0, m.get("d"));
        assertEquals(List.of("s", "n", "big", "b", "f", "z", "a", "e", "d"), List.copyOf(m.keySet()));
    }

    @Test
    void when_stringHasEscapes_then_theyAreDecoded() throws Exception {
        Map<String, Object> m = FlatJson.parseObject(
                "{\"v\":\"q\\\" bs\\\\ sl\\/ b\\b f\\f n\\n r\\r t\\t e\\u00e9 smile\\ud83d\\ude00\"}");
        assertEquals("q\" bs\\ sl/ b\b f\f n\n r\r t\t e\u00e9 smile\ud83d\ude00", m.get("v"));
    }

    @Test
    void when_emptyObject_then_emptyMap() throws Exception {
        assertEquals(Map.of(), FlatJson.parseObject("{}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1} x", "{\"a\":1}{}",
        "{\"a\":{\"b\":1}}", "{\"a\":[1,2]}", "{\"a\":[\"x\",]}", "{\"a\":1,\"a\":2}", "{\"a\":\"unterminated}",
        "{\"a\":\"bad \\x escape\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":99999999999999999999}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":'x'}", "{\"a\":+1}",
    })
    void when_notAFlatObject_then_refused(String text) {
        assertThrows(FlatJson.ParseException.class, () -> FlatJson.parseObject(text));
    }

    @Test
    void when_refused_then_theOffsetPointsAtTheProblem() {
        FlatJson.ParseException e = assertThrows(FlatJson.ParseException.class,
                () -> FlatJson.parseObject("{\"a\":1,\"a\":2}"));
        assertEquals(7, e.offset());
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void when_quoted_then_readsBackUnchanged() throws Exception {
        String nasty = "a\"b\\c/d\b\f\n\r\t\u0001\u00e9\ud83d\ude00";
        assertEquals(nasty, FlatJson.parseObject("{\"k\":" + FlatJson.quote(nasty) + "}").get("k"));
    }
}
