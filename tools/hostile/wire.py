"""raftudp wire format, version 1, written from docs/wire-format.md alone (Python 3 stdlib).

Two halves:
  - crafting: header(), datagrams(), values, commands, key-value log entries, bodies of every
    message type, CRC32C (table-driven), so that the attacker builds every byte by hand;
  - authentication (section 10): the MAC trailer (HMAC-SHA256 truncated to 16 bytes), sign()
    and verify(), the key file;
  - a receiver model: predict() runs a datagram through the checks of sections 6, 7 and 7.1 in
    the spec's order and says what a node should do with it (a drop reason, "buffered" as a
    chunk, or admitted), for a node without a cluster key or with one. The campaign compares
    its predictions with the nodes' counters.

Nothing here talks to the network.
"""
import collections
import hashlib
import hmac
import re
import struct
import time

MAGIC = 0x5241
VERSION = 1
NO_NODE = 0xFFFF
NODE_ID_MAX = 0xFFFE
HEADER = struct.Struct(">HBBB3sHHHHIIQQQQQ")   # section 3: 64 bytes
HEADER_BYTES = 64
U63 = (1 << 63) - 1
U64 = (1 << 64) - 1
TERM_MAX = 1 << 48                            # section 3.3
UDP_BYTES_MAX = 65507
DATAGRAM_DEFAULT = 1472
assert HEADER.size == HEADER_BYTES

# section 4
VOTE_REQUEST, VOTE_RESPONSE, APPEND_REQUEST, APPEND_RESPONSE = 1, 2, 3, 4
HEARTBEAT, HEARTBEAT_RESPONSE, SNAPSHOT_CHUNK, SNAPSHOT_RESPONSE, TIMEOUT_NOW = 5, 6, 7, 8, 9
CLIENT_REQUEST, CLIENT_RESPONSE, STATUS_REQUEST, STATUS_RESPONSE = 16, 17, 18, 19
FAULT_REQUEST, FAULT_RESPONSE, ERROR_RESPONSE = 20, 21, 22
TYPE_NAMES = {
    1: "VoteRequest", 2: "VoteResponse", 3: "AppendRequest", 4: "AppendResponse", 5: "Heartbeat",
    6: "HeartbeatResponse", 7: "SnapshotChunk", 8: "SnapshotResponse", 9: "TimeoutNow",
    16: "ClientRequest", 17: "ClientResponse", 18: "StatusRequest", 19: "StatusResponse",
    20: "FaultRequest", 21: "FaultResponse", 22: "ErrorResponse",
}
# The status counters name types in upper snake case: rx.APPEND_REQUEST
COUNTER_TYPE_NAMES = {
    1: "VOTE_REQUEST", 2: "VOTE_RESPONSE", 3: "APPEND_REQUEST", 4: "APPEND_RESPONSE", 5: "HEARTBEAT",
    6: "HEARTBEAT_RESPONSE", 7: "SNAPSHOT_CHUNK", 8: "SNAPSHOT_RESPONSE", 9: "TIMEOUT_NOW",
    16: "CLIENT_REQUEST", 17: "CLIENT_RESPONSE", 18: "STATUS_REQUEST", 19: "STATUS_RESPONSE",
    20: "FAULT_REQUEST", 21: "FAULT_RESPONSE", 22: "ERROR_RESPONSE",
}
RAFT_TYPES = tuple(range(1, 10))

# section 2: port classes, in the order of a base port's offsets (docs/node.md)
VOTE, HEARTBEAT_CLASS, APPEND, CLIENT, SNAPSHOT = 0, 1, 2, 3, 4
CLASS_NAMES = ("vote", "heartbeat", "append", "client", "snapshot")
TYPE_CLASS = {1: VOTE, 2: VOTE, 9: VOTE, 3: APPEND, 4: APPEND, 5: HEARTBEAT_CLASS, 6: HEARTBEAT_CLASS,
              7: SNAPSHOT, 8: SNAPSHOT, 16: CLIENT, 17: CLIENT, 18: CLIENT, 19: CLIENT, 20: CLIENT, 21: CLIENT,
              22: CLIENT}

# section 3.1
PRE_VOTE, TRANSFER, GRANTED, SUCCESS, LAST, DONE = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
AUTH = 0x80                      # section 10: a 16-byte MAC trailer follows the payload
MAC_BYTES = 16
FLAGS_ALLOWED = {1: PRE_VOTE | TRANSFER, 2: PRE_VOTE | GRANTED, 4: SUCCESS, 7: LAST, 8: DONE}

# section 3.2: which of the five u64 fields each type uses (term, index_a, index_b, log_term, commit_index)
T, A, B, LT, CI = "term", "index_a", "index_b", "log_term", "commit_index"
LONG_FIELDS = (T, A, B, LT, CI)
FIELDS_USED = {
    1: {T, A, LT}, 2: {T, CI}, 3: {T, A, B, LT, CI}, 4: {T, A, B, LT, CI}, 5: {T, A, B, CI}, 6: {T, A, CI},
    7: {T, A, B, LT, CI}, 8: {T, A, B, CI}, 9: {T}, 16: {A, B}, 17: {A, B}, 18: set(),
    19: {T, A, B, CI}, 20: set(), 21: set(), 22: set(),
}
# section 3.2: the Raft responses carry their sender's incarnation in commit_index, 1 .. 2^63 - 1
# (0 is BAD_FIELD); a Heartbeat carries the receiver's incarnation in index_b (0 = none recorded)
RESPONSES = frozenset((VOTE_RESPONSE, APPEND_RESPONSE, HEARTBEAT_RESPONSE, SNAPSHOT_RESPONSE))

