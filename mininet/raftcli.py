"""The Mininet CLI with the testbed's own commands (type `help raft` etc. at the prompt)."""
import os

from mininet.cli import CLI

import faults
import parentns
import raftnodes
import testbed


class RaftCLI(CLI):
    prompt = "mininet> "

    def __init__(self, tb, **kw):
        self.tb = tb
        CLI.__init__(self, tb.net, **kw)

    def _guard(self, fn, *args):
        try:
            out = fn(*args)
            if out:
                print(out)
        except (testbed.CommandError, faults.FaultError, ValueError, RuntimeError) as e:
            print("*** error: %s" % e)

    # ---- raft nodes ------------------------------------------------------------------

    def do_raft(self, line):
        words = line.split()
        if not words:
            print(raftnodes.USAGE)
            return
        self._guard(raftnodes.raft_command, self.tb, words)
    do_raft.__doc__ = raftnodes.USAGE

    # ---- partitions and faults -------------------------------------------------------

    def do_partition(self, line):
        """partition A B [C ...] [/ X Y ...]   drop Raft traffic (our UDP ports) between hosts:
  partition h1 h2            between h1 and h2, both ways
  partition h1 / h2 h3 h11   between h1 and each of h2, h3, h11
Other traffic (ping) still passes. `heal` removes every partition."""
        words = line.split()
        if "/" in words:
            i = words.index("/")
            a, b = words[:i], words[i + 1:]
        elif len(words) == 2:
            a, b = words[:1], words[1:]
        else:
            print(self.do_partition.__doc__)
            return
        for h in a + b:
            if h not in self.tb.t.hosts:
                print("*** error: no host %s" % h)
                return
        self._guard(lambda: "partition: %d directed pairs cut" % self.tb.partition(a, b))

    def do_isolate(self, line):
        """isolate HOST   cut HOST's Raft traffic to and from every other host"""
        self._guard(lambda: "isolate: %d directed pairs cut" % self.tb.isolate(line.strip()))

    def do_heal(self, line):
        """heal   remove every partition"""
        self._guard(lambda: self.tb.heal() or "healed")

    def do_link(self, line):
        """link A B OPTIONS   set faults on the link A-B (hosts or switches), both directions:
  link s1 s2 loss 5 delay 5ms      5% loss, 5 ms delay
  link s1 s2 delay 5ms jitter 2ms  jitter reorders datagrams closer than 2 ms
  link h1 s1 bw 10                 10 Mbit/s
  link s1 s2 dup 1                 1% duplication
  link s1 s2 delay 5ms reorder 25  netem's reordering (netem only; elsewhere use jitter)
  link all loss 5                  every link
  link s1 s2 clear                 back to a clean link
  link show                        what is in force
Mechanism: netem where the kernel has it; otherwise loss by kernel filter rules (Linux)
or the P4 loss registers (BMv2), bandwidth by tbf, and delay, jitter and duplication by
the raft nodes' own fault layer (on what the raft nodes send; running nodes get the rules
at once, nodes started later as --fault). Each option's mechanism is printed. A fault
that cannot be applied is an error."""
        words = line.split()
        if words[:1] == ["show"]:
            print(self.tb.faults.show())
            return
        if len(words) < 3 and words[:1] != ["all"]:
            print(self.do_link.__doc__)
            return
        if words[0] == "all":
            a, b, opts = "all", None, words[1:]
        else:
            a, b, opts = words[0], words[1], words[2:]

        def go():
            parsed = {} if opts == ["clear"] else faults.parse_link_args(opts)
            links = self.tb.link(a, b, **parsed)
            return "link %s: %s" % (", ".join(l.name() for l in links), self.tb.faults.last_explain)
        self._guard(go)

    def do_counters(self, line):
        """counters   Raft datagrams per message type and port class, per switch"""
        self._guard(self.tb.format_counters)

    def do_seen(self, line):
        """seen         what each switch's data plane saw of the cluster: the highest term, the
             leader's term and node id (from AppendRequest, Heartbeat, SnapshotChunk and
             TimeoutNow, which only a leader sends) and how often the leader changed
seen reset   clear those registers (do it after wiping the nodes' data: a fresh
             cluster starts again at term 1, below what the switches remember)
BMv2 backend only (P4 registers RaftIngress.seen_*); the Linux routers keep no such state."""
        words = line.split()
        if words == ["reset"]:
            self._guard(lambda: self.tb.reset_seen() or "seen: registers cleared on %s" % " ".join(
                sorted(self.tb.t.switches)))
        elif not words:
            self._guard(self.tb.format_seen)
        else:
            print(self.do_seen.__doc__)

    def do_testbed(self, line):
        """testbed   which backend and fault mechanism run, and where things are"""
        print(self.tb.summary())
        print(self.tb.where())

    # ---- terminals: remember their PIDs so that `make stop` can end them ---------------

    def do_xterm(self, line, term="xterm"):
        """xterm NODE ...   a terminal on each node (needs an X display: a desktop, or ssh -X)"""
        if not os.environ.get("DISPLAY"):
            print("*** error: xterm needs an X display and DISPLAY is not set (log in with ssh -X, "
                  "or use the headless flow: raft start h1, h11 java -jar raft-client.jar ...)")
            return
        before = len(self.mn.terms)
        try:
            CLI.do_xterm(self, line, term)
        except OSError as e:
            print("*** error: cannot open %s: %s (apt-get install xterm x11-xserver-utils)" % (term, e))
        for p in self.mn.terms[before:]:
            parentns.record(p.pid, "term")
