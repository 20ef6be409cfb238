"""The parent network namespace that holds the whole emulated network, and its clean-up.

Everything the runner creates lives in (or under) one namespace made for the purpose,
`raftudp-tb` by default (env RAFTUDP_NS), so no emulated address or route ever reaches
the machine's own network, and deleting that namespace removes every leftover link.

Processes are only ever ended by PID: the runner records each process it starts (itself,
the Mininet node shells, switches, raft nodes, terminals) with its start time in
STATE_DIR/pids, and `stop` ends exactly those (a recycled PID has another start time and
is left alone), plus processes that sit in a network namespace this runner created
(a node started by hand in an xterm). No pkill, killall or `mn -c`.
"""
import os
import re
import signal
import subprocess
import time

NS = os.environ.get("RAFTUDP_NS", "raftudp-tb")
if not re.fullmatch(r"raftudp-[A-Za-z0-9_-]{1,40}", NS):
    raise SystemExit("RAFTUDP_NS must look like raftudp-NAME (got %r)" % NS)
STATE_DIR = os.path.join("/run/raftudp", NS)
PID_FILE = os.path.join(STATE_DIR, "pids")
NETNS_FILE = os.path.join(STATE_DIR, "netns")
STOP_WAIT_S = 10


def sh(*cmd, check=True):
    """Runs a command, returns its stdout; raises with the command and its stderr on failure."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout


def exists():
    return NS in sh("ip", "netns", "list").split()


def start_time(pid):
    """Field 22 of /proc/PID/stat (clock ticks since boot), or None when the PID is gone or
    dead and not yet reaped (a zombie: a runner killed with SIGKILL a moment ago)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _netns_inode(pid):
    try:
        return os.stat("/proc/%d/ns/net" % pid).st_ino
    except OSError:
        return None


def record(pid, role):
    """Remembers a process this runner started, so that `stop` can end it by PID."""
    start = start_time(pid)
    if start is None:
        return
    os.makedirs(STATE_DIR, exist_ok=True)
    with open(PID_FILE, "a") as f:
        f.write("%d %d %s\n" % (pid, start, role.replace(" ", "_")))


def record_netns(pid, role):
    """Remembers the network namespace of a node this runner created: its inode and the
    node's shell (PID and start time). The inode is trusted only while that shell lives,
    since the kernel reuses the inode numbers of deleted namespaces."""
    ino, start = _netns_inode(pid), start_time(pid)
    if ino is not None and start is not None:
        with open(NETNS_FILE, "a") as f:
            f.write("%d %d %d %s\n" % (ino, pid, start, role))


def recorded():
    """[(pid, start, role)] of recorded processes still alive with the same start time."""
    out = []
    try:
        with open(PID_FILE) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return out
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            pid, start, role = int(parts[0]), int(parts[1]), parts[2]
            if start_time(pid) == start:
                out.append((pid, start, role))
    return out


def runner_alive():
    """The PID of a live runner of this namespace, or None."""
    for pid, _, role in recorded():
        if role == "runner":
            return pid
    return None


def _in_our_namespaces():
    """PIDs of processes sitting in a network namespace this runner created (or the parent)."""
    inodes = set()
    try:
        with open(NETNS_FILE) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 4 and start_time(int(parts[1])) == int(parts[2]):
                    inodes.add(int(parts[0]))
    except FileNotFoundError:
        pass
    if exists():
        try:
            inodes.add(os.stat("/run/netns/%s" % NS).st_ino)
        except OSError:
            pass
    me = os.getpid()
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me and _netns_inode(int(name)) in inodes:
            out.append(int(name))
    return out


def _signal_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop(quiet=False):
    """Ends every recorded process (runner first, politely), then deletes the namespace."""
    say = (lambda *a: None) if quiet else print
    # Taken before the runner stops its node shells: afterwards their namespaces are unknown.
    strays = [(p, start_time(p)) for p in _in_our_namespaces()]
    runner = runner_alive()
    if runner:
        say("stop: asking the runner (pid %d) to shut the network down" % runner)
        os.kill(runner, signal.SIGTERM)
        deadline = time.time() + STOP_WAIT_S
        while time.time() < deadline and start_time(runner) is not None:
            time.sleep(0.2)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = sorted({p for p, _, _ in recorded()} | set(_in_our_namespaces())
                      | {p for p, start in strays if start is not None and start_time(p) == start})
        if not pids:
            break
        say("stop: %s to %d process(es): %s" % (sig.name, len(pids), " ".join(map(str, pids))))
        _signal_all(pids, sig)
        deadline = time.time() + 3
        while time.time() < deadline and any(start_time(p) is not None for p in pids):
            time.sleep(0.1)
    if exists():
        sh("ip", "netns", "del", NS)
        say("stop: deleted network namespace %s" % NS)
    for path in (PID_FILE, NETNS_FILE):
        if os.path.exists(path):
            os.remove(path)
    left = [p for p, _, _ in recorded()]
    if left:
        raise RuntimeError("processes still alive after stop: %s" % left)
    say("stop: clean")


def fresh():
    """Makes a new, empty parent namespace, clearing a stale one left by a crash."""
    if runner_alive():
        raise RuntimeError("a testbed is already running in namespace %s (pid %d): `make stop` first"
                           % (NS, runner_alive()))
    if exists() or os.path.exists(PID_FILE):
        print("run: cleaning up a stale testbed (namespace %s)" % NS)
        stop(quiet=True)
    os.makedirs(STATE_DIR, exist_ok=True)
    sh("ip", "netns", "add", NS)
    sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
