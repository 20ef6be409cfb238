"""Kill the leader: time to a new leader and to the next committed write."""
import time

NAME = "failover"
ABOUT = "kill -9 the leader; measure time to a new leader and to the next committed write"
NEEDS_JARS = True
WRITE_TRIES = 30


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    old, _ = ctx.wait_leader(timeout_s=30)
    ctx.put("before-failover", 1)
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
