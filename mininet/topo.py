"""The testbed's topology, read from topology.json, and the forwarding entries derived from it.

Nothing here touches the network: this module loads and checks the JSON, computes the
`ipv4_lpm` entries each switch needs (the same entries for the BMv2 and the Linux-router
backend), and can walk a packet through those entries to prove every host reaches every
other. Standard library only, so that tests and the picture script run anywhere.
"""
import ipaddress
import json
import os
from collections import deque

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPOLOGY_JSON = os.path.join(REPO, "topology.json")

# Names the P4 program uses; the runtime files and the CLI commands refer to them.
P4_INGRESS = "RaftIngress"
LPM_TABLE = P4_INGRESS + ".ipv4_lpm"
FORWARD_ACTION = P4_INGRESS + ".ipv4_forward"
DROP_ACTION = P4_INGRESS + ".drop"
PARTITION_TABLE = P4_INGRESS + ".raft_partition"
PARTITION_ACTION = P4_INGRESS + ".partition_drop"

# Where the Linux backend's nftables rules find Raft header fields: bit offsets from the
# start of the UDP header (8 bytes of UDP, then docs/wire-format.md section 3).
NFT_TH_MAGIC_BITS = 64 + 0     # magic, 16 bits at byte 0
NFT_TH_VERSION_BITS = 64 + 16  # version, 8 bits at byte 2
NFT_TH_TYPE_BITS = 64 + 24     # msg_type, 8 bits at byte 3


class TopologyError(ValueError):
    """topology.json is inconsistent (a typo, a missing port, a MAC that clashes)."""


class Link:
    """One link: two ends, each (node, port or None for a host), and its options."""

    def __init__(self, a, a_port, b, b_port, delay_ms, loss_pct, bw_mbit):
        self.a, self.a_port, self.b, self.b_port = a, a_port, b, b_port
        self.delay_ms, self.loss_pct, self.bw_mbit = delay_ms, loss_pct, bw_mbit

    def ends(self):
        return [(self.a, self.a_port), (self.b, self.b_port)]

    def name(self):
        return "%s-%s" % (self.a, self.b)

    def __repr__(self):
        return "Link(%s p%s <-> %s p%s)" % (self.a, self.a_port, self.b, self.b_port)


def _end(text):
    """'s1-p3' -> ('s1', 3); 'h1' -> ('h1', None)."""
    if "-p" in text:
        node, port = text.rsplit("-p", 1)
        return node, int(port)
    return text, None


