"""Link faults: loss, delay, duplication, reordering and bandwidth on the links of the testbed.

Two mechanisms, chosen at start and printed:
- netem (Linux qdisc) on the sending interface of each direction: loss, delay, jitter,
  duplication, reordering and rate. Used where the kernel has sch_netem.
- filter, where it has not: loss becomes a random-drop rule in the switch (nftables
  `numgen random` in a Linux router, the loss registers of the P4 program in BMv2),
  bandwidth a tbf qdisc, and delay, jitter (hence reordering) and duplication go to the
  raft nodes' own fault layer (FaultyTransport): every raft node host gets, for each
  destination host, the sum of the delays and jitters of the links on its path there and
  the combined duplication. A node gets its rules as `--fault` when it starts and through
  a FaultRequest (raftprobe.py fault) while it runs. Only what the raft nodes send is
  delayed: other programs' traffic (ping, the clients' requests) crosses the link as is.
  netem's `reorder P%` has no equivalent there (use jitter) and is refused.
A fault that was asked for and could not be applied always raises FaultError; nothing is
ever dropped silently (Mininet's TCLink would print the netem error and carry on).
"""
import subprocess


class FaultError(RuntimeError):
    """A requested link fault cannot be applied; nothing was changed."""


NO_DELAY_HINT = ("cannot be a kernel rule here: this kernel lacks netem (tc: 'Specified qdisc kind is unknown'), "
                 "so it goes to the raft nodes' own fault layer (FaultyTransport, `--fault` / "
                 "`raft-client fault`), which delays only what the raft nodes send")
NO_REORDER_HINT = ("reorder P% is netem's (this kernel lacks it); the raft nodes' fault layer reorders "
                   "through jitter: use `jitter MS` with a delay; nothing was changed")
