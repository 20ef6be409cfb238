"""Per-switch runtime files (p4lang tutorials' format) and what each backend makes of them.

`python3 mininet/runtime.py` regenerates mininet/runtime/sN-runtime.json from
topology.json; `--check` only says whether the committed files are current. Both backends
read the committed files through `read_entries`, so they install the same entries:
BMv2 as `simple_switch_CLI` commands (`cli_commands`), the Linux routers as routes and
permanent neighbour entries (see backend_linux.py).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topo  # noqa: E402

P4_JSON = "build/p4/raft.json"
P4_INFO = "build/p4/raft.p4info.txtpb"


def runtime_of(t, switch):
    """The runtime document of one switch, as a dict ready to dump."""
    entries = [{
        "table": topo.LPM_TABLE,
        "default_action": True,
        "action_name": topo.DROP_ACTION,
        "action_params": {},
    }]
    for e in t.lpm_entries(switch):
        entries.append({
            "table": topo.LPM_TABLE,
            "match": {"hdr.ipv4.dstAddr": [e["prefix"], e["plen"]]},
            "action_name": topo.FORWARD_ACTION,
            "action_params": {"srcAddr": e["smac"], "dstAddr": e["dmac"], "port": e["port"]},
        })
    return {
        "target": "bmv2",
        "p4info": P4_INFO,
        "bmv2_json": P4_JSON,
        "comment": "Generated from topology.json by mininet/runtime.py; do not edit by hand. "
                   "raft_partition starts empty: the runner's `partition` command fills it.",
        "table_entries": entries,
    }


def runtime_path(t, switch):
    return os.path.join(topo.REPO, t.switches[switch]["runtime_json"])


def render(doc):
    return json.dumps(doc, indent=2) + "\n"


def read_entries(path):
    """The ipv4_lpm entries of a runtime file as topo-style dicts (prefix, plen, smac, dmac, port)."""
    with open(path) as f:
        doc = json.load(f)
    out = []
    for e in doc["table_entries"]:
        if e["table"] != topo.LPM_TABLE or e.get("default_action"):
            continue
        if e["action_name"] != topo.FORWARD_ACTION:
            raise topo.TopologyError("%s: unexpected action %s" % (path, e["action_name"]))
        prefix, plen = e["match"]["hdr.ipv4.dstAddr"]
        p = e["action_params"]
        out.append(dict(prefix=prefix, plen=int(plen), smac=p["srcAddr"], dmac=p["dstAddr"], port=int(p["port"])))
    return out


def cli_commands(path):
    """simple_switch_CLI commands that load a runtime file (parameters in P4 declaration order)."""
    with open(path) as f:
        doc = json.load(f)
    cmds = []
    for e in doc["table_entries"]:
        if e.get("default_action"):
            cmds.append("table_set_default %s %s" % (e["table"], e["action_name"]))
            continue
        prefix, plen = e["match"]["hdr.ipv4.dstAddr"]
        p = e["action_params"]
        cmds.append("table_add %s %s %s/%d => %s %s %d" % (
            e["table"], e["action_name"], prefix, plen, p["srcAddr"], p["dstAddr"], int(p["port"])))
    return cmds


def stale_files(t):
    """Runtime files that differ from what topology.json gives (empty list: all current)."""
    stale = []
    for sw in sorted(t.switches):
        path = runtime_path(t, sw)
        want = render(runtime_of(t, sw))
        try:
            with open(path) as f:
                have = f.read()
        except FileNotFoundError:
            have = None
        if have != want:
            stale.append(path)
    return stale


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale runtime files (exit 1 if any)")
    ap.add_argument("--topology", default=topo.TOPOLOGY_JSON)
    args = ap.parse_args(argv)
    t = topo.Topology.load(args.topology)
    stale = stale_files(t)
    if args.check:
        for p in stale:
            print("stale: %s (run python3 mininet/runtime.py)" % os.path.relpath(p, topo.REPO))
        return 1 if stale else 0
    for sw in sorted(t.switches):
        path = runtime_path(t, sw)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(render(runtime_of(t, sw)))
        print("wrote %s" % os.path.relpath(path, topo.REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
