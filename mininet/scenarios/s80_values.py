"""The value 0 and strings are values (the original could not store 0)."""
NAME = "values"
ABOUT = "-da 0 commits; put 0, a string and an empty string, read each back (0 is not 'absent')"
NEEDS_JARS = True


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    leader, _ = ctx.wait_leader(timeout_s=30)
    commit = ctx.commit_index()
    ctx.time("-da 0 acknowledged", ctx.append_da(0, leader))
    ctx.wait("-da 0 committed", lambda: ctx.commit_index() > commit, 10)
    ctx.time("put zero=0", ctx.put("zero", 0))
    ctx.time("put greeting='hello raft'", ctx.put("greeting", "hello raft"))
    ctx.time("put empty=''", ctx.put("empty", ""))
    assert ctx.read("zero") in (0, "0"), "0 read back as %r" % ctx.read("zero")
    assert ctx.read("greeting") == "hello raft"
    assert ctx.read("empty") == "", "the empty string read back as %r" % ctx.read("empty")
    assert ctx.read("never-written") is None
    ctx.check_acked()
