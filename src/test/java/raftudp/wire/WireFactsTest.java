package raftudp.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.config.ClusterConfig;
import raftudp.core.Raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Holds {@code docs/wire-facts.json} to the Java constants: the committed file must be what
 * {@link WireFacts} renders now, it must read back (with a small JSON reader of this test,
 * independent of the writer) to the values of {@link RaftHeader}, {@link MessageType},
 * {@link PortMap}, {@link DropReason} and {@link ClusterConfig#testbed()}, and the testbed's
 * addresses and ports must be those of {@code topology.json}. The Python and Lua copies are
 * held to the same file by their own tests (see docs/wire-format.md).
 */
class WireFactsTest {
    private static final Path TOPOLOGY = Path.of("topology.json");

    private static String committed() throws IOException {
        return Files.readString(WireFacts.COMMITTED, StandardCharsets.UTF_8);
    }

    @Test
    void committedFileIsWhatTheJavaConstantsRender() throws IOException {
        String want = WireFacts.render();
        String have = committed();
        if (!want.equals(have)) {
            String[] w = want.split("\n", -1);
            String[] h = have.split("\n", -1);
            int line = 0;
            while (line < Math.min(w.length, h.length) && w[line].equals(h[line])) {
                line++;
            }
            fail(WireFacts.COMMITTED + " is stale: it differs from what WireFacts renders at line " + (line + 1)
                    + " (committed: " + (line < h.length ? "'" + h[line] + "'" : "end of file") + ", rendered: "
                    + (line < w.length ? "'" + w[line] + "'" : "end of file") + "). Regenerate it: "
                    + WireFacts.REGENERATE + " (then run the Python and Lua tests that compare their copies with it)");
        }
    }

    @Test
    void renderingIsDeterministicAndEndsWithANewline() {
        String once = WireFacts.render();
        assertEquals(once, WireFacts.render());
        assertTrue(once.endsWith("}\n") && !once.endsWith("\n\n"), "one final newline");
    }

    @Test
    void theJsonReadsBackToTheJavaConstants() throws IOException {
        Map<String, Object> f = MiniJson.object(MiniJson.parse(committed()));
        assertEquals((long) WireFacts.FORMAT, f.get("format"));
        assertEquals((long) RaftHeader.MAGIC, f.get("magic"), "magic");
        assertEquals((long) RaftHeader.VERSION, f.get("version"), "version");
        assertEquals((long) RaftHeader.HEADER_BYTES, f.get("header_bytes"), "header_bytes");
        assertEquals((long) RaftHeader.MAC_BYTES, f.get("mac_bytes"), "mac_bytes");
        assertEquals((long) RaftHeader.NO_NODE, f.get("no_node"), "no_node");
        assertEquals((long) RaftHeader.NODE_ID_MAX, f.get("node_id_max"), "node_id_max");
        assertEquals(Raft.TERM_MAX, f.get("term_max"), "term_max");
        assertEquals((long) WireLimits.DEFAULT.datagramBytesMax(), f.get("datagram_bytes_default"));
        assertEquals(ReplayGuard.REQUEST_WINDOW_MS, f.get("request_window_ms"));
        assertEquals(WireLimits.DEFAULT.reassemblyTimeoutMs(),
                MiniJson.object(f.get("reassembly_default")).get("reassembly_timeout_ms"));

        List<Object> fields = MiniJson.list(f.get("header_fields"));
        assertEquals(RaftHeader.FIELDS.size(), fields.size(), "header fields");
        for (int i = 0; i < fields.size(); i++) {
            RaftHeader.Field want = RaftHeader.FIELDS.get(i);
            Map<String, Object> got = MiniJson.object(fields.get(i));
            assertEquals(want.p4Name(), got.get("name"), "header field " + i);
            assertEquals((long) want.offsetBits(), got.get("offset_bits"), want.p4Name());
            assertEquals((long) want.bits(), got.get("bits"), want.p4Name());
        }

        Map<String, Integer> flagBits = new LinkedHashMap<>();
        for (Object o : MiniJson.list(f.get("flags"))) {
            Map<String, Object> flag = MiniJson.object(o);
            flagBits.put((String) flag.get("name"), ((Long) flag.get("bit")).intValue());
        }
        assertEquals(RaftHeader.FLAG_PRE_VOTE, flagBits.get("PRE_VOTE"));
        assertEquals(RaftHeader.FLAG_AUTH, flagBits.get("AUTH"));
        assertEquals(WireFacts.flagBits(), flagBits);

        List<Object> classes = MiniJson.list(f.get("message_classes"));
        assertEquals(MessageClass.values().length, classes.size(), "message classes");
        for (MessageClass c : MessageClass.values()) {
            Map<String, Object> got = MiniJson.object(classes.get(c.ordinal()));
            assertEquals(c.name(), ((String) got.get("name")).toUpperCase(Locale.ROOT));
            assertEquals((long) PortMap.DEFAULT.portOf(c), got.get("default_port"), c + " port");
        }

        List<Object> types = MiniJson.list(f.get("message_types"));
        assertEquals(MessageType.values().length, types.size(), "message types");
        for (Object o : types) {
            Map<String, Object> got = MiniJson.object(o);
            MessageType t = MessageType.ofCode(((Long) got.get("code")).intValue());
            assertTrue(t != null, "no Java type has code " + got.get("code"));
            assertEquals(t.name(), got.get("constant"));
            assertEquals(t.javaClass() == StatusReport.class ? "StatusResponse" : t.javaClass().getSimpleName(),
                    got.get("name"), "the spec's name of " + t);
            assertEquals(t.messageClass().name(), ((String) got.get("class")).toUpperCase(Locale.ROOT));
            assertEquals(t.isRaft(), got.get("raft"), t + " raft");
            assertEquals(t.hasBody(), got.get("has_body"), t + " has_body");
            assertEquals((long) t.flagsAllowed(), got.get("flags_allowed"), t + " flags_allowed");
            List<String> used = new ArrayList<>();
            t.fieldsUsed().forEach(x -> used.add(x.p4Name()));
            assertEquals(used, got.get("fields_used"), t + " fields_used");
        }

        List<Object> reasons = MiniJson.list(f.get("drop_reasons"));
        assertEquals(DropReason.values().length, reasons.size(), "drop reasons");
        for (DropReason r : DropReason.values()) {
            Map<String, Object> got = MiniJson.object(reasons.get(r.ordinal()));
            assertEquals(r.name(), got.get("name"));
            assertEquals(r.kind().name(), got.get("kind"), r + " kind");
        }

        ClusterConfig tb = ClusterConfig.testbed();
        List<Object> nodes = MiniJson.list(MiniJson.object(f.get("testbed")).get("nodes"));
        assertEquals(tb.size(), nodes.size(), "testbed nodes");
        for (int id : tb.ids()) {
            Map<String, Object> got = MiniJson.object(nodes.get(id));
            assertEquals((long) id, got.get("id"));
            assertEquals(tb.node(id).address().getHostAddress(), got.get("address"), "testbed node " + id);
            Map<String, Object> ports = MiniJson.object(got.get("ports"));
            for (MessageClass c : MessageClass.values()) {
                assertEquals((long) tb.node(id).ports().portOf(c), ports.get(WireFacts.className(c)),
                        "testbed node " + id + " " + c);
            }
        }
    }

    @Test
    void testbedNodesAreTheClusterHostsOfTopologyJson() throws IOException {
        assertEquals(List.of(), topologyMismatches(Files.readString(TOPOLOGY, StandardCharsets.UTF_8)),
                "ClusterConfig.testbed() and " + TOPOLOGY + " disagree");
    }

    @Test
    void aTopologyThatMovesANodeOrAPortIsCaught() throws IOException {
        String topo = Files.readString(TOPOLOGY, StandardCharsets.UTF_8);
        String h2 = ClusterConfig.testbed().node(1).address().getHostAddress();
        String moved = topo.replace("\"ip\": \"" + h2 + "/", "\"ip\": \"" + h2 + "9/");
        String port = topo.replace("\"vote\": " + PortMap.DEFAULT.vote(), "\"vote\": " + (PortMap.DEFAULT.vote() + 10));
        String fewer = topo.replace("\"cluster\": [\"h1\", \"h2\", \"h3\"]", "\"cluster\": [\"h1\", \"h2\"]");
        for (String broken : List.of(moved, port, fewer)) {
            assertTrue(!broken.equals(topo), "the mutation must change topology.json's text");
            assertTrue(!topologyMismatches(broken).isEmpty(), "a mutated topology.json passes");
        }
    }

    /** Where {@code topology.json}'s cluster hosts and raft ports differ from {@link ClusterConfig#testbed()}. */
    static List<String> topologyMismatches(String topologyJson) {
        Map<String, Object> topo = MiniJson.object(MiniJson.parse(topologyJson));
        List<Object> cluster = MiniJson.list(topo.get("cluster"));
        Map<String, Object> hosts = MiniJson.object(topo.get("hosts"));
        Map<String, Object> ports = MiniJson.object(topo.get("raft_ports"));
        ClusterConfig tb = ClusterConfig.testbed();
        List<String> out = new ArrayList<>();
        if (cluster.size() != tb.size()) {
            out.add("'cluster' lists " + cluster.size() + " hosts, ClusterConfig.testbed() " + tb.size() + " nodes");
        }
        for (int id = 0; id < Math.min(tb.size(), cluster.size()); id++) {
            String host = (String) cluster.get(id);
            String ip = ((String) MiniJson.object(hosts.get(host)).get("ip")).split("/")[0];
            String want = tb.node(id).address().getHostAddress();
            if (!ip.equals(want)) {
                out.add("node " + id + " is " + want + " in ClusterConfig.testbed(), host " + host + " is " + ip);
            }
            for (MessageClass c : MessageClass.values()) {
                Object port = ports.get(WireFacts.className(c));
                if (!Long.valueOf(tb.node(id).ports().portOf(c)).equals(port)) {
                    out.add("raft_ports." + WireFacts.className(c) + " is " + port + ", node " + id + " listens on "
                            + tb.node(id).ports().portOf(c));
                }
            }
        }
        if (ports.size() != MessageClass.values().length) {
            out.add("raft_ports has " + ports.size() + " entries, not one per message class");
        }
        return out;
    }

    @Test
    void mainWritesTheRenderedFacts(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("facts.json");
        WireFacts.main(new String[]{out.toString()});
        assertEquals(WireFacts.render(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void stringsAreEscapedAndTheReaderTakesThemBack() {
        String s = "a \"quoted\" \\ back\nslash\t\u0001 é";
        assertEquals(s, MiniJson.parse(WireFacts.quote(s)));
        assertThrows(IllegalArgumentException.class, () -> WireFacts.flat(1.5));
        assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> MiniJson.parse("[1] 2"));
    }

    /**
     * Just enough of a JSON reader for these tests: objects (as ordered maps), arrays,
     * strings, integers (as {@link Long}), other numbers (as {@link Double}), booleans, null.
     */
    static final class MiniJson {
        private final String s;
        private int i;

        private MiniJson(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            MiniJson p = new MiniJson(text);
            Object v = p.value();
            p.space();
            if (p.i != text.length()) {
                throw p.error("text after the value");
            }
            return v;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Object v) {
            assertTrue(v instanceof Map, "expected a JSON object, got " + v);
            return (Map<String, Object>) v;
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object v) {
            assertTrue(v instanceof List, "expected a JSON array, got " + v);
            return (List<Object>) v;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + i);
        }

        private void space() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private void expect(char c) {
            space();
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private boolean peek(char c) {
            space();
            return i < s.length() && s.charAt(i) == c;
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                if (peek('}')) {
                    i++;
                    return m;
                }
                do {
                    space();
                    String key = string();
                    expect(':');
                    if (m.put(key, value()) != null) {
                        throw error("duplicate key " + key);
                    }
                } while (comma());
                expect('}');
                return m;
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                if (peek(']')) {
                    i++;
                    return l;
                }
                do {
                    l.add(value());
                } while (comma());
                expect(']');
                return l;
            }
            if (c == '"') {
                return string();
            }
            for (String word : new String[]{"true", "false", "null"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String n = s.substring(start, i);
            if (n.isEmpty()) {
                throw error("unexpected '" + c + "'");
            }
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private boolean comma() {
            if (peek(',')) {
                i++;
                space();
                if (i < s.length() && (s.charAt(i) == '}' || s.charAt(i) == ']')) {
                    throw error("trailing comma");
                }
                return true;
            }
            return false;
        }

        private String string() {
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("expected a string");
            }
            i++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    case '"', '\\', '/' -> out.append(e);
                    default -> throw error("bad escape \\" + e);
                }
            }
        }
    }
}
