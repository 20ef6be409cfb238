"""Crash a follower, write without it, restart it with its data, watch it catch up."""
NAME = "restart"
ABOUT = "kill -9 a follower, write 10 values, restart it on its data directory, it catches up"
NEEDS_JARS = True


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    leader, _ = ctx.wait_leader(timeout_s=30)
    victim = [h for h in tb.t.cluster if h != leader][-1]
    for i in range(5):
        ctx.put("restart-before-%d" % i, i)
    before = ctx.status([victim])[victim]
    ctx.say("killing follower %s at commit %d" % (victim, before["commit"]))
    tb.raft_stop(victim, kill=True)
    for i in range(10):
        ctx.put("restart-during-%d" % i, i)
    tb.raft_start(victim)   # same data directory

    def caught_up():
        st = ctx.status()
        lead, mine = st.get(leader), st.get(victim)
        return lead and mine and mine["last_index"] == lead["last_index"] and mine["commit"] >= lead["commit"]
    _, took = ctx.wait("restarted %s catches up" % victim, caught_up, 30)
    ctx.time("restart -> caught up", took)
    after = ctx.status([victim])[victim]
    assert after["term"] >= before["term"], "term went back after restart"
    ctx.check_acked()
