"""Three nodes start and elect one leader; a write from h11 to the leader commits."""
NAME = "elect"
ABOUT = ("start h1 h2 h3, one leader is elected, a write from h11 commits; switches count votes "
         "(BMv2: and name the leader in their registers)")
NEEDS_JARS = True


def run(ctx):
    tb = ctx.tb
    before = tb.counters()
    ctx.start_cluster()
    leader, took = ctx.wait_leader(timeout_s=30)
    ctx.time("first leader elected", took)
    ctx.say("leader: %s (%s)" % (leader, tb.ip(leader)))
    for term, leaders in ctx.leaders_by_term().items():
        assert len(leaders) == 1, "two leaders in term %d: %s" % (term, leaders)
    commit = ctx.commit_index()
    took = ctx.append_da(1, leader)
    ctx.time("write -da 1 to the leader acknowledged", took)
    ctx.wait("the write committed", lambda: ctx.commit_index() > commit, 10)
    after = tb.counters()
    votes = sum(after[s]["types"][1][0] - before[s]["types"][1][0] for s in after)
    appends = sum(after[s]["classes"][c][0] - before[s]["classes"][c][0]
                  for s in after for c in ("append", "heartbeat"))
    assert votes > 0, "no VoteRequest crossed a switch"
    assert appends > 0, "no heartbeat or append crossed a switch"
    ctx.say("switches counted %d VoteRequests and %d heartbeat/append datagrams" % (votes, appends))
    if ctx.watches_data_plane():
        carried = ctx.leader_traffic(before, after)
        assert carried, "no switch counted a leader-only datagram (AppendRequest, Heartbeat, ...)"
        seen, term = ctx.wait_seen_leader(leader, carried)
        for s in carried:
            assert seen[s]["max_term"] >= term, "%s: highest term %d below the leader's %d" % (
                s, seen[s]["max_term"], term)
            assert seen[s]["leader_changes"] >= 1, "%s: leader seen but no leader change counted" % s
        ctx.say("switches %s saw leader %d (%s) in term %d in their registers" % (
            ", ".join(carried), tb.t.cluster.index(leader), leader, term))
