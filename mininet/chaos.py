"""The nemesis campaign (`make chaos`): real raft-node processes on the testbed, faults drawn
from a seed, concurrent clients recording a history, and a check of everything afterwards.

One run, inside the testbed's parent namespace (run.py chaos):
1. every cluster node gets its own small tmpfs as data directory (so that a disk can be
   filled), and the cluster starts;
2. `raft-client workload` runs on each client host (h11 on s1, h22 on s2), several logical
   clients each, all sharing one time origin, and writes its history;
3. for MINUTES the nemesis draws a fault from the seed, holds it a few seconds, heals it and
   lets the cluster recover a few seconds; it records each fault window and every leader it
   sees (events.jsonl), and notes any node that exits without being killed;
4. everything is healed, stopped nodes are restarted, the clients finish (their final reads
   come after every operation), all nodes must reach the same log end, then stop cleanly;
5. raftudp.check.ChaosCheck checks the histories (linearizability, list-append), compares
   the nodes' replayed states, and writes summary.json and timeline.png.
The verdict fails on any violation, on a node that exited unasked, or on a cluster that does
not come back. The run's files are in target/chaos/BACKEND-seedSEED/.
"""
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import time

import topo
# testbed and scenarios.context need Mininet: imported where a campaign starts, so that the
# static tests (which run before Mininet is installed) can test the rest of this module.

OUT_ROOT = os.path.join(topo.REPO, "target", "chaos")
CLIENT_HOSTS = ("h11", "h22")
CLIENTS_PER_HOST = 3
CLIENT_TIMEOUT_MS = 5000      # a client's deadline per operation: the longest an operation stays open
RATE = 150                    # operations started per second by each client host's workload
KEYS = 6                      # keys in use at once by the workload
KEY_PERIOD_S = 2              # and how often they change: ~100 operations a key, the checker's search stays small
SETTLE_S = 20                 # healthy time at the end, before the clients stop issuing operations
TMPFS_MB = 128                # each node's data directory (the disk-full fault fills it)
SNAPSHOT_EVERY = 1000         # entries between snapshots (the default, 10,000, is rarely reached here)
HOLD_S = (2.0, 6.0)           # how long a fault is held
QUIET_S = (2.0, 5.0)          # healthy time after a fault, before the next
POLL_S = 0.5
RECOVER_S = 60                # bound on every wait for the cluster to come back
# Every fault kind, in the order the seed's choices index them; OPT_IN ones are drawn only
# when named (none at present).
KINDS = ("kill", "pause", "majority-down", "restart-all", "partition-majority", "partition-leader",
         "partition-oneway", "loss", "dup", "delay", "disk-full", "wipe")
OPT_IN = ()
# What a node started on an empty data directory says when it stops (docs/node.md, "Lost data")
LOST_DATA = "is not the one it joined the cluster with"


class CampaignError(AssertionError):
    """The cluster broke a promise the campaign checks while it runs (an exit, no recovery)."""


