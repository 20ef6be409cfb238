#!/usr/bin/env python3
"""make hostile: a hostile-traffic campaign against three real raft-node processes (issue 8).

Starts a 3-node cluster on loopback (udp transport, free ports, data under target/hostile/),
puts sessioned writes on it from a few client workers of its own (Put on distinct keys,
Append to one list per worker), measures throughput, then attacks every port of every node
for SECONDS with datagrams crafted by hand from docs/wire-format.md while the load goes on:
random bytes, bit-flipped copies of real and crafted datagrams, well-formed forged messages
of every Raft type claiming member and non-member ids with terms up to 2^63-1, bad client
sessions, answers sent to nodes, and chunked messages with inconsistent, duplicate, late and
missing chunks. Every forged datagram leaves from the attacker's own sockets on 127.0.0.1,
whose ports are none of the members'.

Afterwards it checks: no node exited; every acknowledged write reads back (linearizable
Get through the leader) with its value; every list holds each acknowledged append once, in
order; the three nodes agree (commit, applied, kv.keys); term and leader did not change;
node.input_errors is 0; and it accounts for the datagrams: what it sent per kind, what a
model of the receiver (tools/hostile/wire.py) predicts per drop reason, and what the nodes
counted. Report on stdout and in target/hostile/report.json; exit 1 on a failed check.

With --cluster-key (make hostile-key) the nodes share a random key and the load and the
monitor sign with it (wire-format section 10); the attacker has no key. It sends the same
campaign unauthenticated, datagrams with AUTH and a wrong MAC (random, another key's,
bit-flipped, cut or spliced copies of genuine signed datagrams it captured from the
campaign's own clients) and byte-for-byte replays of those captures, which are admitted and
must be harmless: no write applied twice, nothing past the MAC check without a right MAC.

  tools/hostile/hostile.py --seed 1 --seconds 60        (make hostile SEED=1 SECONDS=60)
  tools/hostile/hostile.py --seed 1 --seconds 60 --cluster-key     (make hostile-key SEED=1 SECONDS=60)

Python 3 standard library only. Traffic goes to 127.0.0.1 only. Every loop is bounded in
time; the nodes are stopped by PID on every exit path.
"""
import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire as w  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCALHOST = "127.0.0.1"
MEMBERS = 3


def now():
    return time.monotonic()


def log(msg):
    print("hostile: " + msg, flush=True)


class Failed(Exception):
    """The campaign could not run (not a verdict)."""


class HardTimeout(BaseException):
    pass


# ---------------------------------------------------------------- cluster

def ports_free(ports):
    socks = []
    try:
        for p in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind((LOCALHOST, p))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def pick_bases(n):
    """n base ports (each stands for base..base+4) in 20000..29990, below the ephemeral range
    (so that no attacker socket can get one), all free now."""
    pick = random.SystemRandom()
    for _ in range(100):
        bases = sorted(pick.sample(range(20000, 30000, 10), n))
        if ports_free([b + c for b in bases for c in range(5)]):
            return bases
    raise Failed("no free loopback ports in 20000..29999")


class Cluster:
    def __init__(self, run_dir, fsync, java, java_opts, log_level, key_file=None):
        self.run_dir = run_dir
        self.key_file = key_file             # --cluster-key FILE for every node, or None
        self.bases = pick_bases(MEMBERS)
        self.peers = ",".join("%s:%d" % (LOCALHOST, b) for b in self.bases)
        self.fsync = fsync
        self.java = java
        self.java_opts = java_opts
        self.log_level = log_level
        self.procs = []
        self.logs = []

    def addr(self, i, cls):
        return (LOCALHOST, self.bases[i] + cls)

    def member_ports(self):
        return {b + c for b in self.bases for c in range(5)}

    def start(self):
        jar = os.path.join(ROOT, "raft-node.jar")
        if not os.path.isfile(jar):
            raise Failed("raft-node.jar is missing: make build")
        for i in range(MEMBERS):
            data = os.path.join(self.run_dir, "node-%d" % i)
            os.makedirs(data, exist_ok=True)
            path = os.path.join(self.run_dir, "node-%d.log" % i)
            out = open(path, "wb")
            self.logs.append(path)
            cmd = [self.java] + self.java_opts + ["-jar", jar, str(i), "--peers", self.peers,
                                                  "--transport", "udp", "--data-dir", data,
                                                  "--fsync", self.fsync, "--log-level", self.log_level]
            if self.key_file:
                cmd += ["--cluster-key", self.key_file]
            # own session: a Ctrl-C on the terminal reaches us, and we stop them by PID
            self.procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               start_new_session=True, cwd=ROOT))
            out.close()
        log("nodes started: pids %s, peers %s, fsync %s%s" % ([p.pid for p in self.procs], self.peers, self.fsync,
                                                             ", cluster key " + self.key_file if self.key_file else ""))

    def exited(self):
        """[(node, exit code)] of nodes that are no longer running."""
        return [(i, p.returncode) for i, p in enumerate(self.procs) if p.poll() is not None]

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = now() + 8
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - now()))
            except subprocess.TimeoutExpired:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=5)

    def log_tail(self, i, lines=15):
        try:
            with open(self.logs[i], "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------- a UDP endpoint that speaks the format

class Endpoint:
    """One socket (on 127.0.0.1 unless bind says otherwise) with its own message counter;
    reassembles multi-chunk answers.
    With a key (section 10) it signs everything it sends and takes only answers with AUTH and
    a right MAC (the others are counted in refused). on_send(datagram) and on_message([datagram,
    ...]) see the signed datagrams it sends and the complete messages it receives (for the
    attacker's captures)."""

    def __init__(self, rng, key=None, on_send=None, on_message=None, bind=LOCALHOST):
        self.key = key
        self.on_send = on_send
        self.on_message = on_message
        self.refused = collections.Counter()     # answers dropped here: reason -> datagrams
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((bind, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.port = self.sock.getsockname()[1]
        self.mid = rng.getrandbits(32)
        self.sent = 0
        self.received = 0
        self.partial = {}

    def next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFFFFFF
        return self.mid

    def send(self, d, addr):
        if self.key is not None:
            d = w.sign(self.key, d)
        self.sock.sendto(d, addr)
        self.sent += 1
        if self.on_send is not None:
            self.on_send(d)

    def recv(self, timeout):
        """(header, body) of the next complete, well-formed message, or None after timeout."""
        deadline = now() + max(0.0, timeout)
        while True:
            left = deadline - now()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                d, _ = self.sock.recvfrom(65535)
            except (socket.timeout, BlockingIOError):
                return None
            self.received += 1
            try:
                h = w.check_header(d, key=self.key)
            except w.Drop as e:
                self.refused[e.reason] += 1
                continue
            payload = d[w.HEADER_BYTES:w.HEADER_BYTES + h.payload_length]
            if h.chunk_count == 1:
                if self.on_message is not None:
                    self.on_message([d])
                return h, payload
            k = (h.src, h.message_id)
            chunks = self.partial.setdefault(k, {})
            chunks[h.chunk_index] = (payload, d)
            if len(chunks) == h.chunk_count:
                del self.partial[k]
                if self.on_message is not None:
                    self.on_message([chunks[i][1] for i in range(h.chunk_count)])
                return h, b"".join(chunks[i][0] for i in range(h.chunk_count))
            if len(self.partial) > 32:
                self.partial.pop(next(iter(self.partial)))

    def close(self):
        self.sock.close()


def status(ep, cluster, i, tries=4, wait=0.4):
    """Node i's StatusResponse as a dict, or None."""
    for _ in range(tries):
        ep.send(w.datagram(w.STATUS_REQUEST, message_id=ep.next_mid()), cluster.addr(i, w.CLIENT))
        deadline = now() + wait
        while True:
            got = ep.recv(deadline - now())
            if got is None:
                break
            h, body = got
            if h.type == w.STATUS_RESPONSE and h.src == i:
                try:
                    return w.parse_status_body(h, body)
                except w.Malformed:
                    continue
    return None


def snapshot(ep, cluster, tries=4, wait=0.4):
    """Every node's status, asked of all nodes at once (so that the counters of different
    nodes are read within a fraction of a millisecond of each other); None for a node that
    did not answer."""
    got = [None] * MEMBERS
    for _ in range(tries):
        missing = [i for i in range(MEMBERS) if got[i] is None]
        if not missing:
            break
        for i in missing:
            ep.send(w.datagram(w.STATUS_REQUEST, message_id=ep.next_mid()), cluster.addr(i, w.CLIENT))
        deadline = now() + wait
        while any(got[i] is None for i in missing):
            answer = ep.recv(deadline - now())
            if answer is None:
                break
            h, body = answer
            if h.type == w.STATUS_RESPONSE and h.src < MEMBERS and got[h.src] is None:
                try:
                    got[h.src] = w.parse_status_body(h, body)
                except w.Malformed:
                    pass
    return got


def leader_of(snap):
    """(leader, term) when every node answered and all agree on one leader that says LEADER."""
    if any(s is None for s in snap):
        return None
    leaders = {s["leader"] for s in snap}
    terms = {s["term"] for s in snap}
    if len(leaders) != 1 or len(terms) != 1 or None in leaders:
        return None
    lead = leaders.pop()
    if snap[lead]["role"] != "LEADER":
        return None
    return lead, terms.pop()


# ---------------------------------------------------------------- what an eavesdropper sees (keyed mode)

class Genuine:
    """Signed datagrams the campaign's own clients sent or received, kept for the attacker to
    replay and to bend: what anyone on the clients' path sees (a capture, not the key).
    Each item is one message: a tuple of its datagrams, in chunk order. Thread-safe: the load
    workers and the monitor offer, the attacker picks."""
    PER_LABEL = 64

    def __init__(self, seed):
        self.lock = threading.Lock()
        self.by_label = {}                   # label -> deque of messages, the most recent last
        self.latest = {}                     # sender -> the last datagram it sent (its request in flight)
        self.rng = random.Random("%s/genuine" % seed)
        self.kept = collections.Counter()

    def offer(self, label, datagrams, share=1.0):
        with self.lock:
            if share < 1.0 and self.rng.random() >= share:
                return
            self.kept[label] += 1
            self.by_label.setdefault(label, collections.deque(maxlen=self.PER_LABEL)).append(tuple(datagrams))

    def tap(self, label, share, sender=None):
        """A callback for Endpoint's on_send / on_message: keeps a share of what it sees, and
        with sender (a name) the last datagram of every send."""
        def seen(d):
            ds = d if isinstance(d, list) else [d]
            if sender is not None:
                with self.lock:
                    self.latest[sender] = ds[0]
            self.offer(label + "." + w.TYPE_NAMES.get(ds[0][3], "other"), ds, share)
        return seen

    def pick_latest(self, rng):
        """(label, message): the last datagram one sender sent, or None."""
        with self.lock:
            if not self.latest:
                return None
            sender = rng.choice(sorted(self.latest))
            d = self.latest[sender]
        return "latest." + w.TYPE_NAMES.get(d[3], "other"), (d,)

    def pick(self, rng):
        """(label, message) chosen by rng, or None while nothing was captured."""
        with self.lock:
            if not self.by_label:
                return None
            label = rng.choice(sorted(self.by_label))
            q = self.by_label[label]
            return label, q[rng.randrange(len(q))]


# ---------------------------------------------------------------- load: sessioned writes

class Load:
    """Worker threads, each with one session and one request in flight: Put on keys
    load-wNN-NNNNNN (distinct), Append of increasing integers to load-list-wNN. Every
    acknowledged write is recorded with its invoke and complete times."""
    ATTEMPT_S = 0.3
    REQUEST_S = 8.0

    def __init__(self, cluster, seed, workers, leader, key=None, genuine=None):
        self.cluster = cluster
        self.key = key                  # sign requests, take only signed answers
        self.genuine = genuine          # where a share of the signed traffic is captured
        self.workers = workers
        self.leader = leader
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acks = []              # (key, value bytes, op, invoke, complete)
        self.unacked = []           # (key, value bytes, op) given up on
        self.appends_sent = collections.defaultdict(list)    # list key -> every item sent
        self.anomalies = []
        self.counts = collections.Counter()
        self.endpoints = []
        self.threads = []

    def start(self):
        for wid in range(self.workers):
            rng = random.Random("%s/load/%d" % (self.seed, wid))
            g = self.genuine
            ep = Endpoint(rng, self.key, on_send=g.tap("load", 0.03, sender="load-%d" % wid) if g else None,
                          on_message=g.tap("load", 0.01) if g else None)
            self.endpoints.append(ep)
            t = threading.Thread(target=self._worker, args=(wid, rng, ep), daemon=True, name="load-%d" % wid)
            self.threads.append(t)
            t.start()

    def datagrams_sent(self):
        return sum(ep.sent for ep in self.endpoints)

    def datagrams_received(self):
        return sum(ep.received for ep in self.endpoints)

    def refused_answers(self):
        out = collections.Counter()
        for ep in self.endpoints:
            out.update(ep.refused)
        return out

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=self.REQUEST_S + 2)
        for ep in self.endpoints:
            ep.close()

    @staticmethod
    def _value(rng):
        kind = rng.random()
        if kind < 0.4:
            return w.v_int(rng.choice([0, -1, 1, rng.getrandbits(63), -rng.getrandbits(63)]))
        if kind < 0.8:
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_é€字😀"
            return w.v_str("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
        return w.v_bytes(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))))

    def _worker(self, wid, rng, ep):
        client_id = rng.getrandbits(64) or 1
        seq = 0
        n = 0
        item = 0
        list_key = "load-list-w%02d" % wid
        while not self.stop.is_set():
            seq += 1
            n += 1
            if rng.random() < 0.75:
                key, op, value = "load-w%02d-%06d" % (wid, n), "put", self._value(rng)
                body = w.cmd_put(key, value)
            else:
                item += 1
                key, op, value = list_key, "append", w.v_int(item)
                body = w.cmd_append(key, value)
                with self.lock:
                    self.appends_sent[key].append(item)
            invoke = now()
            result = self._call(ep, client_id, seq, body, invoke + self.REQUEST_S)
            complete = now()
            if result is None:
                with self.lock:
                    self.unacked.append((key, value, op))
                    self.counts["gave_up"] += 1
                client_id, seq = rng.getrandbits(64) or 1, 0     # a new session (section 5.3)
                continue
            code = result[0]
            good = (op == "put" and code == w.R_OK and result[1] is None) or (op == "append" and code == w.R_APPENDED)
            with self.lock:
                if good:
                    self.acks.append((key, value, op, invoke, complete))
                else:
                    self.anomalies.append("worker %d %s %s: answer %r" % (wid, op, key, result))
                    if code == w.R_SESSION_EXPIRED:
                        client_id, seq = rng.getrandbits(64) or 1, 0

    def _call(self, ep, client_id, seq, body, deadline):
        target = self.leader
        backoff = 0.02
        while now() < deadline:
            d = w.datagram(w.CLIENT_REQUEST, body, message_id=ep.next_mid(), index_a=client_id, index_b=seq)
            ep.send(d, self.cluster.addr(target, w.CLIENT))
            wait_until = min(deadline, now() + self.ATTEMPT_S)
            while True:
                got = ep.recv(wait_until - now())
                if got is None:
                    with self.lock:
                        self.counts["timeouts"] += 1
                    target = (target + 1) % MEMBERS
                    break
                h, rbody = got
                if h.type != w.CLIENT_RESPONSE or h.index_a != client_id or h.index_b != seq:
                    continue        # an answer to an earlier request
                try:
                    st, hint, result = w.parse_client_response(rbody)
                except w.Malformed:
                    with self.lock:
                        self.anomalies.append("malformed ClientResponse from node %d" % h.src)
                    continue
                if st == w.ST_OK:
                    if h.src < MEMBERS:
                        self.leader = h.src
                    return result
                with self.lock:
                    self.counts["not_leader" if st == w.ST_NOT_LEADER else "retry"] += 1
                if st == w.ST_NOT_LEADER and hint < MEMBERS:
                    target = hint
                else:
                    if st == w.ST_NOT_LEADER:
                        target = (target + 1) % MEMBERS
                    time.sleep(backoff)
                    backoff = min(backoff * 2, 0.5)
                break
        return None


