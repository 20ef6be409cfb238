package raftudp.p4;

import org.junit.jupiter.api.Test;
import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;
import raftudp.wire.RaftHeader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds the P4 program ({@code p4/raft.p4}) and the Java codec together: the P4
 * {@code header raft_t} must list the fields of {@link RaftHeader#FIELDS} with the same
 * names, widths and order, and the P4 constants (ports, magic, version, port classes)
 * must equal the Java ones. The P4 source is parsed here; nothing is generated.
 */
class P4HeaderTest {
    private static final Path P4 = Path.of("p4", "raft.p4");
    private static final Pattern FIELD = Pattern.compile("bit<(\\d+)>\\s+(\\w+)\\s*;");
    private static final Pattern CONST = Pattern.compile("const\\s+bit<\\d+>\\s+(\\w+)\\s*=\\s*(0x[0-9A-Fa-f]+|\\d+)\\s*;");

    /** One field of a P4 header type: name and width in bits. */
    record P4Field(String name, int bits) {
    }

    private static String source() throws IOException {
        return Files.readString(P4, StandardCharsets.UTF_8);
    }

    /** Drops comments so that a commented-out field cannot count. */
    static String stripComments(String p4) {
        return p4.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }

    /**
     * The fields of {@code header NAME { ... }} in declaration order.
     *
     * @throws IllegalArgumentException when the header is missing or holds anything but {@code bit<N> name;}
     */
    static List<P4Field> headerFields(String p4, String name) {
        String code = stripComments(p4);
        Matcher start = Pattern.compile("\\bheader\\s+" + Pattern.quote(name) + "\\s*\\{").matcher(code);
        if (!start.find()) {
            throw new IllegalArgumentException("no 'header " + name + " {' in the P4 source");
        }
        int end = code.indexOf('}', start.end());
        List<P4Field> fields = new ArrayList<>();
        for (String decl : code.substring(start.end(), end).split(";")) {
            String d = decl.trim();
            if (d.isEmpty()) {
                continue;
            }
            Matcher m = FIELD.matcher(d + ";");
            if (!m.matches()) {
                throw new IllegalArgumentException("unsupported declaration in header " + name + ": " + d);
            }
            fields.add(new P4Field(m.group(2), Integer.parseInt(m.group(1))));
        }
        return fields;
    }

    /** The value of {@code const bit<N> NAME = V;}. */
    static long constant(String p4, String name) {
        Matcher m = CONST.matcher(stripComments(p4));
        while (m.find()) {
            if (m.group(1).equals(name)) {
                String v = m.group(2).toLowerCase(Locale.ROOT);
                return v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
            }
        }
        throw new IllegalArgumentException("no constant " + name + " in the P4 source");
    }

    /** The Java layout in the same form. */
    static List<P4Field> javaFields() {
        List<P4Field> out = new ArrayList<>();
        for (RaftHeader.Field f : RaftHeader.FIELDS) {
            out.add(new P4Field(f.p4Name(), f.bits()));
        }
        return out;
    }

    @Test
    void p4HeaderListsTheCodecFieldsInOrderWithTheirWidths() throws IOException {
        List<P4Field> p4 = headerFields(source(), "raft_t");
        assertEquals(javaFields(), p4, "header raft_t in " + P4 + " differs from RaftHeader.FIELDS");
        assertEquals(RaftHeader.HEADER_BYTES * 8, p4.stream().mapToInt(P4Field::bits).sum());
    }

    @Test
    void p4PortsMagicAndVersionAreTheCodecs() throws IOException {
        String p4 = source();
        PortMap ports = PortMap.DEFAULT;
        assertEquals(ports.vote(), constant(p4, "RAFT_PORT_VOTE"));
        assertEquals(ports.heartbeat(), constant(p4, "RAFT_PORT_HEARTBEAT"));
        assertEquals(ports.append(), constant(p4, "RAFT_PORT_APPEND"));
        assertEquals(ports.client(), constant(p4, "RAFT_PORT_CLIENT"));
        assertEquals(ports.snapshot(), constant(p4, "RAFT_PORT_SNAPSHOT"));
        assertEquals(RaftHeader.MAGIC, constant(p4, "RAFT_MAGIC"));
        assertEquals(RaftHeader.VERSION, constant(p4, "RAFT_VERSION"));
    }

    @Test
    void p4ClassIndexesFollowMessageClassOrder() throws IOException {
        String p4 = source();
        for (MessageClass c : MessageClass.values()) {
            assertEquals(c.ordinal(), constant(p4, "RAFT_CLASS_" + c.name()), "RAFT_CLASS_" + c.name());
        }
        assertTrue(constant(p4, "RAFT_CLASSES") >= MessageClass.values().length);
    }

    @Test
    void aSwappedOrResizedOrRenamedFieldIsCaught() throws IOException {
        String p4 = source();
        String swapped = p4.replace("bit<16> src_id;\n    bit<16> dst_id;", "bit<16> dst_id;\n    bit<16> src_id;");
        String resized = p4.replace("bit<32> message_id;", "bit<16> message_id;");
        String renamed = p4.replace("bit<64> index_b;", "bit<64> indexB;");
        String commented = p4.replace("bit<64> commit_index;", "// bit<64> commit_index;");
        for (String broken : List.of(swapped, resized, renamed, commented)) {
            assertTrue(!broken.equals(p4), "the mutation must change the source");
            assertTrue(!javaFields().equals(headerFields(broken, "raft_t")));
        }
    }

    @Test
    void anythingButPlainBitFieldsIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> headerFields("header raft_t { bit<16> magic; varbit<8> rest; }", "raft_t"));
        assertThrows(IllegalArgumentException.class, () -> headerFields("header other_t { bit<8> x; }", "raft_t"));
    }
}
