"""A small independent raftudp client in Python, written from docs/wire-format.md alone.

The scenarios use it to watch the cluster (who leads, terms, commit indexes) without
depending on raft-client.jar's output format, and to read values back. Run inside a host:
  python3 mininet/raftprobe.py status 10.0.1.1 10.0.2.2 10.0.3.3      (one JSON line per node)
  python3 mininet/raftprobe.py get KEY --nodes 10.0.1.1,10.0.2.2,10.0.3.3
  python3 mininet/raftprobe.py put KEY VALUE --nodes ...      (VALUE: int, s:TEXT or file:PATH)
  python3 mininet/raftprobe.py fault 10.0.1.1 [--set IP=DELAY_MS,JITTER_MS,DUP_PPM[,LOSS_PPM] ...] [--clear IP ...]
                                            (sets and clears the node's fault rules, then prints them)
Every request is bounded: a timeout per try and a fixed number of tries.
"""
import argparse
import hashlib
import json
import os
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x5241, 1
NO_NODE = 0xFFFF
CLIENT_PORT = 0x9994
HEADER = struct.Struct(">HBBB3sHHHHIIQQQQQ")   # docs/wire-format.md section 3, 64 bytes
T_CLIENT_REQUEST, T_CLIENT_RESPONSE, T_STATUS_REQUEST, T_STATUS_RESPONSE = 16, 17, 18, 19
T_FAULT_REQUEST, T_FAULT_RESPONSE = 20, 21
FAULT_SHOW, FAULT_SET, FAULT_CLEAR, FAULT_CLEAR_ALL = 0, 1, 2, 3
STATUS_NAMES = {0: "OK", 1: "NOT_LEADER", 2: "RETRY"}
assert HEADER.size == 64


DATAGRAM_MAX = 1472   # section 6: 1500-byte MTU - 20 IPv4 - 8 UDP


def header(msg_type, message_id, payload_len, index_a=0, index_b=0, chunk_index=0, chunk_count=1):
    return HEADER.pack(MAGIC, VERSION, msg_type, 0, b"\0\0\0", NO_NODE, NO_NODE, chunk_index, chunk_count,
                       message_id & 0xFFFFFFFF, payload_len, 0, index_a, index_b, 0, 0)


