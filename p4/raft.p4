/* -*- P4_16 -*- */
/*
 * raftudp data plane for BMv2 simple_switch (v1model).
 *
 * - Parses Ethernet, IPv4, UDP and, when either UDP port is one of the Raft ports,
 *   the 64-byte Raft header of docs/wire-format.md (wire version 1).
 * - Forwards IPv4 by longest prefix match (ipv4_lpm), rewriting both MAC addresses and
 *   decrementing the TTL; the IPv4 header checksum is recomputed before deparsing.
 * - Counts Raft datagrams per message type (raft_type_counter, index = msg_type) and per
 *   port class (raft_class_counter, index = RAFT_CLASS_*), for `counter_read`.
 * - raft_partition: (source address, destination address) -> drop, for Raft traffic only;
 *   filled and emptied by the control plane (the runner's `partition` / `heal`).
 * - Link loss for fault experiments: registers loss_in_per10k / loss_out_per10k hold,
 *   per port, the chance in 1/10000 that a packet arriving on / leaving by that port is
 *   dropped (0 = never). Written with `register_write` by the runner's `link` command.
 * - What the switch has seen of the cluster, in one-cell registers (index 0) read with
 *   `register_read` by the runner's `seen` command:
 *     seen_max_term       highest term of any Raft message (types 1..9) with term <= 2^48
 *                         (a pre-vote request's term is one no node holds yet);
 *     seen_leader_term    highest term of a leader-only message (AppendRequest, Heartbeat,
 *                         SnapshotChunk, TimeoutNow); 0 = no leader seen yet;
 *     seen_leader_id      that message's src_id: the leader of seen_leader_term;
 *     seen_leader_changes times (seen_leader_id, seen_leader_term) changed, the first
 *                         leader included.
 *   They count what arrives, before raft_partition (like the counters); `register_reset`
 *   clears them (the runner does between scenarios).
 *
 * Only classic v1model features (those of the p4lang tutorials' basic.p4 plus counter,
 * register and random), so that p4c-bm2-ss 1.2.4.x and newer compile it.
 * The header field names and widths must match raftudp.wire.RaftHeader.FIELDS: the tests
 * P4HeaderTest (Java) and mininet/tests/test_p4_header.py compare them.
 */
#include <core.p4>
#include <v1model.p4>

const bit<16> TYPE_IPV4 = 0x0800;
const bit<8>  PROTO_UDP = 17;

/* Default Raft ports (raftudp.wire.PortMap.DEFAULT). */
const bit<16> RAFT_PORT_VOTE      = 0x9997;
const bit<16> RAFT_PORT_HEARTBEAT = 0x9996;
const bit<16> RAFT_PORT_APPEND    = 0x9998;
const bit<16> RAFT_PORT_CLIENT    = 0x9994;
const bit<16> RAFT_PORT_SNAPSHOT  = 0x9995;

/* Index of each port class in raft_class_counter (raftudp.wire.MessageClass order). */
const bit<32> RAFT_CLASS_VOTE      = 0;
const bit<32> RAFT_CLASS_HEARTBEAT = 1;
const bit<32> RAFT_CLASS_APPEND    = 2;
const bit<32> RAFT_CLASS_CLIENT    = 3;
const bit<32> RAFT_CLASS_SNAPSHOT  = 4;
const bit<32> RAFT_CLASSES         = 8;

const bit<16> RAFT_MAGIC    = 0x5241;
const bit<8>  RAFT_VERSION  = 1;
/* Message type codes are 1..9 (Raft) and 16..22 (client, status, fault, error) in
 * version 1 (raftudp.wire.MessageType); raft_type_counter has room for codes 0..31. */
const bit<32> RAFT_TYPES    = 32;

/* Raft message types (docs/wire-format.md section 4). Codes 1..9 are the Raft messages; of
 * those, only a leader sends AppendRequest, Heartbeat, SnapshotChunk and TimeoutNow. */
