"""Crash a follower, write without it, restart it by hand on its data, watch it catch up."""
import os
import shlex

import testbed
import topo

NAME = "restart"
ABOUT = ("kill -9 a follower, write 10 values, restart it by hand as in an xterm (on its data "
         "directory, its log in logs/), it catches up; raft list/stop know it")
NEEDS_JARS = True


def start_by_hand(tb, host, index):
    """What a user types in the host's xterm: `java -jar raft-node.jar INDEX --data-dir DIR` in
    the repository (DIR: the scenarios' data/scenarios/node-INDEX; the testbed's --allow-admin
    and fault options aside). Its log file comes from the RAFTUDP_LOG_DIR the host's shell
    inherited, its pacing from RAFTUDP_PACE_US."""
    data = os.path.relpath(os.path.join(tb.data_root, "node-%d" % index), topo.REPO)
    words = ["java", "-jar", os.path.basename(testbed.NODE_JAR), str(index), "--data-dir", data, "--allow-admin"]
    words += tb.faults.fault_options(host)
    tb.run(tb.host(host), "(cd %s && %s >/dev/null 2>&1 &)" % (shlex.quote(topo.REPO),
                                                             " ".join(shlex.quote(w) for w in words)))


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    leader, _ = ctx.wait_leader(timeout_s=30)
    victim = [h for h in tb.t.cluster if h != leader][-1]
    index = tb.t.cluster.index(victim)
    for i in range(5):
        ctx.put("restart-before-%d" % i, i)
    before = ctx.status([victim])[victim]
    ctx.say("killing follower %s at commit %d" % (victim, before["commit"]))
    tb.raft_stop(victim, kill=True)
    assert victim not in tb.raft_discover(), "%s still has a raft node after kill -9" % victim
    for i in range(10):
        ctx.put("restart-during-%d" % i, i)

    log = tb.node_log(index)
    offset = os.path.getsize(log) if os.path.exists(log) else 0
    start_by_hand(tb, victim, index)
    try:
        def started():
            if not os.path.exists(log):
                return None
            with open(log, errors="replace") as f:
                f.seek(offset)
                return ": started at " in f.read()
        _, took = ctx.wait("%s's hand-started node writes %s" % (victim, os.path.relpath(log, topo.REPO)),
                           started, testbed.NODE_START_WAIT_S)
        ctx.time("started by hand -> its log says started", took)
        found = tb.raft_discover().get(victim)
        assert found and not found["here"] and found["index"] == index, (
            "raft list does not see the node started by hand on %s: %r" % (victim, found))

        def caught_up():
            st = ctx.status()
            lead, mine = st.get(leader), st.get(victim)
            return lead and mine and mine["last_index"] == lead["last_index"] and mine["commit"] >= lead["commit"]
        _, took = ctx.wait("restarted %s catches up" % victim, caught_up, 30)
        ctx.time("restart -> caught up", took)
        after = ctx.status([victim])[victim]
        assert after["term"] >= before["term"], "term went back after restart"
        assert after["commit"] > before["commit"], "the restarted node did not get the writes made without it"
        ctx.check_acked()
    finally:
        if victim in tb.raft_discover():
            tb.raft_stop(victim)   # by its pid: the testbed did not start it
    assert victim not in tb.raft_discover(), "raft stop left the hand-started node on %s running" % victim
    ctx.say("raft stop ended the node started by hand on %s" % victim)
