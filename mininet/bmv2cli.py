"""What the BMv2 backend reads from and passes to BMv2's own programs, kept apart from
backend_bmv2 (which needs Mininet) so that the static tests can check it anywhere."""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Switch logs are off unless SWITCH_LOG=1 (make run SWITCH_LOG=1): --log-console on three
# switches wrote about 1.2 GB in an 11-minute run. When on, each switch writes logs/SWITCH.log
# through BMv2's rotating file logger: at most SWITCH_LOG_MB MB in each of 2 files.
SWITCH_LOG_DIR = os.path.join(REPO, "logs")
SWITCH_LOG_FILES = 2


def switch_log_args(name, env=None):
    """simple_switch's logging options for switch `name`: none unless SWITCH_LOG is set to 1."""
    env = os.environ if env is None else env
    if env.get("SWITCH_LOG", "0") in ("", "0"):
        return []
    mb = int(env.get("SWITCH_LOG_MB", "20"))
    return ["--log-file", os.path.join(SWITCH_LOG_DIR, "%s" % name), "--log-file-max-size", str(mb << 20),
            "--log-file-max-files", str(SWITCH_LOG_FILES), "--log-level", env.get("SWITCH_LOG_LEVEL", "info")]


# Offloads off on the switch ports. Checksums (tx, rx): BMv2 forwards what the kernel left
# unfinished. Segmentation and receive offloads (tso, gso, gro): while any is on, libpcap sizes
# each slot of simple_switch's receive ring for a 64 KiB packet, so its 2 MiB ring holds about
# 32 frames, and a switch that is not scheduled for ~6 ms loses the rest of a chunked message
# (measured: 33 of 745 back-to-back datagrams got through). Off, a slot fits one 1500-byte
# frame and the ring holds about 500 (same burst: ~500 through; 100 µs apart: all 745).
SWITCH_PORT_OFFLOADS_OFF = ("tx", "rx", "tso", "gso", "gro")


def switch_port_ethtool(intf):
    """The ethtool command the runner gives each switch port before simple_switch opens it."""
    return "ethtool -K %s %s" % (intf, " ".join("%s off" % f for f in SWITCH_PORT_OFFLOADS_OFF))


def parse_counter_values(text):
    """(packets, bytes) of every counter_read answer in `text`, in order. simple_switch_CLI
    1.15 prints `NAME[i]= (B bytes, P packets)`; older ones `... packets=P, bytes=B`."""
    out = []
    for line in text.splitlines():
        new = re.search(r"=\s*\((\d+) bytes, (\d+) packets\)", line)
        old = re.search(r"packets=(\d+), bytes=(\d+)", line)
        if new:
            out.append((int(new.group(2)), int(new.group(1))))
        elif old:
            out.append((int(old.group(1)), int(old.group(2))))
    return out


# register_read answers, in every simple_switch_CLI since registers could be read (2015):
#   BMv2 1.9.0 .. 1.15.5:  `NAME[i]= V` for one cell, and, when the index is left out,
#                          `NAME= V0, V1, ...` (plus "register index omitted, reading entire
#                          array" on stderr, which our callers merge into the same text, so it
#                          may stand between "RuntimeCmd: " and the answer).
#   before 1.9.0:          `NAME[i]=  V` (two spaces); the index was required.
# NAME is the name as typed (the CLI accepts a unique suffix). A refused read prints a
# sentence instead ("Invalid register operation (INVALID_INDEX)", "Error: Invalid register
# name (...)") and gives no value here.
_REGISTER_ANSWER = re.compile(r"(?:^|\s)([A-Za-z_][\w.]*)(?:\[(\d+)\])?=[ \t]+(\d+(?:, \d+)*)[ \t]*$")


def parse_register_reads(text):
    """[(name, index or None for a whole-register read, [values])] of every register_read
    answer in `text`, in order."""
    out = []
    for line in text.splitlines():
        m = _REGISTER_ANSWER.search(line)
        if m:
            index = int(m.group(2)) if m.group(2) is not None else None
            values = [int(v) for v in m.group(3).split(", ")]
            if index is not None and len(values) != 1:
                continue
            out.append((m.group(1), index, values))
    return out


def register_cells(text):
    """{(name, index): value} from every register_read answer in `text`; a whole-register
    answer gives one entry per cell (index 0, 1, ...). A later answer wins."""
    cells = {}
    for name, index, values in parse_register_reads(text):
        for i, v in enumerate(values):
            cells[(name, i if index is None else index)] = v
    return cells


# The P4 program's record of what a switch saw of the cluster (p4/raft.p4: seen_*), one cell each.
SEEN_REGISTERS = (("max_term", "RaftIngress.seen_max_term"), ("leader_term", "RaftIngress.seen_leader_term"),
                  ("leader_id", "RaftIngress.seen_leader_id"), ("leader_changes", "RaftIngress.seen_leader_changes"))


def seen_commands():
    """The simple_switch_CLI commands that read the seen_* registers (one-cell reads, which
    every BMv2 version answers)."""
    return ["register_read %s 0" % reg for _, reg in SEEN_REGISTERS]


def seen_reset_commands():
    """Commands that clear the seen_* registers (register_write: older CLIs lack register_reset)."""
    return ["register_write %s 0 0" % reg for _, reg in SEEN_REGISTERS]


def parse_seen(text):
    """{max_term, leader_term, leader_id, leader_changes} from the answers to seen_commands().
    leader_id is None while leader_term is 0 (no leader message seen: a leader's term is >= 1,
    and a register starts at 0, which is also a real node id). Raises ValueError naming the
    registers that gave no value."""
    cells = register_cells(text)
    lacking = [reg for _, reg in SEEN_REGISTERS if (reg, 0) not in cells]
    if lacking:
        raise ValueError("register_read gave no value for %s" % ", ".join(lacking))
    out = {key: cells[(reg, 0)] for key, reg in SEEN_REGISTERS}
    if out["leader_term"] == 0:
        out["leader_id"] = None
    return out