const bit<8>  RAFT_TYPE_FIRST          = 1;
const bit<8>  RAFT_TYPE_LAST           = 9;
const bit<8>  RAFT_TYPE_APPEND_REQUEST = 3;
const bit<8>  RAFT_TYPE_HEARTBEAT      = 5;
const bit<8>  RAFT_TYPE_SNAPSHOT_CHUNK = 7;
const bit<8>  RAFT_TYPE_TIMEOUT_NOW    = 9;

/* TERM_MAX of docs/wire-format.md section 3.3: no valid message carries a higher term, and
 * nodes drop one that does. The seen_* registers ignore such messages too: without this
 * bound a single forged datagram with term 2^64 - 1 would pin seen_max_term (and the
 * leader registers) for good, since they only ever go up. The bound does not make the
 * registers trustworthy: the switch cannot check the MAC trailer (AUTH), so a forged
 * datagram can still raise them to any term up to 2^48, or name a false leader. They show
 * what crossed the switch, not what the cluster agreed on. */
const bit<64> RAFT_TERM_MAX = 0x1000000000000;

/* Indexes of drop_counter. */
const bit<32> DROP_PARTITION = 0;
const bit<32> DROP_LOSS_IN   = 1;
const bit<32> DROP_LOSS_OUT  = 2;
const bit<32> DROP_NO_ROUTE  = 3;
const bit<32> DROP_TTL       = 4;

const bit<32> PORTS = 64;

typedef bit<9>  egressSpec_t;
typedef bit<48> macAddr_t;
typedef bit<32> ip4Addr_t;

/*************************************************************************
*********************** H E A D E R S  ***********************************
*************************************************************************/

header ethernet_t {
    macAddr_t dstAddr;
    macAddr_t srcAddr;
    bit<16>   etherType;
}

header ipv4_t {
    bit<4>    version;
    bit<4>    ihl;
    bit<8>    diffserv;
    bit<16>   totalLen;
    bit<16>   identification;
    bit<3>    flags;
    bit<13>   fragOffset;
    bit<8>    ttl;
    bit<8>    protocol;
    bit<16>   hdrChecksum;
    ip4Addr_t srcAddr;
    ip4Addr_t dstAddr;
}

header udp_t {
    bit<16> srcPort;
    bit<16> dstPort;
    bit<16> length_;
    bit<16> checksum;
}

/* docs/wire-format.md section 3: 64 bytes, big-endian, same layout for every type. */
header raft_t {
    bit<16> magic;
    bit<8>  version;
    bit<8>  msg_type;
    bit<8>  flags;
    bit<24> reserved;
    bit<16> src_id;
    bit<16> dst_id;
    bit<16> chunk_index;
    bit<16> chunk_count;
    bit<32> message_id;
    bit<32> payload_length;
    bit<64> term;
    bit<64> index_a;
    bit<64> index_b;
    bit<64> log_term;
    bit<64> commit_index;
}

struct metadata {
    bit<32> raft_class;
}

struct headers {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    udp_t      udp;
    raft_t     raft;
}

/*************************************************************************
*********************** P A R S E R  ***********************************
*************************************************************************/

