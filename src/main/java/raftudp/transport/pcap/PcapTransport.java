package raftudp.transport.pcap;

import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Raw-frame transport through pcap4j. Placeholder for the pcap work of issue 4: it refuses
 * to start, so nothing can mistake it for a working transport.
 */
public final class PcapTransport implements Transport {
    private final PcapOptions options;

    public PcapTransport(PcapOptions options) {
        this.options = options;
    }

    @Override
    public void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
        throw new TransportException("the pcap transport is not available in this build (interface "
                + options.interfaceName() + "); use --transport udp");
    }

    @Override
    public void send(int fromPort, InetSocketAddress to, byte[] payload) {
    }

    @Override
    public String name() {
        return "pcap";
    }

    @Override
    public void close() {
    }
}