def datagrams(msg_type, message_id, body, index_a=0, index_b=0, datagram_max=DATAGRAM_MAX):
    """A message as its datagrams (section 6): the body split in chunks, each with the header."""
    room = datagram_max - 64
    n = max(1, -(-len(body) // room))
    if n > 0xFFFF:
        raise ValueError("message too large for %d-byte datagrams" % datagram_max)
    return [header(msg_type, message_id, len(body[i * room:(i + 1) * room]), index_a, index_b, i, n)
            + body[i * room:(i + 1) * room] for i in range(n)]


def parse_header(data):
    if len(data) < 64:
        raise ValueError("short datagram (%d bytes)" % len(data))
    f = HEADER.unpack_from(data)
    names = ("magic", "version", "msg_type", "flags", "reserved", "src_id", "dst_id", "chunk_index",
             "chunk_count", "message_id", "payload_length", "term", "index_a", "index_b", "log_term",
             "commit_index")
    h = dict(zip(names, f))
    if h["magic"] != MAGIC or h["version"] != VERSION:
        raise ValueError("not a raftudp v1 datagram")
    return h


def encode_value(v):
    if isinstance(v, bool):
        raise TypeError("no booleans on the wire")
    if isinstance(v, int):
        return struct.pack(">Bq", 1, v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return struct.pack(">BI", 2, len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        return struct.pack(">BI", 3, len(v)) + bytes(v)
    raise TypeError(type(v))


def decode_value(b, at):
    tag = b[at]
    if tag == 1:
        return struct.unpack_from(">q", b, at + 1)[0], at + 9
    if tag in (2, 3):
        n = struct.unpack_from(">I", b, at + 1)[0]
        raw = bytes(b[at + 5:at + 5 + n])
        return (raw.decode("utf-8") if tag == 2 else raw), at + 5 + n
    if tag == 4:
        n, at = struct.unpack_from(">I", b, at + 1)[0], at + 5
        out = []
        for _ in range(n):
            v, at = decode_value(b, at)
            out.append(v)
        return out, at
    raise ValueError("unknown value tag %d" % tag)


def command(op, key, value=None):
    k = key.encode("utf-8")
    body = struct.pack(">BH", op, len(k)) + k
    return body + (encode_value(value) if value is not None else b"")


def client_request(message_id, client_id, seq, body):
    """One ClientRequest datagram (bodies up to 1408 bytes; see `datagrams` for larger)."""
    d = datagrams(T_CLIENT_REQUEST, message_id, body, client_id, seq)
    if len(d) != 1:
        raise ValueError("body of %d bytes needs %d datagrams" % (len(body), len(d)))
    return d[0]


def decode_status(data):
    h = parse_header(data)
    b = data[64:]
    leader, applied, rlen = struct.unpack_from(">HQB", b)
    role = b[11:11 + rlen].decode("ascii")
    at = 11 + rlen
    (peers,) = struct.unpack_from(">H", b, at)
    at += 2
    match = {}
    for _ in range(peers):
        pid, mi = struct.unpack_from(">HQ", b, at)
        match[pid] = mi
        at += 10
    (ncounters,) = struct.unpack_from(">H", b, at)
    at += 2
    counters = {}
    for _ in range(ncounters):
        n = b[at]
        name = b[at + 1:at + 1 + n].decode("ascii")
        (val,) = struct.unpack_from(">q", b, at + 1 + n)
        counters[name] = val
        at += 1 + n + 8
    return dict(id=h["src_id"], role=role, term=h["term"], leader=None if leader == NO_NODE else leader,
                first_index=h["index_a"], last_index=h["index_b"], commit=h["commit_index"], applied=applied,
                match=match, counters=counters)


def decode_client_response(data):
    h = parse_header(data)
    b = data[64:]
    status, hint = struct.unpack_from(">BH", b)
    out = dict(status=STATUS_NAMES.get(status, status), leader_hint=None if hint == NO_NODE else hint,
               client_id=h["index_a"], seq=h["index_b"])
    if status == 0:
        code = b[3]
        out["result"] = {1: "Ok", 2: "Found", 3: "NotFound", 4: "CasFailed", 5: "Appended",
                         6: "WrongType", 7: "SessionExpired"}.get(code, code)
        if code == 2:
            out["value"], _ = decode_value(b, 4)
    return out


def fault_target(target):
    """Section 5.7: length 0 for the default rule ('*'), else 4 IPv4 bytes."""
    return b"\0" if target == "*" else b"\4" + socket.inet_aton(target)


def fault_request_body(op, target=None, rule=(0, 0, 0, 0)):
    """op, then for SET target and rule (lossPpm, delayMs, jitterMs, duplicatePpm), for CLEAR the target."""
    body = struct.pack(">B", op)
    if op in (FAULT_SET, FAULT_CLEAR):
        body += fault_target(target)
    if op == FAULT_SET:
        body += struct.pack(">IIII", *rule)
    return body


def decode_fault_response(data):
    """{'id': node, 'rules': [{target, loss_ppm, delay_ms, jitter_ms, dup_ppm}]} (section 5.7)."""
    h = parse_header(data)
    b = data[64:64 + h["payload_length"]]
    (count,) = struct.unpack_from(">H", b)
    at, rules = 2, []
    for _ in range(count):
        n = b[at]
        target = "*" if n == 0 else socket.inet_ntoa(bytes(b[at + 1:at + 5]))
        at += 1 + n
        loss, delay, jitter, dup = struct.unpack_from(">IIII", b, at)
        at += 16
        rules.append(dict(target=target, loss_ppm=loss, delay_ms=delay, jitter_ms=jitter, dup_ppm=dup))
    return dict(id=h["src_id"], rules=rules)


class Probe:
    """Bounded request/response over one UDP socket (kernel UDP, any source port)."""

    def __init__(self, timeout_s=0.5, tries=3, pace_us=0):
        self.pace_s = pace_us / 1e6   # gap between the datagrams of a multi-datagram request
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout_s)
        try:   # room for a 1 MiB answer arriving in one burst (FORCE: root may pass rmem_max)
            self.sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 8 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.tries = tries
        self.message_id = int.from_bytes(os.urandom(4), "big")

    def ask(self, addr, sends, want_type):
        """Sends the datagrams `sends` (bytes or a list) to addr's client port and returns the
        whole body-bearing answer of type want_type (chunks reassembled), or None. Bounded."""
        sends = [sends] if isinstance(sends, (bytes, bytearray)) else sends
        for _ in range(self.tries):
            slot = time.monotonic()
            for d in sends:
                if self.pace_s and len(sends) > 1:   # never before its slot (software switches drop bursts)
                    while time.monotonic() < slot:
                        time.sleep(max(0.0, slot - time.monotonic()))
                    slot = max(slot, time.monotonic()) + self.pace_s
                self.sock.sendto(d, (addr, CLIENT_PORT))
            chunks, first = {}, None
            deadline = time.time() + self.sock.gettimeout() * max(1, len(sends) // 100)
            while time.time() < deadline:
                try:
                    data, _ = self.sock.recvfrom(65535)
                except socket.timeout:
                    break
                try:
                    h = parse_header(data)
                except ValueError:
                    continue
                if h["msg_type"] != want_type:
                    continue
                if h["chunk_count"] == 1:
                    return data
                if first is None or (h["message_id"], h["src_id"]) != (first["message_id"], first["src_id"]):
                    first, chunks = h, {}
                    deadline = max(deadline, time.time() + 2.0)
                chunks[h["chunk_index"]] = data[64:64 + h["payload_length"]]
                if len(chunks) == h["chunk_count"]:
                    body = b"".join(chunks[i] for i in range(h["chunk_count"]))
                    return data[:64] + body
        return None

    def status(self, addr):
        self.message_id += 1
        start = time.monotonic()
        data = self.ask(addr, header(T_STATUS_REQUEST, self.message_id, 0), T_STATUS_RESPONSE)
        if not data:
            return None
        s = decode_status(data)
        s["rtt_ms"] = round((time.monotonic() - start) * 1000, 3)
        return s

    def fault(self, addr, op, target=None, rule=(0, 0, 0, 0)):
        """One FaultRequest; the node's rules in force afterwards, or None when it did not answer."""
        self.message_id += 1
        body = fault_request_body(op, target, rule)
        data = self.ask(addr, header(T_FAULT_REQUEST, self.message_id, len(body)) + body, T_FAULT_RESPONSE)
        return decode_fault_response(data) if data else None

    def request(self, nodes, body, client_id, seq, attempts=20):
        """Sends one command, following NOT_LEADER hints; returns the response dict or None."""
        target = 0
        for _ in range(attempts):
            self.message_id += 1
            start = time.monotonic()
            data = self.ask(nodes[target], datagrams(T_CLIENT_REQUEST, self.message_id, body, client_id, seq),
                            T_CLIENT_RESPONSE)
            if data is None:
                target = (target + 1) % len(nodes)
                continue
            r = decode_client_response(data)
            if r["status"] == "OK":
                r["node"] = nodes[target]
                r["rtt_ms"] = round((time.monotonic() - start) * 1000, 3)   # the answered attempt
                return r
            if r["status"] == "NOT_LEADER" and r["leader_hint"] is not None and r["leader_hint"] < len(nodes):
                target = r["leader_hint"]
            else:
                time.sleep(0.2)
                target = (target + 1) % len(nodes) if r["leader_hint"] is None else target
        return None


def parse_value(text):
    """'s:TEXT' a string, 'file:PATH' the file's bytes, otherwise an int."""
    if text.startswith("s:"):
        return text[2:]
    if text.startswith("file:"):
        with open(text[5:], "rb") as f:
            return f.read()
    return int(text)


def parse_fault_set(item):
    """'10.0.2.2=5,1,0' -> ('10.0.2.2', (loss_ppm, delay_ms, jitter_ms, dup_ppm))."""
    target, _, values = item.partition("=")
    v = [int(x) for x in values.split(",")]
    if len(v) not in (3, 4):
        raise ValueError("--set %s: IP=DELAY_MS,JITTER_MS,DUP_PPM[,LOSS_PPM]" % item)
    return target, (v[3] if len(v) == 4 else 0, v[0], v[1], v[2])


def fault_main(probe, args):
    """Sends the --clear and --set requests in order, then SHOW; prints the rules as one JSON line."""
    if len(args.args) != 1:
        print(json.dumps(dict(error="fault takes one node address")))
        return 2
    addr = args.args[0]
    steps = [(FAULT_CLEAR, t, (0, 0, 0, 0)) for t in args.clear] + \
        [(FAULT_SET,) + parse_fault_set(s) for s in args.set] + [(FAULT_SHOW, None, (0, 0, 0, 0))]
    r = None
    for op, target, rule in steps:
        r = probe.fault(addr, op, target, rule)
        if r is None:
            print(json.dumps(dict(addr=addr, down=True)))
            return 1
    print(json.dumps(dict(addr=addr, **r)))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="raftudp probe (status, get, put, fault)")
    ap.add_argument("op", choices=["status", "get", "put", "fault"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--nodes", default="10.0.1.1,10.0.2.2,10.0.3.3")
    ap.add_argument("--timeout", type=float, default=0.5)
    ap.add_argument("--tries", type=int, default=3)
    ap.add_argument("--pace-us", type=int, default=0, help="space a large request's datagrams (BMv2: 200)")
    ap.add_argument("--set", action="append", default=[], metavar="IP=DELAY_MS,JITTER_MS,DUP_PPM[,LOSS_PPM]")
    ap.add_argument("--clear", action="append", default=[], metavar="IP")
    args = ap.parse_args(argv)
    probe = Probe(timeout_s=args.timeout, tries=max(1, min(args.tries, 20)), pace_us=max(0, min(args.pace_us, 100_000)))
    if args.op == "fault":
        return fault_main(probe, args)
    if args.op == "status":
        for addr in args.args or args.nodes.split(","):
            s = probe.status(addr)
            print(json.dumps(dict(addr=addr, **s) if s else dict(addr=addr, down=True)))
        return 0
    nodes = args.nodes.split(",")
    client_id = int.from_bytes(os.urandom(8), "big") or 1
    if args.op == "get":
        r = probe.request(nodes, command(2, args.args[0]), client_id, 1)
    else:
        r = probe.request(nodes, command(1, args.args[0], parse_value(args.args[1])), client_id, 1)
    if r is None:
        print(json.dumps(dict(error="no answer")))
        return 1
    if isinstance(r.get("value"), (bytes, str)) and len(r["value"]) > 256:
        raw = r["value"] if isinstance(r["value"], bytes) else r["value"].encode("utf-8")
        r["value"] = dict(type=type(r["value"]).__name__, length=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    elif isinstance(r.get("value"), bytes):
        r["value"] = dict(type="bytes", hex=r["value"].hex())
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
