"""Partition the leader away from the other nodes, then heal."""
NAME = "partition"
ABOUT = "cut the leader off: it steps down, the majority elects, heal, the old leader catches up"
NEEDS_JARS = True


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    old, _ = ctx.wait_leader(timeout_s=30)
    ctx.put("before-partition", 1)
    majority = [h for h in tb.t.cluster if h != old]
    ctx.say("partition %s / %s (Raft ports only; h11 still reaches everyone)" % (old, " ".join(majority)))
    tb.partition([old], majority)
    new, took = ctx.wait_leader(timeout_s=30, hosts=majority)
    ctx.time("majority elected %s" % new, took)
    assert new != old

    def stepped_down():
        s = ctx.status([old])[old]
        return s is not None and s["role"] != "LEADER"
    _, took = ctx.wait("old leader %s steps down" % old, stepped_down, 30)
    ctx.time("minority leader stepped down", took)
    for term, leaders in ctx.leaders_by_term().items():
        assert len(leaders) == 1, "two leaders in term %d: %s" % (term, leaders)
    for i in range(5):
        ctx.put("during-partition-%d" % i, i)
    tb.heal()
    ctx.say("healed")

    def caught_up():
        st = ctx.status()
        lead = st.get(new)
        mine = st.get(old)
        return (lead and mine and mine["role"] == "FOLLOWER" and mine["commit"] >= lead["commit"]
                and mine["last_index"] == lead["last_index"])
    _, took = ctx.wait("old leader catches up", caught_up, 30)
    ctx.time("heal -> old leader caught up", took)
    ctx.check_acked()
