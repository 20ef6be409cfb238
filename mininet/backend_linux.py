"""Linux-router backend: each switch of topology.json becomes a router in its own namespace.

It installs the switch's `ipv4_lpm` entries from its runtime file: a host /32 becomes a
route out of the host's port plus a permanent neighbour entry with the host's MAC; a
subnet becomes a route via the next switch's gateway address with a permanent neighbour
entry holding that switch's port MAC. Every port carries the MAC the runtime file uses
as source MAC, so hosts see the same frames, addresses and paths as with BMv2.

The P4 program's other tables become nftables rules in the router (table inet raftudp):
chain loss_in (per-port random drop of arriving packets), count (named counters per
Raft message type, read from the type byte at UDP payload offset 3, and per port class),
partition (Raft traffic between chosen address pairs dropped) and loss_out (per-port
random drop of leaving packets), jumped to in that order from the forward hook, the same
order as the P4 ingress/egress pipeline.
"""
import re

from mininet.node import Switch

import runtime
import topo

TABLE = "raftudp"
RAFT_TYPES = {1: "VoteRequest", 2: "VoteResponse", 3: "AppendRequest", 4: "AppendResponse",
              5: "Heartbeat", 6: "HeartbeatResponse", 7: "SnapshotChunk", 8: "SnapshotResponse",
              9: "TimeoutNow", 16: "ClientRequest", 17: "ClientResponse", 18: "StatusRequest",
              19: "StatusResponse", 20: "FaultRequest", 21: "FaultResponse",
              22: "ErrorResponse"}
CLASSES = ["vote", "heartbeat", "append", "client", "snapshot"]   # MessageClass order


class LinuxRouter(Switch):
    """A Mininet switch that is really an IPv4 router in its own network namespace."""

    def __init__(self, name, **params):
        params["inNamespace"] = True
        Switch.__init__(self, name, **params)

    def start(self, controllers):
        self.cmd("ip link set lo up")
        self.cmd("sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 "
                 "net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 "
                 "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")

    def stop(self, deleteIntfs=True):
        Switch.stop(self, deleteIntfs)


