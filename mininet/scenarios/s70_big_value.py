"""A 1 MiB value: chunked on the wire (no IP fragmentation), replicated, read back intact."""
import hashlib
import json
import os
import shlex

from scenarios.context import PROBE

NAME = "big-value"
ABOUT = "put a 1 MiB value (about 750 datagrams per copy) and read it back byte for byte"
NEEDS_JARS = True
SIZE = 1 << 20
DATAGRAM_VALUE_BYTES = 1408   # at most this much of a value rides in one ClientRequest datagram


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    ctx.wait_leader(timeout_s=30)
    src = os.path.join(tb.data_root, "big-value.bin")
    with open(src, "wb") as f:
        f.write(os.urandom(SIZE))
    want = sha256_of(src)
    before = tb.counters()
    # A 1 MiB argument does not fit one argv string (128 KiB limit): the value goes through
    # the probe, which chunks it exactly as docs/wire-format.md section 6 says, paced by the
    # testbed's gap. (raft-client put big @FILE and get --out FILE do the same from the Java
    # client; on BMv2 they still lose whole 1 MiB messages now and then: see issue 9's note.)
    nodes = ",".join(tb.t.node_ips())
    out = tb.run(tb.host("h11"), "/usr/bin/python3 %s put big file:%s --nodes %s --timeout 10 --pace-us %d"
                 % (PROBE, shlex.quote(src), nodes, tb.pace_us()))
    r = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
    assert r.get("status") == "OK", "1 MiB put: %s" % r
    got = ctx.read("big")
    assert isinstance(got, dict) and got["length"] == SIZE, "read back %r" % got
    assert got["sha256"] == want, "1 MiB value changed on the way"
    ctx.say("1 MiB value read back intact (sha256 %s...)" % want[:16])
    after = tb.counters()
    chunks = sum(after[s]["types"][16][0] - before[s]["types"][16][0] for s in after)
    assert chunks >= SIZE // DATAGRAM_VALUE_BYTES, "switches saw %d ClientRequest datagrams for a 1 MiB put" % chunks