# section 5.3 / 5.4
OP_PUT, OP_GET, OP_DELETE, OP_CAS, OP_APPEND = 1, 2, 3, 4, 5
ST_OK, ST_NOT_LEADER, ST_RETRY = 0, 1, 2
R_OK, R_FOUND, R_NOT_FOUND, R_CAS_FAILED, R_APPENDED, R_WRONG_TYPE, R_SESSION_EXPIRED = 1, 2, 3, 4, 5, 6, 7
KV_KEY_BYTES_MAX = 1024          # section 5.3: a command's key (not the cluster key of section 10)
ENTRY_NOOP, ENTRY_NORMAL, ENTRY_MEMBERS = 0, 1, 2   # section 5.1
ENTRY_KINDS = (ENTRY_NOOP, ENTRY_NORMAL, ENTRY_MEMBERS)

# sections 6, 7, 7.1: what the receiver model can say
TYPES_WITH_BODY = frozenset((3, 7, 16, 17, 19, 20, 21, 22))   # the others are one empty datagram (section 6)
DATAGRAM_REASONS = ("SHORT", "BAD_MAGIC", "BAD_VERSION", "UNKNOWN_TYPE", "TRUNCATED", "TRAILING_BYTES",
                    "UNAUTHENTICATED", "BAD_MAC", "BAD_FLAGS", "BAD_FIELD", "BAD_CHUNK", "WRONG_PORT",
                    "INCONSISTENT_CHUNK", "DUPLICATE_CHUNK", "LATE_CHUNK", "TOO_LARGE", "UNADMITTED_CHUNK",
                    "MALFORMED_BODY", "SESSIONLESS_WRITE", "REPLAYED", "INTERNAL_ERROR")
# the reasons judged before the MAC: a datagram without a right MAC can still end in one of these
BEFORE_MAC_REASONS = ("SHORT", "BAD_MAGIC", "BAD_VERSION", "UNKNOWN_TYPE", "TRUNCATED", "TRAILING_BYTES")
MESSAGE_REASONS = ("MISADDRESSED", "NOT_MEMBER", "WRONG_SOURCE", "TERM_CEILING", "BAD_CLAIM", "BAD_ENTRY",
                   "BAD_SESSION", "UNEXPECTED_TYPE")
PARTIAL_REASONS = ("EVICTED", "EXPIRED", "ABANDONED")
BUFFERED = "buffered"                 # a chunk held in reassembly (rx.chunks_buffered)
ADMITTED_STATUS = "admitted.StatusRequest"
ADMITTED_CLIENT = "admitted.ClientRequest"
ADMITTED_RAFT = "admitted.raft"       # never expected from a non-member port
ADMITTED_FAULT = "admitted.FaultRequest"


# ---------------------------------------------------------------- CRC32C (Castagnoli), table-driven