# Java options: FaultEntry.DELAY_MS_MAX is 10 s over a whole path; a path here has at most a few links.
JAVA_LINK_DELAY_MS_MAX = 2000
JAVA_KEYS = ("delay_ms", "jitter_ms", "dup_pct")


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

    `tb` gives: topology `t`, `net`, `backend` (with set_losses), and `run(node, cmd)`.
    """

    KEYS = ("loss_pct", "delay_ms", "jitter_ms", "dup_pct", "reorder_pct", "bw_mbit")

    def __init__(self, tb, mechanism):
        if mechanism not in ("netem", "filter"):
            raise ValueError(mechanism)
        self.tb, self.mechanism = tb, mechanism
        self.state = {}   # link name -> options in force
        self.last_explain = ""

    def describe(self):
        if self.mechanism == "netem":
            return "netem qdiscs (loss, delay, jitter, duplication, reordering, rate)"
        return ("filter: loss by %s, bandwidth by tbf; delay, jitter and duplication by the raft nodes' "
                "own fault layer (what they send; --fault at start, FaultRequest while running)"
                % self.loss_mechanism())

    def loss_mechanism(self):
        return "the P4 loss registers" if getattr(self.tb, "backend_name", "linux") == "bmv2" \
            else "nftables numgen random rules"

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
            if opts.get("reorder_pct"):
                raise FaultError(NO_REORDER_HINT)
            for k in ("delay_ms", "jitter_ms"):
                v = opts.get(k) or 0
                if v != int(v):
                    raise FaultError("%s=%g: the raft nodes' fault layer takes whole milliseconds" % (k, v))
            if (opts.get("delay_ms") or 0) + (opts.get("jitter_ms") or 0) > JAVA_LINK_DELAY_MS_MAX:
                raise FaultError("delay + jitter of one link is at most %d ms here (a node's rule for a "
                                 "whole path is at most 10 s)" % JAVA_LINK_DELAY_MS_MAX)

    def apply(self, link, **opts):
        """Sets the options of one link, both directions (options not given: off).

        Returns where each option went: {option: [places]} (switches, interfaces, or
        'java' for the nodes' fault layer), for explain()."""
        return self.apply_links([link], **opts)

    def apply_links(self, links, **opts):
        """apply() for several links at once: the switches' loss settings go to the backend in
        one batch (on BMv2 one simple_switch_CLI run per switch instead of one per port)."""
        opts = {k: opts.get(k) or 0 for k in self.KEYS}
        self.check(opts)
        where = {}
        losses = []   # (switch, port, direction, per10k)
        for link in links:
            for sender, sport, receiver, rport in self._directions(link):
                node, ifname = self._intf(sender, sport)
                if self.mechanism == "netem":
                    self._netem(node, ifname, opts)
                    for k, v in opts.items():
                        if v:
                            where.setdefault(k, []).append("%s:%s" % (sender, ifname))
                else:
                    self._tbf(node, ifname, opts["bw_mbit"])
                    if opts["bw_mbit"]:
                        where.setdefault("bw_mbit", []).append("%s:%s" % (sender, ifname))
                    per10k = int(round(opts["loss_pct"] * 100))
                    sw = sender if sender in self.tb.t.switches else receiver
                    if sender in self.tb.t.switches:
                        losses.append((sender, sport, "out", per10k))
                    else:
                        losses.append((receiver, rport, "in", per10k))
                    if per10k:
                        where.setdefault("loss_pct", []).append(sw)
            if any(opts.values()):
                self.state[link.name()] = opts
            else:
                self.state.pop(link.name(), None)
        if losses:
            self.tb.backend.set_losses(losses)
        return where

    # ---- the raft nodes' own fault layer (mechanism "filter") ---------------------------

    def path_links(self, src, dst):
        """The links a packet from host src to host dst crosses, in order (the topology's routes)."""
        t = self.tb.t
        switches = t.walk(src, dst)
        return ([t.find_link(src, switches[0])] + [t.find_link(a, b) for a, b in zip(switches, switches[1:])]
                + [t.find_link(switches[-1], dst)])

    def java_rules(self, src):
        """{destination ip: (delay_ms, jitter_ms, dup_ppm)}: what a raft node on host src must do
        to what it sends to each other host so that it sees the links' delay, jitter and
        duplication. Empty with netem (the kernel does it)."""
        if self.mechanism != "filter":
            return {}
        out = {}
        for dst in sorted(self.tb.t.hosts):
            if dst == src:
                continue
            delay = jitter = 0
            keep = 1.0
            for l in self.path_links(src, dst):
                o = self.state.get(l.name(), {})
                delay += int(o.get("delay_ms", 0))
                jitter += int(o.get("jitter_ms", 0))
                keep *= 1 - o.get("dup_pct", 0) / 100.0
            dup_ppm = int(round((1 - keep) * 1e6))
            if delay or jitter or dup_ppm:
                out[self.tb.t.host_ip(dst)] = (delay, jitter, dup_ppm)
        return out

    def fault_options(self, src):
        """`--fault` arguments for a raft node started on host src."""
        args = []
        for ip, rule in sorted(self.java_rules(src).items()):
            args += ["--fault", "%s=%s" % (ip, rule_text(*rule))]
        return args

    def explain(self, asked, where, running):
        """One line per option: which mechanism applied it, and where."""
        lines = []
        java = [k for k in JAVA_KEYS if asked.get(k)] if self.mechanism == "filter" else []
        if java:
            nodes = sorted(h for h in self.tb.t.cluster if self.java_rules(h))
            lines.append("%s: the raft nodes' fault layer on %s (what they send across the link; %s)" % (
                ", ".join("%s %s" % (k.rsplit("_", 1)[0], fmt_value(k, asked[k])) for k in java),
                ",".join(nodes) or "no host",
                ("pushed to the running nodes on " + ",".join(running)) if running else
                "no node runs: recorded, given as --fault when a node starts"))
        for k in self.KEYS:
            if not asked.get(k) or k in java:
                continue
            v = "%s %s" % (k.rsplit("_", 1)[0], fmt_value(k, asked[k]))
            if self.mechanism == "netem":
                lines.append("%s: netem on %s" % (v, ", ".join(sorted(set(where.get(k, []))))))
            elif k == "loss_pct":
                lines.append("%s: %s in %s" % (v, self.loss_mechanism(), ",".join(sorted(set(where.get(k, []))))))
            else:
                lines.append("%s: tbf on %s" % (v, ", ".join(sorted(set(where.get(k, []))))))
        return "; ".join(lines) or "cleared"

    def _netem(self, node, ifname, o):
        self.tb.run(node, "tc qdisc del dev %s root 2>/dev/null; true" % ifname)
        if not any(o.values()):
            return
        args = []
        if o["delay_ms"] or o["jitter_ms"]:
            args.append("delay %gms" % o["delay_ms"] + (" %gms" % o["jitter_ms"] if o["jitter_ms"] else ""))
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
        links = [self.tb.t.find_link(*name.split("-", 1)) for name in list(self.state)]
        if links:
            self.apply_links(links)

    def show(self):
        if not self.state:
            return "no link faults (mechanism: %s)" % self.mechanism
        return "\n".join("%-8s %s" % (name, ", ".join("%s=%g" % (k, v) for k, v in o.items() if v))
                         for name, o in sorted(self.state.items()))


def parse_link_args(words):
    """['loss', '5', 'delay', '5ms', 'bw', '10'] -> {'loss_pct': 5.0, 'delay_ms': 5.0, 'bw_mbit': 10.0}."""
    names = {"loss": "loss_pct", "delay": "delay_ms", "jitter": "jitter_ms", "dup": "dup_pct",
             "duplicate": "dup_pct", "reorder": "reorder_pct", "bw": "bw_mbit", "rate": "bw_mbit"}
    if len(words) % 2:
        raise FaultError("options come in pairs: loss 5 delay 5ms jitter 1ms bw 10 dup 1 reorder 25")
    opts = {}
    for key, value in zip(words[::2], words[1::2]):
        if key not in names:
            raise FaultError("unknown option %r (loss, delay, jitter, dup, reorder, bw)" % key)
        v = value.lower()
        for suffix in ("ms", "%", "mbit", "mbps"):
            if v.endswith(suffix):
                v = v[:-len(suffix)]
        if value.lower().endswith("s") and not value.lower().endswith("ms") and key in ("delay", "jitter"):
            raise FaultError("give delays in ms (e.g. 5ms)")
        try:
            opts[names[key]] = float(v)
        except ValueError:
            raise FaultError("%s: %r is not a number" % (key, value))
    return opts


def pct_text(ppm):
    """Parts per million as the node's percentage text: 50000 -> '5%', 5 -> '0.0005%'."""
    return ("%.4f" % (ppm / 10000.0)).rstrip("0").rstrip(".") + "%"


def rule_text(delay_ms, jitter_ms, dup_ppm, loss_ppm=0):
    """The node's rule text (FaultRule.text in Java): delay:5ms,jitter:1ms,loss:5%,dup:1%."""
    items = []
    if delay_ms:
        items.append("delay:%dms" % delay_ms)
    if jitter_ms:
        items.append("jitter:%dms" % jitter_ms)
    if loss_ppm:
        items.append("loss:" + pct_text(loss_ppm))
    if dup_ppm:
        items.append("dup:" + pct_text(dup_ppm))
    return ",".join(items) or "none"


def fmt_value(key, v):
    unit = {"delay_ms": "ms", "jitter_ms": "ms", "bw_mbit": "Mbit/s"}.get(key, "%")
    return "%g%s" % (v, unit)
