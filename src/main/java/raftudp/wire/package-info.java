/**
 * The raftudp packet format (wire version 1), specified in {@code docs/wire-format.md}.
 *
 * <ul>
 * <li>{@link raftudp.wire.RaftHeader}: the fixed 64-byte header every datagram starts with;
 *     {@link raftudp.wire.RaftHeader#FIELDS} is its layout.</li>
 * <li>{@link raftudp.wire.MessageType}, {@link raftudp.wire.MessageClass},
 *     {@link raftudp.wire.PortMap}: type codes, and the UDP port of each class.</li>
 * <li>{@link raftudp.wire.WireCodec}: message to datagrams (chunked);
 *     {@link raftudp.wire.WireDecoder}: datagrams to messages (reassembled), never throwing.</li>
 * <li>{@link raftudp.wire.WireStats}, {@link raftudp.wire.DropReason}: counting what was
 *     dropped (reported through {@link raftudp.logging.RateLimitedLog}).</li>
 * <li>{@link raftudp.wire.StatusRequest}, {@link raftudp.wire.StatusReport}: the status
 *     exchange on the client port; {@link raftudp.wire.FaultRequest},
 *     {@link raftudp.wire.FaultResponse}, {@link raftudp.wire.FaultEntry}: a node's fault
 *     rules, changed at run time; {@link raftudp.wire.ErrorResponse}: a node's refusal.</li>
 * <li>{@link raftudp.wire.ClusterKey}: the shared key and the MAC trailer of authenticated
 *     datagrams; {@link raftudp.wire.ReplayGuard}: a node's replay window for admin requests.</li>
 * </ul>
 * Only the packet format lives here: where the nodes are (the cluster file) is
 * {@code raftudp.config}, and logging is {@code raftudp.logging}.
 */
package raftudp.wire;