parser RaftParser(packet_in packet,
                  out headers hdr,
                  inout metadata meta,
                  inout standard_metadata_t standard_metadata) {

    state start {
        transition parse_ethernet;
    }

    state parse_ethernet {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            TYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }

    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        /* Options are not parsed; a first fragment with ihl 5 is the only UDP we look into. */
        transition select(hdr.ipv4.protocol, hdr.ipv4.ihl, hdr.ipv4.fragOffset) {
            (PROTO_UDP, 5, 0): parse_udp;
            default: accept;
        }
    }

    /* Requests go to a Raft port; answers to a client come from one. */
    state parse_udp {
        packet.extract(hdr.udp);
        transition select(hdr.udp.dstPort) {
            RAFT_PORT_VOTE: class_vote;
            RAFT_PORT_HEARTBEAT: class_heartbeat;
            RAFT_PORT_APPEND: class_append;
            RAFT_PORT_CLIENT: class_client;
            RAFT_PORT_SNAPSHOT: class_snapshot;
            default: parse_udp_source;
        }
    }

    state parse_udp_source {
        transition select(hdr.udp.srcPort) {
            RAFT_PORT_VOTE: class_vote;
            RAFT_PORT_HEARTBEAT: class_heartbeat;
            RAFT_PORT_APPEND: class_append;
            RAFT_PORT_CLIENT: class_client;
            RAFT_PORT_SNAPSHOT: class_snapshot;
            default: accept;
        }
    }

    state class_vote {
        meta.raft_class = RAFT_CLASS_VOTE;
        transition parse_raft;
    }

    state class_heartbeat {
        meta.raft_class = RAFT_CLASS_HEARTBEAT;
        transition parse_raft;
    }

    state class_append {
        meta.raft_class = RAFT_CLASS_APPEND;
        transition parse_raft;
    }

    state class_client {
        meta.raft_class = RAFT_CLASS_CLIENT;
        transition parse_raft;
    }

    state class_snapshot {
        meta.raft_class = RAFT_CLASS_SNAPSHOT;
        transition parse_raft;
    }

    state parse_raft {
        packet.extract(hdr.raft);
        transition accept;
    }
}

/*************************************************************************
************   C H E C K S U M    V E R I F I C A T I O N   *************
*************************************************************************/

control RaftVerifyChecksum(inout headers hdr, inout metadata meta) {
    apply { }
}

/*************************************************************************
**************  I N G R E S S   P R O C E S S I N G   *******************
*************************************************************************/

control RaftIngress(inout headers hdr,
                    inout metadata meta,
                    inout standard_metadata_t standard_metadata) {

    counter(RAFT_TYPES, CounterType.packets_and_bytes) raft_type_counter;
    counter(RAFT_CLASSES, CounterType.packets_and_bytes) raft_class_counter;
    counter(8, CounterType.packets) drop_counter;
    register<bit<16>>(PORTS) loss_in_per10k;
    register<bit<64>>(1) seen_max_term;
    register<bit<64>>(1) seen_leader_term;
    register<bit<16>>(1) seen_leader_id;
    register<bit<32>>(1) seen_leader_changes;

    action drop() {
        mark_to_drop(standard_metadata);
    }

    action ipv4_forward(macAddr_t srcAddr, macAddr_t dstAddr, egressSpec_t port) {
        standard_metadata.egress_spec = port;
        hdr.ethernet.srcAddr = srcAddr;
        hdr.ethernet.dstAddr = dstAddr;
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
    }

    table ipv4_lpm {
        key = {
            hdr.ipv4.dstAddr: lpm;
        }
        actions = {
            ipv4_forward;
            drop;
            NoAction;
        }
        size = 1024;
        default_action = drop();
    }

    action partition_drop() {
        mark_to_drop(standard_metadata);
        drop_counter.count(DROP_PARTITION);
    }

    table raft_partition {
        key = {
            hdr.ipv4.srcAddr: exact;
            hdr.ipv4.dstAddr: exact;
        }
        actions = {
            partition_drop;
            NoAction;
        }
        size = 256;
        default_action = NoAction();
    }

    apply {
        if (hdr.ipv4.isValid()) {
            bit<16> loss;
            bit<16> dice;
            bool cut = false;
            loss_in_per10k.read(loss, (bit<32>) standard_metadata.ingress_port);
            random(dice, 16w0, 16w9999);
            if (dice < loss) {
                drop();
                drop_counter.count(DROP_LOSS_IN);
            } else if (hdr.ipv4.ttl <= 1) {
                drop();
                drop_counter.count(DROP_TTL);
            } else {
                if (hdr.raft.isValid()) {
                    if (hdr.raft.magic == RAFT_MAGIC && hdr.raft.version == RAFT_VERSION) {
                        if (hdr.raft.msg_type < 32) {
                            raft_type_counter.count((bit<32>) hdr.raft.msg_type);
                        }
                        raft_class_counter.count(meta.raft_class);
                        /* The seen_* registers (see the top of this file). */
                        if (hdr.raft.msg_type >= RAFT_TYPE_FIRST && hdr.raft.msg_type <= RAFT_TYPE_LAST
                                && hdr.raft.term <= RAFT_TERM_MAX) {
                            bit<64> max_term;
                            seen_max_term.read(max_term, 0);
                            if (hdr.raft.term > max_term) {
                                seen_max_term.write(0, hdr.raft.term);
                            }
                            /* A leader's term is at least 1, so a leader term of 0 means none. */
                            if ((hdr.raft.msg_type == RAFT_TYPE_APPEND_REQUEST
                                    || hdr.raft.msg_type == RAFT_TYPE_HEARTBEAT
                                    || hdr.raft.msg_type == RAFT_TYPE_SNAPSHOT_CHUNK
                                    || hdr.raft.msg_type == RAFT_TYPE_TIMEOUT_NOW)
                                    && hdr.raft.term != 0) {
                                bit<64> leader_term;
                                bit<16> leader_id;
                                seen_leader_term.read(leader_term, 0);
                                seen_leader_id.read(leader_id, 0);
                                if (hdr.raft.term > leader_term
                                        || (hdr.raft.term == leader_term && hdr.raft.src_id != leader_id)) {
                                    bit<32> changes;
                                    seen_leader_changes.read(changes, 0);
                                    seen_leader_changes.write(0, changes + 1);
                                    seen_leader_term.write(0, hdr.raft.term);
                                    seen_leader_id.write(0, hdr.raft.src_id);
                                }
                            }
                        }
                    }
                    if (raft_partition.apply().hit) {
                        cut = true;
                    }
                }
                if (!cut) {
                    if (ipv4_lpm.apply().hit) {
                        /* forwarded: MACs rewritten, TTL decremented */
                    } else {
                        drop_counter.count(DROP_NO_ROUTE);
                    }
                }
            }
        } else {
            /* Hosts use static ARP; nothing but IPv4 is forwarded. */
            drop();
        }
    }
}

