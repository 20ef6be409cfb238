package raftudp.transport.pcap;

import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import raftudp.transport.Transport;
import raftudp.transport.udp.UdpTransport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A transport endpoint in a child JVM (run inside a namespace by the tests), driven by
 * one-line commands on stdin, one answer line each ({@code ok ...} / {@code err ...}):
 *
 * <pre>
 * start pcap|udp ADDR PORT[,PORT..] [noguard]   open a transport     -> ok IFACE
 * send IP PORT FROMPORT COUNT SIZE               COUNT datagrams of SIZE bytes (8-byte sequence first)
 * sendhex IP PORT FROMPORT HEX                   one datagram
 * wait N MS                                      until N datagrams received   -> ok COUNT
 * got I                                          received datagram I         -> ok IP:PORT LOCALPORT HEX
 * count                                          -> ok COUNT FIRSTNANOS LASTNANOS
 * reset                                          count from zero again
 * echo on|off                                    answer each datagram with itself
 * stats                                          -> ok name=value ...
 * mac IP                                         neighbour MAC in use        -> ok aa:..|none
 * inject-self HEX                                frame through the transport's own handle
 * inject IFACE HEX COUNT                         frames through a second handle on IFACE
 * pingpong IP PORT FROMPORT N SIZE               RTTs against an echoing peer -> ok P50US P90US P99US LOST
 * blast IP PORT FROMPORT N SIZE MAXMS            send N fast                  -> ok SENT ELAPSEDMS
 * close                                          -> ok CLOSEMS
 * quit
 * </pre>
 *
 * Bounded: it exits on stdin EOF and after {@code -Dpeer.lifeMs} (default 180 s).
 */
public final class PcapPeer {
    private static final int KEPT_MAX = 10_000;

    private final PrintStream out;
    private final List<Object[]> kept = new ArrayList<>(); // {from, localPort, payload}
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong firstNanos = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong();
    private final BlockingQueue<Long> pongs = new ArrayBlockingQueue<>(16);
    private volatile boolean echo;
    private volatile long pingSeq = -1;
    private Transport transport;

    private PcapPeer(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        long lifeMs = Long.getLong("peer.lifeMs", 180_000);
        Thread watchdog = new Thread(() -> {
            sleep(lifeMs);
            System.err.println("peer: life time of " + lifeMs + " ms over, exiting");
            Runtime.getRuntime().halt(3);
        }, "peer-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PcapPeer peer = new PcapPeer(System.out);
        peer.out.println("ok ready");
        peer.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            String answer;
            try {
                answer = "ok " + peer.execute(line.trim().split("\\s+"));
            } catch (Exception | AssertionError e) {
                e.printStackTrace();
                answer = "err " + e.toString().replace('\n', ' ');
            }
            peer.out.println(answer);
            peer.out.flush();
        }
        if (peer.transport != null) {
            peer.transport.close();
        }
        System.exit(0);
    }

    private String execute(String[] c) throws Exception {
        switch (c[0]) {
            case "start": return start(c);
            case "send": return send(c);
            case "sendhex":
                transport.send(Integer.parseInt(c[3]), to(c[1], c[2]), HexFormat.of().parseHex(c[4]));
                return "";
            case "wait": return waitFor(Long.parseLong(c[1]), Long.parseLong(c[2]));
            case "got": return got(Integer.parseInt(c[1]));
            case "count": return received.get() + " " + firstNanos.get() + " " + lastNanos.get();
            case "reset":
                received.set(0);
                firstNanos.set(0);
                lastNanos.set(0);
                return "";
            case "echo":
                echo = c[1].equals("on");
                return "";
            case "stats": return stats();
            case "mac": return mac(c[1]);
            case "inject-self": return String.valueOf(pcap().injectRaw(HexFormat.of().parseHex(c[1])));
            case "inject": return inject(c[1], HexFormat.of().parseHex(c[2]), Integer.parseInt(c[3]));
            case "pingpong": return pingPong(c);
            case "blast": return blast(c);
            case "close": return close();
            default: throw new IllegalArgumentException("unknown command " + c[0]);
        }
    }

    private String start(String[] c) throws Exception {
        InetAddress addr = InetAddress.getByName(c[2]);
        Set<Integer> ports = Arrays.stream(c[3].split(",")).map(Integer::valueOf).collect(Collectors.toSet());
        if (c[1].equals("pcap")) {
            PcapOptions o = PcapOptions.of(null, addr).withPortGuard(!(c.length > 4 && c[4].equals("noguard")));
            PcapTransport t = new PcapTransport(o);
            transport = t;
            t.start(ports, this::onDatagram);
            return t.interfaceName();
        }
        transport = new UdpTransport(addr);
        transport.start(ports, this::onDatagram);
        return "udp";
    }