def read_back(cluster, leader, keys, rng, limit_s=60.0, window=32, key=None):
    """Linearizable Gets (no session, seq as a tag) of keys through the leader, pipelined;
    signed with key when given (sessionless reads stay allowed with a key, section 10.5).
    Returns ({key: result}, errors)."""
    ep = Endpoint(rng, key)
    results, errors = {}, []
    todo = list(keys)
    pending = {}          # tag -> (key, sent at, target)
    tag = 0
    target = leader
    deadline = now() + limit_s
    try:
        while (todo or pending) and now() < deadline:
            while todo and len(pending) < window:
                key = todo.pop()
                tag += 1
                pending[tag] = [key, 0.0]
            t = now()
            for tg, p in pending.items():
                if t - p[1] > 0.5:
                    body = w.cmd_get(p[0])
                    ep.send(w.datagram(w.CLIENT_REQUEST, body, message_id=ep.next_mid(), index_a=0, index_b=tg),
                            cluster.addr(target, w.CLIENT))
                    p[1] = t
            got = ep.recv(0.05)
            while got is not None:
                h, body = got
                p = pending.get(h.index_b) if h.type == w.CLIENT_RESPONSE and h.index_a == 0 else None
                if p is not None:
                    try:
                        st, hint, result = w.parse_client_response(body)
                    except w.Malformed:
                        st, hint, result = None, None, None
                    if st == w.ST_OK:
                        results[p[0]] = result
                        del pending[h.index_b]
                    elif st == w.ST_NOT_LEADER:
                        target = hint if hint < MEMBERS else (target + 1) % MEMBERS
                        p[1] = 0.0
                got = ep.recv(0)
        if todo or pending:
            errors.append("read-back unfinished after %.0f s: %d keys left" % (limit_s, len(todo) + len(pending)))
        if key is not None and ep.refused:
            errors.append("read-back: keyed nodes answered without a right MAC: %s" % dict(ep.refused))
    finally:
        ep.close()
    return results, errors


# ---------------------------------------------------------------- monitor

class Monitor:
    """Polls every node's status while the campaign runs; records role, term and leader
    changes and exited processes."""

    def __init__(self, cluster, rng, interval=0.5, key=None, genuine=None):
        self.cluster = cluster
        g = genuine
        self.ep = Endpoint(rng, key, on_send=g.tap("monitor", 0.5) if g else None,
                           on_message=g.tap("monitor", 0.2) if g else None)
        self.interval = interval
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.last = [None] * MEMBERS
        self.events = []
        self.exited = {}
        self.silent = collections.Counter()
        self.thread = threading.Thread(target=self._run, daemon=True, name="monitor")

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=10)
        self.ep.close()

    def _run(self):
        t0 = now()
        while not self.stop.wait(self.interval):
            for i, code in self.cluster.exited():
                with self.lock:
                    self.exited.setdefault(i, code)
            for i in range(MEMBERS):
                s = status(self.ep, self.cluster, i, tries=2, wait=0.3)
                with self.lock:
                    if s is None:
                        self.silent[i] += 1
                        continue
                    seen = (s["role"], s["term"], s["leader"])
                    if self.last[i] is not None and seen != self.last[i]:
                        self.events.append({"t": round(now() - t0, 2), "node": i, "from": list(self.last[i]),
                                            "to": list(seen)})
                    self.last[i] = seen


# ---------------------------------------------------------------- the attacker

