package raftudp.wire;

/**
 * Input that breaks the format, with the {@link DropReason} it is counted under. Internal
 * to the decoder: it never leaves {@link WireDecoder}. No stack trace (it is a verdict on
 * input, not a bug, and a flood of bad packets must stay cheap).
 */
final class WireFormatException extends RuntimeException {
    private final DropReason reason;

    WireFormatException(DropReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    DropReason reason() {
        return reason;
    }
}
