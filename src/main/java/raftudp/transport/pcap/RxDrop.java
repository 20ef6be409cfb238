package raftudp.transport.pcap;

/** Why a captured frame was not delivered; each such frame is counted under one reason. */
public enum RxDrop {
    /** Fewer captured bytes than the headers, or than the IPv4 total length claims (lying length, snaplen). */
    TRUNCATED,
    /** Not an IPv4 frame (another ethertype, a VLAN tag). */
    NOT_IPV4,
    /** IPv4 version not 4, header length below 20, or total length below the header length. */
    BAD_IP_HEADER,
    /** The IPv4 header checksum does not verify. */
    IP_CHECKSUM,
    /** A fragment (more-fragments flag or an offset): nothing we send is ever fragmented. */
    FRAGMENT,
    /** IPv4 but not UDP. */
    NOT_UDP,
    /** UDP length below 8 or beyond the IPv4 payload. */
    BAD_UDP_LENGTH,
    /** A non-zero UDP checksum that does not verify. */
    UDP_CHECKSUM,
    /** Not for our address or not for one of our ports (the capture filter should not let it pass). */
    WRONG_DESTINATION,
    /** An ARP frame that is not a reply to us, or a reply we did not ask for. */
    ARP_IGNORED,
    /** The sink threw; the receive loop goes on. */
    SINK_ERROR,
    /** A bug of ours caught by the safety net of the receive loop (never expected). */
    INTERNAL_ERROR;

    /** Counter name suffix: the lower-case name. */
    String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
