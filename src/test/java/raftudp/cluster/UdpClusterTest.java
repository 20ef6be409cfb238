package raftudp.cluster;

import raftudp.config.ClusterConfig;
import raftudp.transport.Transport;
import raftudp.transport.udp.UdpTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The cluster suite over kernel UDP sockets on loopback (Netty), each node on its own ports. */
class UdpClusterTest extends AbstractClusterTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Override
    protected ClusterConfig clusterOf(int size) throws Exception {
        return LoopbackPorts.cluster(size);
    }

    @Override
    protected Transport newTransport(InetAddress address) {
        return new UdpTransport(address);
    }

    @Override
    protected InetSocketAddress clientEndpoint() throws Exception {
        return new InetSocketAddress(LOOPBACK, LoopbackPorts.freeBase(1));
    }
}