class Campaign:
    def __init__(self, tb, seed, minutes, kinds=KINDS):
        from scenarios.context import Context
        self.tb, self.seed, self.minutes = tb, seed, minutes
        self.kinds = tuple(kinds)
        self.rng = random.Random(seed)
        self.ctx = Context(tb, "chaos")
        self.out = os.path.join(OUT_ROOT, "%s-seed%d" % (tb.backend_name, seed))
        self.events = None
        self.event_id = 0
        self.last_leader = ("?", -1)
        self.expected_exit = {}   # host -> why its node may have ended (disk-full)
        self.unexpected = []      # (host, exit code) of nodes that ended unasked
        self.mounts = []
        self.workloads = []
        self.fault_counts = {}

    # ---- recording ---------------------------------------------------------------------

    def event(self, kind, t=None, **fields):
        line = dict(t=t or time.monotonic_ns(), kind=kind, **fields)
        self.events.write(json.dumps(line, sort_keys=True) + "\n")
        self.events.flush()

    def say(self, text):
        print("  chaos %6.1f s  %s" % ((time.monotonic_ns() - self.t0) / 1e9, text), flush=True)

    def observe(self):
        """Asks every node for its status; records the leader when it changed; notes exits."""
        self.check_exits()
        asked = time.monotonic()
        leader = self.ctx.leader()
        took = time.monotonic() - asked
        if took > 3:
            self.say("(status took %.1f s)" % took)
        st = self.ctx.last_status
        term = max([s["term"] for s in st.values() if s] or [0])
        now = (leader, term if leader else -1)
        if now != self.last_leader:
            self.last_leader = now
            self.event("leader", leader=leader, term=term)
        return leader

    def hold(self, seconds):
        """Watches the cluster for `seconds` (bounded), recording what it sees."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.observe()
            time.sleep(max(0.0, min(POLL_S, end - time.monotonic())))

    def check_exits(self):
        for h, p in list(self.tb.nodes.items()):
            rc = p.poll()
            if rc is None:
                continue
            del self.tb.nodes[h]
            why = self.expected_exit.pop(h, None)
            if why is not None and self.log_says(p, why):
                self.say("node on %s stopped as expected (%s), exit %d" % (h, why, rc))
                continue
            self.unexpected.append((h, rc))
            self.say("NODE ON %s EXITED UNASKED (exit %d); see %s" % (h, rc, os.path.relpath(p.raft_log, topo.REPO)))
            self.event("exit", host=h, code=rc)

    @staticmethod
    def log_says(p, text):
        with open(p.raft_log, errors="replace") as f:
            f.seek(p.raft_log_start)
            return text in f.read()

    # ---- nodes -------------------------------------------------------------------------

    def data_dir(self, h):
        return os.path.join(self.tb.data_root, "node-%d" % self.tb.t.cluster.index(h))

    def start(self, *hosts):
        """Starts the nodes of `hosts`, then waits for each (the JVMs start side by side)."""
        for h in hosts:
            self.tb.raft_start(h, extra=["--snapshot-every", str(SNAPSHOT_EVERY)])
        for h in hosts:
            self.tb.raft_await_started(h)

    def kill(self, h):
        self.check_exits()
        if h in self.tb.nodes:
            self.tb.raft_stop(h, kill=True)

    def ensure_running(self):
        self.check_exits()
        self.start(*[h for h in self.tb.t.cluster if h not in self.tb.nodes])

    def pick(self, leader, candidates=None):
        """The leader half the time (when there is one), else another node."""
        candidates = list(candidates or self.tb.t.cluster)
        if leader in candidates and self.rng.random() < 0.5:
            return leader
        others = [h for h in candidates if h != leader] or candidates
        return self.rng.choice(others)

    # ---- faults: each returns (detail, heal) -------------------------------------------

    def fault(self, kind, leader):
        cluster = list(self.tb.t.cluster)
        if kind == "kill":
            h = self.pick(leader)
            self.kill(h)
            return "kill -9 %s%s" % (h, " (leader)" if h == leader else ""), lambda: self.start(h)
        if kind == "pause":
            h = self.pick(leader)
            pid = self.tb.nodes[h].pid
            os.kill(pid, signal.SIGSTOP)

            def cont():
                os.kill(pid, signal.SIGCONT)
            return "SIGSTOP %s%s" % (h, " (leader)" if h == leader else ""), cont
        if kind == "majority-down":
            first = self.pick(leader)
            down = [first, self.rng.choice([h for h in cluster if h != first])]
            for h in down:
                self.kill(h)
            return "kill -9 %s" % " ".join(down), lambda: self.start(*down)
        if kind == "restart-all":
            for h in cluster:
                self.kill(h)
            return "kill -9 every node", lambda: self.start(*cluster)
        if kind == "partition-majority":
            h = self.rng.choice(cluster)
            self.tb.partition([h], [o for o in cluster if o != h])
            return "%s%s | %s" % (h, " (leader)" if h == leader else "", " ".join(o for o in cluster if o != h)), \
                self.tb.heal
        if kind == "partition-leader":
            # Cut from the other nodes, its clients still reach it (the old leader keeps taking
            # requests it can no longer commit or confirm), or cut from every host.
            h = leader or self.rng.choice(cluster)
            role = " (leader)" if h == leader else ""
            if self.rng.random() < 0.5:
                self.tb.partition([h], [o for o in cluster if o != h])
                return "%s%s cut from the other nodes, not from the clients" % (h, role), self.tb.heal
            self.tb.isolate(h)
            return "%s%s isolated from every host" % (h, role), self.tb.heal
        if kind == "partition-oneway":
            h = leader or self.rng.choice(cluster)
            others = [o for o in cluster if o != h]
            self.tb.backend.partition([(self.tb.ip(h), self.tb.ip(o)) for o in others])
            return "%s -> %s cut (it still hears them)" % (h, " ".join(others)), self.tb.heal
        if kind in ("loss", "dup", "delay"):
            if kind == "loss":
                opts = dict(loss_pct=self.rng.choice((5, 10, 20)))
            elif kind == "dup":
                opts = dict(dup_pct=self.rng.choice((5, 10, 30)))
            else:
                opts = dict(delay_ms=self.rng.choice((5, 10, 20)), jitter_ms=self.rng.choice((0, 2, 5)))
            self.tb.link("all", **opts)

            def clear():
                self.tb.faults.clear_all()
                self.tb.push_faults()
            return "every link: %s" % ", ".join("%s %g" % kv for kv in sorted(opts.items())), clear
        if kind == "disk-full":
            h = self.pick(leader)
            filler = os.path.join(self.data_dir(h), "zz-chaos-filler")
            fill(filler)
            self.expected_exit[h] = "No space left on device"

            def free():
                os.remove(filler)
                self.check_exits()
                self.expected_exit.pop(h, None)
                if h not in self.tb.nodes:
                    self.start(h)
            return "%s's disk full%s" % (h, " (leader)" if h == leader else ""), free
        if kind == "wipe":
            # A follower back on an empty directory must find that out and stop (exit 3) rather
            # than vote or acknowledge; then its own directory comes back and so does it.
            h = self.pick(None, [o for o in cluster if o != leader])
            self.kill(h)
            d = self.data_dir(h)
            kept = d + ".chaos-kept"
            shutil.rmtree(kept, ignore_errors=True)
            os.makedirs(kept)
            for name in os.listdir(d):
                shutil.move(os.path.join(d, name), os.path.join(kept, name))
            self.expected_exit[h] = LOST_DATA
            self.start(h)

            def restore():
                deadline = time.monotonic() + RECOVER_S
                while h in self.tb.nodes and time.monotonic() < deadline:
                    self.check_exits()
                    time.sleep(POLL_S)
                if h in self.tb.nodes:
                    raise CampaignError("the node on %s, started on an empty data directory, did not stop "
                                        "within %d s" % (h, RECOVER_S))
                for name in os.listdir(d):
                    path = os.path.join(d, name)
                    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
                for name in os.listdir(kept):
                    shutil.move(os.path.join(kept, name), os.path.join(d, name))
                os.rmdir(kept)
                self.start(h)
            return "kill -9 %s, restarted on an empty data directory" % h, restore
        raise ValueError("unknown fault kind %r" % kind)

    # ---- the run -------------------------------------------------------------------------

    def run(self):
        if os.path.isdir(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        self.t0 = time.monotonic_ns()
        with open(os.path.join(self.out, "events.jsonl"), "w") as self.events:
            try:
                self.setup()
                self.event("phase", detail="start", seed=self.seed, backend=self.tb.backend_name)
                self.nemesis()
                self.event("phase", detail="heal")
                self.finish()
                self.event("phase", detail="end")
            except BaseException:
                self.diagnose()
                raise
            finally:
                self.teardown()
        return self.check()

    def diagnose(self):
        """When the campaign stops on an error, records what the network and the nodes look like
        while the fault is still there (diagnosis.txt beside the history): every node's status
        with its counters, asked from each host, and what each host's interface carried meanwhile;
        each host's links and neighbours; the
        routers' rules (Linux backend); and a thread dump of every node in its own log. Bounded."""
        from scenarios.context import PROBE
        path = os.path.join(self.out, "diagnosis.txt")
        try:
            with open(path, "w") as out:
                ips = " ".join(self.tb.ip(h) for h in self.tb.t.cluster)
                # every host captures UDP while the probes run: do answers leave, do they arrive?
                caps = {h: self.tb.host(h).popen(
                    ["timeout", "12", "tcpdump", "-l", "-n", "-e", "-c", "400", "-i", self.tb.host(h).defaultIntf().name,
                     "udp"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for h in sorted(self.tb.t.hosts)}
                time.sleep(1.0)   # tcpdump opens its capture
                for v in sorted(self.tb.t.hosts):
                    out.write("== status asked from %s\n%s\n" % (v, self.tb.host(v).cmd(
                        "timeout 10 /usr/bin/python3 %s status %s --timeout 0.5" % (PROBE, ips))))
                for h, c in caps.items():
                    text, _ = c.communicate(timeout=20)
                    out.write("== %s: tcpdump -e udp while the probes ran\n%s\n" % (h, text))
                for h in sorted(self.tb.t.hosts):
                    out.write("== %s: ip -s link; ip neigh\n%s\n" % (h, self.tb.host(h).cmd(
                        "ip -s link; ip neigh")))
                if self.tb.backend_name == "linux":
                    for sw in self.tb.net.switches:
                        out.write("== router %s: nft list ruleset; ip neigh\n%s\n" % (sw.name, sw.cmd(
                            "timeout 10 nft list ruleset; ip neigh")))
                for h, p in sorted(self.tb.nodes.items()):
                    if p.poll() is None:
                        os.kill(p.pid, signal.SIGQUIT)   # the JVM prints its threads to its log
                        out.write("== thread dump of the node on %s: in %s\n" % (h, os.path.relpath(p.raft_log,
                                                                                                  topo.REPO)))
            self.say("the network and the nodes as the campaign stopped: %s" % os.path.relpath(path, topo.REPO))
        except Exception as e:   # a diagnosis must never hide the error that called it
            self.say("(diagnosis incomplete: %s)" % e)

    def mount(self):
        """Gives every cluster node a small tmpfs as its data directory. Call before the testbed
        starts: each Mininet host gets its own mount namespace when it is created, a copy of
        this one, whose tmpfs mounts share their file systems with these."""
        import testbed
        self.tb.data_root = os.path.join(testbed.DATA_DIR, "chaos")
        if os.path.isdir(self.tb.data_root):
            shutil.rmtree(self.tb.data_root)
        for h in self.tb.t.cluster:
            d = self.data_dir(h)
            os.makedirs(d)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % TMPFS_MB, "raftudp-chaos", d],
                           check=True)
            self.mounts.append(d)

    def unmount(self):
        for d in self.mounts:
            subprocess.run(["umount", "--lazy", d])
        self.mounts = []

    def setup(self):
        import testbed
        self.start(*self.tb.t.cluster)
        self.ctx.wait_leader(RECOVER_S)
        self.say("cluster up; seed %d, %g min of faults, kinds: %s" % (self.seed, self.minutes, " ".join(self.kinds)))
        start_ns = time.monotonic_ns()
        duration = self.minutes * 60 + SETTLE_S
        for i, h in enumerate(CLIENT_HOSTS):
            path = os.path.join(self.out, "history-%s.jsonl" % h)
            cmd = ["java", "-jar", testbed.CLIENT_JAR, "--timeout-ms", str(CLIENT_TIMEOUT_MS), "workload",
                   "--process", h, "--clients", str(CLIENTS_PER_HOST), "--duration", str(duration),
                   "--rate", str(RATE), "--keys", str(KEYS), "--key-period", str(KEY_PERIOD_S),
                   "--start-ns", str(start_ns), "--seed", str(self.seed * 10 + i), "--history", path]
            log = open(os.path.join(self.out, "workload-%s.log" % h), "w")
            p = self.tb.host(h).popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=topo.REPO)
            log.close()
            p.history, p.host = path, h
            self.workloads.append(p)
        self.workload_end = start_ns / 1e9 + duration

    def nemesis(self):
        end = time.monotonic() + self.minutes * 60
        while time.monotonic() < end:
            leader = self.observe()
            kind = self.rng.choice(self.kinds)
            hold = self.rng.uniform(*HOLD_S)
            quiet = self.rng.uniform(*QUIET_S)
            self.event_id += 1
            begun = time.monotonic_ns()   # the window opens as the fault starts going in (BMv2 tables take seconds)
            detail, heal = self.fault(kind, leader)
            self.fault_counts[kind] = self.fault_counts.get(kind, 0) + 1
            self.event(kind, t=begun, phase="start", id=self.event_id, detail=detail)
            self.say("%-18s %s (%.1f s)" % (kind, detail, hold))
            self.hold(hold)
            healing = time.monotonic()
            heal()
            self.event(kind, phase="end", id=self.event_id, detail="healed")
            if time.monotonic() - healing > 3:
                self.say("(healing took %.1f s)" % (time.monotonic() - healing))
            self.hold(quiet)
            self.recover()

    def recover(self):
        """After a fault: every node runs and a leader is seen, within RECOVER_S."""
        self.ensure_running()
        deadline = time.monotonic() + RECOVER_S
        while not self.observe():
            if time.monotonic() > deadline:
                raise CampaignError("no leader within %d s of healing: %s" % (
                    RECOVER_S, self.ctx.status_line(self.ctx.last_status)))
            time.sleep(POLL_S)

    def finish(self):
        self.tb.heal()
        self.tb.faults.clear_all()
        self.tb.push_faults()
        self.recover()
        self.say("healed; the clients stop at %.0f s, then read every key" % (self.workload_end - self.t0 / 1e9))
        wait_until = self.workload_end + CLIENT_TIMEOUT_MS / 1000.0 + 120
        for p in self.workloads:
            while p.poll() is None and time.monotonic() < wait_until:
                self.hold(POLL_S)
            if p.poll() is None:
                raise CampaignError("the workload on %s did not end" % p.host)
            if p.returncode != 0:
                raise CampaignError("the workload on %s ended with exit %d (see %s)" % (
                    p.host, p.returncode, os.path.join(self.out, "workload-%s.log" % p.host)))
        self.converge()
        for h in list(self.tb.t.cluster):
            self.tb.raft_stop(h)

    def converge(self):
        """Waits until every node holds the same log end, commits and applies it (bounded)."""
        def same():
            st = self.ctx.status()
            if any(s is None for s in st.values()):
                return False
            ends = {(s["last_index"], s["commit"], s["applied"]) for s in st.values()}
            return len(ends) == 1 and all(s["commit"] == s["last_index"] == s["applied"] for s in st.values())
        _, took = self.ctx.wait("every node at the same log end", same, RECOVER_S, poll_s=POLL_S)
        self.say("every node at log end %d after %.1f s" % (self.ctx.last_status[self.tb.t.cluster[0]]["last_index"],
                                                             took))

    def teardown(self):
        for p in self.workloads:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        for h, p in list(self.tb.nodes.items()):
            try:
                os.kill(p.pid, signal.SIGCONT)   # a node paused when something failed
            except ProcessLookupError:
                pass
            self.tb.raft_stop(h, kill=True)
        for h in self.tb.t.cluster:   # the nodes' data, for the checker, before the tmpfs goes
            if os.path.isdir(self.data_dir(h)):
                shutil.copytree(self.data_dir(h), os.path.join(self.out, "state", h),
                                ignore=shutil.ignore_patterns("zz-chaos-filler"))

    def check(self):
        """Runs the checker on what the run recorded; returns its exit code (0: clean)."""
        cmd = ["java", "-Djava.awt.headless=true", "-cp", classpath(), "raftudp.check.ChaosCheck",
               "--events", os.path.join(self.out, "events.jsonl"), "--out", self.out,
               "--title", "seed %d, %s, %g min" % (self.seed, self.tb.backend_name, self.minutes)]
        for p in self.workloads:
            cmd += ["--history", p.history]
        for h in self.tb.t.cluster:
            cmd += ["--state", "%s=%s" % (h, os.path.join(self.out, "state", h))]
        rc = subprocess.call(cmd, cwd=topo.REPO)
        if self.unexpected:
            print("chaos: FAIL: nodes exited without the nemesis: %s" % ", ".join(
                "%s (exit %d)" % u for u in self.unexpected))
            rc = rc or 1
        return rc