/*************************************************************************
****************  E G R E S S   P R O C E S S I N G   *******************
*************************************************************************/

control RaftEgress(inout headers hdr,
                   inout metadata meta,
                   inout standard_metadata_t standard_metadata) {

    counter(8, CounterType.packets) egress_drop_counter;
    register<bit<16>>(PORTS) loss_out_per10k;

    apply {
        bit<16> loss;
        bit<16> dice;
        loss_out_per10k.read(loss, (bit<32>) standard_metadata.egress_port);
        random(dice, 16w0, 16w9999);
        if (dice < loss) {
            mark_to_drop(standard_metadata);
            egress_drop_counter.count(DROP_LOSS_OUT);
        }
    }
}

/*************************************************************************
*************   C H E C K S U M    C O M P U T A T I O N   **************
*************************************************************************/

control RaftComputeChecksum(inout headers hdr, inout metadata meta) {
    apply {
        update_checksum(
            hdr.ipv4.isValid(),
            { hdr.ipv4.version,
              hdr.ipv4.ihl,
              hdr.ipv4.diffserv,
              hdr.ipv4.totalLen,
              hdr.ipv4.identification,
              hdr.ipv4.flags,
              hdr.ipv4.fragOffset,
              hdr.ipv4.ttl,
              hdr.ipv4.protocol,
              hdr.ipv4.srcAddr,
              hdr.ipv4.dstAddr },
            hdr.ipv4.hdrChecksum,
            HashAlgorithm.csum16);
    }
}

/*************************************************************************
***********************  D E P A R S E R  *******************************
*************************************************************************/

control RaftDeparser(packet_out packet, in headers hdr) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.udp);
        packet.emit(hdr.raft);
    }
}

/*************************************************************************
***********************  S W I T C H  *******************************
*************************************************************************/

V1Switch(
    RaftParser(),
    RaftVerifyChecksum(),
    RaftIngress(),
    RaftEgress(),
    RaftComputeChecksum(),
    RaftDeparser()
) main;