def _crc32c_table():
    poly = 0x82F63B78                 # 0x1EDC6F41 bit-reversed
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC32C of data; pass a previous result as crc to continue it."""
    c = crc ^ 0xFFFFFFFF
    t = _CRC_TABLE
    for byte in data:
        c = t[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# ---------------------------------------------------------------- authentication (section 10)

KEY_BYTES_MIN, KEY_BYTES_MAX = 16, 1024


def hex_dumps(markdown):
    """The bytes of each block of "offset  hex bytes" lines in markdown (docs/wire-format.md's
    dumps, as WireGoldenTest.hexDumps reads them), in order."""
    dumps, current = [], None
    for line in markdown.split("\n"):
        if re.fullmatch(r"[0-9a-f]{4}  [0-9a-f]{2}( {1,2}[0-9a-f]{2})*", line):
            current = (current or "") + line[6:].replace(" ", "")
        elif current is not None:
            dumps.append(bytes.fromhex(current))
            current = None
    if current is not None:
        dumps.append(bytes.fromhex(current))
    return dumps


def mac(key, data):
    """The MAC trailer of data (every byte before the trailer): HMAC-SHA256(key, data), its
    first 16 bytes (section 10.2)."""
    return hmac.digest(key, data, "sha256")[:MAC_BYTES]


REQUEST_WINDOW_MS = 120_000   # section 10.5: a keyed ClientRequest's issue time, at most this far off


def sign(key, d):
    """Datagram d (header and payload, no trailer) as a sender with key sends it: AUTH set in
    its flags, a ClientRequest's issue time (section 10.5) in log_term when it holds none yet
    (this clock, to the second, so that the chunks of one message agree), then the MAC of
    every byte of it appended. d is taken as it is, right or wrong: signing a broken
    datagram makes a broken datagram with a right MAC."""
    d = bytearray(d)
    if len(d) > 4:
        d[4] |= AUTH
    if len(d) >= HEADER_BYTES and d[3] == CLIENT_REQUEST and d[48:56] == bytes(8):
        d[48:56] = struct.pack(">Q", int(time.time()) * 1000)
    d = bytes(d)
    return d + mac(key, d)


def verify(key, d):
    """True when d carries AUTH, is exactly 64 + payload_length + 16 bytes, and its trailer is
    the MAC of the rest under key (compared in constant time)."""
    if len(d) < HEADER_BYTES + MAC_BYTES or not d[4] & AUTH:
        return False
    n = HEADER_BYTES + struct.unpack_from(">I", d, 20)[0]
    if n != len(d) - MAC_BYTES:
        return False
    return hmac.compare_digest(mac(key, d[:n]), d[n:])


def key_from_bytes(raw):
    """The key a key file of these bytes holds: without one trailing \\n or \\r\\n, 16 to 1024
    bytes (section 10.3); ValueError otherwise."""
    if raw.endswith(b"\r\n"):
        raw = raw[:-2]
    elif raw.endswith(b"\n"):
        raw = raw[:-1]
    if not KEY_BYTES_MIN <= len(raw) <= KEY_BYTES_MAX:
        raise ValueError("a cluster key is %d..%d bytes, this one %d" % (KEY_BYTES_MIN, KEY_BYTES_MAX, len(raw)))
    return bytes(raw)


def read_key_file(path):
    with open(path, "rb") as f:
        return key_from_bytes(f.read())


def fingerprint(key):
    """What logs show of a key: the first 4 bytes of its SHA-256, in hex."""
    return hashlib.sha256(key).digest()[:4].hex()


# ---------------------------------------------------------------- crafting

def header(msg_type, payload_length, flags=0, src=NO_NODE, dst=NO_NODE, chunk_index=0, chunk_count=1,
           message_id=0, term=0, index_a=0, index_b=0, log_term=0, commit_index=0, reserved=0,
           magic=MAGIC, version=VERSION):
    """The 64-byte header (section 3). Values are masked to their widths, never checked: the
    attacker must be able to write anything."""
    return HEADER.pack(magic & 0xFFFF, version & 0xFF, msg_type & 0xFF, flags & 0xFF,
                       (reserved & 0xFFFFFF).to_bytes(3, "big"), src & 0xFFFF, dst & 0xFFFF,
                       chunk_index & 0xFFFF, chunk_count & 0xFFFF, message_id & 0xFFFFFFFF,
                       payload_length & 0xFFFFFFFF, term & U64, index_a & U64, index_b & U64,
                       log_term & U64, commit_index & U64)


def datagrams(msg_type, body=b"", datagram_max=DATAGRAM_DEFAULT, **fields):
    """A message as its datagrams (section 6): body bytes [i*(D-64), (i+1)*(D-64)) in chunk i,
    every chunk with the full header."""
    room = datagram_max - HEADER_BYTES
    n = max(1, -(-len(body) // room))
    out = []
    for i in range(n):
        part = body[i * room:(i + 1) * room]
        out.append(header(msg_type, len(part), chunk_index=i, chunk_count=n, **fields) + part)
    return out


def datagram(msg_type, body=b"", **fields):
    """A one-datagram message (whatever its size)."""
    return header(msg_type, len(body), **fields) + body


def v_int(n):
    return b"\x01" + struct.pack(">q", n)


def v_str(s):
    b = s.encode("utf-8") if isinstance(s, str) else s
    return b"\x02" + struct.pack(">I", len(b)) + b


def v_bytes(b):
    return b"\x03" + struct.pack(">I", len(b)) + b


def v_list(items):
    """items: encoded scalars."""
    return b"\x04" + struct.pack(">I", len(items)) + b"".join(items)


def key_bytes(key):
    b = key.encode("utf-8") if isinstance(key, str) else key
    return struct.pack(">H", len(b)) + b


def cmd_put(key, value):
    return bytes([OP_PUT]) + key_bytes(key) + value


def cmd_get(key):
    return bytes([OP_GET]) + key_bytes(key)


def cmd_delete(key):
    return bytes([OP_DELETE]) + key_bytes(key)


def cmd_cas(key, expected, update):
    """expected: an encoded value, or None for "must be absent"."""
    return bytes([OP_CAS]) + key_bytes(key) + (b"\x00" if expected is None else b"\x01" + expected) + update


def cmd_append(key, value):
    return bytes([OP_APPEND]) + key_bytes(key) + value


def kv_entry(client_id, seq, timestamp_ms, command):
    """A key-value log entry, the data of a NORMAL entry (section 5.6)."""
    return b"\x01" + struct.pack(">Qqq", client_id & U64, seq, timestamp_ms) + command


def entries_body(entries):
    """entries: (term, kind, data) triples (section 5.1)."""
    out = [struct.pack(">I", len(entries))]
    for term, kind, data in entries:
        out.append(struct.pack(">QBI", term & U64, kind & 0xFF, len(data)) + data)
    return b"".join(out)


def members_data(members, count=None):
    """The data of a MEMBERS entry (section 5.1): members is (id, incarnation) pairs, written
    in the order given, masked to their widths and never checked; count: the count to
    write, if not len(members)."""
    out = [struct.pack(">H", (len(members) if count is None else count) & 0xFFFF)]
    for node, incarnation in members:
        out.append(struct.pack(">HQ", node & 0xFFFF, incarnation & U64))
    return b"".join(out)


def snapshot_body(total_bytes, data):
    return struct.pack(">QI", total_bytes & U64, len(data)) + data


def result_ok(previous=None):
    return bytes([R_OK]) + (b"\x00" if previous is None else b"\x01" + previous)


def result_found(value):
    return bytes([R_FOUND]) + value


def result_appended(size):
    return bytes([R_APPENDED]) + struct.pack(">q", size)


def client_response_body(status, leader_hint=NO_NODE, result=b""):
    return struct.pack(">BH", status, leader_hint) + result


def status_body(leader, applied, role, match=None, counters=None):
    out = [struct.pack(">HQ", leader, applied), bytes([len(role)]) + role.encode("ascii")]
    match = match or {}
    out.append(struct.pack(">H", len(match)))
    for peer in sorted(match):
        out.append(struct.pack(">HQ", peer, match[peer]))
    counters = counters or {}
    out.append(struct.pack(">H", len(counters)))
    for name in sorted(counters):
        out.append(bytes([len(name)]) + name.encode("ascii") + struct.pack(">q", counters[name]))
    return b"".join(out)


def fault_response_body(rules):
    """rules: (target, loss_ppm, delay_ms, jitter_ms, dup_ppm), target None (default) or 4 bytes."""
    out = [struct.pack(">H", len(rules))]
    for target, loss, delay, jitter, dup in rules:
        out.append(b"\x00" if target is None else b"\x04" + target)
        out.append(struct.pack(">IIII", loss, delay, jitter, dup))
    return b"".join(out)


# ---------------------------------------------------------------- parsing (answers the nodes send us)

class Malformed(Exception):
    """A body that breaks section 5."""


class Reader:
    __slots__ = ("b", "i")

    def __init__(self, b):
        self.b = b
        self.i = 0

    def remaining(self):
        return len(self.b) - self.i

    def take(self, n, what):
        if n > len(self.b) - self.i:
            raise Malformed("truncated " + what)
        s = self.b[self.i:self.i + n]
        self.i += n
        return s

    def u8(self, what):
        return self.take(1, what)[0]

    def u16(self, what):
        return struct.unpack(">H", self.take(2, what))[0]

    def u32(self, what):
        return struct.unpack(">I", self.take(4, what))[0]

    def i64(self, what):
        return struct.unpack(">q", self.take(8, what))[0]

    def u64(self, what):
        return struct.unpack(">Q", self.take(8, what))[0]

    def done(self, what):
        if self.i != len(self.b):
            raise Malformed("%d trailing bytes after the %s body" % (len(self.b) - self.i, what))


Header = collections.namedtuple("Header", "magic version type flags reserved src dst chunk_index chunk_count "
                                          "message_id payload_length term index_a index_b log_term commit_index")


def parse_header(d):
    """The header fields of d (at least 64 bytes), unchecked."""
    f = HEADER.unpack_from(d)
    return Header(f[0], f[1], f[2], f[3], int.from_bytes(f[4], "big"), *f[5:])


def utf8(b, what):
    try:
        return b.decode("utf-8", "strict")    # rejects overlong forms, surrogates, truncation
    except UnicodeDecodeError:
        raise Malformed("invalid UTF-8 in " + what) from None


def read_scalar_payload(r, tag):
    if tag == 1:
        return ("int", r.i64("int value"))
    if tag in (2, 3):
        n = r.u32("length")
        if n > r.remaining():
            raise Malformed("length past the end")
        raw = r.take(n, "payload")
        return ("str", utf8(raw, "string")) if tag == 2 else ("bytes", raw)
    raise Malformed("unknown value tag %d" % tag)


def read_value(r):
    start = r.i
    tag = r.u8("value tag")
    if tag == 4:
        count = r.u32("list count")
        if count > r.remaining() // 5:
            raise Malformed("list count past the end")
        items = [read_scalar(r) for _ in range(count)]
        return ("list", items, r.b[start:r.i])
    v = read_scalar_payload(r, tag)
    return (v[0], v[1], r.b[start:r.i])


def read_scalar(r):
    start = r.i
    tag = r.u8("scalar tag")
    if tag == 4:
        raise Malformed("a list where a scalar belongs")
    v = read_scalar_payload(r, tag)
    return (v[0], v[1], r.b[start:r.i])


def read_optional(r):
    p = r.u8("presence")
    if p == 0:
        return None
    if p == 1:
        return read_value(r)
    raise Malformed("presence %d" % p)


def read_command(r):
    op = r.u8("op")
    if op < 1 or op > 5:
        raise Malformed("unknown op %d" % op)
    n = r.u16("key length")
    if n == 0 or n > KV_KEY_BYTES_MAX:
        raise Malformed("key length %d" % n)
    key = utf8(r.take(n, "key"), "key")
    if op in (OP_PUT, OP_APPEND):
        return (op, key, read_scalar(r))
    if op == OP_CAS:
        expected = read_optional(r)
        return (op, key, expected, read_scalar(r))
    return (op, key)


def read_result(r):
    code = r.u8("result code")
    if code in (R_OK, R_CAS_FAILED):
        return (code, read_optional(r))
    if code == R_FOUND:
        return (code, read_value(r))
    if code == R_APPENDED:
        size = r.i64("appended size")
        if size < 0:
            raise Malformed("negative size")
        return (code, size)
    if code in (R_NOT_FOUND, R_WRONG_TYPE, R_SESSION_EXPIRED):
        return (code,)
    raise Malformed("unknown result code %d" % code)


def parse_client_response(body):
    """(status, leaderHint, result or None) of a ClientResponse body (section 5.4)."""
    r = Reader(body)
    status = r.u8("status")
    if status > 2:
        raise Malformed("unknown status %d" % status)
    hint = r.u16("leader hint")
    result = read_result(r) if status == ST_OK else None
    r.done("ClientResponse")
    return status, hint, result


_NAME_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def read_name(r, what):
    n = r.u8(what + " length")
    raw = r.take(n, what)
    if n < 1 or n > 64 or any(c not in _NAME_CHARS for c in raw):
        raise Malformed("bad " + what)
    return raw.decode("ascii")


def parse_status_body(h, body):
    """A StatusResponse (section 5.5) as a dict."""
    r = Reader(body)
    leader = r.u16("leader")
    applied = r.i64("applied")
    if applied < 0:
        raise Malformed("applied index above 2^63-1")
    role = read_name(r, "role")
    peers = r.u16("peer count")
    if peers > r.remaining() // 10:
        raise Malformed("peer count past the end")
    match, last = {}, -1
    for _ in range(peers):
        pid, idx = r.u16("peer id"), r.i64("match index")
        if pid <= last or pid > NODE_ID_MAX or idx < 0:
            raise Malformed("peer list")
        match[pid] = idx
        last = pid
    count = r.u16("counter count")
    if count > r.remaining() // 10:
        raise Malformed("counter count past the end")
    counters, last_name = {}, None
    for _ in range(count):
        name = read_name(r, "counter name")
        if last_name is not None and name <= last_name:
            raise Malformed("counters out of order")
        counters[name] = r.i64("counter value")
        last_name = name
    r.done("StatusResponse")
    return {"node": h.src, "role": role, "term": h.term, "leader": None if leader == NO_NODE else leader,
            "commit": h.commit_index, "applied": applied, "first": h.index_a, "last": h.index_b,
            "match": match, "counters": counters}


def parse_fault_response_body(body):
    r = Reader(body)
    count = r.u16("rule count")
    if count > r.remaining() // 17 or count > 1024:
        raise Malformed("rule count")
    last = None
    for _ in range(count):
        target = read_fault_target(r)
        loss, delay, jitter, dup = r.u32("loss"), r.u32("delay"), r.u32("jitter"), r.u32("dup")
        check_fault_rule(loss, delay, jitter, dup)
        if loss == delay == jitter == dup == 0:
            raise Malformed("an all-zero rule")
        order = -1 if target is None else int.from_bytes(target, "big")
        if last is not None and order <= last:
            raise Malformed("rules out of order")
        last = order
    r.done("FaultResponse")


def read_fault_target(r):
    n = r.u8("target length")
    if n == 0:
        return None
    if n != 4:
        raise Malformed("target length %d" % n)
    return r.take(4, "target")


def check_fault_rule(loss, delay, jitter, dup):
    if loss > 1000000 or dup > 1000000 or delay + jitter > 10000:
        raise Malformed("fault rule out of range")


def parse_fault_request_body(body):
    r = Reader(body)
    op = r.u8("fault op")
    if op == 1:
        read_fault_target(r)
        check_fault_rule(r.u32("loss"), r.u32("delay"), r.u32("jitter"), r.u32("dup"))
    elif op == 2:
        read_fault_target(r)
    elif op not in (0, 3):
        raise Malformed("unknown fault op %d" % op)
    r.done("FaultRequest")


def parse_entries(h, body):
    r = Reader(body)
    count = r.u32("entry count")
    if count > r.remaining() // 13:
        raise Malformed("entry count past the end")
    if h.index_a > U63 - count or h.index_a + count != h.index_b:
        raise Malformed("index_b is not prevLogIndex + count")
    entries = []
    for _ in range(count):
        term = r.i64("entry term")
        kind = r.u8("entry kind")
        data = r.take(r.u32("entry data length"), "entry data")
        if kind not in ENTRY_KINDS or term < 1:
            raise Malformed("entry kind %d term %d" % (kind, term))
        if kind == ENTRY_MEMBERS:
            parse_members(data)           # checked while decoding: a bad one is MALFORMED_BODY
        entries.append((term, kind, data))
    r.done("AppendRequest")
    return entries


def parse_members(data):
    """The membership a MEMBERS entry's data holds (section 5.1), [(id, incarnation)] in
    ascending id order; raises Malformed. u16 count >= 1, then count times (u16 id, u64
    incarnation): ids strictly ascending, 0 .. 65534; incarnations 1 .. 2^63 - 1; exactly
    2 + 10 * count bytes."""
    r = Reader(data)
    count = r.u16("members count")
    if count < 1:
        raise Malformed("a membership of no members")
    if len(data) != 2 + 10 * count:
        raise Malformed("a membership of %d members is %d bytes, not %d" % (count, 2 + 10 * count, len(data)))
    members, previous = [], -1
    for _ in range(count):
        node, incarnation = r.u16("member id"), r.u64("member incarnation")
        if node > NODE_ID_MAX or node <= previous:
            raise Malformed("member id %d after %d (strictly ascending, 0..65534)" % (node, previous))
        if not 1 <= incarnation <= U63:
            raise Malformed("member %d has incarnation %d, not 1..2^63-1" % (node, incarnation))
        members.append((node, incarnation))
        previous = node
    r.done("membership")
    return members


def bad_entry(entries):
    """What admission (section 7.1, BAD_ENTRY) finds wrong in decoded entries, (term, kind,
    data) triples, or None: a NOOP entry with data, a NORMAL entry that is not a key-value
    log entry. A MEMBERS entry's data was checked when the body was decoded."""
    for i, (_, kind, data) in enumerate(entries):
        if kind == ENTRY_NOOP:
            if data:
                return "NOOP entry %d carries %d bytes" % (i, len(data))
        elif kind == ENTRY_NORMAL:
            try:
                parse_kv_entry(data)
            except Malformed as e:
                return "entry %d is not a key-value log entry: %s" % (i, e)
    return None