class LinuxBackend:
    name = "linux"
    describe = "Linux routers in network namespaces (ip route + permanent neighbours, nftables)"

    def __init__(self, t, net, run):
        self.t, self.net, self.run = t, net, run   # run(node, cmd) -> output, raises on failure

    @staticmethod
    def switch_params(t, name):
        return dict(cls=LinuxRouter)

    # ---- setting up ------------------------------------------------------------------

    def configure(self):
        for name in sorted(self.t.switches):
            self._configure_router(self.net.get(name))

    def _intf(self, router, port):
        return router.intfs[port].name

    def _configure_router(self, r):
        spec = self.t.switches[r.name]
        for port, mac in spec["port_macs"].items():
            ifname = self._intf(r, int(port))
            self.run(r, "ip link set dev %s address %s" % (ifname, mac))
            self.run(r, "ip link set dev %s up" % ifname)
            self.run(r, "sysctl -qw net.ipv4.conf.%s.rp_filter=0" % ifname.replace(".", "/"))
        # The gateway address answers on every host-facing port (hosts never ARP: static entries).
        host_ports = {self.t.host_port(h)[1] for h in self.t.hosts if self.t.host_switch(h) == r.name}
        for port in sorted(host_ports):
            self.run(r, "ip addr add %s/32 dev %s" % (spec["gw_ip"], self._intf(r, port)))
        for e in runtime.read_entries(runtime.runtime_path(self.t, r.name)):
            self._install_entry(r, e)
        self._install_nft(r)

    def _install_entry(self, r, e):
        ifname = self._intf(r, e["port"])
        if self.t.port_mac(r.name, e["port"]) != e["smac"]:
            raise topo.TopologyError("%s: entry %s/%d has source MAC %s but port %d is %s" % (
                r.name, e["prefix"], e["plen"], e["smac"], e["port"], self.t.port_mac(r.name, e["port"])))
        if e["plen"] == 32:
            self.run(r, "ip route replace %s/32 dev %s" % (e["prefix"], ifname))
            self.run(r, "ip neigh replace %s lladdr %s dev %s nud permanent" % (e["prefix"], e["dmac"], ifname))
            return
        nxt = self.t.switch_of_port_mac(e["dmac"], exclude=r.name)
        if nxt is None:
            raise topo.TopologyError("%s: next-hop MAC %s belongs to no switch" % (r.name, e["dmac"]))
        via = self.t.switches[nxt]["gw_ip"]
        self.run(r, "ip neigh replace %s lladdr %s dev %s nud permanent" % (via, e["dmac"], ifname))
        self.run(r, "ip route replace %s/%d via %s dev %s onlink" % (e["prefix"], e["plen"], via, ifname))

    def _install_nft(self, r):
        ports = self.t.raft_ports
        port_set = ", ".join(str(ports[c]) for c in CLASSES)
        lines = ["table inet %s {" % TABLE]
        for code in sorted(RAFT_TYPES):
            lines.append("  counter type_%d { }" % code)
        for c in CLASSES:
            lines.append("  counter class_%s { }" % c)
        lines += ["  counter drop_partition { }", "  counter drop_loss_in { }", "  counter drop_loss_out { }",
                  "  set raft_ports { type inet_service; elements = { %s } }" % port_set,
                  "  chain loss_in { }", "  chain count { }", "  chain partition { }", "  chain loss_out { }",
                  "  chain forward {",
                  "    type filter hook forward priority 0; policy accept;",
                  "    jump loss_in", "    jump count", "    jump partition", "    jump loss_out",
                  "  }", "}"]
        self._nft(r, "\n".join(lines))
        # Raft header: magic at UDP payload bytes 0-1 (bits 64..79 of the transport header),
        # msg_type at byte 3 (bits 88..95). Same rule as the P4 parser: destination port
        # first, else source port (answers to clients).
        rules = []
        magic = "@th,%d,16 0x5241 @th,%d,8 1" % (topo.NFT_TH_MAGIC_BITS, topo.NFT_TH_VERSION_BITS)
        for code in sorted(RAFT_TYPES):
            rules.append("add rule inet %s count udp dport @raft_ports %s @th,%d,8 %d counter name type_%d"
                         % (TABLE, magic, topo.NFT_TH_TYPE_BITS, code, code))
            rules.append("add rule inet %s count udp dport != @raft_ports udp sport @raft_ports %s "
                         "@th,%d,8 %d counter name type_%d" % (TABLE, magic, topo.NFT_TH_TYPE_BITS, code, code))
        for c in CLASSES:
            rules.append("add rule inet %s count udp dport %d %s counter name class_%s" % (TABLE, ports[c], magic, c))
            rules.append("add rule inet %s count udp dport != @raft_ports udp sport %d %s counter name class_%s"
                         % (TABLE, ports[c], magic, c))
        self._nft(r, "\n".join(rules))

    def _nft(self, r, script):
        path = "/tmp/raftudp-%s-%s.nft" % (r.name, abs(hash(script)))
        with open(path, "w") as f:
            f.write(script + "\n")
        try:
            self.run(r, "nft -f %s" % path)
        finally:
            import os
            os.remove(path)

    # ---- partitions ------------------------------------------------------------------

    def partition(self, pairs):
        """Drops Raft traffic from a to b for each (a, b) address pair, on every router."""
        rules = []
        for a, b in pairs:
            rules.append("add rule inet %s partition ip saddr %s ip daddr %s udp dport @raft_ports "
                         "counter name drop_partition drop" % (TABLE, a, b))
            rules.append("add rule inet %s partition ip saddr %s ip daddr %s udp sport @raft_ports "
                         "counter name drop_partition drop" % (TABLE, a, b))
        for name in sorted(self.t.switches):
            self._nft(self.net.get(name), "\n".join(rules))

    def heal(self):
        for name in sorted(self.t.switches):
            self.run(self.net.get(name), "nft flush chain inet %s partition" % TABLE)

    # ---- link loss (the filter mechanism) --------------------------------------------

    def set_losses(self, settings):
        """[(switch, port, 'in' | 'out', per10k)], one at a time."""
        for setting in settings:
            self.set_loss(*setting)

    def set_loss(self, switch, port, direction, per10k):
        """Random drop of packets arriving on (direction 'in') or leaving by ('out') a port."""
        r = self.net.get(switch)
        chain = "loss_" + direction
        ifname = self._intf(r, port)
        out = self.run(r, "nft -a list chain inet %s %s" % (TABLE, chain))
        for handle in re.findall(r'%s "?%s"?.*# handle (\d+)' % ("iifname" if direction == "in" else "oifname",
                                                                 re.escape(ifname)), out):
            self.run(r, "nft delete rule inet %s %s handle %s" % (TABLE, chain, handle))
        if per10k > 0:
            self.run(r, 'nft add rule inet %s %s %s "%s" numgen random mod 10000 lt %d counter name drop_loss_%s drop'
                     % (TABLE, chain, "iifname" if direction == "in" else "oifname", ifname, per10k, direction))

    # ---- counters --------------------------------------------------------------------

    def counters(self):
        """{switch: {'types': {code: (packets, bytes)}, 'classes': {...}, 'drops': {...}}}."""
        out = {}
        for name in sorted(self.t.switches):
            text = self.run(self.net.get(name), "nft list counters table inet %s" % TABLE)
            values = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in re.finditer(
                r"counter (\w+) \{\s*packets (\d+) bytes (\d+)", text)}
            out[name] = {
                "types": {code: values.get("type_%d" % code, (0, 0)) for code in RAFT_TYPES},
                "classes": {c: values.get("class_%s" % c, (0, 0)) for c in CLASSES},
                "drops": {k: values.get("drop_" + k, (0, 0))[0] for k in ("partition", "loss_in", "loss_out")},
            }
        return out

    SEEN_UNSUPPORTED = ("the Linux routers keep no record of terms or leaders (that is the P4 program's "
                        "seen_* registers): run the testbed with BACKEND=bmv2 to watch an election "
                        "from the data plane")

    def seen(self):
        raise RuntimeError(self.SEEN_UNSUPPORTED)

    def reset_seen(self):
        raise RuntimeError(self.SEEN_UNSUPPORTED)

    counters_note = ("Linux backend: nftables counters in each router's forward path; message types are "
                     "read from the Raft header's type byte, exactly like the P4 counters.")
