"""The network alone, no Raft programs: reachability, paths, partitions, counters, link faults."""
import os
import time

import faults
import topo

NAME = "network"
ABOUT = "hosts reach each other through the switches; partitions cut only Raft ports; counters; link faults"
NEEDS_JARS = False

UDPTOOL = os.path.join(topo.REPO, "mininet", "udptool.py")
DATAGRAMS = 20
LISTEN_S = 3


def udp_delivered(ctx, src, dst, port, count=DATAGRAMS, expect=True):
    """Datagrams (the spec's VoteRequest) from src that a listener on dst:port received.
    expect=False: none should arrive, so the listener waits out a shorter window."""
    tb = ctx.tb
    window = LISTEN_S if expect else 1.5
    listener = tb.host(dst).popen(["/usr/bin/python3", UDPTOOL, "listen", str(port), str(window), str(count)])
    assert listener.stdout.readline().strip() == b"ready", "listener on %s did not start" % dst
    tb.run(tb.host(src), "/usr/bin/python3 %s send %s %d %d" % (UDPTOOL, tb.ip(dst), port, count))
    out, _ = listener.communicate(timeout=LISTEN_S + 5)
    return int(out.split()[-1])


def run(ctx):
    tb = ctx.tb
    vote = tb.t.raft_ports["vote"]

    ctx.say("ping from h1 to every other host (through %s switches)" % tb.backend_name)
    hops = {"h11": 1, "h2": 2, "h22": 2, "h3": 2}
    for dst, n in hops.items():
        start = time.monotonic()
        received, sent, ttl = tb.ping("h1", dst, count=3)
        assert received == sent == 3, "h1 -> %s: %d of %d pings answered" % (dst, received, sent)
        assert ttl == 64 - n, "h1 -> %s: reply TTL %s, want %d (%d routed hop(s))" % (dst, ttl, 64 - n, n)
        ctx.say("h1 -> %-3s %s: 3/3 replies, TTL %d (%d switch hop(s)), %.2f s"
                % (dst, tb.ip(dst), ttl, n, time.monotonic() - start))
    for a in sorted(tb.t.hosts):
        for b in sorted(tb.t.hosts):
            if a != b:
                received, _, _ = tb.ping(a, b, count=1)
                assert received == 1, "%s cannot reach %s" % (a, b)
    ctx.say("all %d host pairs reach each other" % (len(tb.t.hosts) * (len(tb.t.hosts) - 1)))

    before = tb.counters()
    got = udp_delivered(ctx, "h1", "h2", vote)
    assert got == DATAGRAMS, "h1 -> h2 vote port: %d of %d datagrams" % (got, DATAGRAMS)
    after = tb.counters()
    for sw in ("s1", "s2"):
        d = after[sw]["types"][1][0] - before[sw]["types"][1][0]
        assert d >= DATAGRAMS, "%s counted %d VoteRequests, want >= %d" % (sw, d, DATAGRAMS)
        d = after[sw]["classes"]["vote"][0] - before[sw]["classes"]["vote"][0]
        assert d >= DATAGRAMS, "%s counted %d datagrams on the vote port, want >= %d" % (sw, d, DATAGRAMS)
    assert after["s3"]["types"][1][0] == before["s3"]["types"][1][0], "s3 is not on the path h1 -> h2"
    ctx.say("VoteRequests h1 -> h2 delivered and counted by s1 and s2 (not s3)")

    ctx.say("partition h1 h2")
    tb.partition(["h1"], ["h2"])
    got = udp_delivered(ctx, "h1", "h2", vote, expect=False)
    assert got == 0, "partitioned: %d Raft datagrams still reached h2" % got
    got = udp_delivered(ctx, "h2", "h1", tb.t.raft_ports["append"], expect=False)
    assert got == 0, "partitioned: %d Raft datagrams still reached h1" % got
    assert udp_delivered(ctx, "h1", "h3", vote) == DATAGRAMS, "partition h1 h2 cut h1 -> h3"
    assert udp_delivered(ctx, "h1", "h2", 40000) == DATAGRAMS, "partition cut a non-Raft port"
    assert tb.ping("h1", "h2", count=2)[0] == 2, "partition cut ping"
    drops = sum(c["drops"]["partition"] for c in tb.counters().values())
    assert drops >= 2 * DATAGRAMS, "partition drops counted: %d" % drops
    ctx.say("Raft ports cut both ways; h1 -> h3, other UDP ports and ping still pass; %d drops counted" % drops)
    tb.heal()
    assert udp_delivered(ctx, "h1", "h2", vote) == DATAGRAMS, "heal did not restore h1 -> h2"
    ctx.say("healed")

    ctx.say("link s1 s2 loss 30 (%s)" % tb.faults.mechanism)
    tb.link("s1", "s2", loss_pct=30)
    received, sent, _ = tb.ping("h1", "h2", count=200, interval=0.01, timeout_s=20)
    lost = 1 - received / float(sent)
    # Each ping crosses s1-s2 twice: expected loss 1 - 0.7^2 = 51 %.
    assert 0.3 < lost < 0.7, "30%% loss on s1-s2 gave %.0f%% lost pings (want about 51%%)" % (lost * 100)
    ctx.say("%d/%d pings lost (%.0f%%, about 51%% expected)" % (sent - received, sent, lost * 100))
    tb.link("s1", "s2")
    assert tb.ping("h1", "h2", count=10, interval=0.05)[0] == 10, "loss not cleared"

    if tb.faults.mechanism == "filter":
        try:
            tb.link("s1", "s2", delay_ms=5, reorder_pct=25)
        except faults.FaultError as e:
            ctx.say("netem's reorder refused loudly, as it must be without netem: %s" % e)
        else:
            raise AssertionError("reorder without netem was accepted silently")
        assert not tb.faults.state, "a refused fault left state behind"
        tb.link("s1", "s2", delay_ms=5, jitter_ms=1)
        rules = tb.faults.java_rules("h1")
        want = {tb.ip("h2"): (5, 1, 0), tb.ip("h22"): (5, 1, 0)}
        assert rules == want, "h1's rules for s1-s2: %s, want %s (h11, h3 do not cross s1-s2)" % (rules, want)
        assert tb.faults.fault_options("h1") == ["--fault", "10.0.2.2=delay:5ms,jitter:1ms",
                                                 "--fault", "10.0.2.22=delay:5ms,jitter:1ms"], tb.faults.fault_options("h1")
        ctx.say("delay on s1-s2 without netem: %s" % tb.faults.last_explain)
        tb.link("s1", "s2")
        assert not tb.faults.java_rules("h1"), "cleared"
    else:
        tb.link("s1", "s2", delay_ms=20)
        _, _, _ = tb.ping("h1", "h2", count=1)
        out = tb.host("h1").cmd("ping -n -c 3 -i 0.2 %s" % tb.ip("h2"))
        rtt = float(out.split("min/avg/max")[1].split("=")[1].split("/")[1])
        assert rtt >= 35, "netem delay 20 ms per direction gave an RTT of %.1f ms" % rtt
        tb.link("s1", "s2")
        ctx.say("netem delay: RTT %.1f ms with 20 ms each way" % rtt)

    tb.link("h1", "s1", bw_mbit=10)
    qdisc = tb.host("h1").cmd("tc qdisc show dev eth0")
    assert ("tbf" in qdisc or "netem" in qdisc) and "10Mbit" in qdisc, "no rate limit on h1: %s" % qdisc
    tb.link("h1", "s1")
    ctx.say("bandwidth limit applied and removed (%s)" % qdisc.split()[1])
