"""The emulated network of topology.json, built with Mininet inside the parent namespace.

`Testbed` is what the CLI and the headless scenarios drive: hosts with the addresses,
MACs, gateways and static ARP of topology.json, switches from the chosen backend (BMv2 or
Linux routers) loaded with the same ipv4_lpm entries, partitions, link faults, Raft
counters, and the raft-node processes it starts on the hosts. Runs only as root inside
the parent namespace (run.py takes care of that).
"""
import json
import os
import resource
import shlex
import signal
import subprocess
import time

from mininet.link import Link
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import Host

import backend_bmv2
import backend_linux
import captures
import faults
import parentns
import raftnodes
from raftnodes import CommandError, node_index, nodes_in_proc  # noqa: F401 (CommandError: for callers)
import topo

NODE_JAR = os.path.join(topo.REPO, "raft-node.jar")
CLIENT_JAR = os.path.join(topo.REPO, "raft-client.jar")
# Pacing of multi-datagram messages (raft-node/raft-client --pace-us) per switch backend:
# simple_switch loses most of a back-to-back burst before its pipeline (32-108 of 745 datagrams
# of a 1 MiB value got through); 0.2 ms apart, all pass. RAFTUDP_PACE_US overrides it.
PACE_US = {"bmv2": 200, "linux": 0}
# One convention for nodes started by `raft start` and by hand in an xterm (whose shell starts
# in the repository, with RAFTUDP_LOG_DIR set): data in data/node-INDEX (raft-node's default),
# log in logs/node-INDEX.log. Scenarios keep theirs in data/scenarios/node-INDEX.
LOG_DIR = os.path.join(topo.REPO, "logs")
DATA_DIR = os.path.join(topo.REPO, "data")
NODE_STOP_WAIT_S = 10
NODE_START_WAIT_S = 20   # how long `raft start` waits for a node's "started" line (a JVM start takes ~1 s)
PROBE = raftnodes.PROBE
FAULT_PUSH_S = 20   # how long a running node may take to confirm its fault rules (it may be starting)
FAULT_RECHECKS = 3  # times the rules a node holds are asked again when its answer disagrees


def choose_backend(wanted):
    """('bmv2' | 'linux', reason). wanted: auto, bmv2 or linux."""
    lacking = backend_bmv2.missing()
    if wanted == "bmv2":
        if lacking:
            raise SystemExit("backend bmv2 asked for, but this machine lacks: %s" % ", ".join(lacking))
        return "bmv2", "asked for"
    if wanted == "linux":
        return "linux", "asked for"
    if not lacking:
        return "bmv2", "simple_switch and p4c found"
    return "linux", "BMv2 not installed (missing: %s)" % ", ".join(lacking)


