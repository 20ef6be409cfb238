"""Tests of the Wireshark dissector tools/wireshark/raftudp.lua, run through tshark.

0. The dissector's constants, read from the text of raftudp.lua (no tshark needed), against
   docs/wire-facts.json, which the Java code renders.
1. Golden vectors: a pcap file written here holds the worked examples of
   docs/wire-format.md section 9 and the AUTH test vectors of section 10.7 (parsed out of the
   spec's hex dumps), one crafted datagram of every message type (tools/hostile/wire.py), a
   message in chunks, and one bad datagram per drop reason the dissector flags. Every field
   tshark shows is compared with what the spec and the crafted values say; the valid ones
   must carry no error, the bad ones the expert item of their drop reason.
2. A capture of a real cluster: three raft-node processes on loopback (non-default ports, so
   the heuristic has to find them), writes, reads, status, fault rules, a value larger than a
   datagram and a snapshot transfer, captured with tcpdump; every captured datagram must
   decode, without errors.

Needs tshark (with Lua), and for part 2 root, tcpdump and java. Python 3 stdlib only.
  python3 -m unittest discover -s tools/wireshark -p 'test_dissector.py'
"""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LUA = os.path.join(HERE, "raftudp.lua")
SPEC = os.path.join(ROOT, "docs", "wire-format.md")
sys.path.insert(0, os.path.join(ROOT, "tools", "hostile"))
import wire as W  # noqa: E402  (tools/hostile/wire.py)

FACTS_JSON = os.path.join(ROOT, "docs", "wire-facts.json")   # rendered from the Java code (raftudp.wire.WireFacts)
with open(FACTS_JSON, encoding="utf-8") as _f:
    FACTS = json.load(_f)
ERROR = 8388608          # PI_ERROR, the value of _ws.expert.severity for an error
PORTS = {c["name"]: c["default_port"] for c in FACTS["message_classes"]}
CLASS_PORT = {t: PORTS[W.CLASS_NAMES[c]] for t, c in W.TYPE_CLASS.items()}
IN_CI = bool(os.environ.get("CI"))
TSHARK = shutil.which("tshark")


# ---------------------------------------------------------------- part 0: the Lua constants vs the Java facts

def lua_source():
    with open(LUA, encoding="utf-8") as f:
        return f.read()


def lua_number(text):
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def lua_table(src, name):
    """The text between the braces of `local NAME = { ... }` (tables of scalars: no nested braces)."""
    m = re.search(r"^local %s = \{(.*?)\}\s*$" % re.escape(name), src, re.M | re.S)
    if not m:
        raise AssertionError("no table `local %s = { ... }` in %s" % (name, LUA))
    return m.group(1)


NUM = r"(0x[0-9A-Fa-f]+|\d+)"


