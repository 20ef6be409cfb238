package raftudp.cluster;

import raftudp.config.ClusterConfig;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free UDP ports on loopback for clusters of tests that share the machine with other test
 * runs: random bases in 20000..59999, each checked by binding all its ports once.
 */
public final class LoopbackPorts {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private LoopbackPorts() {
    }

    /** A base port {@code b} such that {@code b .. b+count-1} are free now on 127.0.0.1. */
    public static int freeBase(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000 - count);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " free consecutive UDP ports found on loopback");
    }

    private static boolean allFree(int base, int count) {
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int p = base; p < base + count; p++) {
                held.add(new DatagramSocket(p, LOOPBACK));
            }
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            held.forEach(DatagramSocket::close);
        }
    }

    /** A cluster of {@code size} nodes on 127.0.0.1, each with five free ports (base:port form). */
    public static ClusterConfig cluster(int size) {
        int base = freeBase(size * 5);
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < size; i++) {
            peers.append(i == 0 ? "" : ",").append("127.0.0.1:").append(base + 5 * i);
        }
        return ClusterConfig.parsePeers(peers.toString());
    }
}
