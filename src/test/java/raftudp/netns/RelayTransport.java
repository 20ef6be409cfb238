package raftudp.netns;

import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A {@link Transport} for a JVM outside a namespace whose datagrams must leave from a host
 * inside it: a {@link RelayMain} child in that namespace owns the real transport ({@code
 * pcap} or {@code udp}) and forwards datagrams over its stdin/stdout. What crosses the
 * pipe is exactly the UDP payload; addressing, framing and checksums happen in the child,
 * on the namespace's wire. {@link #send} never throws: a datagram the pipe refuses is
 * counted ({@link #sendFailures()}).
 */
public final class RelayTransport implements Transport {
    /** How long {@link #start} waits for the child to listen (a JVM start). */
    private static final long START_TIMEOUT_MS = 30_000;
    private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final NetnsLab lab;
    private final String namespace;
    private final String kind;
    private final InetAddress address;
    private final String logName;
    private final AtomicLong sendFailures = new AtomicLong();
    private Process process;
    private Writer stdin;

    /**
     * @param kind    the child's transport, {@code pcap} or {@code udp}
     * @param address the host's address in {@code namespace}
     * @param logName name of the child's log file in the lab
     */
    public RelayTransport(NetnsLab lab, String namespace, String kind, InetAddress address, String logName) {
        this.lab = lab;
        this.namespace = namespace;
        this.kind = kind;
        this.address = address;
        this.logName = logName;
    }

    @Override
    public synchronized void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
        if (process != null) {
            throw new TransportException("relay transport already started");
        }
        String portList = ports.stream().map(String::valueOf).collect(Collectors.joining(","));
        CompletableFuture<String> ready = new CompletableFuture<>();
        try {
            process = lab.spawn(namespace, logName, NetnsLab.javaCommand(RelayMain.class, JVM_FLAGS, kind,
                    address.getHostAddress(), portList));
        } catch (IOException e) {
            throw new TransportException("cannot start the relay in " + namespace + ": " + e.getMessage(), e);
        }
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> read(sink, ready), "relay-" + logName);
        reader.setDaemon(true);
        reader.start();
        try {
            String first = ready.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!first.startsWith("ok ready")) {
                throw new TransportException("relay in " + namespace + " did not start: " + first + " (see "
                        + lab.logFile(logName) + ")");
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new TransportException("relay in " + namespace + " did not start: " + e + " (see "
                    + lab.logFile(logName) + ")", e);
        }
    }

    /** The reader thread: the first answer line completes {@code ready}; datagram lines go to {@code sink}. */
    private void read(DatagramSink sink, CompletableFuture<String> ready) {
        Base64.Decoder b64 = Base64.getDecoder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] c = line.split(" ");
                if (c.length == 5 && c[0].equals("d")) {
                    InetSocketAddress from = new InetSocketAddress(InetAddress.getByName(c[1]), Integer.parseInt(c[2]));
                    sink.received(from, Integer.parseInt(c[3]), ByteBuffer.wrap(b64.decode(c[4])));
                } else if (line.startsWith("ok") || line.startsWith("err")) {
                    ready.complete(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the child ended or wrote something broken: nothing more arrives
        }
        ready.complete("err relay ended");
    }

    @Override
    public void send(int fromPort, InetSocketAddress to, byte[] payload) {
        String line = "s " + fromPort + " " + to.getAddress().getHostAddress() + " " + to.getPort() + " "
                + Base64.getEncoder().encodeToString(payload) + "\n";
        synchronized (this) {
            try {
                if (stdin == null) {
                    sendFailures.incrementAndGet();
                    return;
                }
                stdin.write(line);
                stdin.flush();
            } catch (IOException e) {
                sendFailures.incrementAndGet();
            }
        }
    }

    /** Datagrams that could not be handed to the child. */
    public long sendFailures() {
        return sendFailures.get();
    }

    @Override
    public String name() {
        return "relay-" + kind;
    }

    /** Asks the child to quit; stops it by its PID if it has not within 3 s. Idempotent. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            p = process;
            if (p == null || stdin == null) {
                return;
            }
            try {
                stdin.write("quit\n");
                stdin.flush();
            } catch (IOException e) {
                // already gone
            }
            stdin = null;
        }
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                NetnsLab.stop(p);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            NetnsLab.stop(p);
        }
    }
}