def parse_snapshot_chunk(h, body):
    r = Reader(body)
    total = r.i64("total bytes")
    data = r.take(r.u32("data length"), "snapshot data")
    if total < 0 or len(data) > total - h.index_b:
        raise Malformed("chunk past the snapshot's end")
    r.done("SnapshotChunk")
    return total, data


def parse_kv_entry(data):
    """A key-value log entry (section 5.6); raises Malformed."""
    r = Reader(data)
    if r.u8("entry version") != 1:
        raise Malformed("entry version")
    client_id, seq, ts = r.i64("client id"), r.i64("seq"), r.i64("timestamp")
    if ts < 0 or (client_id != 0 and seq < 1) or seq < 0:
        raise Malformed("entry session fields")
    cmd = read_command(r)
    r.done("entry")
    return cmd


def decode_body(h, body):
    """The message h and its whole body make, or Malformed (section 5)."""
    t = h.type
    if t in (1, 2, 4, 5, 6, 8, 9, 18):
        if body:
            raise Malformed("bytes after an empty body")
        return None
    if t == 3:
        return parse_entries(h, body)
    if t == 7:
        return parse_snapshot_chunk(h, body)
    if t == 16:
        r = Reader(body)
        cmd = read_command(r)
        r.done("ClientRequest")
        return cmd
    if t == 17:
        return parse_client_response(body)
    if t == 19:
        return parse_status_body(h, body)
    if t == 20:
        return parse_fault_request_body(body)
    if t == 21:
        return parse_fault_response_body(body)
    if t == 22:
        r = Reader(body)
        if r.u8("error code") == 0:
            raise Malformed("error code 0")
        n = r.u16("error text length")
        if not 1 <= n <= 512:
            raise Malformed("error text length")
        utf8(r.take(n, "error text"), "error text")
        r.done("ErrorResponse")
        return None
    raise AssertionError("type %d" % t)


