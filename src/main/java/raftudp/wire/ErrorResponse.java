package raftudp.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A node's refusal of a request, with a code and a text for people: sent on the client
 * port to the request's source address and port ({@code docs/wire-format.md} §5.8). Body:
 * {@code code:u8, textLength:u16, text} (UTF-8, {@link #TEXT_BYTES_MIN}..{@link #TEXT_BYTES_MAX} bytes).
 *
 * @param nodeId the refusing node, 0..65534
 * @param code   why, 1..255: {@link #ADMIN_DISABLED}, {@link #AUTH_REQUIRED}; a receiver shows
 *               the text of codes it does not know
 * @param text   what to do about it, for the person who sent the request
 */
public record ErrorResponse(int nodeId, int code, String text) {
    /** The node has no cluster key and was not started with {@code --allow-admin}: admin requests are refused. */
    public static final int ADMIN_DISABLED = 1;
    /**
     * Reserved: the request needs authentication. Not sent in this version: a node with a key
     * drops unauthenticated datagrams without an answer.
     */
    public static final int AUTH_REQUIRED = 2;
    public static final int TEXT_BYTES_MIN = 1;
    public static final int TEXT_BYTES_MAX = 512;

    /** The text of {@link #ADMIN_DISABLED}. */
    public static final String ADMIN_DISABLED_TEXT = "admin requests are disabled on this node: start it with "
            + "--allow-admin, or give both node and client --cluster-key";

    /** @throws IllegalArgumentException when a field is out of range */
    public ErrorResponse {
        Objects.requireNonNull(text, "text");
        if (nodeId < 0 || nodeId > RaftHeader.NODE_ID_MAX) {
            throw new IllegalArgumentException("nodeId " + nodeId + " outside 0.." + RaftHeader.NODE_ID_MAX);
        }
        if (code < 1 || code > 255) {
            throw new IllegalArgumentException("error code " + code + " outside 1..255");
        }
        int bytes = utf8(text).length;
        if (bytes < TEXT_BYTES_MIN || bytes > TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("error text of " + bytes + " bytes; " + TEXT_BYTES_MIN + ".."
                    + TEXT_BYTES_MAX + " allowed");
        }
    }

    /** The refusal of an admin request by node {@code nodeId} without key and without {@code --allow-admin}. */
    public static ErrorResponse adminDisabled(int nodeId) {
        return new ErrorResponse(nodeId, ADMIN_DISABLED, ADMIN_DISABLED_TEXT);
    }

    /** The code's name: {@code ADMIN_DISABLED}, {@code AUTH_REQUIRED}, or {@code code 7}. */
    public String codeName() {
        return switch (code) {
            case ADMIN_DISABLED -> "ADMIN_DISABLED";
            case AUTH_REQUIRED -> "AUTH_REQUIRED";
            default -> "code " + code;
        };
    }

    static byte[] encode(ErrorResponse e) {
        byte[] text = utf8(e.text());
        ByteBuffer out = ByteBuffer.allocate(3 + text.length);
        out.put((byte) e.code()).putShort((short) text.length).put(text);
        return MessageCodec.full(out);
    }

    static ErrorResponse decode(RaftHeader h, ByteBuffer body) {
        int code = MessageCodec.u8(body, "error code");
        int length = MessageCodec.u16(body, "error text length");
        if (code == 0) {
            throw MessageCodec.malformed("error code 0");
        }
        if (length < TEXT_BYTES_MIN || length > TEXT_BYTES_MAX) {
            throw MessageCodec.malformed("error text length " + length + " outside " + TEXT_BYTES_MIN + ".."
                    + TEXT_BYTES_MAX);
        }
        byte[] text = MessageCodec.bytes(body, length, "error text");
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text)).toString();
            return new ErrorResponse(h.source(), code, s);
        } catch (CharacterCodingException e) {
            throw MessageCodec.malformed("invalid UTF-8 in the error text");
        }
    }

    /** The UTF-8 bytes of {@code s}; a lone surrogate is an error, not a replacement character. */
    private static byte[] utf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("error text is not well-formed UTF-16 (a lone surrogate)");
        }
    }
}
