package raftudp.netns;

import raftudp.transport.Transport;
import raftudp.transport.pcap.PcapOptions;
import raftudp.transport.pcap.PcapTransport;
import raftudp.transport.udp.UdpTransport;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The far end of a {@link RelayTransport}: a transport inside a namespace, driven through
 * stdin/stdout by a JVM outside it. Started as {@code RelayMain pcap|udp ADDRESS PORT[,PORT..]};
 * prints {@code ok ready NAME} once listening (or {@code err ...} and exits 1), then:
 *
 * <pre>
 * stdin:  s FROMPORT IP PORT BASE64     send one datagram
 *         quit                          close the transport and exit
 * stdout: d IP PORT LOCALPORT BASE64    one datagram received
 * </pre>
 *
 * Bounded: it exits on stdin EOF and after {@code -Drelay.lifeMs} (default 300 s).
 */
public final class RelayMain {
    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        long lifeMs = Long.getLong("relay.lifeMs", 300_000);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(lifeMs);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("relay: life time of " + lifeMs + " ms over, exiting");
            Runtime.getRuntime().halt(3);
        }, "relay-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        InetAddress address = InetAddress.getByName(args[1]);
        Set<Integer> ports = Arrays.stream(args[2].split(",")).map(Integer::valueOf).collect(Collectors.toSet());
        Transport transport = args[0].equals("pcap") ? new PcapTransport(PcapOptions.of(null, address))
                : new UdpTransport(address);
        Base64.Encoder b64 = Base64.getEncoder();
        try {
            transport.start(ports, (InetSocketAddress from, int localPort, ByteBuffer payload) -> {
                byte[] data = new byte[payload.remaining()];
                payload.get(data);
                String line = "d " + from.getAddress().getHostAddress() + " " + from.getPort() + " " + localPort + " "
                        + b64.encodeToString(data);
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            });
        } catch (Exception e) {
            e.printStackTrace();
            out.println("err " + e.toString().replace('\n', ' '));
            out.flush();
            System.exit(1);
        }
        synchronized (out) {
            out.println("ok ready " + transport.name());
            out.flush();
        }
        relay(transport);
        transport.close();
        System.exit(0);
    }

    /** Sends what stdin asks until {@code quit} or EOF. */
    private static void relay(Transport transport) throws Exception {
        Base64.Decoder b64 = Base64.getDecoder();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            String[] c = line.split(" ");
            if (c.length == 5 && c[0].equals("s")) {
                InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(c[2]), Integer.parseInt(c[3]));
                transport.send(Integer.parseInt(c[1]), to, b64.decode(c[4]));
            } else {
                System.err.println("relay: ignored line '" + line + "'");
            }
        }
    }
}
