"""Raft nodes on the testbed's hosts, without Mininet (so that the static tests run anywhere):
the CLI's `raft` command and how the nodes are found, whoever started them."""
import json
import os

import faults
import topo

PROBE = os.path.join(topo.REPO, "mininet", "raftprobe.py")
USAGE = """raft start HOST [INDEX] [ARGS...]  start java -jar raft-node.jar INDEX on HOST
                  (data: data/node-INDEX unless ARGS has --data-dir; log: logs/node-INDEX.log)
raft start HOST HOST...              start several cluster nodes (e.g. raft start h1 h2 h3)
raft stop HOST                       stop its node (SIGTERM: clean shutdown)
raft kill HOST                       kill it (SIGKILL: a crash; its data directory stays)
raft list                            the raft nodes on the hosts, started here or by hand
raft status                          every cluster node's status (Python probe, from h11)
raft faults                          the fault rules each running node holds
Nodes started by hand in an xterm (java -jar raft-node.jar 0) use the same data and log
paths, and raft list / stop / kill know them."""


class CommandError(RuntimeError):
    """A testbed command that cannot be done; the CLI prints its message."""


def raft_command(tb, words):
    """The `raft` command of the Mininet CLI (USAGE); returns what to print, raises CommandError."""
    op, rest = words[0], words[1:]
    if op == "start" and rest:
        if len(rest) > 1 and all(w in tb.t.cluster for w in rest):
            starts = [(h, None, []) for h in rest]   # raft start h1 h2 h3: each with its index
        else:
            index = int(rest[1]) if len(rest) > 1 and rest[1].isdigit() else None
            starts = [(rest[0], index, rest[2:] if index is not None else rest[1:])]
        lines, errors = [], []
        for h, index, extra in starts:   # start them all, then wait for each: one JVM start time
            try:
                tb.raft_start(h, index, extra)
            except CommandError as e:
                errors.append("%s: %s" % (h, e))
        for h, _, _ in starts:
            if h not in tb.nodes:
                continue
            try:
                p = tb.raft_await_started(h)
                lines.append("raft node %d on %s: pid %d, log %s" % (
                    p.raft_index, h, p.pid, os.path.relpath(p.raft_log, topo.REPO)))
            except CommandError as e:
                errors.append(str(e))
        if errors:
            raise CommandError("\n".join(lines + errors))
        return "\n".join(lines)
    if op in ("stop", "kill") and len(rest) == 1:
        rc = tb.raft_stop(rest[0], kill=(op == "kill"))
        return "raft node on %s ended (%s)" % (rest[0], "started by hand" if rc is None else "exit %d" % rc)
    if op == "list":
        return "\n".join("%-4s node %s  pid %d  %s" % (h, "?" if n["index"] is None else n["index"], n["pid"],
                                                       "started here" if n["here"] else "started by hand")
                         for h, n in sorted(tb.raft_discover().items())) or "no raft node runs on the hosts"
    if op == "status":
        client = tb.host("h11") if "h11" in tb.t.hosts else tb.net.hosts[0]
        out = tb.run(client, "/usr/bin/python3 %s status %s" % (PROBE, " ".join(tb.t.node_ips())))
        rows = []
        for line in out.splitlines():
            if line.startswith("{"):
                s = json.loads(line)
                rows.append("%-10s down" % s["addr"] if s.get("down") else
                            "%-10s id %d %-9s term %d leader %s commit %d applied %d log %d..%d" % (
                                s["addr"], s["id"], s["role"], s["term"], s["leader"], s["commit"],
                                s["applied"], s["first_index"], s["last_index"]))
        return "\n".join(rows)
    if op == "faults":
        rows = []
        for h in sorted(tb.raft_running()):
            r = tb._fault_exchange(h, "")
            rows.append("%-4s %s" % (h, "; ".join("%s %s" % (x["target"], faults.rule_text(
                x["delay_ms"], x["jitter_ms"], x["dup_ppm"], x["loss_ppm"])) for x in r["rules"]) or "no rules"))
        return "\n".join(rows) or "no raft node runs on the hosts"
    raise CommandError("usage:\n" + USAGE)


def nodes_in_proc():
    """[(pid, argv)] of the java processes running raft-node.jar on this machine."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == "java" and any(a.endswith("raft-node.jar") for a in argv):
            out.append((int(name), argv))
    return out


def node_index(argv):
    """The INDEX argument of a `java ... -jar raft-node.jar INDEX ...` command line, or None."""
    jar = next((i for i, a in enumerate(argv) if a.endswith("raft-node.jar")), None)
    rest = argv[jar + 1:] if jar is not None else []
    return int(rest[0]) if rest and rest[0].isdigit() else None
