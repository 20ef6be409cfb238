"""Kill the leader: time to a new leader and to the next committed write."""
import time

NAME = "failover"
ABOUT = ("kill -9 the leader; measure time to a new leader and to the next committed write "
         "(BMv2: the switches' registers follow the new leader)")
NEEDS_JARS = True
WRITE_TRIES = 30


def run(ctx):
    tb = ctx.tb
    start = tb.counters()
    ctx.start_cluster()
    old, _ = ctx.wait_leader(timeout_s=30)
    ctx.put("before-failover", 1)
    if ctx.watches_data_plane():
        carried = ctx.leader_traffic(start, tb.counters())
        assert carried, "no switch counted a leader-only datagram before the failover"
        seen_before, old_term = ctx.wait_seen_leader(old, carried)
    before = tb.counters()
    ctx.say("killing leader %s (SIGKILL)" % old)
    killed = time.monotonic()
    tb.raft_stop(old, kill=True)
    rest = [h for h in tb.t.cluster if h != old]
    new, _ = ctx.wait_leader(timeout_s=30, hosts=rest)
    ctx.time("kill -> new leader (%s)" % new, time.monotonic() - killed)
    assert new != old
    for attempt in range(WRITE_TRIES):
        if ctx.put("after-failover", attempt, expect_ok=False) is not None:
            break
    else:
        raise AssertionError("no write committed after the failover (%d tries)" % WRITE_TRIES)
    ctx.time("kill -> next committed write", time.monotonic() - killed)
    ctx.check_acked()
    if ctx.watches_data_plane():
        carried = ctx.leader_traffic(before, tb.counters())
        assert carried, "no switch counted a leader-only datagram after the failover"
        seen, new_term = ctx.wait_seen_leader(new, carried)
        for s in carried:
            assert seen[s]["leader_term"] > seen_before[s]["leader_term"], "%s: leader term %d not above %d" % (
                s, seen[s]["leader_term"], seen_before[s]["leader_term"])
            assert seen[s]["leader_changes"] > seen_before[s]["leader_changes"], \
                "%s: leader changes %d, %d before the failover" % (
                    s, seen[s]["leader_changes"], seen_before[s]["leader_changes"])
        ctx.say("switches %s saw leader %d (%s) term %d -> %d (%s) term %d in their registers" % (
            ", ".join(carried), tb.t.cluster.index(old), old, old_term, tb.t.cluster.index(new), new, new_term))
