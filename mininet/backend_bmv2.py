"""BMv2 backend: each switch is a `simple_switch` (or `simple_switch_grpc`) process running
p4/raft.p4, compiled by `p4c-bm2-ss` (or `p4c --target bmv2 --arch v1model`).

Tables are loaded from the runtime files with `simple_switch_CLI` commands over thrift
(no P4Runtime needed); counters are read with `counter_read`, partitions are entries of
raft_partition, link loss is the P4 program's loss_in_per10k / loss_out_per10k registers,
and what each switch saw of the cluster (highest term, leader) its seen_* registers.
The switch processes run in the parent namespace, where the switch-side veth ends live.

Run with BMv2 simple_switch 1.15.5 and p4c 1.2.4.8 (../shared/p4tools): every scenario
passes on it in `make test` (docs/testbed.md). Counters are read in 1.15's format and the
older one (bmv2cli.py); switch logs are off unless SWITCH_LOG=1.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from mininet.node import Switch

import captures
import parentns
import runtime
import topo
from bmv2cli import (SWITCH_LOG_DIR, parse_counter_values, parse_seen, seen_commands, seen_reset_commands,
                     switch_log_args, switch_port_ethtool)

BUILD_DIR = os.path.join(topo.REPO, "build", "p4")
P4_SOURCE = os.path.join(topo.REPO, "p4", "raft.p4")
P4_JSON = os.path.join(topo.REPO, runtime.P4_JSON)
P4_INFO = os.path.join(topo.REPO, runtime.P4_INFO)
THRIFT_WAIT_S = 15
RAFT_TYPES = {1: "VoteRequest", 2: "VoteResponse", 3: "AppendRequest", 4: "AppendResponse",
              5: "Heartbeat", 6: "HeartbeatResponse", 7: "SnapshotChunk", 8: "SnapshotResponse",
              9: "TimeoutNow", 16: "ClientRequest", 17: "ClientResponse", 18: "StatusRequest",
              19: "StatusResponse", 20: "FaultRequest", 21: "FaultResponse",
              22: "ErrorResponse"}
CLASSES = ["vote", "heartbeat", "append", "client", "snapshot"]
DROPS = {"partition": ("RaftIngress.drop_counter", 0), "loss_in": ("RaftIngress.drop_counter", 1),
         "loss_out": ("RaftEgress.egress_drop_counter", 2), "no_route": ("RaftIngress.drop_counter", 3),
         "ttl": ("RaftIngress.drop_counter", 4)}


def programs():
    """(switch exe, compiler argv prefix or None, CLI path) found on PATH, or Nones."""
    switch = shutil.which("simple_switch") or shutil.which("simple_switch_grpc")
    cli = shutil.which("simple_switch_CLI")
    if shutil.which("p4c-bm2-ss"):
        compiler = [shutil.which("p4c-bm2-ss"), "--p4v", "16", "--p4runtime-files", P4_INFO, "-o", P4_JSON]
    elif shutil.which("p4c"):
        compiler = [shutil.which("p4c"), "--target", "bmv2", "--arch", "v1model",
                    "--p4runtime-files", P4_INFO, "-o", BUILD_DIR]
    else:
        compiler = None
    return switch, compiler, cli


def missing():
    """What the BMv2 backend lacks on this machine (empty list: usable)."""
    switch, compiler, cli = programs()
    out = []
    if not switch:
        out.append("simple_switch or simple_switch_grpc")
    if not compiler:
        out.append("p4c-bm2-ss or p4c")
    if not cli:
        out.append("simple_switch_CLI")
    if not shutil.which("ethtool"):
        out.append("ethtool")
    return out


def compile_p4():
    """Compiles p4/raft.p4 into build/p4/raft.json unless that is newer than the source."""
    _, compiler, _ = programs()
    if os.path.exists(P4_JSON) and os.path.getmtime(P4_JSON) >= os.path.getmtime(P4_SOURCE):
        print("p4: %s is up to date" % os.path.relpath(P4_JSON, topo.REPO))
        return
    os.makedirs(BUILD_DIR, exist_ok=True)
    print("p4: %s %s" % (" ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(compiler)),
                         os.path.relpath(P4_SOURCE, topo.REPO)))
    subprocess.run(compiler + [P4_SOURCE], check=True)


class Bmv2Switch(Switch):
    """A BMv2 simple_switch process whose ports are this node's interfaces (port N = sX-ethN)."""

    def __init__(self, name, thrift_port=9090, device_id=0, log_dir="/tmp", **params):
        params["inNamespace"] = False
        Switch.__init__(self, name, **params)
        self.thrift_port, self.device_id, self.log_dir = thrift_port, device_id, log_dir
        self.proc = None

    def start(self, controllers):
        exe, _, _ = programs()
        args = [exe]
        for port, intf in sorted(self.intfs.items()):
            if intf.name != "lo":
                args += ["-i", "%d@%s" % (port, intf.name)]
        args += ["--device-id", str(self.device_id), "--thrift-port", str(self.thrift_port)]
        pcap = captures.bmv2_args(captures.settings()[0])
        if pcap:
            os.makedirs(captures.PCAP_DIR, exist_ok=True)
        args += switch_log_args(self.name) + pcap + [P4_JSON]
        if switch_log_args(self.name):
            os.makedirs(SWITCH_LOG_DIR, exist_ok=True)
        if exe.endswith("_grpc"):
            args += ["--", "--grpc-server-addr", "127.0.0.1:%d" % (50051 + self.device_id)]
        for intf in self.intfList():
            if intf.name != "lo":
                self.cmd("%s >/dev/null 2>&1" % switch_port_ethtool(intf.name))
        log = open(os.path.join(self.log_dir, "%s.log" % self.name), "w")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        parentns.record(self.proc.pid, "bmv2-%s" % self.name)
        deadline = time.time() + THRIFT_WAIT_S
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%d); see %s" % (exe, self.proc.returncode, log.name))
            try:
                socket.create_connection(("127.0.0.1", self.thrift_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("%s: thrift port %d not open after %d s" % (self.name, self.thrift_port, THRIFT_WAIT_S))

    def stop(self, deleteIntfs=True):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        Switch.stop(self, deleteIntfs)


class Bmv2Backend:
    name = "bmv2"
    describe = "BMv2 simple_switch running p4/raft.p4 (tables via simple_switch_CLI)"
    counters_note = "BMv2 counters (counter_read RaftIngress.raft_type_counter / raft_class_counter)."

    def __init__(self, t, net, run):
        self.t, self.net, self.run = t, net, run

    @staticmethod
    def switch_params(t, name):
        index = sorted(t.switches).index(name)
        return dict(cls=Bmv2Switch, thrift_port=t.switches[name].get("thrift_port", 9090 + index),
                    device_id=index, log_dir=parentns.STATE_DIR)

    def cli(self, switch, commands):
        """Runs simple_switch_CLI commands on one switch; raises when one is refused."""
        _, _, cli = programs()
        port = self.net.get(switch).thrift_port
        # The CLI is a Python script that needs thrift: run it with this (system) python.
        p = subprocess.run([sys.executable, cli, "--thrift-port", str(port)], input="\n".join(commands) + "\n",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        bad = [l for l in p.stdout.splitlines() if re.search(r"\b(Error|Invalid|exception)\b", l, re.I)]
        if p.returncode != 0 or bad:
            raise RuntimeError("simple_switch_CLI on %s: %s" % (switch, "; ".join(bad) or p.stdout[-500:]))
        return p.stdout

    def configure(self):
        for name in sorted(self.t.switches):
            self.cli(name, runtime.cli_commands(runtime.runtime_path(self.t, name)))

    def partition(self, pairs):
        cmds = ["table_add %s %s %s %s =>" % (topo.PARTITION_TABLE, topo.PARTITION_ACTION, a, b) for a, b in pairs]
        for name in sorted(self.t.switches):
            out = self.cli(name, cmds)
            if out.count("Entry has been added") != len(cmds):
                raise RuntimeError("%s: not every partition entry was added:\n%s" % (name, out))

    def heal(self):
        for name in sorted(self.t.switches):
            self.cli(name, ["table_clear %s" % topo.PARTITION_TABLE])

    def set_losses(self, settings):
        """[(switch, port, 'in' | 'out', per10k)]: the loss registers, one CLI run per switch."""
        by_switch = {}
        for switch, port, direction, per10k in settings:
            register = "RaftIngress.loss_in_per10k" if direction == "in" else "RaftEgress.loss_out_per10k"
            by_switch.setdefault(switch, []).append("register_write %s %d %d" % (register, port, per10k))
        for switch, commands in sorted(by_switch.items()):
            self.cli(switch, commands)

    def counters(self):
        out = {}
        for name in sorted(self.t.switches):
            cmds = ["counter_read RaftIngress.raft_type_counter %d" % c for c in sorted(RAFT_TYPES)]
            cmds += ["counter_read RaftIngress.raft_class_counter %d" % i for i in range(len(CLASSES))]
            cmds += ["counter_read %s %d" % v for v in DROPS.values()]
            values = parse_counter_values(self.cli(name, cmds))
            if len(values) != len(cmds):
                raise RuntimeError("%s: counter_read gave %d values for %d counters" % (name, len(values), len(cmds)))
            n = len(RAFT_TYPES)
            out[name] = {
                "types": dict(zip(sorted(RAFT_TYPES), values[:n])),
                "classes": dict(zip(CLASSES, values[n:n + len(CLASSES)])),
                "drops": {k: v[0] for k, v in zip(DROPS, values[n + len(CLASSES):])},
            }
        return out

    def seen(self):
        """{switch: {'max_term', 'leader_term', 'leader_id', 'leader_changes'}} from the P4
        program's seen_* registers (leader_id None while no leader message was seen)."""
        out = {}
        for name in sorted(self.t.switches):
            try:
                out[name] = parse_seen(self.cli(name, seen_commands()))
            except ValueError as e:
                raise RuntimeError("%s: %s (is build/p4/raft.json older than the seen_* registers?)" % (name, e))
        return out

    def reset_seen(self):
        """Clears the seen_* registers of every switch (a fresh cluster starts again at term 0)."""
        for name in sorted(self.t.switches):
            self.cli(name, seen_reset_commands())
