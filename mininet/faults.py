"""Link faults: loss, delay, duplication, reordering and bandwidth on the links of the testbed.

Two mechanisms, chosen at start and printed:
- netem (Linux qdisc) on the sending interface of each direction: loss, delay, duplication,
  reordering and rate. Used where the kernel has sch_netem.
- filter, where it has not: loss becomes a random-drop rule in the switch (nftables
  `numgen random` in a Linux router, the loss registers of the P4 program in BMv2),
  bandwidth a tbf qdisc. Delay, duplication and reordering have no filter equivalent:
  they need netem or the Java transport's fault layer, and asking for them is an error.
A fault that was asked for and could not be applied always raises FaultError; nothing is
ever dropped silently (Mininet's TCLink would print the netem error and carry on).
"""
import subprocess


class FaultError(RuntimeError):
    """A requested link fault cannot be applied; nothing was changed."""


NO_DELAY_HINT = ("needs netem, which this kernel lacks (tc: 'Specified qdisc kind is unknown'), "
                 "or the Java transport's fault layer (not available yet); nothing was changed")


def netem_available():
    """True when `tc qdisc ... netem` works here (tried on a scratch veth pair, then removed)."""
    a, b = "rtnetemA", "rtnetemB"
    subprocess.run(["ip", "link", "add", "name", a, "type", "veth", "peer", "name", b],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p = subprocess.run(["tc", "qdisc", "add", "dev", a, "root", "netem", "delay", "1ms"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return p.returncode == 0
    finally:
        subprocess.run(["ip", "link", "del", a], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class LinkFaults:
    """Applies link options through the chosen mechanism.

    `tb` gives: topology `t`, `net`, `backend` (with set_loss), and `run(node, cmd)`.
    """

    KEYS = ("loss_pct", "delay_ms", "dup_pct", "reorder_pct", "bw_mbit")

    def __init__(self, tb, mechanism):
        if mechanism not in ("netem", "filter"):
            raise ValueError(mechanism)
        self.tb, self.mechanism = tb, mechanism
        self.state = {}   # link name -> options in force

    def describe(self):
        if self.mechanism == "netem":
            return "netem qdiscs (loss, delay, duplication, reordering, rate)"
        return ("kernel filter rules / P4 registers for loss, tbf for bandwidth; "
                "delay, duplication and reordering " + NO_DELAY_HINT.split(";")[0])

    def _directions(self, link):
        """[(sender node, sender port or None, receiver node, receiver port or None)]."""
        (a, ap), (b, bp) = link.ends()
        return [(a, ap, b, bp), (b, bp, a, ap)]

    def _intf(self, node, port):
        n = self.tb.net.get(node)
        return n, (n.intfs[port].name if port is not None else n.defaultIntf().name)

    def check(self, opts):
        """Raises FaultError when `opts` cannot be applied with this mechanism."""
        for k, v in opts.items():
            if k not in self.KEYS:
                raise FaultError("unknown link option %s (known: %s)" % (k, ", ".join(self.KEYS)))
            if v is not None and (v < 0 or (k.endswith("_pct") and v > 100)):
                raise FaultError("%s=%s is out of range" % (k, v))
        if self.mechanism == "filter":
            asked = [k for k in ("delay_ms", "dup_pct", "reorder_pct") if opts.get(k)]
            if asked:
                raise FaultError("%s %s" % (" and ".join(asked), NO_DELAY_HINT))

    def apply(self, link, **opts):
        """Sets the options of one link, both directions (options not given: off)."""
        opts = {k: opts.get(k) or 0 for k in self.KEYS}
        self.check(opts)
        for sender, sport, receiver, rport in self._directions(link):
            node, ifname = self._intf(sender, sport)
            if self.mechanism == "netem":
                self._netem(node, ifname, opts)
            else:
                self._tbf(node, ifname, opts["bw_mbit"])
                per10k = int(round(opts["loss_pct"] * 100))
                if sender in self.tb.t.switches:
                    self.tb.backend.set_loss(sender, sport, "out", per10k)
                else:
                    self.tb.backend.set_loss(receiver, rport, "in", per10k)
        if any(opts.values()):
            self.state[link.name()] = opts
        else:
            self.state.pop(link.name(), None)

    def _netem(self, node, ifname, o):
        self.tb.run(node, "tc qdisc del dev %s root 2>/dev/null; true" % ifname)
        if not any(o.values()):
            return
        args = []
        if o["delay_ms"]:
            args.append("delay %gms" % o["delay_ms"])
        if o["loss_pct"]:
            args.append("loss %g%%" % o["loss_pct"])
        if o["dup_pct"]:
            args.append("duplicate %g%%" % o["dup_pct"])
        if o["reorder_pct"]:
            if not o["delay_ms"]:
                raise FaultError("reordering needs a delay (netem reorders by letting some packets skip it)")
            args.append("reorder %g%%" % o["reorder_pct"])
        if o["bw_mbit"]:
            args.append("rate %gmbit" % o["bw_mbit"])
        self.tb.run(node, "tc qdisc add dev %s root netem %s" % (ifname, " ".join(args)))

    def _tbf(self, node, ifname, bw_mbit):
        self.tb.run(node, "tc qdisc del dev %s root 2>/dev/null; true" % ifname)
        if bw_mbit:
            # A burst of 64 KiB and 200 ms of queue: a 1 MiB value still passes at 10 Mbit/s.
            self.tb.run(node, "tc qdisc add dev %s root tbf rate %gmbit burst 64kb latency 200ms" % (ifname, bw_mbit))

    def clear_all(self):
        for name in list(self.state):
            a, b = name.split("-", 1)
            self.apply(self.tb.t.find_link(a, b))

    def show(self):
        if not self.state:
            return "no link faults (mechanism: %s)" % self.mechanism
        return "\n".join("%-8s %s" % (name, ", ".join("%s=%g" % (k, v) for k, v in o.items() if v))
                         for name, o in sorted(self.state.items()))


def parse_link_args(words):
    """['loss', '5', 'delay', '5ms', 'bw', '10'] -> {'loss_pct': 5.0, 'delay_ms': 5.0, 'bw_mbit': 10.0}."""
    names = {"loss": "loss_pct", "delay": "delay_ms", "dup": "dup_pct", "duplicate": "dup_pct",
             "reorder": "reorder_pct", "bw": "bw_mbit", "rate": "bw_mbit"}
    if len(words) % 2:
        raise FaultError("options come in pairs: loss 5 delay 5ms bw 10 dup 1 reorder 25")
    opts = {}
    for key, value in zip(words[::2], words[1::2]):
        if key not in names:
            raise FaultError("unknown option %r (loss, delay, dup, reorder, bw)" % key)
        v = value.lower()
        for suffix in ("ms", "%", "mbit", "mbps"):
            if v.endswith(suffix):
                v = v[:-len(suffix)]
        if value.lower().endswith("s") and not value.lower().endswith("ms") and key == "delay":
            raise FaultError("give delays in ms (e.g. 5ms)")
        try:
            opts[names[key]] = float(v)
        except ValueError:
            raise FaultError("%s: %r is not a number" % (key, value))
    return opts