class LuaConstants(unittest.TestCase):
    """raftudp.lua's copies of the wire facts (read from its source text, so no tshark is needed) against
    docs/wire-facts.json. A failure means the dissector and the Java code disagree."""

    @classmethod
    def setUpClass(cls):
        cls.src = lua_source()
        cls.types = {t["code"]: t for t in FACTS["message_types"]}
        cls.fields = {x["name"]: x for x in FACTS["header_fields"]}

    def local(self, name):
        m = re.findall(r"^local %s = %s\s*$" % (re.escape(name), NUM), self.src, re.M)
        self.assertEqual(1, len(m), "one `local %s = <number>` in raftudp.lua" % name)
        return lua_number(m[0])

    def flag_bits(self):
        """{F_NAME: bit} of the `local F_A, F_B, ... = 0x01, 0x02, ...` line."""
        m = re.search(r"^local (F_\w+(?:, F_\w+)*) =\s*(%s(?:, %s)*)\s*$" % (NUM, NUM), self.src, re.M)
        self.assertIsNotNone(m, "the F_* flag constants of raftudp.lua")
        names = m.group(1).split(", ")
        values = [lua_number(v) for v in m.group(2).split(", ")]
        self.assertEqual(len(names), len(values))
        return dict(zip(names, values))

    def test_scalars(self):
        for name, key in (("MAGIC", "magic"), ("HEADER_BYTES", "header_bytes"), ("MAC_BYTES", "mac_bytes"),
                          ("NO_NODE", "no_node")):
            self.assertEqual(FACTS[key], self.local(name), "raftudp.lua %s vs wire-facts.json %s" % (name, key))
        versions = re.findall(r"\bversion ~= (\d+)", self.src) + re.findall(r"tvb:range\(2, 1\):uint\(\) ~= (\d+)",
                                                                          self.src)
        self.assertGreaterEqual(len(versions), 2, "the dissector and the heuristic check the version")
        self.assertEqual({FACTS["version"]}, {int(v) for v in versions}, "raftudp.lua's version checks")

    def test_term_ceiling(self):
        m = re.search(r"hi > %s or \(hi == %s and lo > 0\)" % (NUM, NUM), self.src)
        self.assertIsNotNone(m, "raftudp.lua's TERM_CEILING test on (hi, lo) = u64_parts(term)")
        self.assertEqual(m.group(1), m.group(2))
        self.assertEqual(FACTS["term_max"], lua_number(m.group(1)) << 32, "raftudp.lua's term ceiling")
        texts = re.findall(r"above 2\^48 = (\d+)", self.src)
        self.assertEqual([FACTS["term_max"]] * len(texts), [int(t) for t in texts], "the ceiling in its message")
        self.assertEqual(FACTS["term_max"], 2 ** 48, "the spec and the messages say 2^48")

    def test_message_types(self):
        t = self.types
        names = dict((int(c), n) for c, n in re.findall(r'\[(\d+)\] = "(\w+)"', lua_table(self.src, "TYPE_NAMES")))
        self.assertEqual({c: x["name"] for c, x in t.items()}, names, "raftudp.lua TYPE_NAMES")
        classes = dict((int(c), n) for c, n in re.findall(r'\[(\d+)\] = "(\w+)"', lua_table(self.src, "CLASS_OF")))
        self.assertEqual({c: x["class"] for c, x in t.items()}, classes, "raftudp.lua CLASS_OF")
        body = {int(c) for c in re.findall(r"\[(\d+)\] = true", lua_table(self.src, "HAS_BODY"))}
        self.assertEqual({c for c, x in t.items() if x["has_body"]}, body, "raftudp.lua HAS_BODY")
        m = re.search(r"local function is_raft\(t\) return t >= (\d+) and t <= (\d+) end", self.src)
        self.assertIsNotNone(m, "raftudp.lua is_raft(t)")
        raft = set(range(int(m.group(1)), int(m.group(2)) + 1))
        self.assertEqual({c for c, x in t.items() if x["raft"]}, raft & set(t), "raftudp.lua is_raft(t)")

    def test_flags(self):
        bits = self.flag_bits()
        shown = dict(re.findall(r'\{ (F_\w+), "(\w+)" \}', lua_table(self.src, "FLAG_NAMES")))
        for flag in FACTS["flags"]:
            lua = "F_" + flag["name"]
            self.assertEqual(flag["bit"], bits.get(lua), "raftudp.lua %s" % lua)
            self.assertEqual(flag["name"], shown.get(lua), "raftudp.lua FLAG_NAMES of %s" % lua)
        java = {"F_" + f["name"]: f["bit"] for f in FACTS["flags"]}
        for lua, bit in bits.items():
            if lua not in java:    # a reserved bit the dissector names (bit 6): no flag of Java's may use it
                self.assertNotIn(bit, java.values(), "raftudp.lua %s is a Java flag's bit" % lua)
        allowed = {}
        for code, expr in re.findall(r"\[(\d+)\] = (F_\w+(?: \+ F_\w+)*)", lua_table(self.src, "FLAGS_ALLOWED")):
            allowed[int(code)] = sum(bits[n] for n in expr.split(" + "))
        self.assertLessEqual(set(allowed), set(self.types), "raftudp.lua FLAGS_ALLOWED names unknown types")
        self.assertEqual({c: x["flags_allowed"] for c, x in self.types.items()},
                         {c: allowed.get(c, 0) for c in self.types}, "raftudp.lua FLAGS_ALLOWED")

    def test_fields_used(self):
        # the slot keys, as the loop over the u64 fields names them: { "a", f.index_a, h.index_a, "index_a" }
        keys = {k: n for k, n in re.findall(r'\{ "(\w+)", f\.\w+, h\.\w+,\s+"(\w+)" \}', self.src)}
        keys["term"] = "term"
        self.assertEqual({x["name"] for x in self.fields.values() if x["bits"] == 64}, set(keys.values()),
                         "raftudp.lua's slot keys cover the 64-bit fields")
        slots = lua_table(self.src, "SLOTS")
        used = {}
        for code, inner in re.findall(r"\[(\d+)\] = \{([^}]*)\}", slots):
            used[int(code)] = {keys[k] for k in re.findall(r"(\w+) = ", inner)}
        self.assertEqual({c: set(x["fields_used"]) for c, x in self.types.items()}, used, "raftudp.lua SLOTS")

    def test_responses_carry_an_incarnation(self):
        # the Raft responses: commit_index is their sender's incarnation, never 0 (wire-format section 3.2)
        carries = {int(c) for c in re.findall(r"\[(\d+)\] = true", lua_table(self.src, "CARRIES_INCARNATION"))}
        self.assertEqual({c for c, x in self.types.items() if x["raft"] and x["name"].endswith("Response")}, carries,
                         "raftudp.lua CARRIES_INCARNATION")
        self.assertEqual(set(W.RESPONSES), carries, "raftudp.lua CARRIES_INCARNATION vs wire.RESPONSES")
        kinds = dict((int(c), n) for c, n in re.findall(r'\[(\d+)\] = "(\w+)"', lua_table(self.src, "KINDS")))
        self.assertEqual({W.ENTRY_NOOP: "NOOP", W.ENTRY_NORMAL: "NORMAL", W.ENTRY_MEMBERS: "MEMBERS"}, kinds,
                         "raftudp.lua KINDS vs wire.ENTRY_*")

    def test_header_offsets(self):
        seen = {}
        for name, off, n in re.findall(r"\b(\w+) = tvb:range\((\d+), (\d+)\)", self.src) + \
                re.findall(r"root:add\(f\.(\w+), tvb:range\((\d+), (\d+)\)\)", self.src):
            if name in self.fields:
                seen.setdefault(name, set()).add((int(off), int(n)))
        self.assertEqual(set(self.fields), set(seen), "raftudp.lua reads every header field by offset")
        for name, x in self.fields.items():
            self.assertEqual({(x["offset_bits"] // 8, x["bits"] // 8)}, seen[name],
                             "raftudp.lua's tvb:range of %s (offset, length in bytes)" % name)

    def test_ports_and_drop_reasons(self):
        ports = {k: lua_number(v) for k, v in re.findall(r"(\w+) = %s" % NUM, lua_table(self.src, "DEFAULT_PORTS"))}
        self.assertEqual(PORTS, ports, "raftudp.lua DEFAULT_PORTS")
        prefs = re.findall(r'Pref\.uint\("\w+ port", DEFAULT_PORTS\.(\w+),\s*'
                           r'"[^"]*\(default (\d+) = (0x[0-9a-fA-F]+)\)"', self.src)
        self.assertEqual(len(PORTS), len(prefs), "one port preference per class")
        for cls, dec, hexa in prefs:
            self.assertEqual((PORTS[cls], PORTS[cls]), (int(dec), int(hexa, 16)), "the %s port preference's text" % cls)
        reasons = re.findall(r"^    (\w+) = \{ expert\.group\.", lua_table(self.src, "DROP_REASONS"), re.M)
        self.assertTrue(reasons, "raftudp.lua DROP_REASONS")
        self.assertEqual(set(), set(reasons) - {r["name"] for r in FACTS["drop_reasons"]},
                         "raftudp.lua DROP_REASONS has reasons the Java code does not have")


# ---------------------------------------------------------------- pcap files

def _ip_checksum(header):
    s = sum(struct.unpack(">10H", header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(payload, sport, dport, src="127.0.0.1", dst="127.0.0.1", ident=1):
    """An IPv4 packet carrying one UDP datagram (UDP checksum 0: none)."""
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident & 0xFFFF, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack(">H", _ip_checksum(ip)) + ip[12:]
    return ip + udp


def write_pcap(path, datagrams):
    """datagrams: (payload, sport, dport) triples; LINKTYPE_RAW (101): every record is an IPv4 packet."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101))
        for i, (payload, sport, dport) in enumerate(datagrams):
            pkt = ipv4_udp(payload, sport, dport, ident=i + 1)
            out.write(struct.pack("<IIII", 1700000000 + i, 0, len(pkt), len(pkt)) + pkt)


# ---------------------------------------------------------------- the spec's hex dumps

def spec_text():
    with open(SPEC, encoding="utf-8") as f:
        return f.read()


hex_dumps = W.hex_dumps   # one reader of the spec's dumps for every Python test


def section(text, start, end):
    return text[text.index(start):text.index(end)]


# ---------------------------------------------------------------- tshark

def tshark(*args, timeout=120):
    cmd = [TSHARK, "-n", "-X", "lua_script:" + LUA] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    err = p.stderr.decode("utf-8", "replace")
    lines = [l for l in err.splitlines() if l.strip() and "Running as user" not in l]
    if p.returncode != 0 or any("Lua" in l or "rror" in l for l in lines):
        raise AssertionError("tshark %s failed (%d):\n%s" % (" ".join(args), p.returncode, err))
    return p.stdout.decode("utf-8", "replace")


class Packet:
    """One packet of tshark's PDML: its fields in order, its expert items, its Info column."""

    def __init__(self, element):
        self.fields = []        # (name, show, showname)
        self.experts = []       # (abbr, message, severity)
        self.info = ""
        self._walk(element)

    def _walk(self, el):
        for child in el:
            name = child.get("name", "")
            if child.tag == "field":
                if name == "_ws.expert":
                    sub = {c.get("name"): c for c in child}
                    abbr = next((n for n in sub if not n.startswith("_ws.expert.")), "")
                    msg = sub.get("_ws.expert.message")
                    sev = sub.get("_ws.expert.severity")
                    self.experts.append((abbr, msg.get("show") if msg is not None else "",
                                         int(sev.get("show")) if sev is not None else 0))
                self.fields.append((name, child.get("show"), child.get("showname")))
            elif child.tag == "proto" and name == "_ws.malformed":
                # what an expert item of group Malformed adds (hidden), and what an exception adds
                self.fields.append((name, "", child.get("showname")))
            self._walk(child)

    def values(self, name):
        return [s for n, s, _ in self.fields if n == name]

    def shownames(self, name):
        return [s for n, _, s in self.fields if n == name]

    def value(self, name):
        vs = self.values(name)
        if len(vs) != 1:
            raise AssertionError("%s: %d values %r in %s" % (name, len(vs), vs, self.info))
        return vs[0]

    def errors(self):
        """Error-severity expert items, Lua errors and malformed marks."""
        out = [e for e in self.experts if e[2] >= ERROR]
        out += [(n, s, 0) for n, s, _ in self.fields if n in ("_ws.malformed", "_ws.lua.error")]
        return out

    def dump(self):
        return "\n".join("  %s = %r  [%s]" % f for f in self.fields if f[0].startswith("raftudp"))


def dissect(pcap, *options):
    """The packets of pcap as tshark shows them with the dissector (and options, e.g. -o ...)."""
    pdml = tshark("-r", pcap, "-T", "pdml", *options)
    packets = [Packet(p) for p in ET.fromstring(pdml).iter("packet")]
    infos = tshark("-r", pcap, "-T", "fields", "-e", "_ws.col.Info", *options).split("\n")
    for p, info in zip(packets, infos):
        p.info = info
    return packets


# ---------------------------------------------------------------- the datagrams

WORKED = "worked"       # cases from the spec's hex dumps
CRAFTED = "crafted"
BAD = "bad"

KV_TS = 1700000000123


def kv(client_id, seq, command):
    return W.kv_entry(client_id, seq, KV_TS, command)


def build_cases():
    """(kind, name, datagram, sport, dport, expected) in pcap order. expected: field -> list of
    show values (all occurrences, in order), or for BAD cases the drop reason."""
    spec = spec_text()
    worked = hex_dumps(section(spec, "## 9.", "## 10."))
    auth = hex_dumps(section(spec, "### 10.7", "The golden test"))
    assert len(worked) == 3 and len(auth) == 3, (len(worked), len(auth))
    cases = []

    def add(kind, name, d, expected, dport=None, sport=None):
        t = d[3] if len(d) > 3 else 16
        cases.append((kind, name, d, sport or 50000 + len(cases), dport or CLASS_PORT.get(t, PORTS["client"]),
                      expected))

    # section 9
    add(WORKED, "9 pre-vote", worked[0], {
        "raftudp.magic": ["0x5241"], "raftudp.version": ["1"], "raftudp.msg_type": ["1"],
        "raftudp.flags": ["0x01"], "raftudp.flags.pre_vote": ["1"], "raftudp.flags.auth": ["0"],
        "raftudp.reserved": ["0x000000"], "raftudp.src_id": ["1"], "raftudp.dst_id": ["2"],
        "raftudp.chunk_index": ["0"], "raftudp.chunk_count": ["1"], "raftudp.message_id": ["1"],
        "raftudp.payload_length": ["0"], "raftudp.term": ["5"], "raftudp.vote.last_log_index": ["7"],
        "raftudp.index_a": ["7"], "raftudp.index_b": ["0"], "raftudp.vote.last_log_term": ["4"],
        "raftudp.log_term": ["4"], "raftudp.commit_index": ["0"],
    })
    add(WORKED, "9 client put", worked[1], {
        "raftudp.msg_type": ["16"], "raftudp.flags": ["0x00"], "raftudp.src_id": ["65535"],
        "raftudp.dst_id": ["65535"], "raftudp.message_id": ["2"], "raftudp.payload_length": ["13"],
        "raftudp.term": ["0"], "raftudp.client.client_id": ["42"], "raftudp.client.seq": ["7"],
        "raftudp.command.op": ["1"], "raftudp.command.key_length": ["1"], "raftudp.command.key": ["k"],
        "raftudp.value.tag": ["1"], "raftudp.value.int": ["0"],
    })
    add(WORKED, "9 not leader", worked[2], {
        "raftudp.msg_type": ["17"], "raftudp.src_id": ["1"], "raftudp.dst_id": ["65535"],
        "raftudp.message_id": ["4"], "raftudp.payload_length": ["3"], "raftudp.client.client_id": ["42"],
        "raftudp.client.seq": ["7"], "raftudp.response.status": ["1"], "raftudp.response.leader_hint": ["2"],
    }, dport=50999)   # the answer goes to the client's port: found by the heuristic
    # section 10.7
    add(WORKED, "10.7 pre-vote", auth[0], {
        "raftudp.msg_type": ["1"], "raftudp.flags": ["0x81"], "raftudp.flags.pre_vote": ["1"],
        "raftudp.flags.auth": ["1"], "raftudp.term": ["5"], "raftudp.vote.last_log_index": ["7"],
        "raftudp.vote.last_log_term": ["4"], "raftudp.mac": ["6f:dd:28:82:f1:88:24:7a:0f:8b:17:a5:8a:b8:ac:3d"],
        "raftudp.mac.status": ["not verified (no key)"],
    })
    add(WORKED, "10.7 client put", auth[1], {
        "raftudp.msg_type": ["16"], "raftudp.flags": ["0x80"], "raftudp.payload_length": ["13"],
        "raftudp.client.client_id": ["42"], "raftudp.client.seq": ["7"], "raftudp.command.key": ["k"],
        "raftudp.client.sent_ms": ["1700000000000"],
        "raftudp.mac": ["91:53:73:ae:12:6c:7d:26:bc:bd:c9:af:ec:16:30:58"],
        "raftudp.mac.status": ["not verified (no key)"],
    })
    add(WORKED, "10.7 fault show", auth[2], {
        "raftudp.msg_type": ["20"], "raftudp.flags": ["0x80"], "raftudp.message_id": ["3"],
        "raftudp.fault.sent_ms": ["1700000000000"], "raftudp.fault.op": ["0"],
        "raftudp.mac": ["63:3d:bc:62:f1:1e:79:f1:2e:2b:f9:b0:00:f8:0c:97"],
    })

    # one crafted datagram of every type (and both AppendResponse cases)
    add(CRAFTED, "VoteRequest", W.datagram(1, flags=W.TRANSFER, src=0, dst=2, message_id=100, term=9,
                                           index_a=12, log_term=8), {
        "raftudp.msg_type": ["1"], "raftudp.flags.transfer": ["1"], "raftudp.flags.pre_vote": ["0"],
        "raftudp.src_id": ["0"], "raftudp.dst_id": ["2"], "raftudp.message_id": ["100"], "raftudp.term": ["9"],
        "raftudp.vote.last_log_index": ["12"], "raftudp.vote.last_log_term": ["8"],
    }, dport=40100)
    add(CRAFTED, "VoteResponse", W.datagram(2, flags=W.PRE_VOTE | W.GRANTED, src=2, dst=0, message_id=5, term=9,
                                            commit_index=0x1a2b3c4d5e6f7081), {
        "raftudp.msg_type": ["2"], "raftudp.flags.granted": ["1"], "raftudp.flags.pre_vote": ["1"],
        "raftudp.term": ["9"], "raftudp.index_a": ["0"], "raftudp.incarnation": ["0x1a2b3c4d5e6f7081"],
        "raftudp.commit_index": [str(0x1a2b3c4d5e6f7081)],
    })
    cas_list = W.cmd_cas("k2", W.v_list([W.v_int(1), W.v_str("a")]), W.v_int(-5))
    entries = W.entries_body([(3, W.ENTRY_NOOP, b""),
                              (3, W.ENTRY_NORMAL, kv(42, 7, W.cmd_put("k", W.v_str("h\u00e9llo")))),
                              (3, W.ENTRY_NORMAL, kv(0, 0, cas_list))])
    add(CRAFTED, "AppendRequest", W.datagram(3, entries, src=0, dst=1, message_id=7, term=3, index_a=10,
                                             index_b=13, log_term=2, commit_index=9), {
        "raftudp.msg_type": ["3"], "raftudp.term": ["3"], "raftudp.append.prev_log_index": ["10"],
        "raftudp.append.last_index": ["13"], "raftudp.append.prev_log_term": ["2"],
        "raftudp.append.leader_commit": ["9"], "raftudp.entries.count": ["3"],
        "raftudp.entry.index": ["11", "12", "13"], "raftudp.entry.term": ["3", "3", "3"],
        "raftudp.entry.kind": ["0", "1", "1"], "raftudp.kv.client_id": ["42", "0"], "raftudp.kv.seq": ["7", "0"],
        "raftudp.kv.timestamp": [str(KV_TS)] * 2, "raftudp.command.op": ["1", "4"],
        "raftudp.command.key": ["k", "k2"], "raftudp.value.str": ["h\u00e9llo", "a"],
        "raftudp.presence": ["1"], "raftudp.value.count": ["2"], "raftudp.value.int": ["1", "-5"],
    }, dport=40102)
    # a new leader's first entry: the membership with every member's incarnation (section 5.1)
    members = W.members_data([(0, 0x1a2b), (1, 0x7FFFFFFFFFFFFFFF), (2, 1)])
    add(CRAFTED, "AppendRequest members", W.datagram(3, W.entries_body([
        (4, W.ENTRY_MEMBERS, members), (4, W.ENTRY_NORMAL, kv(42, 8, W.cmd_get("k")))]),
        src=0, dst=2, message_id=8, term=4, index_a=13, index_b=15, log_term=3, commit_index=13), {
        "raftudp.entries.count": ["2"], "raftudp.entry.index": ["14", "15"], "raftudp.entry.kind": ["2", "1"],
        "raftudp.entry.length": ["32", str(len(kv(42, 8, W.cmd_get("k"))))], "raftudp.members.count": ["3"],
        "raftudp.member.id": ["0", "1", "2"],
        "raftudp.member.incarnation": ["0x0000000000001a2b", "0x7fffffffffffffff", "0x0000000000000001"],
        "raftudp.command.key": ["k"],
    })
    add(CRAFTED, "AppendResponse success", W.datagram(4, flags=W.SUCCESS, src=1, dst=0, term=3, index_a=13,
                                                      commit_index=0x7FFFFFFFFFFFFFFF), {
        "raftudp.msg_type": ["4"], "raftudp.flags.success": ["1"], "raftudp.append_resp.match_index": ["13"],
        "raftudp.append_resp.conflict_index": ["0"], "raftudp.append_resp.conflict_term": ["0"],
        "raftudp.incarnation": ["0x7fffffffffffffff"],
    })
    add(CRAFTED, "AppendResponse rejection", W.datagram(4, src=2, dst=0, term=3, index_a=10, index_b=8,
                                                        log_term=2, commit_index=1), {
        "raftudp.flags.success": ["0"], "raftudp.append_resp.rejected_index": ["10"],
        "raftudp.append_resp.conflict_index": ["8"], "raftudp.append_resp.conflict_term": ["2"],
        "raftudp.incarnation": ["0x0000000000000001"],
    })
    add(CRAFTED, "Heartbeat", W.datagram(5, src=0, dst=1, term=3, index_a=77, index_b=0x0abcdef012345678,
                                         commit_index=12), {
        "raftudp.msg_type": ["5"], "raftudp.heartbeat.read_context": ["77"], "raftudp.heartbeat.commit": ["12"],
        "raftudp.heartbeat.receiver_incarnation": ["0x0abcdef012345678"], "raftudp.log_term": ["0"],
    }, dport=40101)
    add(CRAFTED, "Heartbeat naming no incarnation", W.datagram(5, src=0, dst=2, term=3, commit_index=12), {
        "raftudp.heartbeat.receiver_incarnation": ["0x0000000000000000"], "raftudp.index_b": ["0"],
    })
    add(CRAFTED, "HeartbeatResponse", W.datagram(6, src=1, dst=0, term=3, index_a=77, commit_index=0x5eed), {
        "raftudp.msg_type": ["6"], "raftudp.heartbeat.read_context": ["77"], "raftudp.commit_index": ["24301"],
        "raftudp.incarnation": ["0x0000000000005eed"],
    })
    image = bytes(range(120))
    add(CRAFTED, "SnapshotChunk", W.datagram(7, W.snapshot_body(120, image[100:]), flags=W.LAST, src=0, dst=2,
                                             term=3, index_a=50, index_b=100, log_term=3,
                                             commit_index=W.crc32c(image)), {
        "raftudp.msg_type": ["7"], "raftudp.flags.last": ["1"], "raftudp.snapshot.index": ["50"],
        "raftudp.snapshot.offset": ["100"], "raftudp.snapshot.term": ["3"],
        "raftudp.snapshot.image_checksum": ["0x%016x" % W.crc32c(image)],
        "raftudp.snapshot.total_bytes": ["120"], "raftudp.snapshot.length": ["20"],
    }, dport=40104)
    add(CRAFTED, "SnapshotResponse", W.datagram(8, flags=W.DONE, src=2, dst=0, term=3, index_a=50,
                                                index_b=120, commit_index=0x1a2b3c4d5e6f7081), {
        "raftudp.msg_type": ["8"], "raftudp.flags.done": ["1"], "raftudp.snapshot.index": ["50"],
        "raftudp.snapshot.next_offset": ["120"], "raftudp.incarnation": ["0x1a2b3c4d5e6f7081"],
    })
    add(CRAFTED, "TimeoutNow", W.datagram(9, src=0, dst=1, term=3), {
        "raftudp.msg_type": ["9"], "raftudp.term": ["3"], "raftudp.index_a": ["0"],
    })
    add(CRAFTED, "ClientRequest", W.datagram(16, W.cmd_cas("k", None, W.v_int(-5)), message_id=9,
                                             index_a=0xFFFFFFFFFFFFFFFE, index_b=1), {
        "raftudp.msg_type": ["16"], "raftudp.client.client_id": [str(0xFFFFFFFFFFFFFFFE)],
        "raftudp.client.seq": ["1"], "raftudp.command.op": ["4"], "raftudp.command.key": ["k"],
        "raftudp.presence": ["0"], "raftudp.value.int": ["-5"],
    }, dport=40103)
    add(CRAFTED, "ClientResponse found", W.datagram(17, W.client_response_body(
        W.ST_OK, 0, W.result_found(W.v_list([W.v_int(1), W.v_str("a"), W.v_bytes(b"\x00\xff")]))),
        src=0, index_a=42, index_b=8), {
        "raftudp.msg_type": ["17"], "raftudp.response.status": ["0"], "raftudp.response.leader_hint": ["0"],
        "raftudp.result.code": ["2"], "raftudp.value.tag": ["4", "1", "2", "3"], "raftudp.value.count": ["3"],
        "raftudp.value.int": ["1"], "raftudp.value.str": ["a"], "raftudp.value.bytes": ["00:ff"],
    }, dport=50998)
    add(CRAFTED, "ClientResponse appended", W.datagram(17, W.client_response_body(
        W.ST_OK, 0, W.result_appended(3)), src=0, index_a=42, index_b=9), {
        "raftudp.result.code": ["5"], "raftudp.result.size": ["3"],
    })
    add(CRAFTED, "StatusRequest", W.datagram(18, message_id=11), {
        "raftudp.msg_type": ["18"], "raftudp.src_id": ["65535"], "raftudp.payload_length": ["0"],
    })
    counters = {"rx.datagrams": 100, "rx.bytes": 6400, "drop.BAD_MAGIC": 2, "tx.VOTE_REQUEST": 7}
    add(CRAFTED, "StatusResponse", W.datagram(19, W.status_body(0, 12, "FOLLOWER", {0: 13, 2: 11}, counters),
                                              src=1, term=3, index_a=1, index_b=13, commit_index=12), {
        "raftudp.msg_type": ["19"], "raftudp.src_id": ["1"], "raftudp.term": ["3"],
        "raftudp.status.first_log_index": ["1"], "raftudp.status.last_log_index": ["13"],
        "raftudp.status.commit_index": ["12"], "raftudp.status.leader": ["0"], "raftudp.status.applied": ["12"],
        "raftudp.status.role": ["FOLLOWER"], "raftudp.status.peer_count": ["2"],
        "raftudp.status.peer.id": ["0", "2"], "raftudp.status.peer.match_index": ["13", "11"],
        "raftudp.status.counter_count": ["4"], "raftudp.status.counter.name": sorted(counters),
        "raftudp.status.counter.value": [str(counters[k]) for k in sorted(counters)],
    }, dport=50997)
    fault_set = W.datagram(20, b"\x01\x04\x0a\x00\x02\x02" + struct.pack(">IIII", 50000, 5, 1, 10000), message_id=7)
    add(CRAFTED, "FaultRequest", fault_set, {
        "raftudp.msg_type": ["20"], "raftudp.message_id": ["7"], "raftudp.payload_length": ["22"],
        "raftudp.fault.op": ["1"], "raftudp.fault.target_length": ["4"], "raftudp.fault.target": ["10.0.2.2"],
        "raftudp.fault.loss_ppm": ["50000"], "raftudp.fault.delay_ms": ["5"], "raftudp.fault.jitter_ms": ["1"],
        "raftudp.fault.duplicate_ppm": ["10000"], "raftudp.index_a": ["0"],
    })
    add(CRAFTED, "FaultResponse", W.datagram(21, W.fault_response_body(
        [(None, 0, 5, 0, 0), (bytes([10, 0, 2, 2]), 50000, 5, 1, 10000)]), src=0), {
        "raftudp.msg_type": ["21"], "raftudp.fault.count": ["2"], "raftudp.fault.target_length": ["0", "4"],
        "raftudp.fault.target": ["10.0.2.2"], "raftudp.fault.loss_ppm": ["0", "50000"],
        "raftudp.fault.delay_ms": ["5", "5"], "raftudp.fault.jitter_ms": ["0", "1"],
        "raftudp.fault.duplicate_ppm": ["0", "10000"],
    }, dport=50996)
    text = "admin requests are disabled on this node: start it with --allow-admin"
    add(CRAFTED, "ErrorResponse", W.datagram(22, struct.pack(">BH", 1, len(text)) + text.encode(), src=2), {
        "raftudp.msg_type": ["22"], "raftudp.src_id": ["2"], "raftudp.error.code": ["1"],
        "raftudp.error.text_length": [str(len(text))], "raftudp.error.text": [text],
    })
    # a ClientRequest in three chunks: reassembled in the frame of its last chunk
    big = W.cmd_put("big", W.v_bytes(bytes(i % 251 for i in range(1000))))
    chunks = W.datagrams(16, big, datagram_max=464, message_id=12345, index_a=77, index_b=3)
    assert len(chunks) == 3
    for i, c in enumerate(chunks):
        add(CRAFTED, "chunk %d" % i, c, {
            "raftudp.chunk_index": [str(i)], "raftudp.chunk_count": ["3"], "raftudp.message_id": ["12345"],
        } if i < 2 else {
            "raftudp.chunk_index": ["2"], "raftudp.reassembled_length": [str(len(big))],
            "raftudp.chunk_frame": None, "raftudp.command.key": ["big"], "raftudp.value.length": ["1000"],
        }, dport=40103, sport=51000)

    # one bad datagram per expert condition, on the default port of its class
    vote = worked[0]

    def patch(d, offset, data):
        return d[:offset] + data + d[offset + len(data):]

    def members_append(data):
        """An AppendRequest whose first entry is a MEMBERS entry with this data, a NOOP after it."""
        return W.datagram(3, W.entries_body([(3, W.ENTRY_MEMBERS, data), (3, W.ENTRY_NOOP, b"")]), src=0, dst=1,
                          term=3, index_a=1, index_b=3, log_term=1)

    bad = [
        ("SHORT", vote[:40]),
        ("BAD_MAGIC", bytes(64)),
        ("BAD_VERSION", patch(vote, 2, b"\x02")),
        ("UNKNOWN_TYPE", patch(vote, 3, b"\x0a")),
        ("TRUNCATED", worked[1][:-3]),
        ("TRAILING_BYTES", W.datagram(5, src=0, dst=1, term=3) + b"\x00\x00"),
        ("TRAILING_BYTES", patch(auth[0], 4, b"\x01")),     # a trailer without AUTH
        ("BAD_FLAGS", W.datagram(2, flags=W.SUCCESS, src=2, dst=0, term=9, commit_index=1)),
        ("BAD_FLAGS", W.datagram(5, flags=0x40, src=0, dst=1, term=3)),
        ("BAD_FIELD", W.datagram(9, reserved=1, src=0, dst=1, term=3)),
        ("BAD_FIELD", W.datagram(5, src=0, dst=1, term=3, log_term=3)),
        ("BAD_FIELD", W.datagram(5, src=0, dst=1, term=3, index_b=1 << 63)),   # an incarnation is 63 bits
        ("BAD_FIELD", W.datagram(4, src=1, dst=0, term=3, index_a=1 << 63, commit_index=1)),
        ("BAD_FIELD", W.datagram(2, flags=W.GRANTED, src=2, dst=0, term=9)),     # a response without incarnation
        ("BAD_FIELD", W.datagram(4, flags=W.SUCCESS, src=1, dst=0, term=3, index_a=13)),
        ("BAD_FIELD", W.datagram(6, src=1, dst=0, term=3, index_a=77)),
        ("BAD_FIELD", W.datagram(8, src=2, dst=0, term=3, index_a=50, index_b=10)),
        ("BAD_FIELD", W.datagram(2, src=2, dst=0, term=9, commit_index=1 << 63)),
        ("BAD_FIELD", W.datagram(7, W.snapshot_body(10, b"x"), src=0, dst=1, term=3, index_a=5, log_term=3,
                                 commit_index=1 << 32)),
        ("BAD_FIELD", W.datagram(18, dst=1)),
        ("BAD_FIELD", W.datagram(20, b"\x00", index_a=1700000000000)),
        ("BAD_FIELD", W.datagram(1, src=W.NO_NODE, dst=1, term=3)),
        ("BAD_CHUNK", W.datagram(16, W.cmd_get("k"), chunk_count=0)),
        ("BAD_CHUNK", W.datagram(16, W.cmd_get("k"), chunk_index=2, chunk_count=2)),
        ("BAD_CHUNK", W.datagram(5, src=0, dst=1, term=3, chunk_count=2)),
        ("BAD_CHUNK", W.datagram(16, b"", chunk_count=2, index_a=1, index_b=1)),
        ("TERM_CEILING", W.datagram(5, src=0, dst=1, term=(1 << 48) + 1)),
        ("BAD_SESSION", W.datagram(16, W.cmd_get("k"), index_a=5, index_b=0)),
        ("MALFORMED_BODY", W.datagram(3, struct.pack(">I", 1000) + bytes(13), src=0, dst=1, term=3,
                                      index_a=1, index_b=1001, log_term=1)),
        ("MALFORMED_BODY", W.datagram(3, W.entries_body([(3, 0, b"")]), src=0, dst=1, term=3, index_a=1,
                                      index_b=5, log_term=1)),
        ("MALFORMED_BODY", W.datagram(3, W.entries_body([(3, 3, b"")]), src=0, dst=1, term=3, index_a=1,
                                      index_b=2, log_term=1)),                  # no kind 3
        ("MALFORMED_BODY", members_append(W.members_data([]))),                    # count 0
        ("MALFORMED_BODY", members_append(b"")),                                   # no count
        ("MALFORMED_BODY", members_append(W.members_data([(0, 1), (1, 1)], count=3))),   # the length disagrees
        ("MALFORMED_BODY", members_append(W.members_data([(0, 1)]) + b"\x00")),
        ("MALFORMED_BODY", members_append(W.members_data([(1, 1), (0, 1)]))),      # ids not ascending
        ("MALFORMED_BODY", members_append(W.members_data([(1, 1), (1, 2)]))),      # an id twice
        ("MALFORMED_BODY", members_append(W.members_data([(0, 1), (W.NO_NODE, 1)]))),
        ("MALFORMED_BODY", members_append(W.members_data([(0, 1), (1, 0)]))),      # incarnation 0
        ("MALFORMED_BODY", members_append(W.members_data([(0, 1 << 63)]))),        # above 2^63 - 1
        ("MALFORMED_BODY", W.datagram(16, b"\x09\x00\x01k")),
        ("MALFORMED_BODY", W.datagram(16, W.cmd_get("k") + b"\x00")),
        ("MALFORMED_BODY", W.datagram(16, b"\x02\x00\x02\xc0\xaf")),               # overlong UTF-8
        ("MALFORMED_BODY", W.datagram(16, W.cmd_put("k", b"\x02\x00\x00\x00\x03\xed\xa0\x80"))),  # a surrogate
        ("MALFORMED_BODY", W.datagram(16, W.cmd_put("k", W.v_list([W.v_list([])])))),   # a list in a list
        ("MALFORMED_BODY", W.datagram(17, W.client_response_body(0, 0, b"\x09"), src=0)),
        ("MALFORMED_BODY", W.datagram(19, W.status_body(0, 1, "LEADER", {}, {"b": 1})[:-11] +
                                      b"\x02" + b"\x01b" + bytes(8) + b"\x01a" + bytes(8), src=0)),
        ("MALFORMED_BODY", W.datagram(20, b"\x01\x00" + struct.pack(">IIII", 2000000, 0, 0, 0))),
        ("MALFORMED_BODY", W.datagram(21, W.fault_response_body([(None, 0, 0, 0, 0)]), src=0)),
        ("MALFORMED_BODY", W.datagram(22, b"\x00\x00\x01x", src=0)),
        ("MALFORMED_BODY", W.datagram(2, b"\x00", src=2, dst=0, term=9, commit_index=1)),
        ("MALFORMED_BODY", W.datagram(7, W.snapshot_body(10, b"abc"), src=0, dst=1, term=3, index_a=5,
                                      index_b=9, log_term=3)),
        ("BAD_ENTRY", W.datagram(3, W.entries_body([(3, W.ENTRY_NOOP, b"xy")]), src=0, dst=1, term=3,
                                 index_a=1, index_b=2, log_term=1)),
        ("BAD_ENTRY", W.datagram(3, W.entries_body([(3, W.ENTRY_NORMAL, b"\x07junk")]), src=0, dst=1, term=3,
                                 index_a=1, index_b=2, log_term=1)),
    ]
    for reason, d in bad:
        t = d[3] if len(d) >= 4 else 16
        add(BAD, reason, d, reason, dport=CLASS_PORT.get(t, PORTS["vote"]))
    return cases


# ---------------------------------------------------------------- part 1: golden vectors

def need_tshark():
    if not TSHARK:
        if IN_CI:
            raise AssertionError("tshark is not installed, and CI must run the dissector tests")
        raise unittest.SkipTest("tshark is not installed (apt-get install tshark)")


class GoldenVectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tshark()
        cls.tmp = tempfile.mkdtemp(prefix="raftudp-ws-")
        cls.cases = build_cases()
        cls.pcap = os.path.join(cls.tmp, "golden.pcap")
        write_pcap(cls.pcap, [(d, s, p) for _, _, d, s, p, _ in cls.cases])
        cls.packets = dissect(cls.pcap)
        assert len(cls.packets) == len(cls.cases), (len(cls.packets), len(cls.cases))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def packet(self, name):
        for (_, n, _, _, _, _), p in zip(self.cases, self.packets):
            if n == name:
                return p
        raise KeyError(name)

    def check_fields(self, kinds):
        for (kind, name, _, _, _, expected), p in zip(self.cases, self.packets):
            if kind not in kinds:
                continue
            with self.subTest(name):
                self.assertEqual([], p.errors(), "%s: errors\n%s" % (name, p.dump()))
                self.assertEqual(1, len(p.values("raftudp.msg_type")), name)
                for fld, want in expected.items():
                    got = p.values(fld)
                    if want is None:
                        self.assertTrue(got, "%s: no %s" % (name, fld))
                    else:
                        self.assertEqual(want, got, "%s: %s\n%s" % (name, fld, p.dump()))

    def test_worked_examples_of_sections_9_and_10_7(self):
        self.check_fields({WORKED})
        vote = self.packet("9 pre-vote")
        self.assertIn("msg_type: VoteRequest (1)", vote.shownames("raftudp.msg_type"))
        self.assertIn("lastLogIndex (index_a): 7", vote.shownames("raftudp.vote.last_log_index"))
        self.assertIn("index_b: 0 (unused)", vote.shownames("raftudp.index_b"))
        self.assertIn("chunk_index: 0 (chunk 0 of 1)", vote.shownames("raftudp.chunk_index"))
        self.assertEqual("VoteRequest 1→2 term 5 lastLogIndex 7 lastLogTerm 4 [PRE_VOTE]", vote.info)
        put = self.packet("9 client put")
        self.assertIn("src_id: 65535 (none/client)", put.shownames("raftudp.src_id"))
        self.assertIn("op: Put (1)", put.shownames("raftudp.command.op"))
        self.assertIn('ClientRequest client→any clientId 42 seq 7 Put "k" = Int 0', put.info)
        answer = self.packet("9 not leader")
        self.assertIn("status: NOT_LEADER (1)", answer.shownames("raftudp.response.status"))
        self.assertIn("NOT_LEADER leader 2", answer.info)
        for name in ("10.7 pre-vote", "10.7 client put", "10.7 fault show"):
            p = self.packet(name)
            self.assertIn("raftudp.mac.unverified", [e[0] for e in p.experts], name)

    def test_one_datagram_of_every_type(self):
        self.check_fields({CRAFTED})
        seen = {int(p.value("raftudp.msg_type")) for (k, _, _, _, _, _), p in zip(self.cases, self.packets)
                if k == CRAFTED}
        self.assertEqual(set(W.TYPE_NAMES), seen)
        for code, name in W.TYPE_NAMES.items():
            self.assertTrue(any("msg_type: %s (%d)" % (name, code) in p.shownames("raftudp.msg_type")
                                for p in self.packets), name)
        self.assertIn('Put "k" = Str "h\u00e9llo"', self.packet("AppendRequest").info + " ".join(
            s for _, _, s in self.packet("AppendRequest").fields if s))
        vote = self.packet("VoteResponse")
        self.assertIn("incarnation (commit_index): 0x1a2b3c4d5e6f7081", vote.shownames("raftudp.incarnation"))
        self.assertEqual("VoteResponse 2→0 term 9 incarnation 0x1a2b3c4d5e6f7081 [PRE_VOTE|GRANTED]", vote.info)
        hb = self.packet("Heartbeat")
        self.assertIn("receiver's incarnation (index_b): 0x0abcdef012345678",
                      hb.shownames("raftudp.heartbeat.receiver_incarnation"))
        self.assertIn("receiverIncarnation 0xabcdef012345678", hb.info)
        self.assertIn("incarnation 0x5eed", self.packet("HeartbeatResponse").info)
        members = self.packet("AppendRequest members")
        texts = [s for _, _, s in members.fields if s]
        self.assertIn("membership: 0=0x1a2b 1=0x7fffffffffffffff 2=0x1", texts)
        self.assertIn("member 1: incarnation 0x7fffffffffffffff", texts)
        self.assertTrue(any(t.startswith("entry 14: term 4, MEMBERS, 32 bytes: members 0=0x1a2b") for t in texts),
                        members.dump())
        self.assertIn("2 entries (14..15)", members.info)
        status = self.packet("StatusResponse")
        self.assertIn("rx.datagrams = 100", [s for _, _, s in status.fields])
        self.assertIn("drop.BAD_MAGIC = 2", [s for _, _, s in status.fields])
        self.assertIn("[chunk 0/3]", self.packet("chunk 0").info)
        self.assertIn("[reassembled]", self.packet("chunk 2").info)

    def test_the_fault_example_of_section_5_7(self):
        spec = section(spec_text(), "Example: `SET 10.0.2.2", "### 5.8")
        head = re.search(r"header: ([0-9a-f ]+?)\s+then 40 zero bytes", spec).group(1)
        body = re.search(r"body: +([0-9a-f ]+)", spec).group(1)
        want = bytes.fromhex(head.replace(" ", "")) + bytes(40) + bytes.fromhex(body.replace(" ", ""))
        self.assertEqual(want, [d for _, n, d, _, _, _ in self.cases if n == "FaultRequest"][0])

    def test_bad_datagrams_get_the_expert_item_of_their_drop_reason(self):
        for (kind, name, _, _, _, reason), p in zip(self.cases, self.packets):
            if kind != BAD:
                continue
            with self.subTest(reason, info=p.info):
                abbr = "raftudp.drop." + reason.lower()
                mine = [e for e in p.experts if e[0] == abbr]
                self.assertTrue(mine, "%s: no %s in %r\n%s" % (reason, abbr, p.experts, p.dump()))
                self.assertTrue(all(e[2] == ERROR and e[1].startswith(reason + ": ") for e in mine), mine)
                lua = [n for n, _, _ in p.fields if n == "_ws.lua.error"]
                self.assertEqual([], lua, "%s: %s" % (reason, p.info))

    def test_chunks_point_at_the_frame_of_their_reassembly_in_two_passes(self):
        frames = [i + 1 for i, c in enumerate(self.cases) if c[1].startswith("chunk ")]
        out = tshark("-r", self.pcap, "-2", "-T", "fields", "-E", "occurrence=a", "-e", "frame.number",
                     "-e", "raftudp.reassembled_in", "-e", "raftudp.chunk_frame", "-e", "raftudp.command.key",
                     "-Y", "raftudp.message_id == 12345")
        rows = [l.split("\t") for l in out.splitlines()]
        self.assertEqual([[str(frames[0]), str(frames[2]), "", ""], [str(frames[1]), str(frames[2]), "", ""],
                          [str(frames[2]), "", ",".join(map(str, frames)), "big"]], rows)

    def test_mutated_datagrams_never_break_the_dissector(self):
        """Seeded mutations of every datagram here (bytes changed, cut, appended, payload_length
        made to fit): the dissector flags them but never fails (no Lua error)."""
        import random
        rng = random.Random(20240601)
        base = [c[2] for c in self.cases if len(c[2]) >= 64]
        mutants = []
        for _ in range(3000):
            d = bytearray(rng.choice(base))
            for _ in range(rng.randint(1, 4)):
                m = rng.random()
                if m < 0.6 and d:
                    d[rng.randrange(len(d))] = rng.randrange(256)
                elif m < 0.75:
                    d = d[:rng.randrange(64, len(d) + 1)]
                else:
                    d += bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
            if rng.random() < 0.8:
                d[20:24] = struct.pack(">I", max(0, len(d) - 64 - (16 if d[4] & 0x80 else 0)))
            mutants.append((bytes(d), 50000, CLASS_PORT.get(d[3], PORTS["client"])))
        pcap = os.path.join(self.tmp, "mutants.pcap")
        write_pcap(pcap, mutants)
        out = tshark("-r", pcap, "-T", "fields", "-e", "raftudp.msg_type", "-e", "_ws.lua.error",
                     "-e", "_ws.expert.message")
        rows = [l.split("\t") for l in out.split("\n")[:len(mutants)]]
        self.assertEqual(len(mutants), len(rows))
        self.assertEqual([], [r for r in rows if r[1] or "Lua" in r[2]][:5])
        flagged = sum(1 for r in rows if any(x in r[2] for x in ("MALFORMED_BODY", "BAD_", "TRUNCATED",
                                                                    "TRAILING", "UNKNOWN", "TERM_CEILING")))
        self.assertGreater(flagged, len(mutants) // 3, "most mutants are flagged")

    def test_the_mac_is_verified_with_a_key_file(self):
        spec = section(spec_text(), "### 10.7", "The golden test")
        key = bytes.fromhex(re.search(r"key: ([0-9a-f]{64})", spec).group(1))
        right = os.path.join(self.tmp, "right.key")
        wrong = os.path.join(self.tmp, "wrong.key")
        with open(right, "wb") as f:
            f.write(key + b"\n")        # one trailing newline is not part of the key (section 10.3)
        with open(wrong, "wb") as f:
            f.write(bytes(32))
        pcap = os.path.join(self.tmp, "auth.pcap")
        auth = hex_dumps(spec)
        write_pcap(pcap, [(d, 50000, PORTS["client"]) for d in auth])
        ok = dissect(pcap, "-o", "raftudp.key_file:" + right)
        for p in ok:
            self.assertEqual(["correct (verified with the configured key)"], p.values("raftudp.mac.status"), p.info)
            self.assertEqual([], p.errors())
        bad = dissect(pcap, "-o", "raftudp.key_file:" + wrong)
        for p in bad:
            self.assertIn("raftudp.drop.bad_mac", [e[0] for e in p.errors()], p.info)
            self.assertIn("[BAD_MAC]", p.info)

    def test_ports_are_preferences_and_the_heuristic_finds_other_ports(self):
        pcap = os.path.join(self.tmp, "ports.pcap")
        vote = hex_dumps(section(spec_text(), "## 9.", "## 10."))[0]
        noise = bytes(range(100))
        write_pcap(pcap, [(vote, 50000, 41234), (bytes(64), 50000, 41235), (noise, 50000, 41236)])
        default = dissect(pcap)
        self.assertEqual(["1"], default[0].values("raftudp.msg_type"))      # the heuristic
        self.assertEqual([], default[1].values("raftudp.magic"))            # not raftudp: left alone
        self.assertEqual([], default[2].values("raftudp.magic"))
        moved = dissect(pcap, "-o", "raftudp.vote_port:41235")
        self.assertIn("raftudp.drop.bad_magic", [e[0] for e in moved[1].errors()])   # the port claims it
        off = dissect(pcap, "--disable-heuristic", "raftudp_udp")
        self.assertEqual([], off[0].values("raftudp.msg_type"))


# ---------------------------------------------------------------- part 2: a real cluster

JARS = [os.path.join(ROOT, "raft-node.jar"), os.path.join(ROOT, "raft-client.jar")]


def ports_free(base, count):
    socks = []
    try:
        for p in range(base, base + count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


class RealCluster(unittest.TestCase):
    """Three raft-node processes on loopback, captured with tcpdump, decoded with tshark."""
    NODES = 3
    SNAPSHOT_EVERY = 50
    WRITES_BEFORE_LATE_NODE = 150

    def setUp(self):
        missing = [w for w, ok in (("tshark", TSHARK), ("tcpdump", shutil.which("tcpdump")),
                                   ("java", shutil.which("java")), ("root", os.geteuid() == 0)) if not ok]
        if missing:
            if IN_CI:
                self.fail("the capture test needs " + ", ".join(missing) + " and CI must run it")
            self.skipTest("needs " + ", ".join(missing))
        if not all(os.path.exists(j) for j in JARS):
            subprocess.run(["make", "--no-print-directory", "hostile-jars"], cwd=ROOT, check=True, timeout=900)
        self.tmp = tempfile.mkdtemp(prefix="raftudp-ws-cluster-")
        self.procs = []       # (name, Popen), stopped by pid in tearDown
        self.addCleanup(self.stop_all)

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.procs = []
        if os.environ.get("KEEP_CAPTURE"):
            print("capture kept in", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, name, cmd, **kw):
        log = open(os.path.join(self.tmp, name + ".log"), "wb")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
        log.close()
        self.procs.append((name, p))
        return p

    def client(self, *args, timeout_ms=5000, check=True):
        cmd = ["java", "-jar", JARS[1], "--peers", self.peers, "--timeout-ms", str(timeout_ms)] + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           timeout=timeout_ms / 1000 + 60)
        out = p.stdout.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise AssertionError("raft-client %s: exit %d\n%s\n%s" % (" ".join(args), p.returncode, out,
                                                                      self.logs()))
        return p.returncode, out

    def logs(self):
        out = []
        for f in sorted(os.listdir(self.tmp)):
            if f.endswith(".log"):
                with open(os.path.join(self.tmp, f), "rb") as fh:
                    out.append("--- %s\n%s" % (f, fh.read()[-2000:].decode("utf-8", "replace")))
        return "\n".join(out)

    def start_node(self, i, name=None):
        self.start(name or "node-%d" % i, ["java", "-Xmx256m", "-jar", JARS[0], str(i), "--peers", self.peers,
                                   "--transport", "udp", "--data-dir", os.path.join(self.tmp, "data-%d" % i),
                                   "--snapshot-every", str(self.SNAPSHOT_EVERY), "--fsync", "never",
                                   "--allow-admin", "--log-level", "WARN"])

    def applied(self, node):
        code, out = self.client("-d", str(node), "status", timeout_ms=2000, check=False)
        for line in out.splitlines():
            cells = line.split()
            if code == 0 and len(cells) > 7 and cells[0] == str(node):
                try:
                    return int(cells[6])
                except ValueError:
                    return -1
        return -1

    def test_a_capture_of_a_loopback_cluster_decodes_cleanly(self):
        started = time.monotonic()
        base = next((b for b in range(43100, 43900, 100) if ports_free(b, 25)), None)
        self.assertIsNotNone(base, "no free loopback ports in 43100..43924")
        self.peers = ",".join("127.0.0.1:%d" % (base + 10 * i) for i in range(self.NODES))
        capture = os.path.join(self.tmp, "cluster.pcap")
        tcpdump = self.start("tcpdump", ["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-s", "0", "-w", capture,
                                         "udp and portrange %d-%d" % (base, base + 24)])
        for _ in range(100):                            # bounded: until tcpdump has opened the file
            if os.path.exists(capture) and os.path.getsize(capture) > 0:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        self.assertIsNone(tcpdump.poll(), "tcpdump exited:\n" + self.logs())

        # all three nodes (the first leader forms the cluster with every node's vote, wire-format
        # section 3.2); then node 2 stops, and enough writes follow that the others' logs are
        # compacted into snapshots, so node 2, restarted on its data directory, has to be sent one
        for i in range(self.NODES):
            self.start_node(i)
        for _ in range(40):
            if self.client("put", "ready", "1", timeout_ms=1500, check=False)[0] == 0:
                break
        else:
            self.fail("no leader among nodes 0, 1 and 2\n" + self.logs())
        node2 = next(p for n, p in self.procs if n == "node-2")
        node2.send_signal(signal.SIGTERM)
        node2.wait(timeout=15)
        self.client("bench", "--clients", "2", "--ops", str(self.WRITES_BEFORE_LATE_NODE), "--read-ratio", "0",
                    "--duration", "30", "--keys", "20", "--value-bytes", "40", timeout_ms=5000)
        self.start_node(2, "node-2-again")
        target = self.WRITES_BEFORE_LATE_NODE
        for _ in range(40):
            if self.applied(2) >= target:
                break
            time.sleep(0.5)
        else:
            self.fail("node 2 did not catch up\n" + self.logs())

        # reads, writes of every kind, status and fault rules, a value larger than a datagram
        self.client("put", "k", "hello")
        self.client("get", "k")
        self.client("cas", "k", "hello", "world")
        self.client("-da", "7")
        self.client("get", "missing", check=False)
        self.client("delete", "k")
        big = os.path.join(self.tmp, "big.bin")
        with open(big, "wb") as f:
            f.write(bytes(i % 256 for i in range(5000)))
        self.client("put", "big", "@" + big)
        self.client("get", "big")
        self.client("status")
        self.client("fault", "show")
        self.client("fault", "set", "*", "delay:1ms")
        self.client("fault", "clear", "*")
        self.client("fault", "set", "127.0.0.2", "loss:1%")
        self.client("fault", "clear")          # every rule (CLEAR_ALL)
        time.sleep(1.0)
        self.stop_all_but_keep()

        # decode
        fields = ["frame.number", "udp.srcport", "udp.dstport", "raftudp.msg_type", "raftudp.chunk_count",
                  "raftudp.reassembled_length", "raftudp.fault.op"]
        out = tshark("-r", capture, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f",
                     *sum([["-e", f] for f in fields], []), timeout=300)
        rows = [line.split("\t") for line in out.splitlines() if line.strip()]
        self.assertGreater(len(rows), 100, "the capture holds %d datagrams" % len(rows))
        undecoded = [r for r in rows if not r[3]]
        self.assertEqual([], undecoded[:10], "%d datagrams not decoded as raftudp" % len(undecoded))
        counts = {}
        for r in rows:
            counts[int(r[3])] = counts.get(int(r[3]), 0) + 1
        # The nodes use their own ports (the capture holds only those), so only the heuristic
        # can find these datagrams. (A client's ephemeral source port may happen to be a
        # default port, 39316..39320: its datagrams are then found on that port instead.)
        default_ports = set(PORTS.values())
        by_heuristic = [r for r in rows if int(r[1]) not in default_ports and int(r[2]) not in default_ports]
        self.assertGreater(len(by_heuristic), len(rows) // 2, "datagrams on no default port, found by the heuristic")
        bad = tshark("-r", capture, "-Y", "_ws.malformed || _ws.lua.error || _ws.expert.severity >= %d" % ERROR,
                     "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info", timeout=300)
        self.assertEqual("", bad.strip(), "datagrams with errors")
        want = {1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 19, 20, 21}
        summary = ", ".join("%s %d" % (W.TYPE_NAMES.get(t, t), n) for t, n in sorted(counts.items()))
        self.assertTrue(want <= set(counts), "types seen: " + summary)
        self.assertEqual({"0", "1", "2", "3"}, {r[6] for r in rows if r[6]}, "fault ops SHOW, SET, CLEAR, CLEAR_ALL")
        chunked = [r for r in rows if r[4] and int(r[4]) > 1]
        reassembled = [r for r in rows if r[5]]
        self.assertTrue(chunked and reassembled, "no multi-chunk message in the capture")
        print("\ncapture: %d datagrams in %.0f s: %s; %d chunks of multi-chunk messages, %d reassembled"
              % (len(rows), time.monotonic() - started, summary, len(chunked), len(reassembled)),
              file=sys.stderr)

    def stop_all_but_keep(self):
        """Stops nodes and tcpdump by pid (tcpdump last, so that it writes everything) and keeps the files."""
        nodes = [(n, p) for n, p in self.procs if n != "tcpdump"]
        dump = [(n, p) for n, p in self.procs if n == "tcpdump"]
        for group in (nodes, dump):
            for _, p in group:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for _, p in group:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)


if __name__ == "__main__":
    unittest.main()
