package raftudp.transport.pcap;

/** Why a datagram given to {@code send} did not go out; each such datagram is counted under one reason. */
public enum TxDrop {
    /** The transport is not started, or already closed. */
    NOT_STARTED,
    /** The destination is not a resolved IPv4 address, or a port is out of range. */
    BAD_ADDRESS,
    /** The destination is this host's own address: pcap frames cannot reach this host's processes. */
    SELF,
    /** The frame would exceed the interface MTU (nothing fragments for us). */
    TOO_LONG,
    /** No route through our interface reaches the destination. */
    NO_ROUTE,
    /** The next hop's MAC stayed unknown until the ARP timeout. */
    NO_MAC,
    /** Too many datagrams already wait for the next hop's MAC, or too many next hops are unresolved. */
    QUEUE_FULL,
    /** libpcap refused the frame, or an unexpected error. */
    SEND_ERROR;

    /** Counter name suffix: the lower-case name. */
    String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
