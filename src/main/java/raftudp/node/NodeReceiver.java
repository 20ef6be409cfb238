package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.transport.DatagramSink;
import raftudp.config.ClusterConfig;
import raftudp.wire.MessageClass;
import raftudp.wire.PortMap;
import raftudp.logging.RateLimitedLog;
import raftudp.wire.WireDecoder;
import raftudp.wire.WireStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The transport side of a node: runs on the transport's I/O thread(s), decodes datagrams,
 * puts what they complete through {@link Admission} and hands what it admits to the event loop. Never blocks and never throws: a full
 * inbox drops the input (counted by the {@code offer} callback's owner).
 *
 * <p>Each local port has its own {@link WireDecoder}, used under that decoder's lock, so a
 * decoder is never used by two threads at once whatever the transport's threading; all
 * chunks of one message arrive on one port, hence at one decoder. The loop calls
 * {@link #expire()} on a timer to free partial messages while nothing arrives.
 */
final class NodeReceiver implements DatagramSink {
    private static final Logger LOG = LoggerFactory.getLogger(NodeReceiver.class);

    /** One port: its message class and decoder. */
    private record PortDecoder(MessageClass messageClass, WireDecoder decoder) {
    }

    private final int selfId;
    private final Map<Integer, PortDecoder> byPort = new HashMap<>();
    private final Admission admission;
    private final Predicate<NodeInput> offer;
    private final NodeCounters counters;

    /**
     * @param cluster      the members: who may send Raft messages, from which address and ports
     * @param offer        hands an input to the loop without blocking; false when the inbox is full
     * @param decoding     limits, key and admin replay window of the decoders
     */
    NodeReceiver(int selfId, ClusterConfig cluster, WireStats stats, LongSupplier clockMs,
                 Predicate<NodeInput> offer, NodeCounters counters, Decoding decoding) {
        this.selfId = selfId;
        this.offer = offer;
        this.counters = counters;
        this.admission = new Admission(selfId, cluster, stats, new RateLimitedLog(LOG, clockMs, 10_000));
        PortMap ports = cluster.node(selfId).ports();
        for (MessageClass c : MessageClass.values()) {
            WireDecoder d = new WireDecoder(decoding.limits(), stats, clockMs, WireDecoder.LOG_INTERVAL_MS_DEFAULT,
                    "node " + selfId + " " + c.name().toLowerCase() + " port", decoding.key(), decoding.adminReplays());
            d.admitChunksWith(admission::refuseChunk);
            byPort.put(ports.portOf(c), new PortDecoder(c, d));
        }
    }

    /**
     * How the decoders decode.
     *
     * @param limits       reassembly limits of each port's decoder
     * @param key          the cluster key the decoders authenticate with, or null
     * @param adminReplays the node's replay window for authenticated admin requests, or null
     */
    record Decoding(raftudp.wire.WireLimits limits, raftudp.wire.ClusterKey key, raftudp.wire.ReplayGuard adminReplays) {
        /** Default limits, no key. */
        static Decoding plain() {
            return new Decoding(raftudp.wire.WireLimits.DEFAULT, null, null);
        }
    }

    @Override
    public void received(InetSocketAddress from, int localPort, ByteBuffer payload) {
        PortDecoder pd = byPort.get(localPort);
        if (pd == null) {
            counters.unexpected.increment(); // a transport bug: we listen on our five ports only
            return;
        }
        Optional<WireDecoder.Received> got;
        synchronized (pd) {
            got = pd.decoder().decode(payload, from, pd.messageClass());
        }
        if (got.isEmpty()) {
            return;
        }
        NodeInput input = admission.admit(got.get(), from, pd.messageClass());
        if (input == null) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("node {}: rx {} from {}", selfId, NodeInput.describe(got.get().message()), from);
        }
        offer.test(input);
    }

    /** Drops partial messages past their reassembly timeout (any thread). */
    void expire() {
        for (PortDecoder pd : byPort.values()) {
            synchronized (pd) {
                pd.decoder().expire();
            }
        }
    }

    /** Partial messages held in reassembly over all ports. */
    int partialMessages() {
        int n = 0;
        for (PortDecoder pd : byPort.values()) {
            synchronized (pd) {
                n += pd.decoder().partialMessages();
            }
        }
        return n;
    }
}