    private void onDatagram(InetSocketAddress from, int localPort, ByteBuffer payload) {
        long now = System.nanoTime();
        firstNanos.compareAndSet(0, now);
        lastNanos.set(now);
        byte[] data = new byte[payload.remaining()];
        payload.get(data);
        if (data.length >= 8 && ByteBuffer.wrap(data).getLong(0) == pingSeq) {
            pongs.offer(pingSeq);
        }
        if (echo) {
            transport.send(localPort, from, data);
        }
        synchronized (kept) {
            if (kept.size() < KEPT_MAX) {
                kept.add(new Object[]{from, localPort, data});
            }
        }
        received.incrementAndGet();
    }

    private String send(String[] c) {
        InetSocketAddress to = to(c[1], c[2]);
        int from = Integer.parseInt(c[3]);
        int count = Integer.parseInt(c[4]);
        int size = Integer.parseInt(c[5]);
        for (int i = 0; i < count; i++) {
            transport.send(from, to, payload(i, size));
        }
        return String.valueOf(count);
    }

    /** SIZE bytes: the sequence number (8 bytes, big-endian) then a pattern. */
    static byte[] payload(long seq, int size) {
        byte[] p = new byte[Math.max(size, 8)];
        ByteBuffer.wrap(p).putLong(0, seq);
        for (int i = 8; i < p.length; i++) {
            p[i] = (byte) (i * 7 + seq);
        }
        return p;
    }

    private String waitFor(long n, long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (received.get() < n && System.nanoTime() < deadline) {
            sleep(5);
        }
        return String.valueOf(received.get());
    }

    private String got(int i) {
        Object[] k;
        synchronized (kept) {
            if (i >= kept.size()) {
                return "none";
            }
            k = kept.get(i);
        }
        InetSocketAddress from = (InetSocketAddress) k[0];
        return from.getAddress().getHostAddress() + ":" + from.getPort() + " " + k[1] + " "
                + HexFormat.of().formatHex((byte[]) k[2]);
    }

    private String stats() {
        if (transport instanceof PcapTransport) {
            return ((PcapTransport) transport).counters().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        }
        return "udp.send_failures=" + ((UdpTransport) transport).sendFailures();
    }

    private String mac(String ip) throws Exception {
        byte[] m = pcap().neighbourMac(InetAddress.getByName(ip));
        return m == null ? "none" : Frames.macText(m);
    }

    private PcapTransport pcap() {
        return (PcapTransport) transport;
    }

    private static String inject(String iface, byte[] frame, int count) throws Exception {
        PcapHandle h = new PcapHandle.Builder(iface).snaplen(128)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).build();
        try {
            for (int i = 0; i < count; i++) {
                h.sendPacket(frame, frame.length);
            }
        } finally {
            h.close();
        }
        return String.valueOf(count);
    }

    private String pingPong(String[] c) throws InterruptedException {
        InetSocketAddress to = to(c[1], c[2]);
        int from = Integer.parseInt(c[3]);
        int n = Integer.parseInt(c[4]);
        int size = Integer.parseInt(c[5]);
        long[] rttNanos = new long[n];
        int ok = 0;
        for (int i = 0; i < n; i++) {
            long seq = 1_000_000_000L + i;
            pingSeq = seq;
            pongs.clear();
            long t0 = System.nanoTime();
            transport.send(from, to, payload(seq, size));
            Long pong = pongs.poll(200, TimeUnit.MILLISECONDS);
            if (pong != null) {
                rttNanos[ok++] = System.nanoTime() - t0;
            }
        }
        pingSeq = -1;
        long[] r = Arrays.copyOf(rttNanos, ok);
        Arrays.sort(r);
        return pct(r, 50) + " " + pct(r, 90) + " " + pct(r, 99) + " " + (n - ok);
    }

    private static String pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return "NaN";
        }
        return String.format("%.1f", sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1000.0);
    }

    private String blast(String[] c) {
        InetSocketAddress to = to(c[1], c[2]);
        int from = Integer.parseInt(c[3]);
        int n = Integer.parseInt(c[4]);
        int size = Integer.parseInt(c[5]);
        long maxNanos = Long.parseLong(c[6]) * 1_000_000;
        long t0 = System.nanoTime();
        int sent = 0;
        while (sent < n && System.nanoTime() - t0 < maxNanos) {
            transport.send(from, to, payload(sent, size));
            sent++;
        }
        return sent + " " + (System.nanoTime() - t0) / 1_000_000;
    }

    private String close() {
        long t0 = System.nanoTime();
        transport.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long alive = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("pcap-")
                && t.isAlive()).count();
        return ms + " " + alive;
    }

    private static InetSocketAddress to(String ip, String port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), Integer.parseInt(port));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
