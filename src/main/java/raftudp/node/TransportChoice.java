package raftudp.node;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which transport a node uses, and why. {@code auto} (the default) picks {@code pcap} when
 * the process may capture raw frames (CAP_NET_RAW, which root has) and the node's address
 * is not a loopback one: the testbed's case, where the point is to craft and capture the
 * packets ourselves. Otherwise {@code udp}: without CAP_NET_RAW pcap cannot open a capture,
 * and on loopback the kernel drops injected frames as martians (see FACTS.md), while kernel
 * UDP sockets work everywhere without privileges.
 *
 * @param kind   {@link Kind#UDP} or {@link Kind#PCAP}, never {@link Kind#AUTO}
 * @param reason one line for the start-up message
 */
public record TransportChoice(Kind kind, String reason) {

    /** The {@code --transport} values. */
    public enum Kind {
        AUTO, UDP, PCAP;

        /** Parses {@code auto}, {@code udp} or {@code pcap}, in any case. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(s.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("'" + s + "' is not a transport: use auto, udp or pcap");
        }
    }

    /** Linux capability number of CAP_NET_RAW (linux/capability.h). */
    private static final int CAP_NET_RAW = 13;

    /**
     * Decides.
     *
     * @param requested    the {@code --transport} value
     * @param address      the node's address
     * @param rawCapable   whether this process may open raw captures ({@link #processHasNetRaw()})
     */
    public static TransportChoice choose(Kind requested, InetAddress address, boolean rawCapable) {
        switch (requested) {
            case UDP:
                return new TransportChoice(Kind.UDP, "requested with --transport udp");
            case PCAP:
                if (address.isLoopbackAddress()) {
                    return new TransportChoice(Kind.PCAP, "requested with --transport pcap (on loopback frames are"
                            + " dropped as martians unless lo has accept_local=1 and route_localnet=1)");
                }
                return new TransportChoice(Kind.PCAP, "requested with --transport pcap");
            case AUTO:
            default:
                if (address.isLoopbackAddress()) {
                    return new TransportChoice(Kind.UDP, "auto: " + address.getHostAddress()
                            + " is a loopback address, where raw frames do not work");
                }
                if (!rawCapable) {
                    return new TransportChoice(Kind.UDP, "auto: this process lacks CAP_NET_RAW (not root), "
                            + "which raw capture needs");
                }
                return new TransportChoice(Kind.PCAP, "auto: CAP_NET_RAW and a non-loopback address "
                        + address.getHostAddress() + " (the testbed's case)");
        }
    }

    /** True when this process's effective capabilities include CAP_NET_RAW (Linux); false if unknown. */
    public static boolean processHasNetRaw() {
        try {
            return hasNetRaw(Files.readAllLines(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Reads the {@code CapEff:} line of a {@code /proc/PID/status} text. */
    static boolean hasNetRaw(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (caps & (1L << CAP_NET_RAW)) != 0;
            }
        }
        return false;
    }
}
