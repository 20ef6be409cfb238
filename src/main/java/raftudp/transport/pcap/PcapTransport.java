package raftudp.transport.pcap;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.logging.RateLimitedLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Raw-frame transport through pcap4j: Ethernet/IPv4/UDP frames built by hand and injected
 * with {@code pcap_sendpacket}, and captured with a BPF filter on our address and ports.
 * Needs root or CAP_NET_RAW, libpcap (Debian: {@code libpcap0.8}) and an Ethernet
 * interface; on loopback use the {@code udp} transport ({@link #start} says so).
 *
 * <ul>
 * <li>Receive: one capture thread runs {@code pcap_loop} on a handle in immediate mode,
 *     direction IN, with the filter {@link #filter}: UDP to our address and ports, and ARP
 *     replies, not from our MAC. Frames are parsed here (not by pcap4j); malformed ones,
 *     wrong checksums included, are counted per {@link RxDrop} and dropped. A handle never
 *     captures what it injected itself; direction IN and the MAC test exclude frames other
 *     local programs send.</li>
 * <li>Send: any thread; frames go out under one lock on the shared handle (~3 us each). The
 *     next hop comes from the kernel's routing table, its MAC from {@link Neighbours}
 *     (kernel neighbour table, else our own ARP through pcap). Datagrams that cannot go out
 *     are counted per {@link TxDrop} and dropped, never thrown.</li>
 * <li>ICMP: a never-read kernel socket on each port stops the kernel from answering our
 *     datagrams with port-unreachable ({@link PcapOptions#portGuard()}).</li>
 * </ul>
 * Counters: {@link #stats()}. One start per instance.
 */
public final class PcapTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(PcapTransport.class);
    /** Read timeout of the handle: bounds how long a break of the loop can go unnoticed. */
    private static final int READ_TIMEOUT_MS = 100;
    /** How long {@link #close} waits for the capture thread. */
    private static final long JOIN_MS = 2_000;
    /** How long a routing answer is reused. */
    private static final long ROUTE_TTL_MS = 5_000;
    /** Pause after a failed capture loop before it is entered again. */
    private static final long LOOP_RETRY_MS = 100;

    private final PcapOptions options;
    private final PcapStats stats = new PcapStats();
    private final Object sendLock = new Object();
    private final AtomicInteger ipId = new AtomicInteger(ThreadLocalRandom.current().nextInt());
    private final RateLimitedLog rateLimited = new RateLimitedLog(LOG, () -> System.nanoTime() / 1_000_000, 10_000);
    private volatile Running running;
    private boolean started; // guarded by this

    /** What exists between a successful start and close. */
    private static final class Running {
        final LocalInterface local;
        final PcapHandle handle;
        final PortGuard guard;
        final Routes routes;
        final ScheduledExecutorService timer;
        Neighbours neighbours;
        Thread capture;
        volatile boolean closing;

        Running(LocalInterface local, PcapHandle handle, PortGuard guard, ScheduledExecutorService timer) {
            this.local = local;
            this.handle = handle;
            this.guard = guard;
            this.timer = timer;
            this.routes = new Routes(local.name(), () -> readProc("/proc/net/route"), System::nanoTime, ROUTE_TTL_MS);
        }
    }

    /** @param options interface, address and tunables; see {@link PcapOptions} */
    public PcapTransport(PcapOptions options) {
        this.options = options;
    }

    /**
     * Opens the capture on the interface holding the local address (or the named one),
     * reserves the ports with kernel sockets, and starts the capture thread.
     *
     * @throws TransportException on loopback, a non-Ethernet or missing interface, no
     *                            permission (root or CAP_NET_RAW needed), libpcap missing,
     *                            a port in use, or a second start
     */
    @Override
    public synchronized void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
        if (started) {
            throw new TransportException("pcap transport already started (one start per instance)");
        }
        if (ports.isEmpty() || ports.stream().anyMatch(p -> p == null || p < 1 || p > 0xFFFF)) {
            throw new TransportException("pcap transport: ports must be 1..65535 and at least one: " + ports);
        }
        LocalInterface local = LocalInterface.resolve(options);
        PortGuard guard = options.portGuard() ? PortGuard.bind(local.address(), ports) : PortGuard.none();
        PcapHandle handle;
        try {
            handle = open(local, ports);
        } catch (TransportException e) {
            guard.close();
            throw e;
        }
        started = true;
        Running r = new Running(local, handle, guard, Executors.newSingleThreadScheduledExecutor(
                task -> daemon(task, "pcap-arp-" + local.name())));
        r.neighbours = new Neighbours(local.name(), local.mac(), local.ip(), options, stats,
                frame -> inject(r, frame), (task, delayMs) -> schedule(r.timer, task, delayMs),
                () -> readProc("/proc/net/arp"), System::nanoTime);
        FrameReceiver receiver = new FrameReceiver(local.ip(), ports, sink, r.neighbours, stats,
                options.verifyChecksums());
        r.capture = daemon(() -> captureLoop(r, receiver), "pcap-rx-" + local.name());
        running = r;
        r.capture.start();
        LOG.info("pcap transport on {} ({} {}, MTU {}) listening on ports {}", local.name(),
                local.address().getHostAddress(), Frames.macText(local.mac()), local.mtuBytes(), new TreeSet<>(ports));
    }

    private PcapHandle open(LocalInterface local, Set<Integer> ports) throws TransportException {
        int snaplen = options.snaplenBytes() != 0 ? options.snaplenBytes()
                : Math.min(Frames.ETH_HEADER_BYTES + local.mtuBytes(), PcapOptions.SNAPLEN_BYTES_MAX);
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(local.name()).snaplen(snaplen)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MS).bufferSize(options.bufferBytes()).immediateMode(true)
                    .direction(PcapHandle.PcapDirection.IN).build();
        } catch (PcapNativeException e) {
            throw new TransportException("cannot open " + local.name() + " for capture: " + e.getMessage()
                    + " (the pcap transport needs root or CAP_NET_RAW; without them use --transport udp)", e);
        } catch (LinkageError e) {
            throw new TransportException("libpcap could not be loaded (" + e.getMessage()
                    + "); install it (Debian: apt-get install libpcap0.8) or use --transport udp", e);
        }
        String filter = filter(local.address(), local.mac(), ports);
        try {
            if (!DataLinkType.EN10MB.equals(h.getDlt())) {
                throw new TransportException("interface " + local.name() + " is not Ethernet (link type "
                        + h.getDlt() + "); the pcap transport builds Ethernet frames");
            }
            h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException | TransportException e) {
            h.close();
            throw e instanceof TransportException ? (TransportException) e
                    : new TransportException("cannot set capture filter '" + filter + "': " + e.getMessage(), e);
        }
        return h;
    }

    /**
     * The BPF filter: UDP to our address and ports, and ARP replies, not sent by us. It
     * avoids the {@code inbound} keyword on purpose: libpcap runs the filter in user space
     * on the frames already in the ring when it is set, where {@code inbound} (a Linux
     * packet-type load) rejects everything, so the first frames after start were lost.
     * The handle's direction (IN) and {@code not ether src} keep outgoing frames out.
     */
    static String filter(InetAddress local, byte[] localMac, Set<Integer> ports) {
        String portList = new TreeSet<>(ports).stream().map(p -> "dst port " + p).collect(Collectors.joining(" or "));
        String notUs = "not ether src " + Frames.macText(localMac);
        return "(udp and dst host " + local.getHostAddress() + " and (" + portList + ") and " + notUs + ")"
                + " or (arp and arp[6:2] = 2 and " + notUs + ")";
    }

    private void captureLoop(Running r, FrameReceiver receiver) {
        while (!r.closing) {
            try {
                r.handle.loop(-1, receiver);
                if (!r.closing) { // pcap_loop(-1) should only end on an error or a break
                    stats.countLoopError();
                    sleepQuietly(LOOP_RETRY_MS);
                }
            } catch (InterruptedException e) {
                // breakLoop(): close() asked us to stop (checked by the while)
            } catch (NotOpenException e) {
                return;
            } catch (PcapNativeException | RuntimeException e) {
                if (r.closing) {
                    return;
                }
                stats.countLoopError();
                rateLimited.warn("loop", () -> "pcap " + r.local.name()
                        + ": capture loop failed, entering it again every " + LOOP_RETRY_MS + " ms: " + e);
                sleepQuietly(LOOP_RETRY_MS);
            }
        }
    }

    /**
     * Sends one datagram as an Ethernet/IPv4/UDP frame from this host's address and
     * {@code fromPort}. Never throws and never blocks for long: when the next hop's MAC is
     * unknown the datagram waits (bounded) for ARP; failures are counted in {@link #stats()}.
     */
    @Override
    public void send(int fromPort, InetSocketAddress to, byte[] payload) {
        try {
            sendFrame(fromPort, to, payload);
        } catch (RuntimeException e) {
            stats.countTxDrop(TxDrop.SEND_ERROR);
            rateLimited.warn("send_bug", () -> "pcap: send to " + to + " failed: " + e);
        }
    }

    private void sendFrame(int fromPort, InetSocketAddress to, byte[] payload) {
        Running r = running;
        if (r == null) {
            stats.countTxDrop(TxDrop.NOT_STARTED);
            return;
        }
        InetAddress a = to == null ? null : to.getAddress();
        if (!(a instanceof Inet4Address) || to.getPort() < 1 || fromPort < 0 || fromPort > 0xFFFF) {
            stats.countTxDrop(TxDrop.BAD_ADDRESS);
            return;
        }
        if (payload.length > r.local.payloadBytesMax()) {
            stats.countTxDrop(TxDrop.TOO_LONG);
            rateLimited.warn(TxDrop.TOO_LONG, () -> "pcap: dropped a datagram of " + payload.length
                    + " bytes: more than the " + r.local.payloadBytesMax() + " that fit the MTU of " + r.local.name());
            return;
        }
        int dst = Frames.get32(a.getAddress(), 0);
        if (dst == r.local.ip()) {
            stats.countTxDrop(TxDrop.SELF);
            return;
        }
        long hop = r.routes.nextHop(dst);
        if (hop == Routes.NO_ROUTE) {
            stats.countTxDrop(TxDrop.NO_ROUTE);
            rateLimited.warn(TxDrop.NO_ROUTE, () -> "pcap: no route to " + a.getHostAddress() + " through "
                    + r.local.name());
            return;
        }
        byte[] frame = Frames.udp(null, r.local.mac(), r.local.ip(), dst, fromPort, to.getPort(),
                ipId.getAndIncrement() & 0xFFFF, payload);
        r.neighbours.send((int) hop, frame);
    }

    /** Hands a finished frame to libpcap under the send lock; false when it did not go out. */
    private boolean inject(Running r, byte[] frame) {
        synchronized (sendLock) {
            if (r.closing) {
                return false;
            }
            try {
                r.handle.sendPacket(frame, frame.length);
                return true;
            } catch (PcapNativeException | NotOpenException e) {
                rateLimited.warn("inject", () -> "pcap " + r.local.name() + ": cannot send a frame of "
                        + frame.length + " bytes: " + e.getMessage());
                return false;
            }
        }
    }

    /** Test hook: injects a raw frame through this transport's own handle. */
    boolean injectRaw(byte[] frame) {
        Running r = running;
        return r != null && inject(r, frame);
    }

    /** Test hook: the MAC this transport uses for next hop {@code ip}, or null. */
    byte[] neighbourMac(InetAddress ip) {
        Running r = running;
        return r == null ? null : r.neighbours.macOf(Frames.get32(ip.getAddress(), 0));
    }

    /** Counters for the node's status report; valid before, during and after a run. */
    public PcapStats stats() {
        return stats;
    }

    /** Counters by name (see {@link PcapStats#snapshot()}). */
    public Map<String, Long> counters() {
        return stats.snapshot();
    }

    /** Datagrams that did not go out, over all reasons. */
    public long sendFailures() {
        return stats.txDropped();
    }

    /** The interface in use while running, else null. */
    public String interfaceName() {
        Running r = running;
        return r == null ? null : r.local.name();
    }

    @Override
    public String name() {
        return "pcap";
    }

    /**
     * Stops the capture loop ({@code breakLoop}, then waits up to 2 s for the thread), drops
     * datagrams still waiting for ARP, closes the handle and releases the ports. Idempotent.
     */
    @Override
    public void close() {
        Running r;
        synchronized (this) {
            r = running;
            running = null;
        }
        if (r == null) {
            return;
        }
        r.closing = true;
        try {
            r.handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
        joinQuietly(r.capture);
        r.timer.shutdownNow();
        r.neighbours.close();
        synchronized (sendLock) {
            if (r.capture.isAlive()) { // closing the handle under a running pcap_loop would block or crash
                LOG.error("pcap {}: capture thread did not stop within {} ms; leaving its handle open",
                        r.local.name(), JOIN_MS);
            } else {
                r.handle.close();
            }
        }
        r.guard.close();
        LOG.info("pcap transport on {} closed: {}", r.local.name(), stats);
    }

    private static void schedule(ScheduledExecutorService timer, Runnable task, long delayMs) {
        try {
            timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: Neighbours.close() drops what waits
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readProc(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
