package raftudp.transport.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.transport.DatagramSink;
import raftudp.transport.Transport;
import raftudp.transport.TransportException;
import raftudp.wire.WireLimits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Kernel UDP sockets through Netty (epoll where the platform has it, NIO elsewhere): one
 * socket per port, bound to the host's address, for real hosts and for a cluster on one
 * machine's loopback. Needs no privileges.
 */
public final class UdpTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    /** Socket buffers: room for bursts of appends and snapshot chunks. */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    /** Receive buffer per datagram: one byte more than the largest IPv4 UDP payload. */
    static final int RECEIVE_BYTES = WireLimits.UDP_BYTES_MAX + 1;

    private final InetAddress localAddress;
    private final Map<Integer, Channel> channels = new ConcurrentHashMap<>();
    private final LongAdder sendFailures = new LongAdder();
    private EventLoopGroup group;

    /** @param localAddress address to bind (the host's own, 127.0.0.x, or 0.0.0.0 for any) */
    public UdpTransport(InetAddress localAddress) {
        this.localAddress = localAddress;
    }

    /** Handler of one socket: hands each datagram to the sink; an error never closes the socket. */
    static final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        private final int port;
        private final DatagramSink sink;

        Inbound(int port, DatagramSink sink) {
            this.port = port;
            this.sink = sink;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            sink.received(packet.sender(), port, packet.content().nioBuffer());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("udp port {}: {}", port, cause.toString()); // keep serving
        }
    }

    @Override
    public synchronized void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
        if (group != null) {
            throw new TransportException("udp transport already started");
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                // Netty reads datagrams into 2,048-byte buffers by default and cuts longer ones;
                // every IPv4 UDP datagram fits this (docs/wire-format.md §6: up to 65,507 bytes)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BYTES));
        for (int port : new TreeSet<>(ports)) {
            Bootstrap bp = b.clone().handler(new Inbound(port, sink));
            ChannelFuture f = bp.bind(new InetSocketAddress(localAddress, port)).awaitUninterruptibly();
            if (!f.isSuccess()) {
                close();
                throw new TransportException("cannot bind UDP " + localAddress.getHostAddress() + ":" + port
                        + ": " + f.cause().getMessage()
                        + " (is another node or program using this address and port?)", f.cause());
            }
            channels.put(port, f.channel());
        }
        LOG.info("udp transport ({}) listening on {} ports {}", epoll ? "epoll" : "nio",
                localAddress.getHostAddress(), new TreeSet<>(ports));
    }

    @Override
    public void send(int fromPort, InetSocketAddress to, byte[] payload) {
        Channel ch = channels.get(fromPort);
        if (ch == null) {
            ch = channels.values().stream().findFirst().orElse(null);
        }
        if (ch == null || !ch.isActive()) {
            sendFailures.increment();
            return;
        }
        ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), to)).addListener(f -> {
            if (!f.isSuccess()) {
                sendFailures.increment();
            }
        });
    }

    /** Datagrams that could not be sent (no socket, kernel refused). */
    public long sendFailures() {
        return sendFailures.sum();
    }

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public synchronized void close() {
        for (Channel ch : channels.values()) {
            ch.close().awaitUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }
}