class Attacker:
    """Crafts and sends hostile datagrams at a bounded rate, from SOCKETS sockets of its own,
    and predicts with wire.NodeModel what each node should do with each one.

    Keyed mode (receiver_key given: the nodes have a cluster key). The attacker does not have
    the key: what it crafts is unauthenticated, or carries AUTH with a MAC that is not the
    key's (random, another key's, bit-flipped or cut from a genuine datagram), and it replays
    genuine signed datagrams it captured (genuine: a Genuine) unchanged. receiver_key serves
    the model, which stands for the nodes, and the check of the nodes' answers, never the
    crafting; the one exception is keyholder: a small share of datagrams signed with the key,
    from the campaign itself, to check that a right MAC is not a pass (none of them may be
    applied)."""
    SOCKETS = 4

    def __init__(self, cluster, seed, rate, with_admin, term, commit, last, flood_node=None, counters=None,
                 receiver_key=None, genuine=None, keyholder=False, bind=LOCALHOST):
        self.cluster = cluster
        self.receiver_key = receiver_key
        self.keyed = receiver_key is not None
        self.genuine = genuine
        self.keyholder = keyholder and self.keyed
        self.flood_node = flood_node         # --reassembly-flood: the node whose ports it fills
        self.flood = {}                      # port class -> [message id, next chunk] per partial message
        self.rng = random.Random(seed)
        self.capture_rng = random.Random("%s/capture" % seed)   # answers arrive when they do: keep self.rng apart
        self.rate = rate
        self.with_admin = with_admin
        self.term = term
        self.commit = commit
        self.last = last
        self.socks = []
        members = cluster.member_ports()
        for _ in range(self.SOCKETS):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((bind, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.setblocking(False)     # (a timeout would make every recv wait for it, even with MSG_DONTWAIT)
            if s.getsockname()[1] in members:
                raise Failed("attacker socket got a member's port")
            self.socks.append(s)
        self.partials = collections.Counter()
        self.models = [w.NodeModel(i, MEMBERS, self._discarded, (counters or [None] * MEMBERS)[i], receiver_key)
                       for i in range(MEMBERS)]
        self.sent = collections.Counter()            # kind -> datagrams
        self.bytes = 0
        self.predicted = collections.Counter()       # outcome -> datagrams
        self.by_kind = collections.defaultdict(collections.Counter)
        self.replies = collections.Counter()
        self.reply_bytes = collections.Counter()
        self.suppressed = 0
        self.send_errors = collections.Counter()
        self.captured = collections.deque(maxlen=64)   # (label, datagram) the nodes sent us or we sent
        self.session = (self.rng.getrandbits(64) | 1, 0)
        self.atk_keys = 0
        self.ticks = 0
        # keyed mode
        self.other_key = self.rng.randbytes(32)        # "another cluster's key": the attacker's own
        self.auth_classes = collections.Counter()      # what the datagrams sent carry (section 10.2)
        self.replayed_ops = {}                         # (clientId, seq) of replayed ClientRequests -> op
        self.replay_answers = collections.Counter()    # what the nodes answered to those replays
        self.unsigned_answers = collections.Counter()  # answers of keyed nodes without a right MAC: reason
        self.answer_parts = {}                         # (socket, src, message id) -> {chunk index: datagram}

    def _discarded(self, reason):
        self.partials[reason] += 1

    def close(self):
        for s in self.socks:
            s.close()

    def total(self):
        return sum(self.sent.values())

    # ------------------------------------------------------------ sending

    def send(self, kind, node, cls, sock, d):
        if len(d) >= 4 and d[3] == w.FAULT_REQUEST and not self.with_admin:
            self.suppressed += 1            # never a FaultRequest in this campaign (admin gating: TODO)
            return
        s = self.socks[sock]
        for attempt in range(20):
            try:
                s.sendto(d, self.cluster.addr(node, cls))
                break
            except BlockingIOError:
                time.sleep(0.001)       # our send buffer is full: wait for it
            except OSError as e:
                self.send_errors[e.errno] += 1
                return
        else:
            self.send_errors["blocked"] += 1
            return
        self.sent[kind] += 1
        self.bytes += len(d)
        if self.keyed:
            self.auth_classes[self.auth_class(kind, d)] += 1
        outcome = self.models[node].predict(d, cls, s.getsockname()[1], now() * 1000.0)
        self.predicted[outcome] += 1
        self.by_kind[kind][outcome] += 1

    def auth_class(self, kind, d):
        """What a datagram carries, as the nodes' key sees it (keyed mode's report)."""
        if len(d) < 5 or not d[4] & w.AUTH:
            return "no AUTH"
        if not w.verify(self.receiver_key, d):
            return "AUTH, wrong MAC or length"
        return "AUTH, right MAC (%s)" % ("key holder" if kind.startswith("keyholder.") else "replay")

    def drain(self):
        for i, s in enumerate(self.socks):
            while True:
                try:
                    d = s.recv(65535)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                if len(d) >= 4:
                    self.replies[w.TYPE_NAMES.get(d[3], "other")] += 1
                    self.reply_bytes[w.TYPE_NAMES.get(d[3], "other")] += len(d)
                    if self.capture_rng.random() < 0.2:
                        self.captured.append(("captured." + w.TYPE_NAMES.get(d[3], "other"), d))
                    if self.keyed:
                        self.judge_answer(i, d)

    def judge_answer(self, sock, d):
        """Keyed mode: an answer a node sent to the attacker (so to a replay, or to a keyholder
        read) must carry a right MAC. A replayed ClientRequest's answer shows whether the node
        applied it again: a Put of a load key (each is written once, on a fresh key) answered
        OK with a previous value was applied twice. Complete answers become genuine captures."""
        try:
            h = w.check_header(d, key=self.receiver_key)
        except w.Drop as e:
            self.unsigned_answers[e.reason] += 1
            return
        if h.chunk_count > 1:
            k = (sock, h.src, h.message_id)
            parts = self.answer_parts.setdefault(k, {})
            parts[h.chunk_index] = d
            if len(parts) < h.chunk_count:
                if len(self.answer_parts) > 64:
                    self.answer_parts.pop(next(iter(self.answer_parts)))
                return
            del self.answer_parts[k]
            ds = [parts[j] for j in range(h.chunk_count)]
        else:
            ds = [d]
        if self.genuine is not None and self.capture_rng.random() < 0.5:
            self.genuine.offer("captured." + w.TYPE_NAMES.get(h.type, "other"), ds)
        if h.type != w.CLIENT_RESPONSE:
            return
        op = self.replayed_ops.get((h.index_a, h.index_b))
        if op is None:
            return
        try:
            st, _, result = w.parse_client_response(d[w.HEADER_BYTES:w.HEADER_BYTES + h.payload_length])
        except w.Malformed:
            self.replay_answers["malformed answer"] += 1
            return
        if st != w.ST_OK:
            self.replay_answers["NOT_LEADER" if st == w.ST_NOT_LEADER else "RETRY"] += 1
        elif result[0] == w.R_SESSION_EXPIRED:
            self.replay_answers["SessionExpired"] += 1
        elif op == w.OP_PUT and result[0] == w.R_OK:
            self.replay_answers["Put: cached OK" if result[1] is None else "Put: APPLIED AGAIN"] += 1
        elif op == w.OP_APPEND and result[0] == w.R_APPENDED:
            self.replay_answers["Append: cached size"] += 1
        else:
            self.replay_answers["unexpected result %d" % result[0]] += 1

    def run(self, seconds, stop_event=None):
        """Attack for seconds (bounded by rate x seconds datagrams)."""
        cap = int(self.rate * seconds)
        burst = 50.0
        tokens = 0.0
        start = last = now()
        end = start + seconds
        while now() < end and self.total() < cap and not (stop_event and stop_event.is_set()):
            t = now()
            tokens = min(burst, tokens + (t - last) * self.rate)
            last = t
            if tokens < 1:
                time.sleep((1 - tokens) / self.rate)
                continue
            kind, sends = self.generate()
            for node, cls, sock, d in sends:
                self.send(kind, node, cls, sock, d)
                tokens -= 1
            self.ticks += 1
            if self.ticks % 8 == 0:
                self.drain()
        self.drain()
        return now() - start

    # ------------------------------------------------------------ choices

    def pick_term(self):
        r = self.rng
        t = self.term
        return r.choice([0, 1, 2, max(0, t - 1), t, t + 1, t + 2, t + r.randint(3, 1000), r.randint(1, 1 << 32),
                         w.TERM_MAX - 1, w.TERM_MAX, w.TERM_MAX + 1, 1 << 62, w.U63])

    def pick_index(self):
        r = self.rng
        return r.choice([0, 1, self.commit, self.commit + 1, self.last + r.randint(1, 50), r.randint(0, 1 << 40),
                         w.U63 - 1, w.U63])

    def pick_incarnation(self):
        """An incarnation as a response carries it (section 3.2): 1 .. 2^63 - 1, never 0."""
        r = self.rng
        return r.choice([1, r.getrandbits(63) | 1, w.U63])

    def pick_claim(self, node):
        """(src, dst, label): a member id sent from a non-member port, the node's own id, a
        non-member id, or a message for another node."""
        r = self.rng
        c = r.random()
        others = [m for m in range(MEMBERS) if m != node]
        if c < 0.45:
            return r.choice(others), node, "member"
        if c < 0.55:
            return node, node, "self"
        if c < 0.85:
            return r.choice([MEMBERS, MEMBERS + 1, 255, 256, 1000, 0x7FFF, 0xFFFE, r.randint(MEMBERS, 0xFFFE)]), node, \
                "nonmember"
        return r.randrange(MEMBERS), r.choice(others + [r.randint(MEMBERS, 0xFFFE)]), "misaddressed"

    def port_for(self, t):
        """The type's own port class, or now and then another one."""
        return w.TYPE_CLASS[t] if self.rng.random() < 0.88 else self.rng.randrange(5)

    def atk_key(self):
        self.atk_keys += 1
        return "atk-%05d" % (self.atk_keys % 100000)

    def value(self):
        r = self.rng
        c = r.random()
        if c < 0.4:
            return w.v_int(r.getrandbits(63) - (1 << 62))
        if c < 0.8:
            return w.v_str("".join(r.choice("xyz01é字") for _ in range(r.randint(0, 20))))
        return w.v_bytes(r.randbytes(r.randint(0, 40)))

    def kv_command(self):
        r = self.rng
        key = self.atk_key()
        c = r.random()
        if c < 0.5:
            return w.cmd_put(key, self.value())
        if c < 0.65:
            return w.cmd_append(key, self.value())
        if c < 0.8:
            return w.cmd_cas(key, r.choice([None, self.value(), w.v_list([w.v_int(1)])]), self.value())
        if c < 0.9:
            return w.cmd_delete(key)
        return w.cmd_get(key)

    def entry(self, term):
        """(term, kind, data): a NORMAL entry with a valid key-value log entry, or not; a NOOP,
        empty or not; a well-formed MEMBERS entry."""
        r = self.rng
        c = r.random()
        if c < 0.5:
            cid = r.choice([0, r.getrandbits(64) | 1])
            data = w.kv_entry(cid, r.randint(1, 1000), 1_767_225_600_000 + self.ticks, self.kv_command())
            return term, w.ENTRY_NORMAL, data
        if c < 0.6:
            return term, w.ENTRY_NOOP, b""
        if c < 0.65:
            ids = sorted(r.sample(range(MEMBERS + 2), r.randint(1, MEMBERS + 2)))
            return term, w.ENTRY_MEMBERS, w.members_data([(i, self.pick_incarnation()) for i in ids])
        if c < 0.75:
            return term, w.ENTRY_NOOP, r.randbytes(r.randint(1, 20))
        if c < 0.9:
            return term, w.ENTRY_NORMAL, r.randbytes(r.randint(0, 60))
        good = w.kv_entry(1, 1, 1, w.cmd_put("atk-x", w.v_int(1)))
        return term, w.ENTRY_NORMAL, good[:r.randint(0, len(good) - 1)]

    # ------------------------------------------------------------ crafted messages

    def forged_raft(self, t, node, fields_only=False):
        """A well-formed message of Raft type t for node (one or more datagrams), and its claim."""
        r = self.rng
        src, dst, claim = self.pick_claim(node)
        term = self.pick_term()
        mid = r.getrandbits(32)
        f = dict(src=src, dst=dst, message_id=mid, term=term)
        body = b""
        if t == w.VOTE_REQUEST:
            f["flags"] = r.choice([0, w.PRE_VOTE, w.TRANSFER, w.PRE_VOTE | w.TRANSFER])
            f["index_a"] = self.pick_index()
            f["log_term"] = r.choice([0, min(term, self.term), term, term + 1])
        elif t == w.VOTE_RESPONSE:
            f["flags"] = r.choice([0, w.PRE_VOTE, w.GRANTED, w.PRE_VOTE | w.GRANTED])
            f["commit_index"] = self.pick_incarnation()
        elif t == w.APPEND_REQUEST:
            prev = self.pick_index()
            prev_term = 0 if prev == 0 and r.random() < 0.8 else r.randint(0, min(term, self.term + 1))
            entries = []
            et = max(1, prev_term)
            for _ in range(r.choice([0, 0, 1, 1, 2, 3, 4])):
                if r.random() < 0.2:
                    et = r.choice([et, et + 1, max(1, et - 1)])
                entries.append(self.entry(min(et, max(1, term))))
            body = w.entries_body(entries)
            f["index_a"] = prev
            f["index_b"] = prev + len(entries) if r.random() < 0.95 else prev + len(entries) + 1
            f["log_term"] = prev_term
            f["commit_index"] = self.pick_index()
        elif t == w.APPEND_RESPONSE:
            success = r.random() < 0.5
            f["flags"] = w.SUCCESS if success else 0
            f["index_a"] = self.pick_index()
            if not success or r.random() < 0.1:
                f["index_b"] = self.pick_index()
                f["log_term"] = r.randint(0, term)
            f["commit_index"] = self.pick_incarnation()
        elif t == w.HEARTBEAT:
            f["index_a"] = r.choice([0, r.getrandbits(32), w.U63])
            f["index_b"] = r.choice([0, self.pick_incarnation()])     # the receiver's incarnation, 0 = none
            f["commit_index"] = self.pick_index()
        elif t == w.HEARTBEAT_RESPONSE:
            f["index_a"] = r.choice([0, r.getrandbits(32), w.U63])
            f["commit_index"] = self.pick_incarnation()
        elif t == w.SNAPSHOT_CHUNK:
            total = r.choice([1, 16, 100, 1000, 3000, r.randint(1, 5000)])
            image = r.randbytes(total)
            offset = r.choice([0, 0, r.randint(0, total - 1)])
            length = r.randint(1, total - offset)
            data = image[offset:offset + length]
            ends = offset + length == total
            f["flags"] = w.LAST if (ends if r.random() < 0.9 else not ends) else 0
            crc = w.crc32c(image)
            f["commit_index"] = r.choice([crc, crc, crc ^ 1, r.getrandbits(32)])
            f["index_a"] = r.choice([1, self.commit, self.pick_index()])
            f["index_b"] = offset
            f["log_term"] = r.randint(0, min(term, self.term + 1))
            body = w.snapshot_body(total, data)
        elif t == w.SNAPSHOT_RESPONSE:
            f["flags"] = r.choice([0, w.DONE])
            f["index_a"] = self.pick_index()
            f["index_b"] = r.choice([0, r.randint(0, 1 << 20)])
            f["commit_index"] = self.pick_incarnation()
        elif t == w.TIMEOUT_NOW:
            pass
        if fields_only:
            return f, body, claim
        if len(body) > w.DATAGRAM_DEFAULT - w.HEADER_BYTES:
            return w.datagrams(t, body, r.randint(400, w.DATAGRAM_DEFAULT), **f), claim
        return [w.datagram(t, body, **f)], claim

    def client_message(self, t):
        """A well-formed client-class message of type t (no FaultRequest)."""
        r = self.rng
        mid = r.getrandbits(32)
        if t == w.CLIENT_REQUEST:
            cid, seq = self.session
            self.session = (cid, seq + 1)
            return w.datagram(t, self.kv_command(), message_id=mid, index_a=cid, index_b=seq + 1)
        if t == w.CLIENT_RESPONSE:
            st = r.choice([w.ST_OK, w.ST_NOT_LEADER, w.ST_RETRY])
            res = r.choice([w.result_ok(), w.result_ok(w.v_int(5)), w.result_found(w.v_str("v")),
                            bytes([w.R_NOT_FOUND]), w.result_appended(3), bytes([w.R_SESSION_EXPIRED])])
            body = w.client_response_body(st, r.choice([0, 1, 2, w.NO_NODE]), res if st == w.ST_OK else b"")
            return w.datagram(t, body, src=r.choice([0, 1, 2, w.NO_NODE]), message_id=mid,
                              index_a=r.getrandbits(64), index_b=r.randint(0, 100))
        if t == w.STATUS_REQUEST:
            return w.datagram(t, src=r.choice([w.NO_NODE, 0, 1]), message_id=mid)
        if t == w.STATUS_RESPONSE:
            body = w.status_body(r.choice([0, 1, w.NO_NODE]), self.commit, r.choice(["LEADER", "FOLLOWER"]),
                                 {1: 5, 2: 7}, {"kv.keys": 3, "rx.datagrams": 10})
            return w.datagram(t, body, src=r.randrange(MEMBERS), message_id=mid, term=self.pick_term() & w.U63,
                              index_a=1, index_b=self.last, commit_index=self.commit)
        if t == w.FAULT_RESPONSE:
            rules = r.choice([[], [(None, 10000, 0, 0, 0)], [(None, 0, 5, 1, 0), (b"\x7f\x00\x00\x01", 1, 0, 0, 0)]])
            return w.datagram(t, w.fault_response_body(rules), src=r.randrange(MEMBERS), message_id=mid)
        raise ValueError(t)

    def crafted(self, node):
        """A fresh crafted well-formed datagram of any type but FaultRequest: (type, datagram)."""
        t = self.rng.choice(w.RAFT_TYPES + (16, 17, 18, 19, 21))
        if t in w.RAFT_TYPES:
            ds, _ = self.forged_raft(t, node)
            return t, self.rng.choice(ds)
        return t, self.client_message(t)

    # ------------------------------------------------------------ the generators

    def generate(self):
        """(kind, [(node, port class, socket, datagram)])."""
        if self.keyed:
            got = self.keyed_generate()
            if got is not None:
                return got
        return self.plain()

    def plain(self):
        """The keyless campaign's choice: (kind, [(node, port class, socket, datagram)])."""
        r = self.rng
        node = r.randrange(MEMBERS)
        sock = r.randrange(self.SOCKETS)
        if self.flood_node is not None and r.random() < 0.4:
            return self.reassembly_flood()
        c = r.random()
        if c < 0.06:
            n = r.randint(0, 63)
            return "random.short", [(node, r.randrange(5), sock, r.randbytes(n))]
        if c < 0.12:
            return "random.bytes", [(node, r.randrange(5), sock, r.randbytes(r.randint(64, 1472)))]
        if c < 0.123:
            return "random.huge", [(node, r.randrange(5), sock, r.randbytes(r.randint(1473, w.UDP_BYTES_MAX)))]
        if c < 0.18:
            return self.random_header(node, sock)
        if c < 0.47:
            return self.bitflip(node, sock)
        if c < 0.71:
            t = r.choice(w.RAFT_TYPES)
            ds, claim = self.forged_raft(t, node)
            cls = self.port_for(t)
            return "forged.%s.%s" % (w.TYPE_NAMES[t], claim), [(node, cls, sock, d) for d in ds]
        if c < 0.81:
            return self.header_violation(node, sock)
        if c < 0.89:
            return self.client_abuse(node, sock)
        if c < 0.97:
            return self.chunks(node, sock)
        return self.legit_client(node, sock)

    def random_header(self, node, sock):
        """Valid magic and version, random type byte and random fields: reaches the later checks."""
        r = self.rng
        t = r.choice([0, 10, 15, 22, 255] + list(w.TYPE_NAMES))
        if t == w.FAULT_REQUEST:
            t = w.FAULT_RESPONSE
        body = r.randbytes(r.choice([0, 0, r.randint(1, 200)]))
        plen = len(body) if r.random() < 0.7 else r.randint(0, 300)
        fields = r.randbytes(56)
        d = bytearray(struct.pack(">HBB", w.MAGIC, w.VERSION, t) + fields + body)
        if r.random() < 0.7:
            d[4] = 0 if r.random() < 0.7 else d[4]
            d[5:8] = b"\0\0\0"
        if r.random() < 0.6:
            d[12:16] = b"\x00\x00\x00\x01"
        d[20:24] = struct.pack(">I", plen)
        if r.random() < 0.6:                          # clear top bits of the u64 fields
            for off in range(24, 64, 8):
                d[off] &= 0x7F
        return "random.header", [(node, self.rng.randrange(5), sock, bytes(d))]

    def bitflip(self, node, sock):
        r = self.rng
        if r.random() < 0.4 and self.captured:
            label, d = r.choice(self.captured)
            t = d[3] if len(d) > 3 else 0
        else:
            t, d = self.crafted(node)
            label = "crafted." + w.TYPE_NAMES[t]
        d = bytearray(d)
        if len(d) >= 20:
            d[16:20] = r.randbytes(4)                 # a fresh message id: each copy is a message of its own
        for _ in range(r.choice([1, 1, 1, 1, 2, 2, 3, 4, 8])):
            limit = min(len(d), w.HEADER_BYTES) if r.random() < 0.6 else len(d)
            bit = r.randrange(limit * 8)
            d[bit // 8] ^= 1 << (bit % 8)
        cls = w.TYPE_CLASS.get(t, r.randrange(5)) if r.random() < 0.85 else r.randrange(5)
        return "bitflip." + label, [(node, cls, sock, bytes(d))]

    VIOLATIONS = ("magic", "version", "type", "truncated", "trailing", "flags", "reserved", "unused", "topbit",
                  "src", "dst", "chunk_count0", "chunk_index", "empty_chunk", "wrong_port", "checksum", "body",
                  "incarnation", "members")

    def bad_members(self):
        """The data of a MEMBERS entry that breaks section 5.1 (MALFORMED_BODY)."""
        r = self.rng
        inc = self.pick_incarnation
        return r.choice([
            w.members_data([]),                                         # count 0
            w.members_data([(0, inc()), (1, inc())], count=3),          # a count the length does not match
            w.members_data([(0, inc()), (1, inc())], count=1),
            w.members_data([(0, inc())]) + b"\0",                       # a byte left over
            w.members_data([(0, inc()), (1, inc())])[:-1],              # cut
            b"\x00",                                                    # no count
            w.members_data([(1, inc()), (0, inc())]),                   # ids not ascending
            w.members_data([(1, inc()), (1, inc())]),                   # an id twice
            w.members_data([(0, inc()), (w.NO_NODE, inc())]),           # id 65535
            w.members_data([(0, inc()), (1, 0)]),                       # incarnation 0
            w.members_data([(0, 1 << 63)]),                             # incarnation above 2^63 - 1
        ])

    def header_violation(self, node, sock, made=None):
        """A well-formed message with one thing broken, aimed at one reason of section 7.
        made: the (type, datagram) to break, else a fresh crafted one."""
        r = self.rng
        v = r.choice(self.VIOLATIONS)
        t, d = made or self.crafted(node)
        if v == "checksum":
            f, body, _ = self.forged_raft(w.SNAPSHOT_CHUNK, node, fields_only=True)
            f["commit_index"] = r.choice([1 << 32, w.U63, (1 << 64) - 1])
            t, d = w.SNAPSHOT_CHUNK, w.datagram(w.SNAPSHOT_CHUNK, body, **f)
        elif v == "incarnation":                    # a response without its sender's incarnation
            t = r.choice(sorted(w.RESPONSES))
            f, body, _ = self.forged_raft(t, node, fields_only=True)
            f["commit_index"] = 0
            d = w.datagram(t, body, **f)
        elif v == "members":                        # an AppendRequest with a malformed MEMBERS entry
            f, _, _ = self.forged_raft(w.APPEND_REQUEST, node, fields_only=True)
            et = max(1, min(f["term"], self.term))
            entries = [self.entry(et) for _ in range(r.randint(0, 2))]
            entries.insert(r.randint(0, len(entries)), (et, w.ENTRY_MEMBERS, self.bad_members()))
            prev = f["index_a"] if f["index_a"] < w.U63 - 10 else 5
            f.update(index_a=prev, index_b=prev + len(entries))
            t, d = w.APPEND_REQUEST, w.datagram(w.APPEND_REQUEST, w.entries_body(entries), **f)
        d = bytearray(d)
        cls = w.TYPE_CLASS[t]
        if v == "magic":
            d[0:2] = struct.pack(">H", r.choice([0, 0x4152, 0x5242, r.getrandbits(16) | 1]))
        elif v == "version":
            d[2] = r.choice([0, 2, 255])
        elif v == "type":
            d[3] = r.choice([0, 10, 11, 15, 23, 24, 128, 255])   # 22 is ErrorResponse
        elif v == "truncated":
            d[20:24] = struct.pack(">I", len(d) - 64 + r.choice([1, 2, 1000, 0xFFFFFFFF - len(d)]))
        elif v == "trailing":
            d += r.randbytes(r.randint(1, 16))
        elif v == "flags":
            d[4] |= r.choice([0x40, 0x80, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20])
        elif v == "reserved":
            d[5 + r.randrange(3)] |= 1 << r.randrange(8)
        elif v == "unused":
            off = 24 + 8 * r.randrange(5)
            d[off + 7] |= 1
        elif v == "topbit":
            off = 24 + 8 * r.randrange(5)
            d[off] |= 0x80
        elif v == "src":
            d[8:10] = b"\xff\xff"
        elif v == "dst":
            d[10:12] = struct.pack(">H", r.choice([0xFFFF, 0, 1]))
        elif v == "chunk_count0":
            d[14:16] = b"\0\0"
        elif v == "chunk_index":
            d[12:14] = struct.pack(">H", r.choice([1, 2, 0xFFFF]))
        elif v == "empty_chunk":
            d = d[:64]
            d[20:24] = b"\0\0\0\0"
            d[14:16] = struct.pack(">H", r.choice([2, 3]))
        elif v == "wrong_port":
            cls = r.choice([c for c in range(5) if c != cls])
        elif v == "body":
            extra = r.randbytes(r.randint(1, 8))
            d += extra
            d[20:24] = struct.pack(">I", len(d) - 64)
        return "header." + v, [(node, cls, sock, bytes(d))]

    def client_abuse(self, node, sock):
        """Bad sessions, malformed commands, and answers sent to a node."""
        r = self.rng
        c = r.random()
        mid = r.getrandbits(32)
        if c < 0.25:
            d = w.datagram(w.CLIENT_REQUEST, self.kv_command(), message_id=mid, index_a=r.getrandbits(64) | 1,
                           index_b=0)
            return "client.bad_session", [(node, w.CLIENT, sock, d)]
        if c < 0.55:
            key = self.atk_key()
            bad = r.choice([
                b"\x01\x00\x00" + w.v_int(1),                                   # key length 0
                b"\x01" + struct.pack(">H", 1025) + b"k" * 1025 + w.v_int(1),   # key too long
                b"\x01\x00\x02\xc0\xaf" + w.v_int(1),                           # overlong UTF-8
                b"\x01\x00\x03\xed\xa0\x80" + w.v_int(1),                       # encoded surrogate
                b"\x01\x00\x01\xff" + w.v_int(1),                               # not UTF-8
                bytes([r.choice([0, 6, 7, 255])]) + w.key_bytes(key),           # unknown op
                w.cmd_put(key, w.v_list([w.v_int(1)])),                         # Put of a list
                w.cmd_put(key, b"\x09" + b"\0" * 8),                            # unknown tag
                w.cmd_put(key, w.v_int(1))[:-3],                                # truncated value
                w.cmd_put(key, w.v_int(1)) + b"\0",                             # a byte left over
                w.cmd_get(key) + w.v_int(1),                                    # Get with a value
                w.cmd_cas(key, None, w.v_int(1))[:-9 - 1] + b"\x02" + w.v_int(1),   # presence 2
                w.cmd_put(key, b"\x02" + struct.pack(">I", 3) + b"\xe2\x82"),   # truncated UTF-8 string
                w.cmd_put(key, b"\x02" + struct.pack(">I", 1000) + b"ab"),      # string past the end
                w.cmd_append(key, b"\x04" + struct.pack(">I", 0xFFFFFFFF)),     # list count past the end
                b"",                                                            # empty command
            ])
            d = w.datagram(w.CLIENT_REQUEST, bad, message_id=mid, index_a=r.choice([0, r.getrandbits(64)]),
                           index_b=r.randint(0, 5))
            return "client.malformed", [(node, w.CLIENT, sock, d)]
        if c < 0.75 and self.captured:
            label, d = r.choice(self.captured)
            d = bytearray(d)
            if len(d) >= 20:
                d[16:20] = r.randbytes(4)
            t = d[3] if len(d) > 3 else 0
            return "replayed." + label, [(node, w.TYPE_CLASS.get(t, w.CLIENT), sock, bytes(d))]
        t = r.choice([w.CLIENT_RESPONSE, w.STATUS_RESPONSE, w.FAULT_RESPONSE])
        d = self.client_message(t)
        if r.random() < 0.3:                            # a malformed one
            d = bytearray(d)
            bad = r.choice(["cut", "extra", "byte"])
            if bad == "cut" and len(d) > 65:
                d = d[:-1]
            elif bad == "extra":
                d += b"\x00"
            else:
                i = r.randrange(64, len(d)) if len(d) > 64 else 63
                d[i] ^= 0xFF
            d[20:24] = struct.pack(">I", len(d) - 64)
            return "answer.malformed." + w.TYPE_NAMES[t], [(node, w.CLIENT, sock, bytes(d))]
        return "answer.crafted." + w.TYPE_NAMES[t], [(node, w.CLIENT, sock, d)]

    def chunk_message(self, node):
        """A multi-chunk message: (type, datagrams, port class)."""
        r = self.rng
        c = r.random()
        dmax = r.randint(96, 700)
        if c < 0.35:
            f, _, _ = self.forged_raft(w.APPEND_REQUEST, node, fields_only=True)
            entries = [self.entry(max(1, min(f["term"], self.term))) for _ in range(r.randint(3, 8))]
            entries.append((max(1, min(f["term"], self.term)), w.ENTRY_NORMAL,
                            w.kv_entry(0, 0, 1, w.cmd_put(self.atk_key(), w.v_bytes(r.randbytes(600))))))
            prev = f["index_a"] if f["index_a"] < w.U63 - 20 else 5
            f.update(index_a=prev, index_b=prev + len(entries), log_term=min(f["log_term"], entries[0][0]))
            return w.APPEND_REQUEST, w.datagrams(w.APPEND_REQUEST, w.entries_body(entries), dmax, **f)
        if c < 0.6:
            f, _, _ = self.forged_raft(w.SNAPSHOT_CHUNK, node, fields_only=True)
            image = r.randbytes(r.randint(800, 2500))
            f.update(index_b=0, flags=w.LAST, commit_index=r.choice([w.crc32c(image), 12345]))
            return w.SNAPSHOT_CHUNK, w.datagrams(w.SNAPSHOT_CHUNK, w.snapshot_body(len(image), image), dmax, **f)
        if c < 0.85:
            cid, seq = self.session
            self.session = (cid, seq + 1)
            body = w.cmd_put(self.atk_key(), w.v_bytes(r.randbytes(r.randint(600, 2000))))
            return w.CLIENT_REQUEST, w.datagrams(w.CLIENT_REQUEST, body, dmax, message_id=r.getrandbits(32),
                                                 index_a=cid, index_b=seq + 1)
        counters = {"x.%03d" % i: i for i in range(r.randint(40, 90))}
        body = w.status_body(0, 1, "LEADER", {}, counters)
        return w.STATUS_RESPONSE, w.datagrams(w.STATUS_RESPONSE, body, dmax, src=node, message_id=r.getrandbits(32),
                                              term=1)

    SCENARIOS = ("in_order", "shuffled", "duplicate", "late", "inconsistent_header", "inconsistent_bytes",
                 "count_mismatch", "incomplete", "empty_chunk", "wrong_port")

    def chunks(self, node, sock):
        """One multi-chunk message, sent whole or broken, every chunk from one socket to one node."""
        r = self.rng
        t, ds = self.chunk_message(node)
        ds = ds[:12] if len(ds) > 12 else ds
        if len(ds) < 2:
            return "chunks.single", [(node, w.TYPE_CLASS[t], sock, d) for d in ds]
        if len(ds) != parse_count(ds[0]):
            ds = fix_count(ds)
        cls = w.TYPE_CLASS[t]
        s = r.choice(self.SCENARIOS)
        out = list(ds)
        if s == "shuffled":
            r.shuffle(out)
        elif s == "duplicate":
            i = r.randrange(len(out))
            out.insert(i + 1, out[i])
        elif s == "late":
            out.append(r.choice(ds))
        elif s == "inconsistent_header":
            i = r.randrange(1, len(out))
            d = bytearray(out[i])
            d[r.choice([24 + 7, 32 + 7, 9])] ^= 1          # term, index_a, or src
            out[i] = bytes(d)
        elif s == "inconsistent_bytes":
            i = r.randrange(len(out) - 1)
            d = bytearray(out[i])
            d[-1] ^= 0x55
            out.insert(i + 1, bytes(d))
        elif s == "count_mismatch":
            i = r.randrange(1, len(out))
            d = bytearray(out[i])
            d[14:16] = struct.pack(">H", len(ds) + r.choice([1, 2, -1]))
            out[i] = bytes(d)
        elif s == "incomplete":
            out = r.sample(ds, r.randint(1, len(ds) - 1))
        elif s == "empty_chunk":
            i = r.randrange(len(out))
            d = bytearray(out[i][:64])
            d[20:24] = b"\0\0\0\0"
            out[i] = bytes(d)
        sends = [(node, cls, sock, d) for d in out]
        if s == "wrong_port":
            i = r.randrange(len(sends))
            sends[i] = (node, r.choice([c for c in range(5) if c != cls]), sock, out[i])
        return "chunks.%s.%s" % (s, w.TYPE_NAMES[t]), sends

    FLOOD_PARTIALS = 8          # per port: each gets a chunk well within the 5 s reassembly timeout
    FLOOD_CHUNKS = 1000         # chunks a message claims (1000 x 65,443 bytes is under the 64 MiB message limit)

    def reassembly_flood(self):
        """Opt-in (--reassembly-flood), a reproduction of a finding, not part of the default
        campaign: the largest datagrams (65,507 bytes), each a chunk of a message that never
        completes, round-robin over FLOOD_PARTIALS messages on each of the node's five ports.
        The decoder buffers them before admission looks at the sender, and each port's
        decoder has its own 96 MiB reassembly limit (5 x 96 MiB per node)."""
        r = self.rng
        node = self.flood_node
        cls = self.ticks % 5
        slots = self.flood.setdefault(cls, [[r.getrandbits(32), 0] for _ in range(self.FLOOD_PARTIALS)])
        slot = slots[(self.ticks // 5) % self.FLOOD_PARTIALS]
        if slot[1] >= self.FLOOD_CHUNKS - 1:           # never the last chunk: start another message
            slot[0], slot[1] = r.getrandbits(32), 0
        t = {w.VOTE: w.VOTE_REQUEST, w.HEARTBEAT_CLASS: w.HEARTBEAT, w.APPEND: w.APPEND_REQUEST,
             w.CLIENT: w.CLIENT_REQUEST, w.SNAPSHOT: w.SNAPSHOT_CHUNK}[cls]
        raft = t in w.RAFT_TYPES
        payload = r.randbytes(w.UDP_BYTES_MAX - w.HEADER_BYTES)
        d = w.header(t, len(payload), src=(node + 1) % MEMBERS if raft else w.NO_NODE,
                     dst=node if raft else w.NO_NODE, chunk_index=slot[1], chunk_count=self.FLOOD_CHUNKS,
                     message_id=slot[0], term=1 if raft else 0) + payload
        slot[1] += 1
        return "flood.reassembly", [(node, cls, 0, d)]

    def legit_client(self, node, sock):
        """Requests any client may send: a StatusRequest, a sessioned write of an atk- key, a Get.
        Their answers become templates."""
        r = self.rng
        c = r.random()
        mid = r.getrandbits(32)
        if c < 0.4:
            d = w.datagram(w.STATUS_REQUEST, message_id=mid)
            kind = "client.status_request"
        elif c < 0.75:
            d = self.client_message(w.CLIENT_REQUEST)
            kind = "client.sessioned"
        else:
            d = w.datagram(w.CLIENT_REQUEST, w.cmd_get(self.atk_key()), message_id=mid, index_a=0,
                           index_b=r.getrandbits(32))
            kind = "client.get"
        self.captured.append(("own." + w.TYPE_NAMES[d[3]], d))
        return kind, [(node, w.CLIENT, sock, d)]

    # ------------------------------------------------------------ keyed mode (the nodes have a key)

    def keyed_generate(self):
        """Keyed mode's own share, or None for the keyless campaign's choice (whose datagrams
        carry no AUTH, or AUTH copied from a captured answer with a changed message id)."""
        r = self.rng
        c = r.random()
        node = r.randrange(MEMBERS)
        sock = r.randrange(self.SOCKETS)
        if c < 0.20:
            return self.auth_forgery(node, sock)
        if c < 0.48:
            got = None
            if self.genuine is not None:
                # a replay of a sender's last request: it may still be in flight, or be the
                # session's last one (answered from the cache)
                latest = c >= 0.40 and r.random() < 0.3
                got = self.genuine.pick_latest(r) if latest else self.genuine.pick(r)
            if got is None:
                return None                        # nothing captured yet
            label, ds = got
            if c < 0.35:
                return self.auth_bitflip(node, sock, label, ds)
            if c < 0.40:
                return self.auth_cut(node, sock, label, ds)
            return self.auth_replay(node, sock, label, ds)
        if c < 0.50 and self.keyholder:
            return self.keyholder_probe(node, sock)
        return None

    @staticmethod
    def with_auth(d):
        d = bytearray(d)
        if len(d) > 4:
            d[4] |= w.AUTH
        return bytes(d)

    def auth_forgery(self, node, sock):
        """Any datagram of the keyless campaign, with AUTH and a trailer that is not the key's:
        16 random bytes, the MAC under another key, or no trailer at all."""
        r = self.rng
        kind, sends = self.plain()
        how = r.choice(("random_mac", "random_mac", "other_key", "no_trailer"))
        out = []
        for n, cls, s, d in sends:
            if how == "random_mac":
                d = self.with_auth(d) + r.randbytes(w.MAC_BYTES)
            elif how == "other_key":
                d = w.sign(self.other_key, d)
            else:
                d = self.with_auth(d)
            out.append((n, cls, s, d))
        return "auth.%s.%s" % (how, kind.split(".")[0]), out

    def class_for(self, d):
        t = d[3] if len(d) > 3 else 0
        return w.TYPE_CLASS.get(t, w.CLIENT) if self.rng.random() < 0.9 else self.rng.randrange(5)

    def auth_bitflip(self, node, sock, label, ds):
        """A genuine signed datagram with 1-8 bits flipped: in the header, the payload or the MAC."""
        r = self.rng
        original = r.choice(ds)
        d = bytearray(original)
        n = w.HEADER_BYTES + struct.unpack_from(">I", d, 20)[0]
        flips = r.choice([1, 1, 1, 1, 2, 2, 3, 4, 8])
        while flips > 0 or d == original:           # two flips of one bit would leave it genuine
            flips -= 1
            where = r.random()
            lo, hi = (0, w.HEADER_BYTES) if where < 0.5 or n == w.HEADER_BYTES else \
                (w.HEADER_BYTES, n) if where < 0.75 else (n, len(d))
            bit = r.randrange(lo * 8, hi * 8)
            d[bit // 8] ^= 1 << (bit % 8)
        return "auth.bitflip." + label, [(node, self.class_for(d), sock, bytes(d))]

    def auth_cut(self, node, sock, label, ds):
        """A genuine signed datagram taken apart: without its MAC and AUTH (UNAUTHENTICATED), AUTH
        cleared and the trailer kept, part of the trailer cut, or another datagram's trailer."""
        r = self.rng
        d = r.choice(ds)
        n = w.HEADER_BYTES + struct.unpack_from(">I", d, 20)[0]
        how = r.choice(("stripped", "stripped", "unflagged", "cut_mac", "spliced"))
        if how in ("stripped", "unflagged"):
            b = bytearray(d if how == "unflagged" else d[:n])
            b[4] &= ~w.AUTH & 0xFF
            d = bytes(b)
        elif how == "cut_mac":
            d = d[:len(d) - r.randint(1, w.MAC_BYTES - 1)]
        else:
            other = self.genuine.pick(r)
            trailer = r.choice(other[1])[-w.MAC_BYTES:] if other else d[n:]
            d = d[:n] + (trailer if trailer != d[n:] else r.randbytes(w.MAC_BYTES))
        return "auth.%s.%s" % (how, label), [(node, self.class_for(d), sock, d)]

    def auth_replay(self, node, sock, label, ds):
        """A genuine signed message sent again, byte for byte (its MAC is right): every chunk of
        it, now and then shuffled or only some. A replayed ClientRequest is remembered, so that
        its answer can be judged (judge_answer)."""
        r = self.rng
        ds = list(ds)
        if len(ds) > 1:
            if r.random() < 0.3:
                r.shuffle(ds)
            if r.random() < 0.2:
                ds = ds[:r.randint(1, len(ds) - 1)]
        cls = self.class_for(ds[0])
        h = w.parse_header(ds[0])
        if h.type == w.CLIENT_REQUEST and h.chunk_count == 1:
            body = ds[0][w.HEADER_BYTES:w.HEADER_BYTES + h.payload_length]
            try:
                self.replayed_ops[(h.index_a, h.index_b)] = w.read_command(w.Reader(body))[0]
            except w.Malformed:
                pass
        return "auth.replayed." + label, [(node, cls, sock, d) for d in ds]

    def keyholder_probe(self, node, sock):
        """Datagrams signed with the cluster key (not the attacker's doing: the campaign's own
        key, as a careless key holder) that a right MAC must not let through: sessionless
        writes, one or chunked (SESSIONLESS_WRITE), malformed ones (MALFORMED_BODY first), bad
        sessions, forged Raft messages from a non-member port (the source check still holds),
        header violations, answers sent to a node. None of them is applied."""
        r = self.rng
        key = self.receiver_key
        c = r.random()
        mid = r.getrandbits(32)
        if c < 0.3:
            cmd = r.choice([w.cmd_put, w.cmd_append])(self.atk_key(), self.value()) if r.random() < 0.7 else \
                r.choice([w.cmd_delete(self.atk_key()), w.cmd_cas(self.atk_key(), None, self.value())])
            d = w.datagram(w.CLIENT_REQUEST, cmd, message_id=mid, index_a=0, index_b=r.randint(0, 1 << 20))
            return "keyholder.sessionless_write", [(node, w.CLIENT, sock, w.sign(key, d))]
        if c < 0.4:
            body = w.cmd_put(self.atk_key(), w.v_bytes(r.randbytes(r.randint(600, 2000))))
            ds = w.datagrams(w.CLIENT_REQUEST, body, r.randint(200, 700), message_id=mid, index_a=0, index_b=1)
            return "keyholder.sessionless_write_chunked", [(node, w.CLIENT, sock, w.sign(key, d)) for d in ds]
        if c < 0.5:
            d = w.datagram(w.CLIENT_REQUEST, w.cmd_put(self.atk_key(), w.v_int(1)) + b"\0", message_id=mid,
                           index_a=0, index_b=1)
            return "keyholder.sessionless_malformed", [(node, w.CLIENT, sock, w.sign(key, d))]
        if c < 0.6:
            d = w.datagram(w.CLIENT_REQUEST, self.kv_command(), message_id=mid, index_a=r.getrandbits(64) | 1,
                           index_b=0)
            return "keyholder.bad_session", [(node, w.CLIENT, sock, w.sign(key, d))]
        if c < 0.85:
            t = r.choice(w.RAFT_TYPES)
            ds, claim = self.forged_raft(t, node)
            return "keyholder.forged." + claim, [(node, self.port_for(t), sock, w.sign(key, d)) for d in ds]
        if c < 0.95:
            t = r.choice(w.RAFT_TYPES + (18, 19))      # no ClientRequest: a broken clientId may still be one
            made = (t, r.choice(self.forged_raft(t, node)[0])) if t in w.RAFT_TYPES else (t, self.client_message(t))
            kind, sends = self.header_violation(node, sock, made)
            return "keyholder." + kind, [(n, cls, s, w.sign(key, d)) for n, cls, s, d in sends]
        t = r.choice([w.CLIENT_RESPONSE, w.STATUS_RESPONSE])
        return "keyholder.answer", [(node, w.CLIENT, sock, w.sign(key, self.client_message(t)))]

    def finish_models(self):
        """Every partial message left in the models has expired by now (the nodes expire them
        on a timer): count them."""
        far = now() * 1000.0 + 60_000
        for m in self.models:
            m.expire_all(far)


def parse_count(d):
    return struct.unpack(">H", d[14:16])[0]


def fix_count(ds):
    """The first chunks of a message cut to fewer chunks: renumber the count (the body is
    then shorter than the original, which the decoder judges)."""
    out = []
    for d in ds:
        d = bytearray(d)
        d[14:16] = struct.pack(">H", len(ds))
        out.append(bytes(d))
    return out


# ---------------------------------------------------------------- verification and report

def kernel_udp_errors():
    """System-wide UDP RcvbufErrors and InErrors from /proc/net/snmp (other programs count too)."""
    try:
        with open("/proc/net/snmp") as f:
            lines = [l.split() for l in f if l.startswith("Udp:")]
        names, values = lines[0][1:], [int(v) for v in lines[1][1:]]
        m = dict(zip(names, values))
        return {"RcvbufErrors": m.get("RcvbufErrors", 0), "InErrors": m.get("InErrors", 0)}
    except (OSError, IndexError, ValueError):
        return {}


def counter_sum(snap, name):
    return sum(s["counters"].get(name, 0) for s in snap)


def growth(before, after, prefix):
    """{suffix: growth summed over nodes} for counters starting with prefix."""
    names = set()
    for s in before + after:
        names.update(n for n in s["counters"] if n.startswith(prefix))
    out = {}
    for n in sorted(names):
        g = counter_sum(after, n) - counter_sum(before, n)
        if g:
            out[n[len(prefix):]] = g
    return out


def throughput(acks, t0, t1):
    n = sum(1 for a in acks if t0 <= a[4] < t1)
    return n / (t1 - t0) if t1 > t0 else 0.0


def check_reads(load, results):
    """Every acknowledged Put reads back its value; every list holds each acknowledged append
    once, in order, and nothing that was never sent."""
    problems = []
    puts = [(k, v) for k, v, op, _, _ in load.acks if op == "put"]
    for k, v in puts:
        r = results.get(k)
        if r is None:
            problems.append("acknowledged %s: no answer to its Get" % k)
        elif r[0] != w.R_FOUND or r[1][2] != v:
            problems.append("acknowledged %s = %s: read %r" % (k, v.hex(), r))
    acked_items = collections.defaultdict(list)
    for k, v, op, _, _ in load.acks:
        if op == "append":
            acked_items[k].append(struct.unpack(">q", v[1:])[0])
    for k, sent in load.appends_sent.items():
        r = results.get(k)
        if r is None:
            if acked_items[k]:
                problems.append("list %s: no answer to its Get" % k)
            continue
        if r[0] != w.R_FOUND or r[1][0] != "list":
            problems.append("list %s: read %r" % (k, r))
            continue
        items = [x[1] for x in r[1][1]]
        if len(items) != len(set(items)):
            problems.append("list %s: an append was applied twice: %s" % (k, items))
        if items != sorted(items):
            problems.append("list %s: appends out of order" % k)
        missing = set(acked_items[k]) - set(items)
        if missing:
            problems.append("list %s: acknowledged appends missing: %s" % (k, sorted(missing)[:10]))
        extra = set(items) - set(sent)
        if extra:
            problems.append("list %s: items nobody sent: %s" % (k, sorted(extra)[:10]))
    return problems, len(puts), sum(len(v) for v in acked_items.values())


def converge(ep, cluster, limit_s=15.0):
    """Statuses once all nodes agree on commit, applied and kv.keys (or the last seen)."""
    deadline = now() + limit_s
    snap = None
    while now() < deadline:
        snap = snapshot(ep, cluster)
        if all(s is not None for s in snap):
            key = {(s["commit"], s["applied"], s["counters"].get("kv.keys", 0)) for s in snap}
            if len(key) == 1 and snap[0]["commit"] == snap[0]["applied"]:
                return snap, True
        time.sleep(0.3)
    return snap, False


def predicted_vs_observed(attacker, before, after):
    """Per reason: what the model predicted for the attack's datagrams and what the nodes counted."""
    drops = growth(before, after, "drop.")
    rows = []
    for reason in w.DATAGRAM_REASONS + w.MESSAGE_REASONS + w.PARTIAL_REASONS:
        pred = attacker.partials.get(reason, 0) if reason in w.PARTIAL_REASONS else attacker.predicted.get(reason, 0)
        obs = drops.get(reason, 0)
        if pred or obs:
            rows.append({"reason": reason, "kind": "partial messages" if reason in w.PARTIAL_REASONS else
                         "datagrams" if reason in w.DATAGRAM_REASONS else "messages",
                         "predicted": pred, "observed": obs, "diff": obs - pred})
    for reason in sorted(set(drops) - {r["reason"] for r in rows}):
        rows.append({"reason": reason, "kind": "?", "predicted": 0, "observed": drops[reason],
                     "diff": drops[reason]})
    return rows


RAFT_MESSAGE_REASONS = ("MISADDRESSED", "NOT_MEMBER", "WRONG_SOURCE", "TERM_CEILING", "BAD_CLAIM", "BAD_ENTRY")


def judge_accounting(rows, attacker, before, after, ours_status, ours_load, gap):
    """Failures and notes from the model's predictions against the nodes' counters.

    A node bug moves datagrams from one reason to another (or to admitted) with no gap; a
    datagram the kernel lost shows as a shortfall in one reason and as a gap. So: any excess
    over a prediction fails; shortfalls fail beyond what the gap explains. EVICTED and
    EXPIRED are judged together (which one a partial message meets depends on timing)."""
    tol = max(5, int(0.002 * attacker.total()))
    failures, notes = [], []
    per = {r["reason"]: r for r in rows}
    excess = sum(max(0, r["diff"]) for r in rows if r["kind"] in ("datagrams", "messages", "?"))
    deficit = sum(max(0, -r["diff"]) for r in rows if r["kind"] in ("datagrams", "messages"))
    if excess > tol:
        failures.append("the nodes counted %d drops the model did not predict: %s" % (
            excess, ", ".join("%s %+d" % (r["reason"], r["diff"]) for r in rows if r["diff"] > 0)))
    if deficit > max(0, gap) + tol:
        failures.append("the nodes counted %d fewer drops than predicted, more than the %d datagrams lost: %s" % (
            deficit, gap, ", ".join("%s %+d" % (r["reason"], r["diff"]) for r in rows if r["diff"] < 0)))
    gone_pred = sum(per[r]["predicted"] for r in ("EVICTED", "EXPIRED") if r in per)
    gone_obs = sum(per[r]["observed"] for r in ("EVICTED", "EXPIRED") if r in per)
    if abs(gone_obs - gone_pred) > tol:
        failures.append("partial messages evicted or expired: predicted %d, counted %d" % (gone_pred, gone_obs))
    if "ABANDONED" in per and abs(per["ABANDONED"]["diff"]) > tol:
        failures.append("partial messages abandoned: predicted %d, counted %d" %
                        (per["ABANDONED"]["predicted"], per["ABANDONED"]["observed"]))
    if any(r["diff"] for r in rows):
        notes.append("model vs nodes: %s (tolerance %d)" % (
            ", ".join("%s %+d" % (r["reason"], r["diff"]) for r in rows if r["diff"]), tol))

    rx = growth(before, after, "rx.")
    drops = growth(before, after, "drop.")
    tx = growth(before, after, "tx.")
    raft_names = [w.COUNTER_TYPE_NAMES[t] for t in w.RAFT_TYPES]
    raft_admitted = sum(rx.get(n, 0) for n in raft_names) - sum(drops.get(r, 0) for r in RAFT_MESSAGE_REASONS)
    raft_sent = sum(tx.get(n, 0) for n in raft_names)
    if raft_admitted > raft_sent + max(20, tol):
        failures.append("nodes admitted %d Raft messages, their peers sent %d: forged ones got in" %
                        (raft_admitted, raft_sent))
    status_obs = rx.get("STATUS_REQUEST", 0) - ours_status
    client_obs = rx.get("CLIENT_REQUEST", 0) - ours_load - drops.get("BAD_SESSION", 0)
    admitted = {
        "raft_messages_admitted": raft_admitted, "raft_messages_sent_by_peers": raft_sent,
        "attack_status_requests": {"predicted": attacker.predicted.get(w.ADMITTED_STATUS, 0),
                                   "observed": status_obs},
        "attack_client_requests": {"predicted": attacker.predicted.get(w.ADMITTED_CLIENT, 0),
                                   "observed": client_obs},
    }
    for name in ("attack_status_requests", "attack_client_requests"):
        a = admitted[name]
        if a["observed"] > a["predicted"] + tol:
            failures.append("%s admitted: predicted %d, counted %d" % (name, a["predicted"], a["observed"]))
    return failures, notes, admitted


PAST_THE_MAC = tuple(r for r in w.DATAGRAM_REASONS if r not in w.BEFORE_MAC_REASONS + ("UNAUTHENTICATED", "BAD_MAC")) \
    + w.MESSAGE_REASONS


def judge_keyed(rows, attacker, admitted, refused_here):
    """Keyed mode's own checks, beyond the model's: nothing without a right MAC got past the
    MAC check (a bound that needs no model: what the nodes counted past it, and the attack
    requests they admitted, are at most the datagrams with a right MAC the attack sent);
    UNAUTHENTICATED and BAD_MAC are the largest reasons; every answer of a node carried a
    right MAC; no replayed write was applied again (judge_answer)."""
    failures = []
    tol = max(5, int(0.002 * attacker.total()))
    per = {r["reason"]: r for r in rows}
    right_mac = sum(v for k, v in attacker.auth_classes.items() if k.startswith("AUTH, right MAC"))
    past = sum(per[r]["observed"] for r in PAST_THE_MAC if r in per)
    past += admitted["attack_status_requests"]["observed"] + admitted["attack_client_requests"]["observed"]
    if past > right_mac + tol:
        failures.append("the nodes took %d attack datagrams past the MAC check (drops after it, and admitted "
                        "requests), but only %d carried a right MAC" % (past, right_mac))
    top = sorted(((r["observed"], r["reason"]) for r in rows if r["kind"] == "datagrams"), reverse=True)[:2]
    if {reason for _, reason in top} != {"UNAUTHENTICATED", "BAD_MAC"}:
        failures.append("keyed mode: UNAUTHENTICATED and BAD_MAC should be the two largest drop reasons, not %s" %
                        [reason for _, reason in top])
    if attacker.unsigned_answers:
        failures.append("keyed nodes answered the attacker without a right MAC: %s" % dict(attacker.unsigned_answers))
    if refused_here:
        failures.append("keyed nodes answered the load or the monitor without a right MAC: %s" % dict(refused_here))
    bad = {k: v for k, v in attacker.replay_answers.items() if "AGAIN" in k or k.startswith(("unexpected", "malformed"))}
    if bad:
        failures.append("answers to replayed ClientRequests show a write applied again: %s" % bad)
    return failures


def make_key_file(path):
    """A new file of mode 600 holding 32 random bytes, the cluster key (section 10.3); returns
    the key as the nodes read it (wire.read_key_file: the same rule)."""
    for _ in range(100):
        raw = os.urandom(32)
        if not raw.endswith(b"\n"):      # a reader strips one line ending: keep all 32 bytes the key
            break
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(raw)
    key = w.read_key_file(path)
    if key != raw:
        raise Failed("the key file does not read back as its 32 bytes")
    return key


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60, help="attack duration")
    ap.add_argument("--before", type=float, default=None, help="load alone before the attack (default: 10, 5 for short runs)")
    ap.add_argument("--after", type=float, default=6, help="load after the attack")
    ap.add_argument("--rate", type=int, default=2000, help="attack datagrams per second (at most)")
    ap.add_argument("--workers", type=int, default=4, help="load workers (sessions)")
    ap.add_argument("--fsync", default="always", choices=["always", "batch", "never"])
    ap.add_argument("--with-admin", action="store_true",
                    help="TODO, off: also send FaultRequests (waits for admin gating, see wt-auth)")
    ap.add_argument("--cluster-key", action="store_true",
                    help="keyed mode: the nodes get a random 32-byte key file (--cluster-key FILE); the load and "
                         "the monitor sign with it; the attacker has no key: it sends unauthenticated datagrams, "
                         "wrong MACs, and replays of genuine signed datagrams it captured (docs/hostile.md)")
    ap.add_argument("--no-keyholder", action="store_true",
                    help="keyed mode without the 2 %% of datagrams the campaign signs itself (sessionless "
                         "writes, forged Raft messages, bad sessions: none may get through)")
    ap.add_argument("--reassembly-flood", action="store_true",
                    help="reproduce a finding (docs/hostile.md): also fill the leader's reassembly buffers "
                         "with never-completing 64 KB chunks; fails with a small heap (--java-opts=-Xmx256m)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "hostile"))
    ap.add_argument("--java", default=os.environ.get("JAVA", "java"))
    ap.add_argument("--java-opts", default=os.environ.get("HOSTILE_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC"))
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    if args.with_admin:
        ap.error("--with-admin is a TODO hook: FaultRequests wait for admin gating (cluster key); not in this campaign")
    if args.rate > 2000 or args.rate < 1:
        ap.error("--rate must be 1..2000 datagrams/s")
    if args.seconds <= 0 or args.seconds > 3600:
        ap.error("--seconds must be in (0, 3600]")
    before_s = args.before if args.before is not None else (10.0 if args.seconds >= 40 else 5.0)
    hard = int(args.seconds + before_s + args.after + 150)

    os.makedirs(args.out, exist_ok=True)
    mode = "run-key-" if args.cluster_key else "run-"     # a keyed run keeps the last keyless one, and back
    for old in os.listdir(args.out):                      # earlier runs of ours, of this mode
        if old.startswith(mode) and (args.cluster_key or not old.startswith("run-key-")):
            shutil.rmtree(os.path.join(args.out, old), ignore_errors=True)
    run_dir = os.path.join(args.out, "%s%d-%d" % (mode, args.seed, os.getpid()))
    os.makedirs(run_dir)
    key = key_file = None
    if args.cluster_key:
        key_file = os.path.join(run_dir, "cluster.key")
        key = make_key_file(key_file)

    def on_signal(signum, _frame):
        raise HardTimeout("signal %d" % signum)

    def on_alarm(_signum, _frame):
        raise HardTimeout("hard timeout of %d s" % hard)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(hard)

    cmd = "tools/hostile/hostile.py --seed %d --seconds %g" % (args.seed, args.seconds)
    if args.cluster_key:
        cmd += " --cluster-key" + (" --no-keyholder" if args.no_keyholder else "")
    if args.reassembly_flood:
        cmd += " --reassembly-flood --java-opts='%s'" % args.java_opts
    log("seed %d, attack %g s at <= %d datagrams/s, load %d workers, hard timeout %d s (replay: %s)"
        % (args.seed, args.seconds, args.rate, args.workers, hard, cmd))
    if key is not None:
        log("keyed mode: cluster key %s (fingerprint %s, %d bytes, mode 600)%s" %
            (os.path.relpath(key_file, ROOT), w.fingerprint(key), len(key),
             "" if args.no_keyholder else "; 2 % of the datagrams are signed by the campaign itself (keyholder.*)"))
    cluster = Cluster(run_dir, args.fsync, args.java, args.java_opts.split(), args.log_level, key_file)
    report = {"seed": args.seed, "command": cmd, "attack_seconds": args.seconds, "rate_limit": args.rate,
              "workers": args.workers, "fsync": args.fsync, "ports": cluster.bases, "with_admin": False,
              "reassembly_flood": args.reassembly_flood, "java_opts": args.java_opts,
              "cluster_key": None if key is None else {"fingerprint": w.fingerprint(key), "bytes": len(key),
                                                        "keyholder": not args.no_keyholder}}
    failures = []
    warnings = []
    load = monitor = attacker = None
    main_rng = random.Random("%d/main" % args.seed)
    ep = Endpoint(main_rng, key)
    genuine = Genuine(args.seed) if key is not None else None
    try:
        cluster.start()
        # ---- a leader
        deadline = now() + 40
        lead = None
        while now() < deadline and lead is None:
            if cluster.exited():
                raise Failed("a node exited at start: %s\n%s" % (cluster.exited(), cluster.log_tail(0)))
            lead = leader_of(snapshot(ep, cluster))
            if lead is None:
                time.sleep(0.3)
        if lead is None:
            raise Failed("no leader within 40 s")
        log("leader %d in term %d" % lead)

        # ---- load, then throughput before the attack
        monitor = Monitor(cluster, random.Random("%d/monitor" % args.seed), key=key, genuine=genuine)
        load = Load(cluster, args.seed, args.workers, lead[0], key, genuine)
        load.start()
        monitor.start()
        time.sleep(3.0)                                   # warm-up (the JIT, the first fsyncs)
        t_before = now()
        time.sleep(before_s)
        s0 = snapshot(ep, cluster)
        if any(s is None for s in s0):
            raise Failed("a node did not answer its status before the attack")
        lead0 = leader_of(s0)
        if lead0 is None:
            raise Failed("no single leader just before the attack: %s" %
                         [(s["role"], s["term"], s["leader"]) for s in s0])
        log("before the attack: leader %d term %d, %.0f acknowledged writes/s" %
            (lead0[0], lead0[1], throughput(load.acks, t_before, now())))
        kern0 = kernel_udp_errors()
        ep_sent0 = ep.sent + monitor.ep.sent
        load_sent0 = load.datagrams_sent()
        recv0 = ep.received + monitor.ep.received + load.datagrams_received()

        # ---- attack
        s_lead = s0[lead0[0]]
        attacker = Attacker(cluster, args.seed, args.rate, False, lead0[1], s_lead["commit"], s_lead["last"],
                            flood_node=lead0[0] if args.reassembly_flood else None,
                            counters=[s["counters"] for s in s0], receiver_key=key, genuine=genuine,
                            keyholder=not args.no_keyholder)
        t_attack = now()
        log("attack: %g s from ports %s" % (args.seconds, [s.getsockname()[1] for s in attacker.socks]))
        attack_s = attacker.run(args.seconds)
        t_attack_end = now()
        log("attack over: %d datagrams in %.1f s (%.0f/s), %d bytes" %
            (attacker.total(), attack_s, attacker.total() / max(attack_s, 1e-9), attacker.bytes))

        # ---- healing: load goes on, partial messages expire (5 s), then the load stops
        time.sleep(max(args.after, 5.5))
        t_after_end = now()
        load.finish()
        attacker.drain()
        attacker.finish_models()
        monitor.finish()
        # no attacker datagram may still be in reassembly: wait out the 5 s timeout in full
        time.sleep(max(0.0, t_attack_end + 6.0 - now()))
        s1, agreed = converge(ep, cluster)
        kern1 = kernel_udp_errors()
        ep_sent1 = ep.sent + monitor.ep.sent
        load_sent1 = load.datagrams_sent()
        recv1 = ep.received + monitor.ep.received + load.datagrams_received()

        # ---- checks
        exited = cluster.exited()
        if exited or monitor.exited:
            failures.append("nodes exited: %s" % (exited or monitor.exited))
        if any(s is None for s in s1):
            failures.append("nodes silent after the attack: %s" % [i for i, s in enumerate(s1) if s is None])
            raise Failed("cannot verify: a node does not answer")
        lead1 = leader_of(s1)
        if lead1 != lead0:
            failures.append("leader/term changed: before %s, after %s" % (lead0, lead1))
        if monitor.events:
            failures.append("role/term/leader changes seen during the run: %s" % monitor.events[:10])
        for s in s1:
            if s["counters"].get("node.input_errors", 0):
                failures.append("node %d: node.input_errors = %d" % (s["node"], s["counters"]["node.input_errors"]))
            if s["counters"].get("drop.INTERNAL_ERROR", 0):
                failures.append("node %d: drop.INTERNAL_ERROR = %d" % (s["node"], s["counters"]["drop.INTERNAL_ERROR"]))
        if not agreed:
            failures.append("state machines differ: %s" %
                            [(s["commit"], s["applied"], s["counters"].get("kv.keys")) for s in s1])
        if load.anomalies:
            failures.append("client anomalies: %s" % load.anomalies[:5])

        keys = sorted({a[0] for a in load.acks} | set(load.appends_sent))
        results, read_errors = read_back(cluster, lead1[0] if lead1 else lead0[0], keys,
                                         random.Random("%d/read" % args.seed), key=key)
        failures.extend(read_errors)
        problems, puts_checked, appends_checked = check_reads(load, results)
        failures.extend(problems[:20])
        if len(problems) > 20:
            failures.append("... and %d more read-back problems" % (len(problems) - 20))

        # ---- accounting
        rows = predicted_vs_observed(attacker, s0, s1)
        refused = growth(s0, s1, "refused.")
        if refused:
            failures.append("core refusals during the attack (no forged message should get that far): %s" % refused)
        rx_growth = counter_sum(s1, "rx.datagrams") - counter_sum(s0, "rx.datagrams")
        tx_growth = counter_sum(s1, "tx.datagrams") - counter_sum(s0, "tx.datagrams")
        mine_recv = (recv1 - recv0) + sum(attacker.replies.values())
        ours = attacker.total() + (ep_sent1 - ep_sent0) + (load_sent1 - load_sent0)
        # every datagram a node sends goes to a peer or to one of our sockets, so what the nodes
        # received from us is about rx growth - (tx growth - what our sockets received)
        from_us = rx_growth - (tx_growth - mine_recv)
        gap = ours - from_us
        kern = {k: kern1.get(k, 0) - kern0.get(k, 0) for k in kern1}
        if rx_growth < attacker.total():
            failures.append("rx.datagrams grew by %d, less than the %d attack datagrams sent" %
                            (rx_growth, attacker.total()))
        if gap > max(100, 0.05 * ours):
            failures.append("%d of our %d datagrams are not accounted for by the nodes' counters" % (gap, ours))
        elif gap > 0:
            warnings.append("%d of our %d datagrams not seen in the counters (in flight at a snapshot, or the "
                            "kernel dropped them: UDP RcvbufErrors +%s system-wide)" % (gap, ours,
                                                                                      kern.get("RcvbufErrors")))
        acc_failures, acc_notes, admitted = judge_accounting(rows, attacker, s0, s1, ep_sent1 - ep_sent0,
                                                             load_sent1 - load_sent0, gap)
        failures.extend(acc_failures)
        warnings.extend(acc_notes)
        keyed = None
        if key is not None:
            refused_here = load.refused_answers() + ep.refused + monitor.ep.refused
            keyed = {"fingerprint": w.fingerprint(key),
                     "datagrams_by_authentication": dict(sorted(attacker.auth_classes.items())),
                     "genuine_captured": dict(sorted(genuine.kept.items())),
                     "replayed_client_requests": len(attacker.replayed_ops),
                     "answers_to_replays": dict(sorted(attacker.replay_answers.items())),
                     "answers_without_a_right_mac": {"attacker": dict(attacker.unsigned_answers),
                                                     "load_and_monitor": dict(refused_here)}}
            failures.extend(judge_keyed(rows, attacker, admitted, refused_here))
            # with a key nothing but the load can write: the store holds the load's keys only
            put_keys = {a[0] for a in load.acks if a[2] == "put"}
            most = len(put_keys | {u[0] for u in load.unacked if u[2] == "put"}) + len(load.appends_sent)
            held = max(s["counters"].get("kv.keys", 0) for s in s1)
            keyed["kv_keys"] = {"held": held, "load_keys_at_most": most}
            if held > most:
                failures.append("the store holds %d keys, the load wrote at most %d: an attack write was applied" %
                                (held, most))

        before_rate = throughput(load.acks, t_before, t_attack)
        during_rate = throughput(load.acks, t_attack, t_attack_end)
        after_rate = throughput(load.acks, t_attack_end, t_after_end)
        report.update({
            "datagrams_sent_by_kind": dict(sorted(attacker.sent.items())),
            "datagrams_sent": attacker.total(),
            "bytes_sent": attacker.bytes,
            "attack_rate": round(attacker.total() / max(attack_s, 1e-9), 1),
            "suppressed_fault_requests": attacker.suppressed,
            "send_errors": dict(attacker.send_errors),
            "predicted_outcomes": dict(sorted(attacker.predicted.items())),
            "predicted_by_kind": {k: dict(sorted(v.items())) for k, v in sorted(attacker.by_kind.items())},
            "drops_predicted_vs_observed": rows,
            "drops_by_reason": growth(s0, s1, "drop."),
            "refused_by_reason": refused,
            "replies_to_attacker": {k: {"datagrams": v, "bytes": attacker.reply_bytes[k]}
                                    for k, v in sorted(attacker.replies.items())},
            "admitted": admitted,
            "rx": {"rx_datagrams_growth": rx_growth, "tx_datagrams_growth": tx_growth,
                   "rx_chunks_buffered_growth": counter_sum(s1, "rx.chunks_buffered") -
                   counter_sum(s0, "rx.chunks_buffered"), "predicted_buffered": attacker.predicted.get(w.BUFFERED, 0),
                   "sent_by_us": ours, "attack": attacker.total(), "load": load_sent1 - load_sent0,
                   "status_polls": ep_sent1 - ep_sent0, "received_from_us_estimate": from_us, "gap": gap,
                   "kernel_udp_errors_delta_system_wide": kern,
                   "rx_by_type_growth": {k: v for k, v in growth(s0, s1, "rx.").items() if k.isupper()},
                   "tx_by_type_growth": {k: v for k, v in growth(s0, s1, "tx.").items() if k.isupper()},
                   "received_by_us": mine_recv, "replies_to_attacker": sum(attacker.replies.values())},
            "throughput_writes_per_s": {"before": round(before_rate, 1), "during": round(during_rate, 1),
                                        "after": round(after_rate, 1)},
            "writes": {"acknowledged": len(load.acks), "puts_checked": puts_checked,
                       "appends_checked": appends_checked, "given_up": len(load.unacked),
                       "client_counts": dict(load.counts)},
            "nodes_lost": len(exited),
            "leader_term_before": list(lead0), "leader_term_after": list(lead1) if lead1 else None,
            "role_events": monitor.events,
            "keyed": keyed,
            "final_state": [{"node": s["node"], "role": s["role"], "term": s["term"], "commit": s["commit"],
                             "applied": s["applied"], "kv.keys": s["counters"].get("kv.keys", 0),
                             "input_errors": s["counters"].get("node.input_errors", 0),
                             "inbox_drops": s["counters"].get("node.inbox_drops", 0)} for s in s1],
        })
    except Failed as e:
        failures.append(str(e))
    except HardTimeout as e:
        failures.append("stopped: %s" % e)
    finally:
        signal.alarm(0)
        try:
            if attacker:
                attacker.close()
            if load and not load.stop.is_set():
                load.stop.set()
            if monitor and not monitor.stop.is_set():
                monitor.stop.set()
        finally:
            cluster.stop()
            ep.close()
    report["failures"] = failures
    report["warnings"] = warnings
    report["verdict"] = "PASS" if not failures else "FAIL"
    print_report(report)
    path = os.path.join(args.out, "report-key.json" if key is not None else "report.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    log("report: %s; node logs: %s" % (os.path.relpath(path, ROOT), os.path.relpath(run_dir, ROOT)))
    if failures:
        log("FAIL (seed %d; replay: %s)" % (args.seed, cmd))
        return 1
    log("PASS (seed %d)" % args.seed)
    return 0


def print_report(r):
    out = []
    if "datagrams_sent_by_kind" in r:
        groups = collections.Counter()
        for k, v in r["datagrams_sent_by_kind"].items():
            groups[k.split(".")[0]] += v
        out.append("datagrams sent: %d (%d bytes, %.0f/s), by group: %s" %
                   (r["datagrams_sent"], r["bytes_sent"], r["attack_rate"],
                    ", ".join("%s %d" % kv for kv in sorted(groups.items()))))
        out.append("by kind:")
        kinds = ["%s %d" % kv for kv in sorted(r["datagrams_sent_by_kind"].items())]
        width = max(len(k) for k in kinds) + 2 if kinds else 0
        for i in range(0, len(kinds), 3):
            out.append("  " + "".join(k.ljust(width) for k in kinds[i:i + 3]).rstrip())
        out.append("drops, summed over the nodes (model's prediction for our datagrams / nodes' counters):")
        for row in r["drops_predicted_vs_observed"]:
            out.append("  %-20s %-17s predicted %7d  counted %7d%s" %
                       (row["reason"], row["kind"], row["predicted"], row["observed"],
                        "" if row["diff"] == 0 else "  (%+d)" % row["diff"]))
        out.append("refused.*: %s" % (r["refused_by_reason"] or "none"))
        rx = r["rx"]
        out.append("rx.datagrams grew %d (>= %d attack datagrams); ours %d (attack %d, load %d, status %d), "
                   "nodes got about %d of them (gap %d); kernel UDP errors +%s (system-wide)" %
                   (rx["rx_datagrams_growth"], rx["attack"], rx["sent_by_us"], rx["attack"], rx["load"],
                    rx["status_polls"], rx["received_from_us_estimate"], rx["gap"],
                    rx["kernel_udp_errors_delta_system_wide"]))
        a = r["admitted"]
        out.append("admitted: Raft messages %d, sent by peers %d (none forged got in); attack StatusRequests "
                   "predicted %d, counted %d; attack ClientRequests predicted %d, counted %d; FaultRequests "
                   "suppressed (never sent): %d" %
                   (a["raft_messages_admitted"], a["raft_messages_sent_by_peers"],
                    a["attack_status_requests"]["predicted"], a["attack_status_requests"]["observed"],
                    a["attack_client_requests"]["predicted"], a["attack_client_requests"]["observed"],
                    r["suppressed_fault_requests"]))
        out.append("answers to the attacker: %s" % (", ".join(
            "%s %d (%d bytes)" % (k, v["datagrams"], v["bytes"]) for k, v in r["replies_to_attacker"].items())
            or "none"))
        k = r.get("keyed")
        if k:
            out.append("authentication (cluster key %s): attack datagrams by what they carry: %s" %
                       (k["fingerprint"], ", ".join("%s %d" % kv for kv in k["datagrams_by_authentication"].items())))
            out.append("genuine signed messages captured: %s" %
                       ", ".join("%s %d" % kv for kv in k["genuine_captured"].items()))
            out.append("replayed ClientRequests (distinct clientId, seq): %d; the nodes' answers to replays: %s" %
                       (k["replayed_client_requests"], ", ".join("%s %d" % kv for kv in k["answers_to_replays"].items())
                        or "none"))
            out.append("kv.keys %d, keys the load wrote at most %d (no attack write applied)" %
                       (k["kv_keys"]["held"], k["kv_keys"]["load_keys_at_most"]))
            bad = k["answers_without_a_right_mac"]
            out.append("answers without a right MAC: %s" %
                       ("none" if not bad["attacker"] and not bad["load_and_monitor"] else bad))
        tp = r["throughput_writes_per_s"]
        out.append("throughput (acknowledged writes/s): before %.1f, during %.1f, after %.1f" %
                   (tp["before"], tp["during"], tp["after"]))
        wr = r["writes"]
        out.append("writes: %d acknowledged, %d puts and %d appends read back, %d given up; client %s" %
                   (wr["acknowledged"], wr["puts_checked"], wr["appends_checked"], wr["given_up"],
                    wr["client_counts"]))
        out.append("nodes lost: %d; leader/term before %s, after %s; role changes: %d" %
                   (r["nodes_lost"], r["leader_term_before"], r["leader_term_after"], len(r["role_events"])))
        for s in r["final_state"]:
            out.append("  node %(node)d %(role)-9s term %(term)d commit %(commit)d applied %(applied)d "
                       "kv.keys %(kv.keys)d input_errors %(input_errors)d inbox_drops %(inbox_drops)d" % s)
    for wmsg in r["warnings"]:
        out.append("warning: " + wmsg)
    for f in r["failures"]:
        out.append("FAILED: " + f)
    out.append("verdict: %s (seed %d)" % (r["verdict"], r["seed"]))
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
