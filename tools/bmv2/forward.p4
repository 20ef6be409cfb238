// burst.sh: forwards port 0 <-> 1, nothing else (v1model). Measures the switch, not a program.
#include <core.p4>
#include <v1model.p4>
header ethernet_t { bit<48> dst; bit<48> src; bit<16> etype; }
struct headers { ethernet_t eth; }
struct metadata { }
parser P(packet_in pkt, out headers h, inout metadata m, inout standard_metadata_t s) {
  state start { pkt.extract(h.eth); transition accept; } }
control VC(inout headers h, inout metadata m) { apply { } }
control I(inout headers h, inout metadata m, inout standard_metadata_t s) {
  apply { s.egress_spec = (s.ingress_port == 0) ? (bit<9>)1 : (bit<9>)0; } }
control E(inout headers h, inout metadata m, inout standard_metadata_t s) { apply { } }
control CC(inout headers h, inout metadata m) { apply { } }
control D(packet_out pkt, in headers h) { apply { pkt.emit(h.eth); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