def fill(path):
    """Writes zeros to `path` until the file system is full (not a byte left)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        size = 1 << 20
        while size >= 512:
            try:
                os.write(fd, b"\0" * size)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                size //= 2
    finally:
        os.close(fd)


def classpath():
    path = os.path.join(topo.REPO, "target", "sim.classpath")
    with open(path) as f:
        deps = f.read().strip()
    return ":".join([os.path.join(topo.REPO, "target", "classes"), os.path.join(topo.REPO, "target", "test-classes"),
                     deps])


def kinds(text):
    """The fault kinds named by `text` (comma-separated; '' = KINDS; 'all' = KINDS and the opt-in ones)."""
    if not text:
        return KINDS
    if text == "all":
        return KINDS + OPT_IN
    names = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in names if k not in KINDS + OPT_IN]
    if unknown or not names:
        raise ValueError("unknown fault kind(s) %s; known: %s" % (", ".join(unknown) or "(none given)",
                                                                  ", ".join(KINDS + OPT_IN)))
    return tuple(names)


def main(campaign, kinds_text):
    """run.py chaos, inside the parent namespace, once the testbed runs: one campaign (mounted
    before the testbed started); returns its exit code."""
    seed, minutes, tb = campaign.seed, campaign.minutes, campaign.tb
    start = time.monotonic()
    try:
        rc = campaign.run()
    except (CampaignError, RuntimeError) as e:   # RuntimeError: testbed.CommandError, faults.FaultError
        print("chaos: FAIL (seed %d): %s" % (seed, e))
        campaign.ctx.dump_logs()
        rc = 1
    print("chaos: %s in %.0f s; faults: %s; files in %s" % (
        "PASS" if rc == 0 else "FAIL", time.monotonic() - start,
        ", ".join("%s %d" % kv for kv in sorted(campaign.fault_counts.items())) or "none",
        os.path.relpath(campaign.out, topo.REPO)))
    if rc:
        print("chaos: rerun with: make chaos SEED=%d MINUTES=%g BACKEND=%s%s" % (
            seed, minutes, tb.backend_name, (" KINDS=" + kinds_text) if kinds_text else ""))
    return rc
