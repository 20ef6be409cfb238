package raftudp.transport.pcap;

import raftudp.netns.ChildJvm;
import raftudp.netns.NetnsLab;
import raftudp.netns.PcapNetnsSupport.Host;

import java.io.IOException;
import java.util.List;

/** Shared bits of the namespace tests of the pcap transport. */
final class PcapNetnsTests {
    /** Child JVMs start fast and live at most this long. */
    static final List<String> PEER_JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Dpeer.lifeMs=120000");

    private PcapNetnsTests() {
    }

    /** A {@link PcapPeer} in {@code host}'s namespace. */
    static ChildJvm peer(NetnsLab lab, Host host, String name) throws IOException {
        return ChildJvm.start(lab, host.namespace(), name, PcapPeer.class, PEER_JVM_FLAGS);
    }

    /** The value of counter {@code name} in a {@code stats} answer ("a=1 b=2"), 0 when absent. */
    static long stat(String stats, String name) {
        for (String kv : stats.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return Long.parseLong(kv.substring(eq + 1));
            }
        }
        return 0;
    }
}
