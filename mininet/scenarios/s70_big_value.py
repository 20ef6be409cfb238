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


def run(ctx):
    tb = ctx.tb
    ctx.start_cluster()
    ctx.wait_leader(timeout_s=30)
    path = os.path.join(tb.data_root, "big-value.bin")
    blob = os.urandom(SIZE)
    with open(path, "wb") as f:
        f.write(blob)
    _, help_text = ctx.client(["put", "--help"])
    nodes = ",".join(tb.t.node_ips())
    if "file" in help_text.lower():
        ctx.say("raft-client.jar put --help mentions a file option; see docs/testbed.md to wire it here")
    # A 1 MiB argument does not fit one argv string (128 KiB limit): the value goes through
    # the probe, which chunks it exactly as docs/wire-format.md section 6 says.
    out = tb.run(tb.host("h11"), "/usr/bin/python3 %s put big file:%s --nodes %s --timeout 10 --pace-us %d"
                 % (PROBE, shlex.quote(path), nodes, tb.pace_us()))
    r = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
    assert r.get("status") == "OK", "1 MiB put: %s" % r
    got = ctx.read("big")
    assert isinstance(got, dict) and got["length"] == SIZE, "read back %r" % got
    assert got["sha256"] == hashlib.sha256(blob).hexdigest(), "1 MiB value changed on the way"
    ctx.say("1 MiB value read back intact (sha256 %s...)" % got["sha256"][:16])
    counts = tb.counters()
    chunks = sum(c["types"][16][0] for c in counts.values())
    assert chunks >= SIZE // 1408, "switches saw %d ClientRequest datagrams for a 1 MiB put" % chunks
