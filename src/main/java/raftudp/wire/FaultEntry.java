package raftudp.wire;

import java.util.Comparator;
import java.util.Objects;

/**
 * One fault rule as the wire carries it (see {@link FaultRequest}): what a node does to the
 * datagrams it sends to one destination host, or to every destination without a rule of
 * its own. Rates are in parts per million so that every value has exactly one encoding.
 *
 * @param target       {@link #EVERY} for the default rule, else an IPv4 address in dotted
 *                     decimal without leading zeros (e.g. {@code 10.0.2.2})
 * @param lossPpm      datagrams dropped, per million, 0..{@link #PPM_MAX}
 * @param delayMs      fixed delay before sending
 * @param jitterMs     extra uniform random delay 0..jitterMs; delay + jitter is at most {@link #DELAY_MS_MAX}
 * @param duplicatePpm datagrams sent twice, per million, 0..{@link #PPM_MAX}
 */
public record FaultEntry(String target, int lossPpm, int delayMs, int jitterMs, int duplicatePpm) {
    /** The target of the default rule. */
    public static final String EVERY = "*";
    /** One million: a rate of 100 %. */
    public static final int PPM_MAX = 1_000_000;
    /** Longest delay + jitter, in ms: delayed datagrams stay bounded in time. */
    public static final int DELAY_MS_MAX = 10_000;
    /** The wire order of rules: the default first, then IPv4 addresses by their bytes. */
    public static final Comparator<FaultEntry> ORDER = Comparator.comparingLong(e -> sortKey(e.target()));

    /** @throws IllegalArgumentException when a field is out of range (see the parameters) */
    public FaultEntry {
        Objects.requireNonNull(target, "target");
        if (!EVERY.equals(target) && ipv4(target) == null) {
            throw new IllegalArgumentException("fault target '" + target + "': '*' or an IPv4 address like 10.0.2.2");
        }
        if (lossPpm < 0 || lossPpm > PPM_MAX || duplicatePpm < 0 || duplicatePpm > PPM_MAX) {
            throw new IllegalArgumentException("loss and duplication are 0..100 %");
        }
        if (delayMs < 0 || jitterMs < 0 || delayMs + jitterMs > DELAY_MS_MAX) {
            throw new IllegalArgumentException("delay + jitter is 0.." + DELAY_MS_MAX + " ms, got " + delayMs
                    + " + " + jitterMs);
        }
    }

    /** The entry of a CLEAR request: the target, no faults. */
    public static FaultEntry none(String target) {
        return new FaultEntry(target, 0, 0, 0, 0);
    }

    /** True when the entry does nothing (all zero). */
    public boolean isNone() {
        return lossPpm == 0 && delayMs == 0 && jitterMs == 0 && duplicatePpm == 0;
    }

    /** True for the default rule. */
    public boolean isDefault() {
        return EVERY.equals(target);
    }

    /**
     * The four bytes of a canonical dotted-decimal IPv4 address (four numbers 0..255, no
     * leading zeros, no spaces), or null when {@code s} is not one.
     */
    public static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    /** The dotted-decimal form of four bytes. */
    static String dotted(byte[] b) {
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    private static long sortKey(String target) {
        if (EVERY.equals(target)) {
            return -1;
        }
        byte[] b = ipv4(target);
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }
}
