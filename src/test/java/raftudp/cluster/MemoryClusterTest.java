package raftudp.cluster;

import org.junit.jupiter.api.AfterEach;
import raftudp.config.ClusterConfig;
import raftudp.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The cluster suite over {@link MemoryNetwork}: the testbed's addresses and ports, no sockets. */
class MemoryClusterTest extends AbstractClusterTest {
    private final MemoryNetwork network = new MemoryNetwork();

    @Override
    protected ClusterConfig clusterOf(int size) {
        return ClusterConfig.testbed();
    }

    @Override
    protected Transport newTransport(InetAddress address) {
        return network.transport(address);
    }

    @Override
    protected InetSocketAddress clientEndpoint() throws Exception {
        return new InetSocketAddress(InetAddress.getByName("10.0.1.11"), 0x9994);
    }

    @AfterEach
    void closeNetwork() {
        network.close();
    }
}
