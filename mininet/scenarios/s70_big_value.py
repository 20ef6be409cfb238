"""A 1 MiB value: chunked on the wire (no IP fragmentation), replicated, read back intact."""
import hashlib
import os
import time

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
    # As a user types it in h11's xterm: the Java client chunks the value (docs/wire-format.md
    # section 6), paced by the testbed's gap (RAFTUDP_PACE_US in the host's shell).
    took = ctx.put("big", "@" + src, extra=("--timeout-ms", "20000"))
    ctx.time("raft-client put big @FILE (1 MiB)", took)
    ctx.acked.pop("big")   # the acknowledged value is the file's bytes, checked here, not as text
    out_path = os.path.join(tb.data_root, "big-value.out")
    start = time.monotonic()
    rc, out = ctx.client(["--timeout-ms", "20000", "get", "--out", out_path, "big"])
    assert rc == 0, "raft-client get --out: exit %d: %s" % (rc, out[-400:])
    ctx.time("raft-client get --out FILE (1 MiB)", time.monotonic() - start)
    assert os.path.getsize(out_path) == SIZE and sha256_of(out_path) == want, \
        "1 MiB value changed on the way: %d bytes, sha256 %s" % (os.path.getsize(out_path), sha256_of(out_path))
    # The probe (an independent implementation of the wire format) reads it back too.
    got = ctx.read("big")
    assert isinstance(got, dict) and got["length"] == SIZE and got["sha256"] == want, "probe read back %r" % got
    ctx.say("1 MiB value read back intact by raft-client and the probe (sha256 %s...)" % want[:16])
    after = tb.counters()
    chunks = sum(after[s]["types"][16][0] - before[s]["types"][16][0] for s in after)
    assert chunks >= SIZE // DATAGRAM_VALUE_BYTES, "switches saw %d ClientRequest datagrams for a 1 MiB put" % chunks