# ---------------------------------------------------------------- receiver model

class Drop(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def check_header(d, arrived_on=None, key=None):
    """The header of d after every check that needs no other datagram (section 7, in its
    order: WireDecoder.checkedHeader, then the port), or Drop(reason). arrived_on: the port
    class, or None to skip WRONG_PORT. key: the receiver's cluster key, or None for a
    receiver without one (section 10.6)."""
    if len(d) < HEADER_BYTES:
        raise Drop("SHORT")
    h = parse_header(d)
    if h.magic != MAGIC:
        raise Drop("BAD_MAGIC")
    if h.version != VERSION:
        raise Drop("BAD_VERSION")
    t = h.type
    if t not in TYPE_NAMES:
        raise Drop("UNKNOWN_TYPE")
    auth = h.flags & AUTH
    after = len(d) - HEADER_BYTES - (MAC_BYTES if auth else 0)
    if h.payload_length > after:
        raise Drop("TRUNCATED")
    if h.payload_length < after:
        raise Drop("TRAILING_BYTES")
    # section 10.2: right after the length checks, before any other field is believed
    if key is not None and not auth:
        raise Drop("UNAUTHENTICATED")
    if auth:
        n = HEADER_BYTES + h.payload_length
        if key is None or not hmac.compare_digest(mac(key, d[:n]), d[n:]):
            raise Drop("BAD_MAC")     # without a key a receiver cannot check one: nothing with AUTH is taken
    if h.flags & ~(FLAGS_ALLOWED.get(t, 0) | AUTH):
        raise Drop("BAD_FLAGS")
    if h.reserved:
        raise Drop("BAD_FIELD")
    used = FIELDS_USED[t]
    if auth and t == FAULT_REQUEST:
        used = used | {A}             # section 10.4: an authenticated FaultRequest's clock
    if auth and t == CLIENT_REQUEST:
        used = used | {LT}            # section 10.5: an authenticated ClientRequest's issue time
    for name in LONG_FIELDS:
        v = getattr(h, name)
        if name not in used:
            if v:
                raise Drop("BAD_FIELD")
        elif v > U63 and not (t in (16, 17) and name == A):
            raise Drop("BAD_FIELD")
    if t == 7 and h.commit_index > 0xFFFFFFFF:
        raise Drop("BAD_FIELD")
    if t in RESPONSES and h.commit_index == 0:
        raise Drop("BAD_FIELD")       # section 3.2: a response carries its sender's incarnation, never 0
    raft = t in RAFT_TYPES
    if (raft or t in (19, 21, 22)) and h.src > NODE_ID_MAX:
        raise Drop("BAD_FIELD")
    if (h.dst > NODE_ID_MAX) if raft else (h.dst != NO_NODE):
        raise Drop("BAD_FIELD")
    if h.chunk_count == 0 or h.chunk_index >= h.chunk_count or (
            h.chunk_count > 1 and (h.payload_length == 0 or t not in TYPES_WITH_BODY)):
        raise Drop("BAD_CHUNK")
    if auth and t == FAULT_REQUEST and h.chunk_count != 1:
        raise Drop("BAD_CHUNK")       # section 10.4: one datagram
    if arrived_on is not None and TYPE_CLASS[t] != arrived_on:
        raise Drop("WRONG_PORT")
    return h


def source_refused(h, node_id, members, from_member_port):
    """The MESSAGE reason admission's source check gives a Raft message's header, or None."""
    if h.dst != node_id:
        return "MISADDRESSED"
    if h.src >= members:
        return "NOT_MEMBER"
    if h.src == node_id or not from_member_port:
        return "WRONG_SOURCE"
    return None


def admit(h, msg, node_id, members, from_member_port):
    """Admission (section 7.1) of a decoded message that came from a source port that is
    (from_member_port) or is not one of the cluster's. Returns a MESSAGE drop reason or an
    admitted.* outcome. Only the source checks are modelled for Raft messages: from a
    non-member port nothing after WRONG_SOURCE is reached."""
    t = h.type
    if t in RAFT_TYPES:
        return source_refused(h, node_id, members, from_member_port) or ADMITTED_RAFT
    if t == CLIENT_REQUEST:
        return "BAD_SESSION" if h.index_a != 0 and h.index_b == 0 else ADMITTED_CLIENT
    if t == STATUS_REQUEST:
        return ADMITTED_STATUS
    if t == FAULT_REQUEST:
        return ADMITTED_FAULT
    return "UNEXPECTED_TYPE"


class _Partial:
    __slots__ = ("signature", "chunks", "held", "payload", "last_ms")

    def __init__(self, signature, count, now_ms):
        self.signature = signature
        self.chunks = [None] * count
        self.held = 0
        self.payload = 0
        self.last_ms = now_ms

    def charge(self):
        return ReassemblyModel.charge(len(self.chunks), self.held, self.payload)


class ReassemblyModel:
    """One port's reassembly (section 6) with the default limits: 64 partial messages, 5 s,
    4096 remembered identities, a 64 MiB message and 96 MiB charged to partial messages
    (8 bytes per chunk slot, 16 per chunk held, and the payload)."""
    TIMEOUT_MS = 5000
    PARTIALS_MAX = 64
    FINISHED_MAX = 4096
    MESSAGE_BYTES_MAX = 64 << 20
    REASSEMBLY_BYTES_MAX = 96 << 20

    @staticmethod
    def charge(slots, held, payload):
        return 8 * slots + 16 * held + payload

    def __init__(self, discarded, reassembly_bytes_max=REASSEMBLY_BYTES_MAX, message_bytes_max=MESSAGE_BYTES_MAX):
        self.REASSEMBLY_BYTES_MAX = reassembly_bytes_max   # a node scales both to its heap: it reports them
        self.MESSAGE_BYTES_MAX = message_bytes_max         # as wire.reassembly_bytes_max, wire.message_bytes_max
        self.partials = collections.OrderedDict()    # least recently active first
        self.finished = collections.OrderedDict()    # oldest first
        self.charged = 0
        self.discarded = discarded                   # callback(reason) for PARTIAL reasons

    def expire(self, now_ms):
        while self.partials:
            k, p = next(iter(self.partials.items()))
            if now_ms - p.last_ms < self.TIMEOUT_MS:
                break
            self._discard(k, "EXPIRED", now_ms)
        while self.finished:
            k, at = next(iter(self.finished.items()))
            if now_ms - at < self.TIMEOUT_MS:
                break
            del self.finished[k]

    def _remember(self, k, now_ms):
        self.finished.pop(k, None)
        while len(self.finished) >= self.FINISHED_MAX:
            self.finished.popitem(last=False)
        self.finished[k] = now_ms

    def _discard(self, k, reason, now_ms):
        p = self.partials.pop(k)
        self.charged -= p.charge()
        self.discarded(reason)
        self._remember(k, now_ms)

    def add(self, k, h, payload, now_ms):
        """The whole body when this chunk completes its message, None when buffered; raises Drop."""
        self.expire(now_ms)
        if k in self.finished:
            raise Drop("LATE_CHUNK")
        signature = h._replace(chunk_index=0, payload_length=0)
        p = self.partials.get(k)
        if p is None:
            if self.charge(h.chunk_count, 1, 0) > self.REASSEMBLY_BYTES_MAX:
                raise Drop("TOO_LARGE")
            while len(self.partials) >= self.PARTIALS_MAX:
                self._discard(next(iter(self.partials)), "EVICTED", now_ms)
            p = _Partial(signature, h.chunk_count, now_ms)
            self.partials[k] = p
            self.charged += p.charge()
        elif p.signature != signature:
            self._discard(k, "ABANDONED", now_ms)
            raise Drop("INCONSISTENT_CHUNK")
        self.partials.move_to_end(k)       # Java's access-ordered map: a get() makes it the most recent
        had = p.chunks[h.chunk_index]
        if had is not None:
            if had == payload:
                raise Drop("DUPLICATE_CHUNK")
            self._discard(k, "ABANDONED", now_ms)
            raise Drop("INCONSISTENT_CHUNK")
        if p.payload + len(payload) > self.MESSAGE_BYTES_MAX:
            self._discard(k, "ABANDONED", now_ms)
            raise Drop("TOO_LARGE")
        before = p.charge()
        p.chunks[h.chunk_index] = payload
        p.held += 1
        p.payload += len(payload)
        p.last_ms = now_ms
        self.charged += p.charge() - before
        if p.held == len(p.chunks):
            del self.partials[k]
            self.charged -= p.charge()
            self._remember(k, now_ms)
            return b"".join(p.chunks)
        if p.charge() > self.REASSEMBLY_BYTES_MAX:
            self._discard(k, "ABANDONED", now_ms)
            raise Drop("TOO_LARGE")
        while self.charged > self.REASSEMBLY_BYTES_MAX:
            self._discard(next(iter(self.partials)), "EVICTED", now_ms)   # never p: it is the most recent
        return None


class NodeModel:
    """What one node should make of the datagrams the attacker sends it: a reassembly model
    per port, the format checks, a keyed receiver's policy and the admission step."""

    def __init__(self, node_id, members, discarded, counters=None, key=None):
        """counters: the node's status counters, for the reassembly limits it reports (else the defaults).
        key: the node's cluster key, or None for a node without one. With a key: no AUTH is
        UNAUTHENTICATED, a wrong MAC BAD_MAC (both right after the length checks), a sessionless
        write SESSIONLESS_WRITE (after the body is decoded). The replay window of authenticated
        FaultRequests (REPLAYED) is not modelled: such a request is predicted admitted, and the
        campaign never sends one."""
        self.node_id = node_id
        self.key = key
        self.members = members
        c = counters or {}
        limits = (c.get("wire.reassembly_bytes_max", ReassemblyModel.REASSEMBLY_BYTES_MAX),
                  c.get("wire.message_bytes_max", ReassemblyModel.MESSAGE_BYTES_MAX))
        self.ports = [ReassemblyModel(discarded, *limits) for _ in CLASS_NAMES]

    def predict(self, d, arrived_on, origin, now_ms, from_member_port=False):
        """The outcome of datagram d arriving on port class arrived_on from origin (any
        hashable naming the sender's address and port)."""
        try:
            h = check_header(d, arrived_on, self.key)
            payload = bytes(d[HEADER_BYTES:HEADER_BYTES + h.payload_length])     # without a MAC trailer
            if h.chunk_count == 1:
                body = payload
            elif h.type in RAFT_TYPES and source_refused(h, self.node_id, self.members, from_member_port):
                return "UNADMITTED_CHUNK"         # the chunk gate: nothing buffered for non-members
            else:
                body = self.ports[arrived_on].add((origin, h.src, h.message_id), h, payload, now_ms)
                if body is None:
                    return BUFFERED
            try:
                msg = decode_body(h, body)
            except Malformed:
                return "MALFORMED_BODY"
            if self.key is not None and h.type == CLIENT_REQUEST and h.index_a == 0 and msg[0] != OP_GET:
                return "SESSIONLESS_WRITE"        # WireDecoder.checkPolicy: a replay would apply it again
            if self.key is not None and h.type == CLIENT_REQUEST and not (
                    h.log_term > 0 and abs(time.time() * 1000 - h.log_term) <= REQUEST_WINDOW_MS):
                return "REPLAYED"                 # WireDecoder.checkPolicy: outside the request window
            return admit(h, msg, self.node_id, self.members, from_member_port)
        except Drop as e:
            return e.reason

    def expire_all(self, now_ms):
        for p in self.ports:
            p.expire(now_ms)

    def partial_messages(self):
        return sum(len(p.partials) for p in self.ports)
