"""Packet captures of every switch port into pcaps/, bounded, on both backends.

The P4 tutorials keep one capture per switch port in pcaps/; so do we. How (PCAP=…):
  ring  (default) tcpdump on each switch port, a ring of PCAP_FILES files of PCAP_MB MB
        each: pcaps/s1-eth1.pcap0, pcaps/s1-eth1.pcap1 (the newest traffic survives; at
        most PCAP_FILES x PCAP_MB MB per port). Same files on BMv2 and Linux routers.
  bmv2  BMv2's own --pcap pcaps/: s1-eth1_in.pcap and s1-eth1_out.pcap per port, as in the
        tutorials. simple_switch cannot bound these files: they grow for as long as it runs.
  0     no captures.
Kept apart from Mininet so that the static tests can check the commands anywhere.
"""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PCAP_DIR = os.path.join(REPO, "pcaps")
MODES = ("ring", "bmv2", "0")


def settings(env=None):
    """(mode, MB per file, files per port) from PCAP, PCAP_MB, PCAP_FILES; ValueError if bad."""
    env = os.environ if env is None else env
    mode = env.get("PCAP", "ring") or "ring"
    if mode in ("1", "on"):
        mode = "ring"
    if mode not in MODES:
        raise ValueError("PCAP=%s: use ring (default), bmv2 or 0" % mode)
    try:
        mb, files = int(env.get("PCAP_MB", "10")), int(env.get("PCAP_FILES", "2"))
    except ValueError:
        raise ValueError("PCAP_MB and PCAP_FILES must be whole numbers (got %r, %r)"
                         % (env.get("PCAP_MB"), env.get("PCAP_FILES")))
    if mb < 1 or files < 1:
        raise ValueError("PCAP_MB and PCAP_FILES must be at least 1")
    return mode, mb, files


def tcpdump_argv(intf, mb, files, directory=PCAP_DIR):
    """tcpdump writing a ring of `files` files of `mb` MB for one interface. -Z root: Debian's
    tcpdump would otherwise write as user tcpdump, which cannot write into a root-owned pcaps/.
    The names end in .pcapN, which Debian's AppArmor profile for tcpdump allows."""
    return ["tcpdump", "-i", intf, "-n", "-s", "0", "-U", "-Z", "root", "-C", str(mb), "-W", str(files),
            "-w", os.path.join(directory, "%s.pcap" % intf)]


def bmv2_args(mode, directory=PCAP_DIR):
    """simple_switch options for its own captures (PCAP=bmv2), else none."""
    return ["--pcap", directory] if mode == "bmv2" else []


def describe(mode, mb, files):
    if mode == "ring":
        return ("pcaps/SWITCH-ethPORT.pcap0..%d: every switch port, tcpdump ring of %d x %d MB"
                % (files - 1, files, mb))
    if mode == "bmv2":
        return "pcaps/SWITCH-ethPORT_in.pcap / _out.pcap: BMv2's own captures (unbounded)"
    return "none (PCAP=0)"


def clear(directory=PCAP_DIR):
    """Removes the previous run's captures (only files this module names)."""
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if ".pcap" in name:
            os.remove(os.path.join(directory, name))