class Topology:
    """topology.json, checked. Attributes mirror the JSON; helpers answer routing questions."""

    def __init__(self, data, path=TOPOLOGY_JSON):
        self.path = path
        self.name = data.get("name", "raftudp")
        self.raft_ports = dict(data["raft_ports"])
        self.cluster = list(data["cluster"])
        self.hosts = data["hosts"]
        self.switches = data["switches"]
        self.links = []
        for spec in data["links"]:
            (a, ap), (b, bp) = (_end(e) for e in spec["ends"])
            self.links.append(Link(a, ap, b, bp, spec.get("delay_ms") or 0,
                                   spec.get("loss_pct") or 0, spec.get("bw_mbit")))
        self._check()

    # ---- loading and checking -------------------------------------------------------

    @classmethod
    def load(cls, path=TOPOLOGY_JSON):
        with open(path) as f:
            return cls(json.load(f), path)

    def _check(self):
        for name in self.cluster:
            if name not in self.hosts:
                raise TopologyError("cluster member %s is not a host" % name)
        seen_ports = set()
        for link in self.links:
            for node, port in link.ends():
                if node in self.hosts:
                    if port is not None:
                        raise TopologyError("%s: hosts have one interface, no port number" % link)
                elif node in self.switches:
                    if port is None or str(port) not in self.switches[node]["port_macs"]:
                        raise TopologyError("%s: %s has no port_macs entry for port %s" % (link, node, port))
                    if (node, port) in seen_ports:
                        raise TopologyError("%s: port %s-p%s used twice" % (link, node, port))
                    seen_ports.add((node, port))
                else:
                    raise TopologyError("%s: unknown node %s" % (link, node))
        for h in self.hosts:
            self.host_port(h)  # raises when a host is not attached to exactly one switch
            sw = self.host_switch(h)
            if ipaddress.ip_address(self.host_ip(h)) not in ipaddress.ip_network(self.switches[sw]["subnet"]):
                raise TopologyError("%s (%s) is not in %s's subnet" % (h, self.host_ip(h), sw))
            if self.hosts[h]["gw"] != self.switches[sw]["gw_ip"]:
                raise TopologyError("%s: gateway %s is not %s's gw_ip" % (h, self.hosts[h]["gw"], sw))
        for sw, spec in self.switches.items():
            for port in spec["port_macs"]:
                if (sw, int(port)) not in seen_ports:
                    raise TopologyError("%s port %s has a MAC but no link" % (sw, port))

    # ---- questions -------------------------------------------------------------------

    def host_ip(self, host):
        return self.hosts[host]["ip"].split("/")[0]

    def host_prefix(self, host):
        return int(self.hosts[host]["ip"].split("/")[1])

    def host_of_ip(self, ip):
        for h in self.hosts:
            if self.host_ip(h) == ip:
                return h
        return None

    def node_ips(self):
        """The cluster's node list in index order (what `raft-node.jar INDEX` indexes)."""
        return [self.host_ip(h) for h in self.cluster]

    def host_port(self, host):
        """(switch, port) where `host` is attached."""
        found = [(n, p) for link in self.links if host in (link.a, link.b)
                 for n, p in link.ends() if n != host]
        if len(found) != 1:
            raise TopologyError("%s must have exactly one link to a switch, has %d" % (host, len(found)))
        return found[0]

    def host_switch(self, host):
        return self.host_port(host)[0]

    def port_mac(self, switch, port):
        return self.switches[switch]["port_macs"][str(port)]

    def gateway_mac(self, host):
        sw, port = self.host_port(host)
        return self.port_mac(sw, port)

    def switch_links(self):
        """Links whose both ends are switches."""
        return [l for l in self.links if l.a in self.switches and l.b in self.switches]

    def neighbours(self, switch):
        """[(my port, other switch, its port)] for each switch-switch link of `switch`."""
        out = []
        for l in self.switch_links():
            if l.a == switch:
                out.append((l.a_port, l.b, l.b_port))
            elif l.b == switch:
                out.append((l.b_port, l.a, l.a_port))
        return sorted(out)

    def find_link(self, x, y):
        for l in self.links:
            if {l.a, l.b} == {x, y}:
                return l
        raise TopologyError("no link between %s and %s" % (x, y))

    def next_hop(self, src_switch, dst_switch):
        """(out port, next switch, its in port) on a shortest path; ties go to the lower port."""
        first = {}
        queue = deque([src_switch])
        seen = {src_switch}
        while queue:
            sw = queue.popleft()
            for port, other, other_port in self.neighbours(sw):
                if other in seen:
                    continue
                seen.add(other)
                first[other] = first.get(sw) or (port, other, other_port)
                queue.append(other)
        if dst_switch not in first:
            raise TopologyError("%s cannot reach %s" % (src_switch, dst_switch))
        return first[dst_switch]

    # ---- the ipv4_lpm entries --------------------------------------------------------

    def lpm_entries(self, switch):
        """The `ipv4_lpm` entries of one switch, as dicts:
        {prefix, plen, smac, dmac, port, kind ('host' or 'subnet'), next_switch}.

        Hosts on this switch get a /32 to their port, with their MAC as destination; other
        subnets go out of the port towards their switch, with that switch's port MAC as
        destination. The source MAC is always this switch's egress port MAC.
        """
        entries = []
        for h in sorted(self.hosts, key=lambda n: ipaddress.ip_address(self.host_ip(n))):
            sw, port = self.host_port(h)
            if sw == switch:
                entries.append(dict(prefix=self.host_ip(h), plen=32, smac=self.port_mac(sw, port),
                                    dmac=self.hosts[h]["mac"], port=port, kind="host", next_switch=None))
        for other in sorted(self.switches):
            if other == switch:
                continue
            port, nxt, nxt_port = self.next_hop(switch, other)
            net = ipaddress.ip_network(self.switches[other]["subnet"])
            entries.append(dict(prefix=str(net.network_address), plen=net.prefixlen,
                                smac=self.port_mac(switch, port), dmac=self.port_mac(nxt, nxt_port),
                                port=port, kind="subnet", next_switch=nxt))
        return entries

    def switch_of_port_mac(self, mac, exclude=None):
        """The switch that owns `mac` on one of its ports (for next-hop lookups)."""
        for sw, spec in self.switches.items():
            if sw != exclude and mac in spec["port_macs"].values():
                return sw
        return None

    def walk(self, src_host, dst_host, entries_of=None, limit=16):
        """Follows a packet through the lpm entries; returns the switches it crosses.

        `entries_of(switch)` gives the entries (default: lpm_entries), so a test can walk
        the committed runtime files instead. Raises TopologyError on a loop, a miss, or a
        MAC that would be dropped by a Linux router (destination MAC not the next port's).
        """
        entries_of = entries_of or self.lpm_entries
        dst_ip = ipaddress.ip_address(self.host_ip(dst_host))
        sw, in_port = self.host_port(src_host)
        frame_dmac = self.gateway_mac(src_host)
        path = []
        for _ in range(limit):
            if frame_dmac != self.port_mac(sw, in_port):
                raise TopologyError("%s p%s would not accept dst MAC %s" % (sw, in_port, frame_dmac))
            path.append(sw)
            best = None
            for e in entries_of(sw):
                if dst_ip in ipaddress.ip_network("%s/%d" % (e["prefix"], e["plen"])):
                    if best is None or e["plen"] > best["plen"]:
                        best = e
            if best is None:
                raise TopologyError("%s has no route to %s" % (sw, dst_ip))
            if best["smac"] != self.port_mac(sw, best["port"]):
                raise TopologyError("%s: source MAC %s is not port %s's" % (sw, best["smac"], best["port"]))
            other = [(n, p) for l in self.links for (n, p), (m, q) in (l.ends(), l.ends()[::-1])
                     if (m, q) == (sw, best["port"])]
            node, port = other[0]
            if node in self.hosts:
                if node != dst_host or best["dmac"] != self.hosts[node]["mac"]:
                    raise TopologyError("%s -> %s ended at %s (dst MAC %s)" % (src_host, dst_host, node, best["dmac"]))
                return path
            sw, in_port, frame_dmac = node, port, best["dmac"]
        raise TopologyError("%s -> %s loops: %s" % (src_host, dst_host, path))
