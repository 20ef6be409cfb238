"""A write sent from h11 to a follower is redirected to the leader and commits."""
NAME = "redirect"
ABOUT = "h11 writes through a follower: NOT_LEADER + leader hint, the client follows, the write commits"
NEEDS_JARS = True


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    leader, _ = ctx.wait_leader(timeout_s=30)
    follower = [h for h in tb.t.cluster if h != leader][0]
    ctx.say("leader %s; writing through follower %s" % (leader, follower))
    commit = ctx.commit_index()
    took = ctx.append_da(7, follower)
    ctx.time("write -da 7 via a follower acknowledged", took)
    ctx.wait("the write committed", lambda: ctx.commit_index() > commit, 10)
    took = ctx.put("redirected", 7, extra=["-d", tb.ip(follower)])
    ctx.time("put redirected=7 via the follower", took)
    ctx.check_acked()
