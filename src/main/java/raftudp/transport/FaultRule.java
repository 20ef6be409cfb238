package raftudp.transport;

import raftudp.wire.FaultEntry;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Faults applied to datagrams leaving for one destination host (the project's own fault
 * layer, for kernels without netem). All zero means "deliver untouched".
 *
 * <p>Text form ({@link #parse}, {@link #text}): comma-separated {@code key:value} items,
 * {@code loss:5%}, {@code delay:5ms}, {@code jitter:1ms}, {@code dup:1%}, in any order,
 * each at most once; {@code none} is no fault. Rates have a resolution of one part per
 * million (0.0001 %), as on the wire ({@link FaultEntry}).
 *
 * @param lossRate      probability a datagram is dropped, 0..1
 * @param delayMs       fixed delay before sending
 * @param jitterMs      extra uniform random delay 0..jitterMs; datagrams overtake each other
 *                      (reordering) when it exceeds their spacing
 * @param duplicateRate probability a datagram is sent twice (the copy gets its own delay)
 */
public record FaultRule(double lossRate, int delayMs, int jitterMs, double duplicateRate) {
    public static final FaultRule NONE = new FaultRule(0, 0, 0, 0);
    /** Longest delay accepted, so that queued datagrams stay bounded in time. */
    public static final int DELAY_MS_MAX = FaultEntry.DELAY_MS_MAX;
    private static final BigDecimal PPM_PER_PERCENT = BigDecimal.valueOf(10_000);

    public FaultRule {
        if (!(lossRate >= 0 && lossRate <= 1) || !(duplicateRate >= 0 && duplicateRate <= 1)) {
            throw new IllegalArgumentException("loss and duplicate rates are between 0 and 1");
        }
        if (delayMs < 0 || jitterMs < 0 || delayMs + jitterMs > DELAY_MS_MAX) {
            throw new IllegalArgumentException("delay and jitter are 0.." + DELAY_MS_MAX + " ms in all");
        }
    }

    /** A rule from rates in parts per million. */
    public static FaultRule ofPpm(int lossPpm, int delayMs, int jitterMs, int duplicatePpm) {
        return new FaultRule(lossPpm / 1e6, delayMs, jitterMs, duplicatePpm / 1e6);
    }

    /** The rule a wire entry describes. */
    public static FaultRule of(FaultEntry e) {
        return ofPpm(e.lossPpm(), e.delayMs(), e.jitterMs(), e.duplicatePpm());
    }

    /** This rule as a wire entry for {@code target} ({@link FaultEntry#EVERY} or an IPv4 address). */
    public FaultEntry toEntry(String target) {
        return new FaultEntry(target, lossPpm(), delayMs, jitterMs, duplicatePpm());
    }

    public int lossPpm() {
        return (int) Math.round(lossRate * 1e6);
    }

    public int duplicatePpm() {
        return (int) Math.round(duplicateRate * 1e6);
    }

    public boolean isNone() {
        return lossRate == 0 && delayMs == 0 && jitterMs == 0 && duplicateRate == 0;
    }

    /**
     * Parses the text form, e.g. {@code delay:5ms,jitter:1ms,loss:5%,dup:1%}.
     *
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static FaultRule parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return NONE;
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty fault rule: give e.g. delay:5ms,loss:1% (or none)");
        }
        int loss = 0;
        int dup = 0;
        int delay = 0;
        int jitter = 0;
        Set<String> seen = new HashSet<>();
        for (String item : t.split(",", -1)) {
            String[] kv = item.trim().split(":", -1);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("'" + item.trim() + "': expected key:value, e.g. delay:5ms, "
                        + "jitter:1ms, loss:5% or dup:1%");
            }
            String key = kv[0].trim().equals("duplicate") ? "dup" : kv[0].trim();
            String value = kv[1].trim();
            if (!seen.add(key)) {
                throw new IllegalArgumentException("'" + key + "' given twice");
            }
            switch (key) {
                case "loss" -> loss = percentPpm(key, value);
                case "dup" -> dup = percentPpm(key, value);
                case "delay" -> delay = millis(key, value);
                case "jitter" -> jitter = millis(key, value);
                default -> throw new IllegalArgumentException("unknown fault '" + key
                        + "': use loss, delay, jitter or dup");
            }
        }
        if (delay + jitter > DELAY_MS_MAX) {
            throw new IllegalArgumentException("delay + jitter is at most " + DELAY_MS_MAX + " ms, got "
                    + delay + " + " + jitter);
        }
        return ofPpm(loss, delay, jitter, dup);
    }

    private static int percentPpm(String key, String value) {
        if (!value.endsWith("%")) {
            throw new IllegalArgumentException(key + ":" + value + ": give a percentage, e.g. " + key + ":5%");
        }
        BigDecimal pct;
        try {
            pct = new BigDecimal(value.substring(0, value.length() - 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ":" + value + ": not a number");
        }
        BigDecimal ppm = pct.multiply(PPM_PER_PERCENT);
        if (pct.signum() < 0 || pct.compareTo(BigDecimal.valueOf(100)) > 0 || ppm.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(key + ":" + value + ": 0..100 %, in steps of 0.0001 %");
        }
        return ppm.intValueExact();
    }

    private static int millis(String key, String value) {
        if (!value.endsWith("ms")) {
            throw new IllegalArgumentException(key + ":" + value + ": give whole milliseconds, e.g. " + key + ":5ms");
        }
        String n = value.substring(0, value.length() - 2).trim();
        if (n.isEmpty() || n.length() > 6 || !n.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(key + ":" + value + ": whole milliseconds, 0.." + DELAY_MS_MAX);
        }
        int ms = Integer.parseInt(n);
        if (ms > DELAY_MS_MAX) {
            throw new IllegalArgumentException(key + ":" + value + ": at most " + DELAY_MS_MAX + " ms");
        }
        return ms;
    }

    /** The text form {@link #parse} reads: non-zero items in the order delay, jitter, loss, dup; or none. */
    public String text() {
        if (isNone()) {
            return "none";
        }
        List<String> items = new ArrayList<>();
        if (delayMs > 0) {
            items.add("delay:" + delayMs + "ms");
        }
        if (jitterMs > 0) {
            items.add("jitter:" + jitterMs + "ms");
        }
        if (lossPpm() > 0) {
            items.add("loss:" + percent(lossPpm()));
        }
        if (duplicatePpm() > 0) {
            items.add("dup:" + percent(duplicatePpm()));
        }
        return String.join(",", items);
    }

    /** Parts per million as a percentage without trailing zeros: 50000 → "5%". */
    public static String percent(int ppm) {
        return BigDecimal.valueOf(ppm).divide(PPM_PER_PERCENT).stripTrailingZeros().toPlainString() + "%";
    }

    @Override
    public String toString() {
        return isNone() ? "none" : String.format("loss=%.3f delay=%dms jitter=%dms dup=%.3f",
                lossRate, delayMs, jitterMs, duplicateRate);
    }
}
