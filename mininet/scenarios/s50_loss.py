"""5% loss on every link (and 5 ms delay where the kernel has netem)."""
import statistics

import faults

NAME = "loss"
ABOUT = "5% loss (+5 ms delay with netem) on every link: elect and commit 20 writes"
NEEDS_JARS = True
DEMO = False
WRITES = 20


def run(ctx):
    tb = ctx.tb
    opts = dict(loss_pct=5)
    if tb.faults.mechanism == "netem":
        opts["delay_ms"] = 5
    else:
        ctx.say("no 5 ms delay: %s" % faults.NO_DELAY_HINT.replace("; nothing was changed", ""))
    tb.link("all", **opts)
    ctx.say("every link: %s (%s)" % (opts, tb.faults.mechanism))
    ctx.start_cluster()
    _, took = ctx.wait_leader(timeout_s=60)
    ctx.time("leader elected under loss", took)
    times = [ctx.put("lossy-%d" % i, i) for i in range(WRITES)]
    ctx.time("median write under loss", statistics.median(times))
    ctx.time("slowest write under loss", max(times))
    ctx.check_acked()