class Testbed:
    def __init__(self, backend="linux", fault_mechanism="auto", quiet=True):
        self.t = topo.Topology.load()
        self.backend_name = backend
        self.backend_cls = backend_bmv2.Bmv2Backend if backend == "bmv2" else backend_linux.LinuxBackend
        if fault_mechanism == "auto":
            fault_mechanism = "netem" if faults.netem_available() else "filter"
        elif fault_mechanism == "netem" and not faults.netem_available():
            raise SystemExit("link faults through netem asked for, but this kernel has no sch_netem")
        self.fault_mechanism = fault_mechanism
        self.quiet = quiet
        self.net = None
        self.backend = None
        self.faults = None
        self.nodes = {}   # host -> Popen of its raft-node
        self.data_root = DATA_DIR   # raft nodes keep their data in data_root/node-INDEX
        self.pcap = captures.settings()
        if self.pcap[0] == "bmv2" and backend != "bmv2":
            raise SystemExit("PCAP=bmv2 is BMv2's own capture option: it needs BACKEND=bmv2 (or use PCAP=ring)")
        self.captures = []   # tcpdump Popens

    # ---- life cycle ------------------------------------------------------------------

    def start(self):
        setLogLevel("warning" if self.quiet else "info")
        # Before the hosts exist: their shells, and the xterms opened from them, inherit these,
        # so that a node or client started by hand logs to logs/ and paces like `raft start`.
        os.makedirs(LOG_DIR, exist_ok=True)
        os.environ["RAFTUDP_LOG_DIR"] = LOG_DIR
        os.environ["RAFTUDP_PACE_US"] = str(self.pace_us())
        # Mininet.init() would raise global kernel limits (kernel.pty.max and friends) on
        # the whole machine; we only need the open-file limit, for this process.
        Mininet.inited = True
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
        net = Mininet(topo=None, build=False, controller=None, link=Link, host=Host,
                      autoSetMacs=False, autoStaticArp=False, waitConnected=False)
        self.net = net
        for h in sorted(self.t.hosts):
            spec = self.t.hosts[h]
            net.addHost(h, ip=spec["ip"], mac=spec["mac"])
        for s in sorted(self.t.switches):
            net.addSwitch(s, **self.backend_cls.switch_params(self.t, s))
        for link in self.t.links:
            opts = {}
            if link.a_port is not None:
                opts["port1"] = link.a_port
            if link.b_port is not None:
                opts["port2"] = link.b_port
            net.addLink(link.a, link.b, **opts)
        captures.clear()   # a previous run's files would read as this run's (BMv2 opens its own in net.start)
        net.build()
        for node in net.hosts + net.switches:
            parentns.record(node.pid, "node-%s" % node.name)
            if node.inNamespace:
                parentns.record_netns(node.pid, node.name)
        net.start()
        self.backend = self.backend_cls(self.t, net, self.run)
        for h in net.hosts:
            self._configure_host(h)
        self.backend.configure()
        self.faults = faults.LinkFaults(self, self.fault_mechanism)
        for link in self.t.links:
            opts = dict(loss_pct=link.loss_pct, delay_ms=link.delay_ms, bw_mbit=link.bw_mbit)
            if any(opts.values()):
                self.faults.apply(link, **opts)
        self._start_captures()

    def _start_captures(self):
        mode, mb, files = self.pcap
        if mode != "ring":
            return
        os.makedirs(captures.PCAP_DIR, exist_ok=True)
        for sw in self.net.switches:
            for intf in sw.intfList():
                if intf.name != "lo":
                    p = sw.popen(captures.tcpdump_argv(intf.name, mb, files), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
                    parentns.record(p.pid, "tcpdump-%s" % intf.name)
                    self.captures.append(p)

    def where(self):
        """Where this testbed writes what: printed by `make run` and the CLI's `testbed`."""
        rel = lambda p: os.path.relpath(p, topo.REPO) + "/"
        switch_logs = ("%s: SWITCH.log per switch (SWITCH_LOG=1)" % rel(LOG_DIR) if self.backend_name == "bmv2"
                       else "none (Linux routers; `counters` shows what they count)")
        return "\n".join([
            "node logs:    %snode-INDEX.log (raft start and nodes started by hand in an xterm)" % rel(LOG_DIR),
            "node data:    %snode-INDEX (raft-node's default data directory)" % rel(self.data_root),
            "switch logs:  %s" % switch_logs,
            "captures:     %s" % captures.describe(*self.pcap),
            "compiled P4:  build/p4/raft.json" if self.backend_name == "bmv2" else "compiled P4:  not used (Linux routers)",
            "runner state: %s (namespace %s)" % (parentns.STATE_DIR, parentns.NS)])

    def _configure_host(self, h):
        spec = self.t.hosts[h.name]
        intf = h.defaultIntf()
        if intf.name != "eth0":
            intf.rename("eth0")   # as in the P4 tutorials: every host talks through eth0
        self.run(h, "ip link set eth0 up")
        self.run(h, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
        self.run(h, "ip route replace default via %s dev eth0" % spec["gw"])
        for ip, mac in sorted(spec["arp"].items()):
            self.run(h, "ip neigh replace %s lladdr %s dev eth0 nud permanent" % (ip, mac))
        if self.backend_name == "bmv2":
            self.run(h, "ethtool -K eth0 tx off rx off >/dev/null")

    def pace_us(self):
        """The pacing gap (µs) nodes and clients use on this backend."""
        env = os.environ.get("RAFTUDP_PACE_US")
        return int(env) if env else PACE_US.get(self.backend_name, 0)

    def pace_args(self):
        """`--pace-us N` for raft-node and raft-client on this backend (none when 0)."""
        return ["--pace-us", str(self.pace_us())] if self.pace_us() else []

    def stop(self):
        for h in list(self.nodes):
            try:
                self.raft_stop(h, kill=True)
            except CommandError:
                pass   # it had already ended
        for p in self.captures:   # SIGTERM: tcpdump flushes and closes its file
            p.terminate()
        for p in self.captures:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
        self.captures = []
        if self.net:
            self.net.stop()
            self.net = None

    # ---- helpers ---------------------------------------------------------------------

    def run(self, node, cmd):
        """Runs a shell command on a node; returns its output, raises CommandError on failure."""
        out = node.cmd(cmd + '; echo "__rc=$?"')
        body, _, rc = out.rpartition("__rc=")
        if rc.strip() != "0":
            raise CommandError("%s: `%s` failed (%s): %s" % (node.name, cmd, rc.strip(), body.strip()))
        return body

    def host(self, name):
        if name not in self.t.hosts:
            raise CommandError("no host %s (hosts: %s)" % (name, " ".join(sorted(self.t.hosts))))
        return self.net.get(name)

    def ip(self, name):
        return self.t.host_ip(name)

    def summary(self):
        return ("backend: %s (%s)\nlink faults: %s" % (self.backend_name, self.backend.describe,
                                                        self.faults.describe()))

    # ---- network experiments ---------------------------------------------------------

    def ping(self, src, dst, count=3, interval=0.2, timeout_s=10):
        """(received, sent, ttl of the last reply or None)."""
        out = self.host(src).cmd("timeout %d ping -n -c %d -i %g -W 1 %s" % (timeout_s, count, interval, self.ip(dst)))
        sent = received = 0
        ttl = None
        for line in out.splitlines():
            if "packets transmitted" in line:
                parts = line.split(",")
                sent, received = int(parts[0].split()[0]), int(parts[1].split()[0])
            if "ttl=" in line:
                ttl = int(line.split("ttl=")[1].split()[0])
        return received, sent, ttl

    def partition(self, group_a, group_b):
        """Cuts Raft traffic (our UDP ports) between every host of group_a and every host of group_b."""
        pairs = []
        for a in group_a:
            for b in group_b:
                if a != b:
                    pairs += [(self.ip(a), self.ip(b)), (self.ip(b), self.ip(a))]
        self.backend.partition(pairs)
        return len(pairs)

    def isolate(self, host):
        return self.partition([host], [h for h in self.t.hosts if h != host])

    def heal(self):
        self.backend.heal()

    def link(self, a, b=None, **opts):
        """Sets loss/delay/jitter/dup/reorder/bw on the link a-b (a = 'all': every link).

        With the filter mechanism, delay, jitter and duplication become the raft nodes' fault
        rules: pushed to the nodes that run (FaultError when one does not confirm them) and
        given as --fault to the nodes started later. self.faults.last_explain says which
        mechanism did what."""
        links = list(self.t.links) if a == "all" else [self.t.find_link(a, b)]
        self.faults.check({k: v or 0 for k, v in opts.items()})   # all or nothing
        where = self.faults.apply_links(links, **opts)
        running = self.push_faults()
        self.faults.last_explain = self.faults.explain(opts, where, running)
        return links

    def push_faults(self):
        """Gives every running raft node the fault rules of its host (filter mechanism): sets
        those it must have, clears the other hosts' rules, and checks its answer. Returns the
        hosts done; raises FaultError naming a node that did not confirm them."""
        if self.faults.mechanism != "filter":
            return []
        done = []
        for h in sorted(self.raft_running()):
            want = self.faults.java_rules(h)
            args = ["--clear %s" % self.ip(o) for o in sorted(self.t.hosts)
                    if o != h and self.ip(o) not in want]
            args += ["--set %s=%d,%d,%d" % ((ip,) + rule) for ip, rule in sorted(want.items())]
            got = self._fault_exchange(h, " ".join(args))
            have = self._rules_held(got)
            # The answer read may be a late one to an earlier request of the same exchange (the
            # node's own delay rules hold its answers back): ask again what it holds, a few times.
            for _ in range(FAULT_RECHECKS):
                if have == want:
                    break
                have = self._rules_held(self._fault_exchange(h, ""))
            if have != want:
                raise faults.FaultError("the raft node on %s holds fault rules %s, not %s" % (h, have, want))
            done.append(h)
        return done

    @staticmethod
    def _rules_held(answer):
        """{target: (delay_ms, jitter_ms, dup_ppm)} of a node's fault answer ('*' left out)."""
        return {r["target"]: (r["delay_ms"], r["jitter_ms"], r["dup_ppm"]) if not r["loss_ppm"]
                else ("loss ppm", r["loss_ppm"]) for r in answer["rules"] if r["target"] != "*"}

    def _fault_exchange(self, host, args):
        """Runs raftprobe.py fault against the node on `host`, from a host that is no raft node
        (its answer comes past its own rules); retries while it starts. Bounded."""
        via = [v for v in sorted(self.t.hosts) if v not in self.t.cluster] + [host]
        deadline = time.monotonic() + FAULT_PUSH_S
        last = ""
        while True:
            for v in via:
                out = self.host(v).cmd("/usr/bin/python3 %s fault %s %s --timeout 0.3 --tries 5" % (
                    PROBE, self.ip(host), args))
                for line in out.splitlines():
                    if line.startswith("{"):
                        r = json.loads(line)
                        if "rules" in r:
                            return r
                last = out.strip()[-300:]
            if time.monotonic() > deadline or host not in self.raft_discover():
                raise faults.FaultError("the raft node on %s did not confirm its fault rules within %d s (%s)"
                                        % (host, FAULT_PUSH_S, last))

    def counters(self):
        return self.backend.counters()

    def format_counters(self):
        c = self.counters()
        switches = sorted(c)
        types = backend_linux.RAFT_TYPES
        rows = ["Raft datagrams seen by each switch (%s)" % self.backend.counters_note,
                "%-20s" % "message type" + "".join("%12s" % s for s in switches)]
        for code in sorted(types):
            rows.append("%-20s" % ("%2d %s" % (code, types[code])) + "".join("%12d" % c[s]["types"][code][0]
                                                                         for s in switches))
        rows.append("%-20s" % "port class")
        for cls in backend_linux.CLASSES:
            port = self.t.raft_ports[cls]
            rows.append("%-20s" % ("%s 0x%X" % (cls, port)) + "".join("%12d" % c[s]["classes"][cls][0]
                                                                     for s in switches))
        rows.append("%-20s" % "dropped")
        for k in ("partition", "loss_in", "loss_out"):
            rows.append("%-20s" % k + "".join("%12d" % c[s]["drops"].get(k, 0) for s in switches))
        return "\n".join(rows)

    def seen(self):
        """{switch: {'max_term', 'leader_term', 'leader_id', 'leader_changes'}}: what each
        switch's data plane saw of the cluster (BMv2 only; the Linux backend raises)."""
        return self.backend.seen()

    def reset_seen(self):
        self.backend.reset_seen()

    def format_seen(self):
        s = self.seen()
        switches = sorted(s)

        def leader(v):
            if v["leader_id"] is None:
                return "-"
            i = v["leader_id"]
            return "%d %s" % (i, self.t.cluster[i]) if i < len(self.t.cluster) else str(i)

        rows = ["What each switch saw of the cluster (P4 registers RaftIngress.seen_*)",
                "%-20s" % "" + "".join("%12s" % n for n in switches),
                "%-20s" % "highest term" + "".join("%12d" % s[n]["max_term"] for n in switches),
                "%-20s" % "leader term" + "".join("%12s" % (s[n]["leader_term"] or "-") for n in switches),
                "%-20s" % "leader (id host)" + "".join("%12s" % leader(s[n]) for n in switches),
                "%-20s" % "leader changes" + "".join("%12d" % s[n]["leader_changes"] for n in switches)]
        return "\n".join(rows)

    # ---- raft nodes ------------------------------------------------------------------

    def jars_missing(self):
        return [os.path.basename(j) for j in (NODE_JAR, CLIENT_JAR) if not os.path.exists(j)]

    def node_log(self, index):
        return os.path.join(LOG_DIR, "node-%d.log" % index)

    def raft_start(self, host, index=None, extra=(), data_dir=None):
        """Starts `java -jar raft-node.jar INDEX --data-dir D --allow-admin` on a host, its output
        appended to logs/node-INDEX.log; D is data_root/node-INDEX unless `extra` or data_dir
        names one. Returns the Popen; raft_await_started() waits until it runs.

        --allow-admin: the testbed changes the nodes' fault rules at run time (FaultRequests from
        raftprobe.py and raft-client fault, without a cluster key), which a node refuses without it."""
        if not os.path.exists(NODE_JAR):
            raise CommandError("raft-node.jar is missing: run `make build` first")
        running = self.raft_discover()
        if host in running:
            raise CommandError("a raft node already runs on %s (pid %d%s)" % (
                host, running[host]["pid"], "" if running[host]["here"] else ", started by hand"))
        if index is None:
            if host not in self.t.cluster:
                raise CommandError("%s is not in the cluster list %s: give an index" % (host, self.t.cluster))
            index = self.t.cluster.index(host)
        extra = self.faults.fault_options(host) + list(extra) + shlex.split(os.environ.get("RAFT_NODE_ARGS", ""))
        given = [a for a in extra if a == "--data-dir" or a.startswith("--data-dir=")]
        own = [] if given else ["--data-dir", data_dir or os.path.join(self.data_root, "node-%d" % index)]
        if own:
            os.makedirs(own[1], exist_ok=True)
        cmd = ["java", "-jar", NODE_JAR, str(index)] + own + ["--allow-admin"] + self.pace_args() + extra
        path = self.node_log(index)
        log = open(path, "a")
        log.write("\n=== %s on %s: %s\n" % (time.strftime("%H:%M:%S"), host, " ".join(cmd)))
        log.flush()
        env = {k: v for k, v in os.environ.items() if k != "RAFTUDP_LOG_DIR"}   # its output goes to the log already
        p = self.host(host).popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=topo.REPO, env=env)
        log.close()
        p.raft_index, p.raft_log, p.raft_log_start = index, path, os.path.getsize(path)
        parentns.record(p.pid, "raft-%s" % host)
        self.nodes[host] = p
        return p

    def raft_await_started(self, host, timeout_s=NODE_START_WAIT_S):
        """Waits until the node started on `host` logs that it started; raises CommandError with
        its exit code and last lines when it ends first (port in use, a bad option). Bounded."""
        p = self.nodes[host]
        deadline = time.monotonic() + timeout_s
        while True:
            with open(p.raft_log, errors="replace") as f:
                f.seek(p.raft_log_start)
                text = f.read()
            if ": started at " in text:
                return p
            if p.poll() is not None or time.monotonic() > deadline:
                tail = "\n    ".join(text.strip().splitlines()[-6:])
                if p.poll() is None:
                    raise CommandError("the raft node on %s (pid %d) has not started within %d s; see %s:\n    %s"
                                       % (host, p.pid, timeout_s, os.path.relpath(p.raft_log, topo.REPO), tail))
                del self.nodes[host]
                raise CommandError("the raft node on %s exited at once (exit %d); %s:\n    %s"
                                   % (host, p.returncode, os.path.relpath(p.raft_log, topo.REPO), tail))
            time.sleep(0.1)

    def raft_stop(self, host, kill=False):
        """Stops the raft node on a host, started here or by hand: SIGTERM (clean) or SIGKILL (a
        crash). Returns its exit code (None for a node started by hand: not our child)."""
        p = self.nodes.get(host)
        if p is None or p.poll() is not None:
            self.nodes.pop(host, None)
            found = self.raft_discover().get(host)
            if found is None:
                raise CommandError("no raft node runs on %s" % host)
            return self._stop_pid(found["pid"], kill)
        p.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            p.wait(NODE_STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
        del self.nodes[host]
        return p.returncode

    @staticmethod
    def _stop_pid(pid, kill):
        """Ends a raft node that is not our child (started by hand), by its PID; bounded."""
        start = parentns.start_time(pid)
        for sig, wait_s in ((signal.SIGKILL if kill else signal.SIGTERM, NODE_STOP_WAIT_S), (signal.SIGKILL, 5)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return None
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                if parentns.start_time(pid) != start:
                    return None
                time.sleep(0.1)
        raise CommandError("pid %d did not end" % pid)

    def raft_discover(self):
        """{host: {pid, index, here}} of every raft-node process on the hosts: those started here
        (here=True) and those started by hand in an xterm, found by their network namespace."""
        hosts = {}
        for h in self.net.hosts:
            try:
                hosts[os.stat("/proc/%d/ns/net" % h.pid).st_ino] = h.name
            except OSError:
                pass
        ours = {p.pid for p in self.nodes.values() if p.poll() is None}
        found = {}
        for pid, argv in nodes_in_proc():
            try:
                host = hosts.get(os.stat("/proc/%d/ns/net" % pid).st_ino)
            except OSError:
                continue
            if host and host not in found:
                found[host] = dict(pid=pid, index=node_index(argv), here=pid in ours)
        return found

    def raft_running(self):
        """{host: pid} of the raft nodes running on the hosts, however they were started."""
        return {h: n["pid"] for h, n in sorted(self.raft_discover().items())}
