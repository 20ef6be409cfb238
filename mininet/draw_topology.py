"""Draws topology.json as a picture: `python3 mininet/draw_topology.py [OUT.png]` (needs Graphviz).

Hosts are boxes with their name, address and MAC (Raft nodes carry their cluster index),
switches show their subnet and gateway, every link end on a switch carries its port
number, and links with options (delay, loss, bandwidth) show them. `make topology.png`
calls this; the PNG in the repository is never drawn by hand.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topo  # noqa: E402


def link_label(link):
    parts = []
    if link.delay_ms:
        parts.append("%g ms" % link.delay_ms)
    if link.loss_pct:
        parts.append("%g%% loss" % link.loss_pct)
    if link.bw_mbit:
        parts.append("%g Mbit/s" % link.bw_mbit)
    return ", ".join(parts)


def to_dot(t):
    cluster_index = {h: i for i, h in enumerate(t.cluster)}
    lines = [
        "graph %s {" % t.name,
        '  graph [fontname="Helvetica", fontsize=12, nodesep=0.5, ranksep=0.9, pad=0.3,',
        '         label="raftudp testbed - generated from topology.json by mininet/draw_topology.py\\n'
        'Raft ports: %s", labelloc=b];' % ", ".join("%s %d (0x%X)" % (k, v, v) for k, v in t.raft_ports.items()),
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10, color="#555555", penwidth=1.6];',
    ]
    for h in sorted(t.hosts):
        spec = t.hosts[h]
        if h in cluster_index:
            title = "%s  (raft node %d)" % (h, cluster_index[h])
            fill = "#d8ecff"
        else:
            title = "%s  (client)" % h
            fill = "#f2f2f2"
        label = "%s\\n%s\\n%s\\ngw %s" % (title, spec["ip"], spec["mac"], spec["gw"])
        lines.append('  %s [shape=box, style="rounded,filled", fillcolor="%s", label="%s"];' % (h, fill, label))
    for s in sorted(t.switches):
        spec = t.switches[s]
        label = "%s\\nsubnet %s\\ngateway %s" % (s, spec["subnet"], spec["gw_ip"])
        lines.append('  %s [shape=box3d, style=filled, fillcolor="#ffe9c2", label="%s"];' % (s, label))
    # Layout: the first two switches side by side with their hosts above them, the other
    # switches below with their hosts under them.
    switches = sorted(t.switches)
    top, bottom = switches[:2], switches[2:]
    lines.append("  { rank=same; %s }" % "; ".join(h for h in sorted(t.hosts) if t.host_switch(h) in top))
    lines.append("  { rank=same; %s }" % "; ".join(top))
    if bottom:
        lines.append("  { rank=same; %s }" % "; ".join(bottom))
    for link in t.links:
        (a, ap), (b, bp) = link.ends()
        if a in t.hosts and t.host_switch(a) in bottom:
            (a, ap), (b, bp) = (b, bp), (a, ap)  # draw the switch above its host
        attrs = []
        if ap is not None:
            attrs.append('taillabel="p%d"' % ap)
        if bp is not None:
            attrs.append('headlabel="p%d"' % bp)
        label = link_label(link)
        if label:
            attrs.append('label="%s"' % label)
        if a in t.switches and b in t.switches:
            attrs.append('color="#b5651d", penwidth=2.4')
        attrs.append("labeldistance=1.8, labelangle=30")
        lines.append("  %s -- %s [%s];" % (a, b, ", ".join(attrs)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=os.path.join(topo.REPO, "topology.png"))
    ap.add_argument("--topology", default=topo.TOPOLOGY_JSON)
    ap.add_argument("--dot", action="store_true", help="print the Graphviz source instead")
    args = ap.parse_args(argv)
    src = to_dot(topo.Topology.load(args.topology))
    if args.dot:
        sys.stdout.write(src)
        return 0
    if not shutil.which("dot"):
        print("draw_topology: Graphviz 'dot' is missing: apt-get install graphviz", file=sys.stderr)
        return 2
    subprocess.run(["dot", "-Tpng", "-Gdpi=110", "-o", args.out], input=src.encode(), check=True)
    print("wrote %s" % os.path.relpath(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
