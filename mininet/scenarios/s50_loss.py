"""5% loss and 5 ms delay on every link, whatever the kernel: netem where it exists, else
loss by the switches' filter rules and delay by the raft nodes' own fault layer."""
import statistics

NAME = "loss"
ABOUT = "5% loss and 5 ms delay on every link: the delay is measured, a leader is elected, 20 writes commit"
NEEDS_JARS = True
WRITES = 20
PROBES = 15
LINK_DELAY_MS = 5


def probe_put_ms(ctx, leader, n, prefix):
    """Round trips (ms) of n probe writes sent straight to the leader (no JVM start in the way)."""
    tb = ctx.tb
    nodes = ",".join([tb.ip(leader)] + [ip for ip in tb.t.node_ips() if ip != tb.ip(leader)])
    rtts = []
    for i in range(n):
        r = ctx.probe_json("put %s-%d %d --nodes %s --timeout 0.5 --tries 4" % (prefix, i, i, nodes))
        if r.get("rtt_ms") is not None and r.get("node") == tb.ip(leader):
            rtts.append(r["rtt_ms"])
            ctx.acked["%s-%d" % (prefix, i)] = i
    assert len(rtts) >= n // 2, "only %d of %d probe writes answered by the leader %s" % (len(rtts), n, leader)
    return rtts


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    leader, took = ctx.wait_leader(timeout_s=60)
    ctx.time("leader elected (no faults)", took)
    base = statistics.median(probe_put_ms(ctx, leader, PROBES, "clean"))
    ctx.say("median probe write to the leader %s without faults: %.1f ms" % (leader, base))

    tb.link("all", loss_pct=5, delay_ms=LINK_DELAY_MS)
    ctx.say("every link: 5%% loss, %d ms delay: %s" % (LINK_DELAY_MS, tb.faults.last_explain))
    if tb.faults.mechanism == "filter":
        # The rules are in force on every node: each holds, per destination, 5 ms per link on the path.
        for h in tb.t.cluster:
            want = tb.faults.java_rules(h)
            assert want and min(r[0] for r in want.values()) >= 2 * LINK_DELAY_MS, want
            got = {r["target"]: r["delay_ms"] for r in tb._fault_exchange(h, "")["rules"]}
            assert got == {ip: r[0] for ip, r in want.items()}, "%s holds %s, wants %s" % (h, got, want)
        ctx.say("node rules confirmed: e.g. %s sends to %s" % (tb.t.cluster[0], ", ".join(
            "%s +%d ms" % (ip, r[0]) for ip, r in sorted(tb.faults.java_rules(tb.t.cluster[0]).items()))))

    leader, took = ctx.wait_leader(timeout_s=60)
    ctx.time("leader under loss and delay", took)
    slow_rtts = probe_put_ms(ctx, leader, PROBES, "slow")
    slow = statistics.median(slow_rtts)
    ctx.say("median probe write to the leader %s with faults: %.1f ms (%.1f ms more), fastest %.1f ms"
            % (leader, slow, slow - base, min(slow_rtts)))
    # A write crosses leader -> follower and back (3 links each way between two node hosts) and
    # the answer leader -> h11 (2 links): at least 2 * 15 + 10 = 40 ms with 5 ms per link, however
    # fast the rest. The fastest write is held to that floor (with a margin), not to the median
    # without faults plus 30 ms: that median is noise-prone (CI once measured 28.1 ms for the usual
    # 5-12 ms, and the difference fell to 29.3 ms with the delay in force).
    added_min = 30
    assert min(slow_rtts) >= added_min, ("the %d ms link delay is not in force: the fastest write took %.1f ms "
                                         "with it (median %.1f ms; %.1f ms without), want at least %d ms"
                                         % (LINK_DELAY_MS, min(slow_rtts), slow, base, added_min))
    if tb.faults.mechanism == "filter":
        delayed = sum((s or {}).get("counters", {}).get("fault.delayed", 0) for s in ctx.status().values())
        assert delayed > 0, "no node counted a delayed datagram"
        ctx.say("fault.delayed over the nodes: %d datagrams" % delayed)

    times = [ctx.put("lossy-%d" % i, i) for i in range(WRITES)]
    ctx.time("median raft-client write (JVM start included)", statistics.median(times))
    ctx.time("slowest raft-client write", max(times))
    ctx.time("median probe write without faults", base / 1000.0)
    ctx.time("median probe write with faults", slow / 1000.0)
    ctx.check_acked()
