#!/usr/bin/python3
"""raftudp testbed runner: `make run`, `make demo`, `make scenarios`, `make stop` call this.

  run.py run        [--backend auto|bmv2|linux] [--faults auto|netem|filter]   Mininet CLI
  run.py scenarios  [NAME ...] [--require-jars] [--list]                       headless checks
  run.py demo                                                                  the guided tour
  run.py chaos      [--seed S] [--minutes M] [--kinds kill,pause,...]          nemesis campaign
  run.py stop                                                                  clean everything up
  run.py deps       [--install]                                                what this machine lacks

The network lives in one parent network namespace (raftudp-tb, env RAFTUDP_NS): this
script checks what the machine lacks, makes a fresh namespace (deleting a stale one left
by a crash) and re-runs itself inside it with `ip netns exec` for the Mininet part.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import parentns  # noqa: E402
import runtime  # noqa: E402
import topo  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"

# (what, how to test for it, Debian package, needed for)
DEPENDENCIES = [
    ("ip / tc", lambda: shutil.which("ip") and shutil.which("tc"), "iproute2", {"run", "scenarios"}),
    ("mininet for /usr/bin/python3", lambda: shutil.which("mnexec") and subprocess.call(
        [SYSTEM_PYTHON, "-c", "import mininet.net"], stderr=subprocess.DEVNULL) == 0, "mininet", {"run", "scenarios"}),
    ("ping", lambda: shutil.which("ping"), "iputils-ping", {"run", "scenarios"}),
    ("sysctl, kill, ps (hosts' settings; a minimal Debian lacks them)",
     lambda: shutil.which("sysctl") and shutil.which("kill") and shutil.which("ps"), "procps", {"run", "scenarios"}),
    ("nft (Linux-router backend)", lambda: shutil.which("nft"), "nftables", {"run", "scenarios"}),
    ("ethtool (checksum offload off for BMv2)", lambda: shutil.which("ethtool"), "ethtool", {"run", "scenarios"}),
    ("java 17+ JDK (raft-node.jar, raft-client.jar, make build)", lambda: shutil.which("java") and shutil.which("javac"),
     "openjdk-17-jdk-headless", {"run", "scenarios"}),
    ("maven (make build)", lambda: shutil.which("mvn"), "maven", {"run", "scenarios"}),
    ("libpcap (raft-node's pcap transport)", lambda: "libpcap.so" in subprocess.run(
        ["/sbin/ldconfig", "-p"], stdout=subprocess.PIPE, text=True).stdout, "libpcap0.8", {"run", "scenarios"}),
    ("xterm (xterm h1 h2 ... in the CLI)", lambda: shutil.which("xterm"), "xterm", {"run"}),
    ("xhost (Mininet's xterm command calls it)", lambda: shutil.which("xhost"), "x11-xserver-utils", {"run"}),
    ("tcpdump (pcaps/ captures of every switch port; PCAP=0 turns them off)", lambda: shutil.which("tcpdump"),
     "tcpdump", {"run", "scenarios"}),
    ("dot (make topology.png)", lambda: shutil.which("dot"), "graphviz", {"run"}),
    ("fonts (the text of make chaos's timeline.png)", lambda: shutil.which("fc-list") and subprocess.run(
        ["fc-list"], stdout=subprocess.PIPE, text=True).stdout.strip(), "fonts-dejavu-core fontconfig", {"chaos"}),
]


def missing(purpose):
    """What `purpose` (run, scenarios, chaos: the scenarios' needs and more) lacks: [(what, package)]."""
    return [(what, pkg) for what, test, pkg, used in DEPENDENCIES
            if (purpose in used or (purpose == "chaos" and "scenarios" in used)) and not test()]


def ensure_deps(purpose, install):
    """Installs what is missing (Debian/Ubuntu, root) or says exactly what is missing."""
    lacking = missing(purpose)
    if not lacking:
        return
    pkgs = sorted({p for _, pkg in lacking for p in pkg.split()})
    can = install and os.geteuid() == 0 and shutil.which("apt-get") and not os.environ.get("RAFTUDP_NO_INSTALL")
    if can:
        print("deps: installing %s" % " ".join(pkgs))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.call(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + pkgs, env=env) != 0:
            subprocess.call(["apt-get", "update", "-q"], env=env)
            subprocess.call(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + pkgs, env=env)
        lacking = missing(purpose)
    if lacking:
        for what, pkg in lacking:
            print("deps: missing %s (Debian/Ubuntu package %s)" % (what, pkg))
        print("deps: install with: sudo apt-get install --no-install-recommends %s"
              % " ".join(sorted({p for _, p in lacking})))
        hard = [w for w, p in lacking if p in ("iproute2", "mininet", "nftables", "iputils-ping")]
        if hard:
            raise SystemExit(2)


def check_runtime_files():
    stale = runtime.stale_files(topo.Topology.load())
    if stale:
        raise SystemExit("runtime files are older than topology.json: %s\nrun: python3 mininet/runtime.py"
                         % ", ".join(os.path.relpath(p, topo.REPO) for p in stale))


def outer(mode, args, extra):
    """In the machine's own namespace: checks, fresh parent namespace, inner run, clean-up."""
    if os.geteuid() != 0:
        raise SystemExit("the testbed needs root (network namespaces): sudo make %s" % mode)
    ensure_deps({"cli": "run", "chaos": "chaos"}.get(mode, "scenarios"), install=not args.no_install)
    check_runtime_files()
    import testbed   # needs mininet, checked above
    backend, why = testbed.choose_backend(args.backend)
    print("testbed: switch backend %s (%s)" % (backend, why))
    if backend == "bmv2":
        import backend_bmv2
        backend_bmv2.compile_p4()
    parentns.fresh()
    cmd = ["ip", "netns", "exec", parentns.NS, SYSTEM_PYTHON, os.path.abspath(__file__), "inner", mode] + extra + [
           "--backend", backend, "--faults", args.faults]
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C belongs to the Mininet CLI
    try:
        rc = subprocess.call(cmd, cwd=topo.REPO)
    finally:
        signal.signal(signal.SIGINT, old)
        parentns.stop(quiet=True)
    return rc


def inner(argv):
    """Inside the parent namespace: build the network, then the CLI or the scenarios."""
    ap = argparse.ArgumentParser(prog="run.py inner")
    ap.add_argument("mode", choices=["cli", "scenarios", "demo", "chaos"])
    ap.add_argument("--backend", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=1)
    ap.add_argument("--kinds", default="")
    ap.add_argument("--faults", default="auto")
    ap.add_argument("--require-jars", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_intermixed_args(argv)
    parentns.record(os.getpid(), "runner")

    def on_term(signum, frame):
        raise SystemExit("stopped by signal %d" % signum)
    signal.signal(signal.SIGTERM, on_term)

    import testbed
    tb = testbed.Testbed(backend=args.backend, fault_mechanism=args.faults, quiet=(args.mode != "cli"))
    campaign = None
    if args.mode == "chaos":
        import chaos
        campaign = chaos.Campaign(tb, args.seed, args.minutes, chaos.kinds(args.kinds))
        campaign.mount()   # before the hosts exist (their mount namespaces copy this one's)
    try:
        tb.start()
        print(tb.summary())
        if args.mode == "cli":
            print(tb.where())
            import raftcli
            print("hosts: %s; raft nodes: %s (indexes 0..%d). Try: pingall, xterm h1 h2 h3 h11, "
                  "raft start h1, counters, seen, partition h1 h2, link s1 s2 loss 5, help"
                  % (" ".join("%s=%s" % (h, tb.ip(h)) for h in sorted(tb.t.hosts)), " ".join(tb.t.cluster),
                     len(tb.t.cluster) - 1))
            raftcli.RaftCLI(tb)
            return 0
        if campaign:
            return chaos.main(campaign, args.kinds)
        import scenarios
        return scenarios.run_all(tb, args.names, require_jars=args.require_jars, demo=(args.mode == "demo"))
    finally:
        tb.stop()
        if campaign:
            campaign.unmount()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["inner"]:
        return inner(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["run", "scenarios", "demo", "chaos", "stop", "deps"])
    ap.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    ap.add_argument("--backend", default=os.environ.get("BACKEND", "auto"), choices=["auto", "bmv2", "linux"])
    ap.add_argument("--faults", default=os.environ.get("FAULTS", "auto"), choices=["auto", "netem", "filter"])
    ap.add_argument("--require-jars", action="store_true", help="fail instead of skipping when the jars are missing")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 1), help="chaos: the nemesis's seed")
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("MINUTES") or 1),
                    help="chaos: how long faults are injected")
    ap.add_argument("--kinds", default=os.environ.get("KINDS", ""),
                    help="chaos: fault kinds, comma-separated (default: all but the opt-in ones; 'all' adds them)")
    ap.add_argument("--install", action="store_true", help="deps: install what is missing")
    ap.add_argument("--purpose", choices=["run", "scenarios", "chaos"], default="run",
                    help="deps: for the interactive testbed (run) or the headless scenarios")
    ap.add_argument("--no-install", action="store_true", help="never call apt-get; only say what is missing")
    args = ap.parse_intermixed_args(argv)
    if args.command == "stop":
        if os.geteuid() != 0:
            raise SystemExit("make stop needs root")
        parentns.stop()
        return 0
    if args.command == "deps":
        if args.install:
            ensure_deps(args.purpose, install=True)
        lacking = missing(args.purpose)
        print("deps: all present" if not lacking else
              "deps: missing %s" % ", ".join("%s (%s)" % wp for wp in lacking))
        import backend_bmv2
        print("deps: BMv2 backend %s" % ("usable" if not backend_bmv2.missing() else
                                         "not usable, lacks " + ", ".join(backend_bmv2.missing())))
        return 0
    if args.list:
        import scenarios
        print(scenarios.describe())
        return 0
    if args.command == "run":
        return outer("cli", args, [])
    if args.command == "chaos":
        import chaos
        try:
            chaos.kinds(args.kinds)
        except ValueError as e:
            raise SystemExit("run.py chaos: %s" % e)
        if args.minutes <= 0 or args.minutes > 24 * 60:
            raise SystemExit("run.py chaos: --minutes %g outside (0, 1440]" % args.minutes)
        return outer("chaos", args, ["--seed", str(args.seed), "--minutes", str(args.minutes), "--kinds", args.kinds])
    extra = args.names + (["--require-jars"] if args.require_jars else [])
    return outer(args.command, args, extra)


if __name__ == "__main__":
    sys.exit(main())
