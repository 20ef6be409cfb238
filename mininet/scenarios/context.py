"""What a scenario holds: the testbed, bounded waits, the cluster's state, the client, timings.

Writes go through raft-client.jar, as a user would type them; the cluster is watched and
values are read back with mininet/raftprobe.py (an independent client written from the
wire spec), so the scenarios do not depend on the jar's output format. Every write that
was acknowledged (exit code 0) is remembered and checked at the end: none may be lost.
"""
import json
import os
import shlex
import time

import testbed
import topo

PROBE = os.path.join(topo.REPO, "mininet", "raftprobe.py")
CLIENT_HOST = "h11"
CLIENT_TIMEOUT_S = 30


# Raft message types only a leader sends (AppendRequest, Heartbeat, SnapshotChunk,
# TimeoutNow): the ones the P4 program takes the leader from (p4/raft.p4, seen_*).
LEADER_TYPES = (3, 5, 7, 9)
SEEN_WAIT_S = 5


class Skip(Exception):
    """The scenario cannot run here (said why); not a failure."""


class Context:
    def __init__(self, tb, name, narrate=False):
        self.tb, self.name, self.narrate = tb, name, narrate
        self.timings = []
        self.last_status = {}
        self.acked = {}   # key -> value of the last acknowledged write

    # ---- reporting -------------------------------------------------------------------

    def say(self, text):
        print(("  >> " if self.narrate else "  ") + text, flush=True)

    def time(self, what, seconds):
        self.timings.append((what, seconds))
        self.say("%s: %.3f s" % (what, seconds))

    def timings_text(self):
        return "".join("\n     %-40s %8.3f s" % t for t in self.timings)

    def dump_logs(self, lines=15):
        for i, h in enumerate(self.tb.t.cluster):
            path = self.tb.node_log(i)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
                tail = [l if len(l) < 300 else l[:300] + "...\n" for l in tail]
                print("  --- %s, %s (last %d lines)\n  %s" % (os.path.relpath(path, topo.REPO), h, len(tail),
                                                               "  ".join(tail)))

    # ---- waiting ---------------------------------------------------------------------

    def wait(self, what, predicate, timeout_s, poll_s=0.1):
        """Polls predicate() until it returns something true; returns (value, seconds). Bounded."""
        start = time.monotonic()
        deadline = start + timeout_s
        while True:
            value = predicate()
            if value:
                return value, time.monotonic() - start
            if time.monotonic() > deadline:
                raise AssertionError("%s: not within %.0f s; last status seen: %s"
                                     % (what, timeout_s, self.status_line(self.last_status)))
            time.sleep(poll_s)

    # ---- cluster ---------------------------------------------------------------------

    def start_cluster(self, hosts=None):
        """Starts a node on each host, then waits until each has started (a node that dies at
        once fails the scenario here, with its exit code and log)."""
        hosts = hosts or self.tb.t.cluster
        for h in hosts:
            self.tb.raft_start(h)
        for h in hosts:
            self.tb.raft_await_started(h)

    def status(self, hosts=None, via=CLIENT_HOST):
        """{host: status dict or None (no answer)} asked from `via` with the probe."""
        hosts = hosts or self.tb.t.cluster
        ips = [self.tb.ip(h) for h in hosts]
        out = self.tb.host(via).cmd("/usr/bin/python3 %s status %s --timeout 0.3" % (PROBE, " ".join(ips)))
        result = {h: None for h in hosts}
        for line in out.splitlines():
            if line.startswith("{"):
                s = json.loads(line)
                h = self.tb.t.host_of_ip(s["addr"])
                result[h] = None if s.get("down") else s
        self.last_status.update(result)
        return result

    @staticmethod
    def status_line(st):
        return "; ".join("%s down" % h if s is None else "%s %s t%d c%d last%d" % (
            h, s["role"], s["term"], s["commit"], s["last_index"]) for h, s in sorted(st.items())) or "none"

    def leader(self, hosts=None, via=CLIENT_HOST):
        """The host that leads, when exactly one of `hosts` says LEADER in the highest term
        and a majority of the answering nodes agree on it; else None."""
        st = {h: s for h, s in self.status(hosts, via).items() if s}
        if not st:
            return None
        top = max(s["term"] for s in st.values())
        leaders = [h for h, s in st.items() if s["role"] == "LEADER" and s["term"] == top]
        if len(leaders) != 1:
            return None
        lid = self.tb.t.cluster.index(leaders[0])
        agree = sum(1 for s in st.values() if s["leader"] == lid and s["term"] == top)
        return leaders[0] if agree * 2 > len(self.tb.t.cluster) else None

    def wait_leader(self, timeout_s=20, hosts=None, via=CLIENT_HOST):
        return self.wait("a leader elected", lambda: self.leader(hosts, via), timeout_s)

    def leaders_by_term(self, hosts=None):
        """{term: [hosts that say LEADER in it]} (election safety: never two in one term)."""
        out = {}
        for h, s in self.status(hosts).items():
            if s and s["role"] == "LEADER":
                out.setdefault(s["term"], []).append(h)
        return out

    # ---- the switches' view (BMv2 seen_* registers) ------------------------------------

    def watches_data_plane(self):
        """True when the switches keep the seen_* registers (the BMv2 backend)."""
        return self.tb.backend.name == "bmv2"

    @staticmethod
    def leader_traffic(before, after):
        """Switches that counted leader-only datagrams between two tb.counters() readings."""
        return sorted(s for s in after if sum(after[s]["types"][c][0] - before[s]["types"][c][0]
                                              for c in LEADER_TYPES) > 0)

    def wait_seen_leader(self, leader, switches, timeout_s=SEEN_WAIT_S):
        """Waits until each of `switches` has `leader` (a host) and its current term in its
        seen_* registers; returns (tb.seen(), that term). The leader's heartbeats may still
        be on their way, hence the (bounded) wait; a switch that names another leader or
        term when it runs out fails the scenario."""
        want_id = self.tb.t.cluster.index(leader)
        deadline = time.monotonic() + timeout_s
        while True:
            st = self.status([leader]).get(leader)
            if not st or st["role"] != "LEADER":
                raise AssertionError("%s no longer leads: %s" % (leader, self.status_line(self.last_status)))
            seen = self.tb.seen()
            wrong = {s: seen[s] for s in switches
                     if (seen[s]["leader_id"], seen[s]["leader_term"]) != (want_id, st["term"])}
            if not wrong:
                return seen, st["term"]
            if time.monotonic() > deadline:
                raise AssertionError("switches %s do not name leader %d (%s) in term %d: %s" % (
                    ", ".join(sorted(wrong)), want_id, leader, st["term"], wrong))
            time.sleep(0.1)

    # ---- client ----------------------------------------------------------------------

    def client(self, args, host=CLIENT_HOST, timeout_s=CLIENT_TIMEOUT_S):
        """Runs `java -jar raft-client.jar ARGS` on a host, as a user would type it in its xterm;
        returns (exit code, output). No --pace-us: the host's shell has the testbed's
        RAFTUDP_PACE_US, which is the client's default, as in an xterm."""
        cmd = "timeout %d java -jar %s %s" % (timeout_s, testbed.CLIENT_JAR, " ".join(shlex.quote(a) for a in args))
        out = self.tb.host(host).cmd(cmd + '; echo "__rc=$?"')
        body, _, rc = out.rpartition("__rc=")
        return int(rc.strip() or 1), body.strip()

    def put(self, key, value, host=CLIENT_HOST, expect_ok=True, extra=()):
        """`raft-client.jar put KEY VALUE`; an exit code 0 is an acknowledgement. Returns seconds."""
        start = time.monotonic()
        rc, out = self.client(list(extra) + ["put", key, str(value)], host)
        took = time.monotonic() - start
        if rc == 0:
            self.acked[key] = value
        elif expect_ok:
            raise AssertionError("put %s=%r failed (exit %d): %s\nnodes now: %s" % (
                key, value, rc, out[-400:], self.status_lines()))
        return took if rc == 0 else None

    def status_lines(self):
        """Every node's status in one line each (role, term, indexes, message counters): for failures."""
        try:
            st = self.status()
        except Exception as e:   # a diagnostic must not hide the failure it explains
            return "status failed: %s" % e
        return "".join("\n  %s: %s" % (h, json.dumps(s, sort_keys=True)) for h, s in sorted(st.items()))

    def append_da(self, value, dst, host=CLIENT_HOST, expect_ok=True):
        """The original project's form: `raft-client.jar -s SRC -d DST -da VALUE` (DST may be a follower)."""
        start = time.monotonic()
        rc, out = self.client(["-s", self.tb.ip(host), "-d", self.tb.ip(dst), "-da", str(value)], host)
        if rc != 0 and expect_ok:
            raise AssertionError("-da %r via %s failed (exit %d): %s" % (value, dst, rc, out[-400:]))
        return (time.monotonic() - start) if rc == 0 else None

    def probe_json(self, args, via=CLIENT_HOST):
        """Runs `raftprobe.py ARGS` on a host and returns its JSON line (a dict; {} when none)."""
        out = self.tb.host(via).cmd("/usr/bin/python3 %s %s" % (PROBE, args))
        for line in out.splitlines():
            if line.startswith("{"):
                return json.loads(line)
        return {}

    def commit_index(self, host=None):
        """The highest commit index any answering cluster node reports (or host's own)."""
        st = self.status([host] if host else None)
        return max([s["commit"] for s in st.values() if s] or [0])

    def read(self, key, via=CLIENT_HOST):
        """The value under `key` through the probe (a linearizable Get on the leader), or raises."""
        nodes = ",".join(self.tb.t.node_ips())
        out = self.tb.host(via).cmd("/usr/bin/python3 %s get %s --nodes %s" % (PROBE, shlex.quote(key), nodes))
        for line in out.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                if r.get("error"):
                    raise AssertionError("get %s: %s" % (key, r["error"]))
                return r.get("value") if r.get("result") == "Found" else None
        raise AssertionError("get %s: probe said %r" % (key, out[-300:]))

    def check_acked(self):
        """No acknowledged write is lost: every acked key reads back its last acked value."""
        for key, value in sorted(self.acked.items()):
            got = self.read(key)
            assert same_value(got, value), "acknowledged write lost: %s=%r, read %r" % (key, value, got)
        self.say("all %d acknowledged writes read back" % len(self.acked))


def same_value(got, want):
    """The client may send '0' typed as Int 0 or as the string "0": both count as the value."""
    if got == want:
        return True
    return got is not None and str(got) == str(want)
