#!/usr/bin/env python3
"""The hostile campaign's attacker, run on a testbed host against the testbed's nodes.

  attack_testbed.py --nodes 10.0.1.1,10.0.2.2,10.0.3.3 --seconds 15 --seed 3 [--rate 800]

It sends what `make hostile`'s attacker sends (tools/hostile/hostile.py, docs/hostile.md) to
the nodes' default ports, from sockets of the host it runs on (a non-member host in the
testbed scenario `hostile`), and prints one JSON line: datagrams sent by group and kind,
and the model's predicted outcomes. The scenario checks the nodes. Addresses are the
testbed's own, inside its network namespaces; every loop is bounded by --seconds.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402
import wire as w  # noqa: E402

# the default ports (docs/wire-format.md §2), in MessageClass order: vote, heartbeat, append, client, snapshot
DEFAULT_PORTS = (0x9997, 0x9996, 0x9998, 0x9994, 0x9995)


class TestbedCluster:
    """The nodes as the attacker addresses them: one IPv4 address per node, default ports."""

    def __init__(self, ips):
        self.ips = ips

    def addr(self, i, cls):
        return (self.ips[i], DEFAULT_PORTS[cls])

    def member_ports(self):
        return set()  # members are other hosts: no port of ours can be theirs

    def exited(self):
        return []


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", required=True, help="the nodes' addresses, in index order")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--rate", type=int, default=800, help="datagrams per second at most")
    args = ap.parse_args(argv)
    ips = [a.strip() for a in args.nodes.split(",") if a.strip()]
    if len(ips) != hostile.MEMBERS:
        ap.error("--nodes: give %d addresses" % hostile.MEMBERS)
    cluster = TestbedCluster(ips)
    ep = hostile.Endpoint(random.Random(args.seed), bind="0.0.0.0")
    try:
        snap = [hostile.status(ep, cluster, i) for i in range(len(ips))]
    finally:
        ep.close()
    lead = next((s for s in snap if s and s["role"] == "LEADER"), None)
    if lead is None:
        print(json.dumps({"error": "no leader answered", "status": [bool(s) for s in snap]}))
        return 1
    attacker = hostile.Attacker(cluster, args.seed, args.rate, False, lead["term"], lead["commit"], lead["last"],
                                counters=[s["counters"] if s else None for s in snap], bind="0.0.0.0")
    try:
        took = attacker.run(args.seconds)
    finally:
        attacker.close()
    groups = {}
    for kind, n in attacker.sent.items():
        groups[kind.split(".")[0]] = groups.get(kind.split(".")[0], 0) + n
    print(json.dumps({"sent": attacker.total(), "bytes": attacker.bytes, "seconds": round(took, 2),
                      "groups": groups, "kinds": dict(attacker.sent), "predicted": dict(attacker.predicted),
                      "send_errors": {str(k): v for k, v in attacker.send_errors.items()},
                      "leader": lead["node"], "term": lead["term"]}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
