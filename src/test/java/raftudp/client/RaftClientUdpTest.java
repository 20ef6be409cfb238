package raftudp.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import raftudp.kv.Result;
import raftudp.kv.Value;
import raftudp.transport.udp.UdpTransport;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client over real kernel UDP sockets on loopback, against fake nodes on their own ports. */
@Timeout(30)
class RaftClientUdpTest {

    static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void putAndGetOverLoopbackUdpFollowingARedirect() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        FakeNode.Store store = new FakeNode.Store();
        InetSocketAddress a0 = new InetSocketAddress(lo, freePort());
        InetSocketAddress a1 = new InetSocketAddress(lo, freePort());
        try (FakeNode n0 = new FakeNode(0, a0, new UdpTransport(lo), store, (n, r) -> n.notLeader(r, 1));
             FakeNode n1 = new FakeNode(1, a1, new UdpTransport(lo), store, (n, r) -> n.answerOk(r));
             RaftClient client = RaftClient.start(ClientOptions.of(List.of(a0, a1)), new UdpTransport(lo))) {
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 7);
            }
            assertEquals(new Result.Ok(null), client.put("big", Value.of(big)));
            assertEquals(1, client.leader());
            Result got = client.get("big");
            assertArrayEquals(big, ((Value.Bytes) ((Result.Found) got).value()).value(), "1 MiB round trip");
            assertEquals(1, client.status(1, 2_000).nodeId());
            assertTrue(n0.requests().size() >= 1, "node 0 was asked first and redirected");
            assertTrue(n1.requests().size() >= 2, "the leader served the put and the get");
        }
    }

    @Test
    void theProgramWithItsRealTransportTalksToANodeOnLoopback() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int clientPort = freePort();
        InetSocketAddress at = new InetSocketAddress(lo, clientPort);
        FakeNode.Store store = new FakeNode.Store();
        try (FakeNode node = new FakeNode(0, at, new UdpTransport(lo), store, (n, r) -> n.answerOk(r))) {
            String peers = "127.0.0.1:" + (clientPort - 3); // base port: the client port is base + 3
            Cli.Run r = Cli.run(ClientMain::defaultTransport, "-s", "127.0.0.1", "-d", "0", "--peers", peers, "-da", "0");
            assertEquals(0, r.code(), r.toString());
            assertEquals("OK: appended 0 to log; log now holds 1 value [leader: node 0, 127.0.0.1:" + clientPort + "]\n",
                    r.out());
            r = Cli.run(ClientMain::defaultTransport, "--peers", peers, "status");
            assertEquals(0, r.code(), r.toString());
            assertEquals("127.0.0.1", node.requests().get(0).from().getAddress().getHostAddress(), "bound to -s");
        }
    }
}
