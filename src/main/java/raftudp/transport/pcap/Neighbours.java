package raftudp.transport.pcap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.logging.RateLimitedLog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Next-hop MAC resolution for frames we build: a cache, then the kernel's neighbour table
 * ({@code /proc/net/arp}: static entries, or ones the kernel learned from its own traffic),
 * then our own ARP requests sent through pcap, whose replies the capture hands to
 * {@link #onArpReply}. Pcap-only traffic never fills the kernel's table, so the last step
 * is what works in a fresh network.
 *
 * <p>A datagram whose next hop is unknown waits in a bounded queue while requests go out
 * every {@code arpRetryMs}; the queue is sent when the reply arrives, or dropped at
 * {@code arpTimeoutMs}. Invariant: datagrams to one next hop leave in the order
 * {@link #send} was called, also across the moment its MAC is learned: the MAC is
 * published only once the queue is empty, and until then later datagrams join the queue
 * (bounded; drops counted). {@link #send} never blocks for long. A MAC older than {@code neighbourTtlMs}
 * keeps being used while one request refreshes it; if that gets no answer it is forgotten.
 * Thread-safe: senders, the capture thread and the timer thread meet here.
 */
final class Neighbours {
    private static final Logger LOG = LoggerFactory.getLogger(Neighbours.class);
    /** Next hops resolved at once; more are refused (counted {@link TxDrop#QUEUE_FULL}). */
    static final int PENDING_HOPS_MAX = 256;
    /** Rounds of sending a resolved queue outside the lock before the rest goes under it. */
    private static final int FLUSH_ROUNDS_MAX = 16;
    /** Kernel neighbour flag: the entry holds a valid MAC. */
    private static final int ATF_COM = 0x02;
    /** Kernel neighbour flag: a permanent entry (`ip neigh ... nud permanent`), never refreshed. */
    private static final int ATF_PERM = 0x04;

    /** Sends a finished frame; false when it did not go out. Counts nothing. */
    interface Link {
        boolean transmit(byte[] frame);
    }

    /** Runs a task once after a delay (a timer thread; a manual one in tests). May drop tasks when closing. */
    interface Scheduler {
        void schedule(Runnable task, long delayMs);
    }

    private static final class Entry {
        final byte[] mac;
        final long learnedNanos;
        /** From a permanent kernel entry: whoever installed it vouches for it; no refresh. */
        final boolean permanent;
        volatile long refreshSentNanos;

        Entry(byte[] mac, long learnedNanos) {
            this(mac, learnedNanos, false);
        }

        Entry(byte[] mac, long learnedNanos, boolean permanent) {
            this.mac = mac;
            this.learnedNanos = learnedNanos;
            this.permanent = permanent;
        }
    }

    private static final class Pending {
        final long startNanos;
        final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        /** Set when the MAC is known and the queue is being sent (guarded by the Neighbours). */
        byte[] mac;

        Pending(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final String iface;
    private final byte[] localMac;
    private final int localIp;
    private final PcapOptions options;
    private final PcapStats stats;
    private final Link link;
    private final Scheduler timer;
    private final Supplier<String> kernelTable;
    private final LongSupplier nanoClock;
    private final RateLimitedLog rateLimited;
    private final Map<Integer, Entry> known = new ConcurrentHashMap<>();
    private final Map<Integer, Pending> pending = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param kernelTable reads the text of {@code /proc/net/arp} (or a test's)
     * @param timer       runs retries and timeouts
     */
    Neighbours(String iface, byte[] localMac, int localIp, PcapOptions options, PcapStats stats, Link link,
               Scheduler timer, Supplier<String> kernelTable, LongSupplier nanoClock) {
        this.iface = iface;
        this.localMac = localMac.clone();
        this.localIp = localIp;
        this.options = options;
        this.stats = stats;
        this.link = link;
        this.timer = timer;
        this.kernelTable = kernelTable;
        this.nanoClock = nanoClock;
        this.rateLimited = new RateLimitedLog(LOG, () -> nanoClock.getAsLong() / 1_000_000, 10_000);
    }

    /**
     * Sends {@code frame} (its destination MAC still to fill in) to next hop {@code hop}: at
     * once when the MAC is known, else after resolution. Never blocks.
     */
    void send(int hop, byte[] frame) {
        Entry e = known.get(hop);
        if (e != null) {
            maybeRefresh(hop, e);
            transmit(e.mac, frame);
            return;
        }
        byte[] mac;
        synchronized (this) {
            if (closed) {
                stats.countTxDrop(TxDrop.NOT_STARTED);
                return;
            }
            e = known.get(hop);
            mac = e != null ? e.mac : queueOrLookUp(hop, frame);
        }
        if (mac != null) {
            transmit(mac, frame);
        }
    }

    /** Under the lock: a MAC from the kernel's table, or null after queueing the frame (or dropping it). */
    private byte[] queueOrLookUp(int hop, byte[] frame) {
        Pending p = pending.get(hop);
        if (p == null) {
            byte[] mac = kernelMac(hop, true);
            if (mac != null) {
                return mac;
            }
            if (pending.size() >= PENDING_HOPS_MAX) {
                stats.countTxDrop(TxDrop.QUEUE_FULL);
                return null;
            }
            p = new Pending(nanoClock.getAsLong());
            pending.put(hop, p);
            request(hop);
            schedule(() -> retry(hop), options.arpRetryMs());
        }
        if (p.frames.size() >= options.arpQueueFramesMax()) {
            stats.countTxDrop(TxDrop.QUEUE_FULL);
        } else {
            p.frames.add(frame);
        }
        return null;
    }

    /** Timer: gives up, finds the MAC in the kernel's table, or asks again. */
    private void retry(int hop) {
        List<byte[]> dropped = null;
        byte[] mac = null;
        Pending p;
        synchronized (this) {
            p = pending.get(hop);
            if (p == null || closed || p.mac != null) {
                return; // gone, or resolved and being sent
            }
            long waitedMs = (nanoClock.getAsLong() - p.startNanos) / 1_000_000;
            mac = kernelMac(hop, false);
            if (mac != null) {
                p.mac = mac;
            } else if (waitedMs >= options.arpTimeoutMs()) {
                pending.remove(hop);
                dropped = new ArrayList<>(p.frames);
            } else {
                request(hop);
                schedule(() -> retry(hop), options.arpRetryMs());
                return;
            }
        }
        if (mac != null) {
            flush(hop, p);
        } else {
            stats.countArpTimeout();
            stats.countTxDrop(TxDrop.NO_MAC, dropped.size());
            rateLimited.warn("no_mac", () -> "pcap " + iface + ": no answer to ARP for next hop " + Frames.ipText(hop)
                    + " within " + options.arpTimeoutMs() + " ms; dropped the datagrams waiting for it");
        }
    }

    /** Starts a refresh of an old entry: one request; forgotten if nothing answers in time. */
    private void maybeRefresh(int hop, Entry e) {
        if (e.permanent) {
            return; // e.g. the testbed's gateway entries: switches that answer no ARP (raft.p4)
        }
        long now = nanoClock.getAsLong();
        if (now - e.learnedNanos < options.neighbourTtlMs() * 1_000_000L || e.refreshSentNanos != 0) {
            return;
        }
        synchronized (this) {
            if (e.refreshSentNanos != 0 || closed) {
                return;
            }
            e.refreshSentNanos = now;
            request(hop);
        }
        schedule(() -> {
            if (known.remove(hop, e)) { // not re-learned since
                stats.countArpTimeout();
                LOG.info("pcap {}: next hop {} did not answer a refresh; forgetting its MAC", iface,
                        Frames.ipText(hop));
            }
        }, options.arpTimeoutMs());
    }

    /**
     * The capture saw an ARP reply to us from {@code ip}. Accepted only while we resolve or
     * refresh {@code ip} (the kernel, too, ignores unsolicited replies); then the queued
     * datagrams go out.
     *
     * @return true when accepted
     */
    boolean onArpReply(int ip, byte[] mac) {
        Pending p;
        synchronized (this) {
            Entry old = known.get(ip);
            p = pending.get(ip);
            if (closed || (p == null && (old == null || old.refreshSentNanos == 0))) {
                return false;
            }
            if (p == null) {
                known.put(ip, new Entry(mac.clone(), nanoClock.getAsLong()));
            } else if (p.mac == null) {
                p.mac = mac.clone(); // published in known once the queue is sent (flush)
            } else {
                p = null; // a second reply while the queue is being sent
            }
        }
        stats.countArpReply();
        if (p != null) {
            LOG.debug("pcap {}: {} is at {}", iface, Frames.ipText(ip), Frames.macText(mac));
            flush(ip, p);
        }
        return true;
    }

    /** The MAC in use for {@code ip}, or null. */
    byte[] macOf(int ip) {
        Entry e = known.get(ip);
        return e == null ? null : e.mac.clone();
    }

    /** Drops every queued datagram (counted {@link TxDrop#NOT_STARTED}); later sends are dropped too. */
    void close() {
        int n = 0;
        synchronized (this) {
            closed = true;
            for (Pending p : pending.values()) {
                n += p.frames.size();
            }
            pending.clear();
        }
        stats.countTxDrop(TxDrop.NOT_STARTED, n);
    }

    /**
     * Sends the queue of {@code p}, whose MAC is known, in order, then publishes the MAC.
     * Until then {@code p} stays pending, so datagrams sent meanwhile join the queue behind
     * the older ones instead of overtaking them. Sends outside the lock for a bounded
     * number of rounds, then the rest under it (senders wait, briefly).
     */
    private void flush(int hop, Pending p) {
        for (int round = 0; round < FLUSH_ROUNDS_MAX; round++) {
            List<byte[]> batch;
            synchronized (this) {
                if (p.frames.isEmpty() || closed) {
                    publish(hop, p);
                    return;
                }
                batch = new ArrayList<>(p.frames);
                p.frames.clear();
            }
            for (byte[] frame : batch) {
                transmit(p.mac, frame);
            }
        }
        synchronized (this) {
            for (byte[] frame = p.frames.poll(); frame != null; frame = p.frames.poll()) {
                transmit(p.mac, frame);
            }
            publish(hop, p);
        }
    }

    /** Under the lock: the queue of {@code p} is sent; later datagrams go straight out. */
    private void publish(int hop, Pending p) {
        if (pending.remove(hop, p) && !closed) {
            known.put(hop, new Entry(p.mac, nanoClock.getAsLong()));
        }
    }

    private void transmit(byte[] mac, byte[] frame) {
        System.arraycopy(mac, 0, frame, 0, 6);
        if (link.transmit(frame)) {
            stats.countTxFrame(frame.length);
        } else {
            stats.countTxDrop(TxDrop.SEND_ERROR);
        }
    }

    private void request(int hop) {
        if (link.transmit(Frames.arpRequest(localMac, localIp, hop))) {
            stats.countArpRequest();
        }
    }

    /** Under the lock, on a miss: a MAC the kernel knows (cached here at once if {@code cache}). */
    private byte[] kernelMac(int hop, boolean cache) {
        byte[] mac;
        boolean permanent;
        try {
            String table = kernelTable.get();
            mac = kernelMac(table, iface, hop);
            permanent = mac != null && (kernelFlags(table, iface, hop) & ATF_PERM) != 0;
        } catch (RuntimeException e) {
            rateLimited.warn("arp_table", () -> "pcap " + iface + ": cannot read the neighbour table: " + e);
            return null;
        }
        if (mac != null) {
            if (cache) {
                known.put(hop, new Entry(mac, nanoClock.getAsLong(), permanent));
            }
            stats.countArpFromKernel();
        }
        return mac;
    }

    private void schedule(Runnable task, long delayMs) {
        timer.schedule(task, delayMs);
    }

    /**
     * The complete entry for {@code ip} on {@code iface} in the text of {@code /proc/net/arp}
     * (columns: IP address, HW type, Flags, HW address, Mask, Device), or null.
     */
    static byte[] kernelMac(String table, String iface, int ip) {
        String[] c = kernelLine(table, iface, ip);
        if (c == null) {
            return null;
        }
        try {
            byte[] mac = parseMac(c[3]);
            if ((Integer.decode(c[2]) & ATF_COM) != 0 && mac != null && !isZero(mac)) {
                return mac;
            }
        } catch (NumberFormatException e) {
            // not a line we understand
        }
        return null;
    }

    /** The columns of the line for {@code ip} on {@code iface} in {@code /proc/net/arp}'s text, or null. */
    private static String[] kernelLine(String table, String iface, int ip) {
        String ipText = Frames.ipText(ip);
        for (String line : table.split("\n")) {
            String[] c = line.trim().split("\\s+");
            if (c.length >= 6 && c[0].equals(ipText) && c[5].equals(iface)) {
                return c;
            }
        }
        return null;
    }

    /** The flags of the entry for {@code ip} on {@code iface} in {@code /proc/net/arp}'s text, or 0. */
    static int kernelFlags(String table, String iface, int ip) {
        String[] c = kernelLine(table, iface, ip);
        try {
            return c == null ? 0 : Integer.decode(c[2]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A MAC from {@code aa:bb:cc:dd:ee:ff}, or null. */
    static byte[] parseMac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            return null;
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 2) {
                return null;
            }
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    private static boolean isZero(byte[] mac) {
        for (byte b : mac) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
