package raftudp.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static raftudp.wire.MessageCodec.malformed;
import static raftudp.wire.MessageCodec.u16;
import static raftudp.wire.MessageCodec.u32;
import static raftudp.wire.MessageCodec.u8;

/**
 * The bodies of {@link MessageType#FAULT_REQUEST} and {@link MessageType#FAULT_RESPONSE}:
 * <pre>
 * request  = op:u8, then SET: target rule; CLEAR: target; SHOW, CLEAR_ALL: nothing
 * response = count:u16, count x (target rule)              strictly ascending target
 * target   = length:u8 (0 = every destination, 4 = IPv4), address bytes
 * rule     = lossPpm:u32, delayMs:u32, jitterMs:u32, duplicatePpm:u32
 * </pre>
 */
final class FaultBody {
    private static final int RULE_BYTES = 16;

    private FaultBody() {
    }

    static byte[] encode(FaultRequest r) {
        FaultEntry e = r.entry();
        int size = 1 + (e == null ? 0 : targetBytes(e)) + (r.op() == FaultRequest.Op.SET ? RULE_BYTES : 0);
        ByteBuffer out = ByteBuffer.allocate(size).put((byte) r.op().code);
        if (e != null) {
            putTarget(out, e);
        }
        if (r.op() == FaultRequest.Op.SET) {
            putRule(out, e);
        }
        return MessageCodec.full(out);
    }

    static byte[] encode(FaultResponse r) {
        int size = 2;
        for (FaultEntry e : r.rules()) {
            size += targetBytes(e) + RULE_BYTES;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putShort((short) r.rules().size());
        for (FaultEntry e : r.rules()) {
            putTarget(out, e);
            putRule(out, e);
        }
        return MessageCodec.full(out);
    }

    private static int targetBytes(FaultEntry e) {
        return e.isDefault() ? 1 : 5;
    }

    private static void putTarget(ByteBuffer out, FaultEntry e) {
        if (e.isDefault()) {
            out.put((byte) 0);
        } else {
            out.put((byte) 4).put(FaultEntry.ipv4(e.target()));
        }
    }

    private static void putRule(ByteBuffer out, FaultEntry e) {
        out.putInt(e.lossPpm()).putInt(e.delayMs()).putInt(e.jitterMs()).putInt(e.duplicatePpm());
    }

    static FaultRequest decodeRequest(ByteBuffer in) {
        int code = u8(in, "fault op");
        FaultRequest.Op op = FaultRequest.Op.ofCode(code);
        if (op == null) {
            throw malformed("unknown fault op " + code);
        }
        switch (op) {
            case SET:
                return FaultRequest.set(rule(target(in), in));
            case CLEAR:
                return FaultRequest.clear(target(in));
            case SHOW:
                return FaultRequest.show();
            default:
                return FaultRequest.clearAll();
        }
    }

    static FaultResponse decodeResponse(RaftHeader h, ByteBuffer in) {
        int count = u16(in, "fault rule count");
        if (count > in.remaining() / (1 + RULE_BYTES)) {
            throw malformed("fault rule count " + count + " exceeds what " + in.remaining() + " bytes can hold");
        }
        if (count > FaultResponse.RULES_MAX) {
            throw malformed("fault rule count " + count + " over " + FaultResponse.RULES_MAX);
        }
        List<FaultEntry> rules = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            FaultEntry e = rule(target(in), in);
            if (e.isNone()) {
                throw malformed("fault rule " + i + " for " + e.target() + " is all zero");
            }
            if (i > 0 && FaultEntry.ORDER.compare(rules.get(i - 1), e) >= 0) {
                throw malformed("fault rule for " + e.target() + " does not follow " + rules.get(i - 1).target());
            }
            rules.add(e);
        }
        return new FaultResponse(h.source(), rules);
    }

    private static String target(ByteBuffer in) {
        int length = u8(in, "fault target length");
        if (length == 0) {
            return FaultEntry.EVERY;
        }
        if (length != 4) {
            throw malformed("fault target length " + length + ": 0 (every destination) or 4 (IPv4)");
        }
        return FaultEntry.dotted(MessageCodec.bytes(in, 4, "fault target"));
    }

    private static FaultEntry rule(String target, ByteBuffer in) {
        long loss = u32(in, "loss ppm");
        long delay = u32(in, "delay ms");
        long jitter = u32(in, "jitter ms");
        long dup = u32(in, "duplicate ppm");
        if (loss > FaultEntry.PPM_MAX || dup > FaultEntry.PPM_MAX || delay + jitter > FaultEntry.DELAY_MS_MAX) {
            throw malformed("fault rule for " + target + " out of range: loss " + loss + " ppm, delay " + delay
                    + " ms, jitter " + jitter + " ms, duplicate " + dup + " ppm");
        }
        return new FaultEntry(target, (int) loss, (int) delay, (int) jitter, (int) dup);
    }
}
