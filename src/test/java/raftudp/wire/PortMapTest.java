package raftudp.wire;

import org.junit.jupiter.api.Test;
import raftudp.core.Message;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PortMapTest {
    private final PortMap ports = PortMap.DEFAULT;

    @Test
    void defaultsFollowTheOriginalProject() {
        assertEquals(List.of(0x9997, 0x9996, 0x9998, 0x9994, 0x9995), ports.ports());
        assertEquals(39319, ports.vote());
    }

    @Test
    void eachMessageGoesToItsClassPort() {
        assertEquals(0x9997, ports.portFor(new Message.VoteRequest(1, 0, 1, 0, 0, true, false)));
        assertEquals(0x9997, ports.portFor(new Message.VoteResponse(1, 0, 1, true, false, 1)));
        assertEquals(0x9997, ports.portFor(new Message.TimeoutNow(1, 0, 1)));
        assertEquals(0x9996, ports.portFor(new Message.Heartbeat(1, 0, 1, 0, 0, 0)));
        assertEquals(0x9996, ports.portFor(new Message.HeartbeatResponse(1, 0, 1, 0, 1)));
        assertEquals(0x9998, ports.portFor(new Message.AppendRequest(1, 0, 1, 0, 0, 0, List.of())));
        assertEquals(0x9998, ports.portFor(new Message.AppendResponse(1, 0, 1, true, 0, 0, 0, 1)));
        assertEquals(0x9995, ports.portFor(new Message.SnapshotChunk(1, 0, 1, 1, 1, 0, 0L, 0, new byte[0], true)));
        assertEquals(0x9995, ports.portFor(new Message.SnapshotResponse(1, 0, 1, 1, 0, true, 1)));
        assertEquals(0x9994, ports.portFor(new ClientRequest(1, 1, new Command.Get("k"))));
        assertEquals(0x9994, ports.portFor(new StatusRequest()));
        assertThrows(IllegalArgumentException.class, () -> ports.portFor("not a message"));
    }

    @Test
    void portsMapBackToTheirClass() {
        for (MessageClass c : MessageClass.values()) {
            assertEquals(Optional.of(c), ports.classOfPort(ports.portOf(c)));
        }
        assertEquals(Optional.empty(), ports.classOfPort(53));
    }

    @Test
    void portsAreConfigurableButDistinctAndInRange() {
        PortMap custom = new PortMap(5001, 5002, 5003, 5004, 5005);
        assertEquals(5004, custom.portOf(MessageType.STATUS_RESPONSE));
        assertThrows(IllegalArgumentException.class, () -> new PortMap(5001, 5001, 5003, 5004, 5005));
        assertThrows(IllegalArgumentException.class, () -> new PortMap(0, 5002, 5003, 5004, 5005));
        assertThrows(IllegalArgumentException.class, () -> new PortMap(5001, 5002, 5003, 5004, 65536));
    }
}
