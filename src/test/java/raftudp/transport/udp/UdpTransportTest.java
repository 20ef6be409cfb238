package raftudp.transport.udp;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.Test;
import raftudp.transport.TransportException;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpTransportTest {
    private record Got(InetSocketAddress from, int port, byte[] data) {
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void datagramCrossesLoopbackWithSourcePortOfItsClass() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int pa = freePort();
        int pb = freePort();
        BlockingQueue<Got> got = new ArrayBlockingQueue<>(16);
        try (UdpTransport a = new UdpTransport(lo); UdpTransport b = new UdpTransport(lo)) {
            a.start(Set.of(pa), (from, port, data) -> { });
            b.start(Set.of(pb), (from, port, data) -> got.add(new Got(from, port, copy(data))));
            byte[] payload = {0, 1, 2, (byte) 0xff};
            a.send(pa, new InetSocketAddress(lo, pb), payload);
            Got g = got.poll(10, TimeUnit.SECONDS);
            assertNotNull(g, "datagram did not arrive");
            assertArrayEquals(payload, g.data());
            assertEquals(pb, g.port());
            assertEquals(pa, g.from().getPort(), "sent from the port of its message class");
        }
    }

    @Test
    void bindingAPortInUseFailsWithClearMessage() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket taken = new DatagramSocket(0, lo); UdpTransport t = new UdpTransport(lo)) {
            TransportException e = assertThrows(TransportException.class,
                    () -> t.start(Set.of(taken.getLocalPort()), (f, p, d) -> { }));
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
        }
    }

    @Test
    void sendWithoutSocketIsCountedNotThrown() {
        UdpTransport t = new UdpTransport(InetAddress.getLoopbackAddress());
        t.send(1234, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), new byte[]{1});
        assertEquals(1, t.sendFailures());
    }

    @Test
    void handlerKeepsServingAfterAnError() {
        BlockingQueue<byte[]> got = new ArrayBlockingQueue<>(4);
        EmbeddedChannel ch = new EmbeddedChannel(new UdpTransport.Inbound(7, (from, port, data) -> {
            byte[] b = copy(data);
            if (b[0] == 0) {
                throw new IllegalStateException("sink failure");
            }
            got.add(b);
        }));
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5);
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[]{0}), peer, peer));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[]{1}), peer, peer));
        assertTrue(ch.isActive(), "an error does not close the socket");
        assertArrayEquals(new byte[]{1}, got.poll());
        ch.finishAndReleaseAll();
    }
}
