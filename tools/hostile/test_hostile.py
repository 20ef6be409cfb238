"""Unit tests of the campaign's crafting helpers, CRC32C and receiver model (no nodes needed).

  python3 -m unittest discover -s tools/hostile -p 'test_hostile.py'
"""
import json
import os
import re
import socket
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire as w  # noqa: E402
import hostile  # noqa: E402
import attack_testbed  # noqa: E402

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "wire-format.md")
FACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "wire-facts.json")


def spec_dumps(start="## 9. Worked example", end="## 10."):
    """The hex dumps of a section of docs/wire-format.md (section 9 unless told), as bytes, in order."""
    with open(SPEC, encoding="utf-8") as f:
        text = f.read()
    return w.hex_dumps(text[text.index(start):text.index(end) if end else len(text)])


def spec_auth_dumps():
    """The three authenticated datagrams of section 10.7."""
    return spec_dumps("### 10.7 Test vectors", None)


def struct_layout(s):
    """[(offset_bits, bits)] of the items of a big-endian struct.Struct, in order; an "Ns" is one item of N bytes."""
    assert s.format[0] in ">!", "a wire struct is big-endian: " + s.format
    out, at = [], 0
    for count, code in re.findall(r"(\d*)([a-zA-Z?])", s.format[1:]):
        n = int(count or 1)
        sizes = [n] if code in "sp" else [struct.calcsize(">" + code)] * n
        for size in sizes:
            out.append((at * 8, size * 8))
            at += size
    return out


class WireFactsTest(unittest.TestCase):
    """wire.py's copies of the wire facts against docs/wire-facts.json, which the Java code renders
    (raftudp.wire.WireFacts; WireFactsTest keeps it current). A failure here means wire.py and Java disagree:
    find out which is right (the spec, docs/wire-format.md, decides) before changing either."""

    @classmethod
    def setUpClass(cls):
        with open(FACTS, encoding="utf-8") as f:
            cls.facts = json.load(f)
        cls.types = {t["code"]: t for t in cls.facts["message_types"]}
        cls.classes = sorted(cls.facts["message_classes"], key=lambda c: c["index"])

    def test_scalars(self):
        f = self.facts
        for name, ours, key in (("MAGIC", w.MAGIC, "magic"), ("VERSION", w.VERSION, "version"),
                                ("NO_NODE", w.NO_NODE, "no_node"), ("NODE_ID_MAX", w.NODE_ID_MAX, "node_id_max"),
                                ("HEADER_BYTES", w.HEADER_BYTES, "header_bytes"),
                                ("MAC_BYTES", w.MAC_BYTES, "mac_bytes"), ("TERM_MAX", w.TERM_MAX, "term_max"),
                                ("UDP_BYTES_MAX", w.UDP_BYTES_MAX, "udp_bytes_max"),
                                ("DATAGRAM_DEFAULT", w.DATAGRAM_DEFAULT, "datagram_bytes_default"),
                                ("REQUEST_WINDOW_MS", w.REQUEST_WINDOW_MS, "request_window_ms"),
                                ("KEY_BYTES_MIN", w.KEY_BYTES_MIN, "key_bytes_min"),
                                ("KEY_BYTES_MAX", w.KEY_BYTES_MAX, "key_bytes_max"),
                                ("KV_KEY_BYTES_MAX", w.KV_KEY_BYTES_MAX, "kv_key_bytes_max")):
            self.assertEqual(f[key], ours, "wire.%s vs wire-facts.json %s" % (name, key))

    def test_header_struct_is_the_field_list(self):
        fields = self.facts["header_fields"]
        self.assertEqual(self.facts["header_bytes"], w.HEADER.size, "wire.HEADER size")
        self.assertEqual([(x["offset_bits"], x["bits"]) for x in fields], struct_layout(w.HEADER),
                         "wire.HEADER %s vs the header fields of wire-facts.json" % w.HEADER.format)
        self.assertEqual(len(fields), len(w.Header._fields), "wire.Header has one name per field")
        # parse_header reads each field at its offset: a distinct pattern in one field, zeros elsewhere
        for i, x in enumerate(fields):
            value = int.from_bytes(bytes(range(0xA1, 0xA1 + x["bits"] // 8)), "big")
            d = bytearray(w.HEADER_BYTES)
            at = x["offset_bits"] // 8
            d[at:at + x["bits"] // 8] = value.to_bytes(x["bits"] // 8, "big")
            got = w.parse_header(bytes(d))
            self.assertEqual([value if j == i else 0 for j in range(len(fields))], list(got), x["name"])
        self.assertEqual(tuple(x["name"] for x in fields if x["bits"] == 64), w.LONG_FIELDS,
                         "wire.LONG_FIELDS: the 64-bit fields in wire order")

    def test_message_types(self):
        t = self.types
        self.assertEqual({c: x["name"] for c, x in t.items()}, w.TYPE_NAMES, "wire.TYPE_NAMES")
        self.assertEqual({c: x["constant"] for c, x in t.items()}, w.COUNTER_TYPE_NAMES, "wire.COUNTER_TYPE_NAMES")
        for c, x in t.items():
            self.assertEqual(c, getattr(w, x["constant"], None), "wire.%s" % x["constant"])
        self.assertEqual({c: x["class"] for c, x in t.items()},
                         {c: w.CLASS_NAMES[k] for c, k in w.TYPE_CLASS.items()}, "wire.TYPE_CLASS")
        self.assertEqual(frozenset(c for c, x in t.items() if x["has_body"]), w.TYPES_WITH_BODY, "wire.TYPES_WITH_BODY")
        self.assertEqual(tuple(sorted(c for c, x in t.items() if x["raft"])), w.RAFT_TYPES, "wire.RAFT_TYPES")
        self.assertLessEqual(set(w.FLAGS_ALLOWED), set(t), "wire.FLAGS_ALLOWED names unknown types")
        self.assertEqual({c: x["flags_allowed"] for c, x in t.items()}, {c: w.FLAGS_ALLOWED.get(c, 0) for c in t},
                         "wire.FLAGS_ALLOWED")
        self.assertEqual({c: set(x["fields_used"]) for c, x in t.items()}, w.FIELDS_USED, "wire.FIELDS_USED")

    def test_responses(self):
        # the types whose commit_index is their sender's incarnation (section 3.2): the Raft responses
        self.assertEqual(frozenset(c for c, x in self.types.items() if x["raft"] and x["name"].endswith("Response")),
                         w.RESPONSES, "wire.RESPONSES")
        for t in w.RESPONSES:
            self.assertIn(w.CI, w.FIELDS_USED[t], w.TYPE_NAMES[t])

    def test_flags(self):
        for flag in self.facts["flags"]:
            self.assertEqual(flag["bit"], getattr(w, flag["name"], None), "wire.%s" % flag["name"])

    def test_message_classes_and_ports(self):
        self.assertEqual(tuple(c["name"] for c in self.classes), w.CLASS_NAMES, "wire.CLASS_NAMES (in index order)")
        for const, name in ((w.VOTE, "vote"), (w.HEARTBEAT_CLASS, "heartbeat"), (w.APPEND, "append"),
                            (w.CLIENT, "client"), (w.SNAPSHOT, "snapshot")):
            self.assertEqual(w.CLASS_NAMES.index(name), const, "wire's class index of " + name)
        self.assertEqual(tuple(c["default_port"] for c in self.classes), attack_testbed.DEFAULT_PORTS,
                         "attack_testbed.DEFAULT_PORTS")

    def test_drop_reasons(self):
        by_kind = {}
        for r in self.facts["drop_reasons"]:
            by_kind.setdefault(r["kind"], []).append(r["name"])
        self.assertEqual(tuple(by_kind.pop("DATAGRAM")), w.DATAGRAM_REASONS, "wire.DATAGRAM_REASONS")
        self.assertEqual(tuple(by_kind.pop("MESSAGE")), w.MESSAGE_REASONS, "wire.MESSAGE_REASONS")
        self.assertEqual(tuple(by_kind.pop("PARTIAL")), w.PARTIAL_REASONS, "wire.PARTIAL_REASONS")
        self.assertEqual({}, by_kind, "a kind of drop reason wire.py does not know")
        self.assertLessEqual(set(w.BEFORE_MAC_REASONS), set(w.DATAGRAM_REASONS))
        self.assertLessEqual(set(hostile.RAFT_MESSAGE_REASONS), set(w.MESSAGE_REASONS))

    def test_reassembly_defaults(self):
        r = self.facts["reassembly_default"]
        m = w.ReassemblyModel
        for name, ours, key in (("TIMEOUT_MS", m.TIMEOUT_MS, "reassembly_timeout_ms"),
                                ("PARTIALS_MAX", m.PARTIALS_MAX, "reassembly_messages_max"),
                                ("FINISHED_MAX", m.FINISHED_MAX, "finished_ids_max"),
                                ("MESSAGE_BYTES_MAX", m.MESSAGE_BYTES_MAX, "message_bytes_max"),
                                ("REASSEMBLY_BYTES_MAX", m.REASSEMBLY_BYTES_MAX, "reassembly_bytes_max"),
                                ("charge() per slot", m.charge(1, 0, 0), "slot_bytes"),
                                ("charge() per chunk held", m.charge(0, 1, 0), "chunk_overhead_bytes")):
            self.assertEqual(r[key], ours, "wire.ReassemblyModel.%s vs reassembly_default.%s" % (name, key))
        self.assertEqual(1000, m.charge(0, 0, 1000), "the payload is charged as it is")

    def test_the_struct_reader_of_this_test(self):
        self.assertEqual([(0, 16), (16, 24), (40, 8), (48, 64)], struct_layout(struct.Struct(">H3sBQ")))


class Crc32cTest(unittest.TestCase):
    def test_check_value(self):
        self.assertEqual(w.crc32c(b"123456789"), 0xE3069283)

    def test_snapshot_vector_of_the_golden_test(self):
        self.assertEqual(w.crc32c(bytes([1, 2, 3, 4])), 0x29308CF4)

    def test_rfc3720_vectors(self):
        self.assertEqual(w.crc32c(b""), 0)
        self.assertEqual(w.crc32c(bytes(32)), 0x8A9136AA)
        self.assertEqual(w.crc32c(b"\xff" * 32), 0x62A8AB43)
        self.assertEqual(w.crc32c(bytes(range(32))), 0x46DD794E)
        self.assertEqual(w.crc32c(bytes(range(31, -1, -1))), 0x113FDB5C)

    def test_continues(self):
        self.assertEqual(w.crc32c(b"6789", w.crc32c(b"12345")), 0xE3069283)


class SpecExampleTest(unittest.TestCase):
    def setUp(self):
        self.dumps = spec_dumps()

    def test_three_dumps(self):
        self.assertEqual(len(self.dumps), 3)

    def test_pre_vote_request(self):
        d = w.datagram(w.VOTE_REQUEST, flags=w.PRE_VOTE, src=1, dst=2, message_id=1, term=5, index_a=7, log_term=4)
        self.assertEqual(d, self.dumps[0])

    def test_client_put(self):
        d = w.datagram(w.CLIENT_REQUEST, w.cmd_put("k", w.v_int(0)), message_id=2, index_a=42, index_b=7)
        self.assertEqual(d, self.dumps[1])

    def test_not_leader_answer(self):
        d = w.datagram(w.CLIENT_RESPONSE, w.client_response_body(w.ST_NOT_LEADER, 2), src=1, message_id=4,
                       index_a=42, index_b=7)
        self.assertEqual(d, self.dumps[2])
        h = w.check_header(d, w.CLIENT)
        self.assertEqual(w.parse_client_response(d[64:]), (w.ST_NOT_LEADER, 2, None))
        self.assertEqual((h.src, h.index_a, h.index_b), (1, 42, 7))

    def test_examples_pass_the_model(self):
        vote, put, _ = self.dumps
        m = w.NodeModel(2, 3, lambda r: None)
        self.assertEqual(m.predict(vote, w.VOTE, "attacker", 0), "WRONG_SOURCE")   # node 1's id, not its port
        self.assertEqual(m.predict(vote, w.VOTE, "node 1", 0, from_member_port=True), w.ADMITTED_RAFT)
        self.assertEqual(m.predict(put, w.CLIENT, "a client", 0), w.ADMITTED_CLIENT)


SPEC_KEY = bytes(range(32))          # section 10.7: 00 01 02 ... 1f


class AuthVectorTest(unittest.TestCase):
    """Section 10.7, exact bytes: the MAC trailer, sign() and verify() (WireAuthGoldenTest's vectors)."""

    def setUp(self):
        self.dumps = spec_auth_dumps()
        self.plain = spec_dumps()

    def test_three_vectors_in_the_spec(self):
        self.assertEqual([len(d) for d in self.dumps], [80, 93, 81])

    def test_fingerprint(self):
        self.assertEqual(w.fingerprint(SPEC_KEY), "630dcd29")

    def test_pre_vote(self):
        d = w.sign(SPEC_KEY, w.datagram(w.VOTE_REQUEST, flags=w.PRE_VOTE, src=1, dst=2, message_id=1, term=5,
                                        index_a=7, log_term=4))
        self.assertEqual(d, self.dumps[0])
        self.assertEqual(d[4], 0x81)
        self.assertEqual(d[64:].hex(), "6fdd2882f188247a0f8b17a58ab8ac3d")
        self.assertEqual(w.sign(SPEC_KEY, self.plain[0]), d)      # the section 9 dump, signed

    def test_client_put(self):
        d = w.sign(SPEC_KEY, w.datagram(w.CLIENT_REQUEST, w.cmd_put("k", w.v_int(0)), message_id=2, index_a=42,
                                        index_b=7, log_term=1_700_000_000_000))
        self.assertEqual(d, self.dumps[1])
        self.assertEqual(w.parse_header(d).payload_length, 13)   # the trailer is not counted
        self.assertEqual(d[77:].hex(), "915373ae126c7d26bcbdc9afec163058")
        # the section 9 dump holds no issue time: signing it stamps this clock's (section 10.5)
        stamped = w.parse_header(w.sign(SPEC_KEY, self.plain[1])).log_term
        self.assertLessEqual(abs(stamped - time.time() * 1000), 2_000)

    def test_fault_show(self):
        d = w.sign(SPEC_KEY, w.datagram(w.FAULT_REQUEST, b"\x00", message_id=3, index_a=1700000000000))
        self.assertEqual(d, self.dumps[2])
        self.assertEqual(d[32:40].hex(), "0000018bcfe56800")
        self.assertEqual(d[65:].hex(), "633dbc62f11e79f12e2bf9b000f80c97")

    def test_mac_is_hmac_sha256_truncated(self):
        import hashlib
        import hmac
        self.assertEqual(w.mac(SPEC_KEY, self.plain[0][:4] + b"\x81" + self.plain[0][5:]),
                         hmac.new(SPEC_KEY, self.dumps[0][:64], hashlib.sha256).digest()[:16])

    def test_verify(self):
        for d in self.dumps:
            self.assertTrue(w.verify(SPEC_KEY, d))
            self.assertFalse(w.verify(bytes(range(1, 33)), d))       # another key
            self.assertFalse(w.verify(SPEC_KEY, d[:-1]))             # a byte of the trailer missing
            self.assertFalse(w.verify(SPEC_KEY, d + b"\0"))          # a byte after it
        for d in self.plain:
            self.assertFalse(w.verify(SPEC_KEY, d))                  # no AUTH
        d = self.dumps[1]
        for bit in range(len(d) * 8):                                # every single-bit change breaks it
            flipped = bytearray(d)
            flipped[bit // 8] ^= 1 << (bit % 8)
            self.assertFalse(w.verify(SPEC_KEY, bytes(flipped)), bit)

    def test_key_file_rule(self):
        k = bytes(range(32))
        self.assertEqual(w.key_from_bytes(k), k)
        self.assertEqual(w.key_from_bytes(k + b"\n"), k)
        self.assertEqual(w.key_from_bytes(k + b"\r\n"), k)
        self.assertEqual(w.key_from_bytes(k + b"\n\n"), k + b"\n")      # one line ending only
        for bad in (b"", bytes(15), bytes(15) + b"\n", bytes(1025)):
            with self.assertRaises(ValueError):
                w.key_from_bytes(bad)
        self.assertEqual(len(w.key_from_bytes(bytes(1024) + b"\r\n")), 1024)


class KeyedModelTest(unittest.TestCase):
    """A receiver with a key: the order of WireDecoder.checkedHeader and decodeOrThrow."""

    def setUp(self):
        self.discarded = []
        self.key = SPEC_KEY
        self.m = w.NodeModel(0, 3, self.discarded.append, key=self.key)
        self.keyless = w.NodeModel(0, 3, self.discarded.append)
        self.vote = w.datagram(w.VOTE_REQUEST, flags=w.PRE_VOTE, src=1, dst=0, message_id=1, term=5, index_a=7,
                               log_term=4)
        self.put = w.datagram(w.CLIENT_REQUEST, w.cmd_put("k", w.v_int(0)), message_id=2, index_a=42, index_b=7)

    def p(self, d, cls=w.CLIENT, origin="a", t=0, member=False, model=None):
        return (model or self.m).predict(d, cls, origin, t, from_member_port=member)

    def test_spec_vectors(self):
        vote, put, show = spec_auth_dumps()
        node2 = w.NodeModel(2, 3, self.discarded.append, key=self.key)
        self.assertEqual(node2.predict(vote, w.VOTE, "x", 0), "WRONG_SOURCE")       # a MAC is no source
        self.assertEqual(node2.predict(vote, w.VOTE, "x", 0, from_member_port=True), w.ADMITTED_RAFT)
        self.assertEqual(self.p(put), "REPLAYED")       # sent in 2023: outside the request window
        self.assertEqual(self.p(w.sign(self.key, self.put)), w.ADMITTED_CLIENT)   # stamped now
        self.assertEqual(self.p(show), w.ADMITTED_FAULT)                # the replay window is not modelled
        for d, cls in ((vote, w.VOTE), (put, w.CLIENT), (show, w.CLIENT)):
            self.assertEqual(self.p(d, cls, model=self.keyless), "BAD_MAC")    # no key to check it with
        self.assertEqual(self.p(put, w.VOTE), "WRONG_PORT")             # after the MAC

    def test_unauthenticated_and_bad_mac(self):
        self.assertEqual(self.p(self.put), "UNAUTHENTICATED")
        self.assertEqual(self.p(self.vote, w.VOTE), "UNAUTHENTICATED")
        self.assertEqual(self.p(w.sign(bytes(range(1, 33)), self.put)), "BAD_MAC")     # another cluster's key
        self.assertEqual(self.p(self.put[:4] + b"\x80" + self.put[5:] + bytes(16)), "BAD_MAC")   # a random trailer
        good = w.sign(self.key, self.put)
        for i in (4, 16, 30, 70, 80):                  # flags, message id, clientId, body, trailer
            bad = bytearray(good)
            bad[i] ^= 0x01 if i != 4 else 0x40         # (0x40 in the flags: a bit no type allows)
            self.assertEqual(self.p(bytes(bad)), "BAD_MAC", i)

    def test_length_checks_come_first(self):
        good = w.sign(self.key, self.put)
        self.assertEqual(self.p(good[:-16]), "TRUNCATED")               # AUTH and no trailer
        self.assertEqual(self.p(good[:-1]), "TRUNCATED")
        self.assertEqual(self.p(good + b"\0"), "TRAILING_BYTES")
        stripped = bytearray(good)
        stripped[4] &= ~w.AUTH & 0xFF
        self.assertEqual(self.p(bytes(stripped)), "TRAILING_BYTES")     # AUTH cleared, trailer kept
        self.assertEqual(self.p(bytes(stripped[:-16])), "UNAUTHENTICATED")
        self.assertEqual(self.p(b"RB" + good[2:]), "BAD_MAGIC")
        self.assertEqual(self.p(good[:63]), "SHORT")

    def test_a_right_mac_is_not_a_pass(self):
        s = lambda d: w.sign(self.key, d)   # noqa: E731
        self.assertEqual(self.p(s(w.datagram(w.VOTE_REQUEST, flags=w.GRANTED, src=1, dst=0, term=5)), w.VOTE),
                         "BAD_FLAGS")
        self.assertEqual(self.p(s(w.datagram(w.VOTE_REQUEST, src=1, dst=0, term=5, commit_index=1)), w.VOTE),
                         "BAD_FIELD")
        self.assertEqual(self.p(s(w.datagram(w.VOTE_REQUEST, src=3, dst=0, term=5)), w.VOTE), "NOT_MEMBER")
        self.assertEqual(self.p(s(w.datagram(w.CLIENT_REQUEST, w.cmd_get("k"), index_a=9, index_b=0))),
                         "BAD_SESSION")
        self.assertEqual(self.p(s(w.datagram(w.CLIENT_REQUEST, w.cmd_get("k") + b"\0", index_a=9, index_b=1))),
                         "MALFORMED_BODY")
        self.assertEqual(self.p(s(w.datagram(w.STATUS_RESPONSE, w.status_body(0, 1, "LEADER"), src=0, term=1))),
                         "UNEXPECTED_TYPE")
        self.assertEqual(self.p(s(w.datagram(w.STATUS_REQUEST, message_id=5))), w.ADMITTED_STATUS)
        # the chunk gate: a signed chunk of a Raft message from a non-member port is not buffered
        ds = w.datagrams(w.APPEND_REQUEST, w.entries_body([(1, w.ENTRY_NOOP, b"")] * 20), 200, src=1, dst=0, term=1,
                         index_a=0, index_b=20)
        self.assertEqual(self.p(s(ds[0]), w.APPEND), "UNADMITTED_CHUNK")

    def test_sessionless_writes(self):
        s = lambda d: w.sign(self.key, d)   # noqa: E731
        for cmd in (w.cmd_put("k", w.v_int(1)), w.cmd_delete("k"), w.cmd_cas("k", None, w.v_int(1)),
                    w.cmd_append("k", w.v_int(1))):
            d = w.datagram(w.CLIENT_REQUEST, cmd, index_a=0, index_b=3)
            self.assertEqual(self.p(s(d)), "SESSIONLESS_WRITE")
            self.assertEqual(self.p(d, model=self.keyless), w.ADMITTED_CLIENT)     # allowed without a key
        self.assertEqual(self.p(s(w.datagram(w.CLIENT_REQUEST, w.cmd_get("k"), index_a=0, index_b=3))),
                         w.ADMITTED_CLIENT)                                      # reads stay allowed
        self.assertEqual(self.p(s(w.datagram(w.CLIENT_REQUEST, w.cmd_put("k", w.v_int(1)) + b"\0", index_a=0))),
                         "MALFORMED_BODY")                                       # the body first
        # judged on the reassembled message: every chunk buffered, the last one dropped
        ds = [s(d) for d in w.datagrams(w.CLIENT_REQUEST, w.cmd_put("k", w.v_bytes(bytes(300))), 200, message_id=9)]
        self.assertEqual([self.p(d) for d in ds], [w.BUFFERED, w.BUFFERED, "SESSIONLESS_WRITE"])
        self.assertEqual(self.p(ds[0]), "LATE_CHUNK")

    def test_signed_chunks_reassemble(self):
        ds = [w.sign(self.key, d) for d in w.datagrams(w.CLIENT_REQUEST, w.cmd_put("k", w.v_bytes(bytes(300))),
                                                       200, message_id=9, index_a=5, index_b=1)]
        self.assertEqual([self.p(ds[1]), self.p(ds[1]), self.p(ds[0]), self.p(ds[2])],
                         [w.BUFFERED, "DUPLICATE_CHUNK", w.BUFFERED, w.ADMITTED_CLIENT])
        # a chunk with AUTH among chunks without it: UNAUTHENTICATED before reassembly sees it
        plain = w.datagrams(w.CLIENT_REQUEST, w.cmd_put("k", w.v_bytes(bytes(300))), 200, message_id=10, index_a=5,
                            index_b=2)
        self.assertEqual(self.p(plain[0], origin="b"), "UNAUTHENTICATED")
        self.assertEqual(self.discarded, [])

    def test_fault_requests(self):
        show = w.datagram(w.FAULT_REQUEST, b"\x00", message_id=3, index_a=1700000000000)
        self.assertEqual(self.p(show, model=self.keyless), "BAD_FIELD")          # index_a without AUTH
        self.assertEqual(self.p(show), "UNAUTHENTICATED")
        self.assertEqual(self.p(w.sign(self.key, show)), w.ADMITTED_FAULT)
        top = w.datagram(w.FAULT_REQUEST, b"\x00", index_a=1 << 63)
        self.assertEqual(self.p(w.sign(self.key, top)), "BAD_FIELD")
        two = w.datagrams(w.FAULT_REQUEST, b"\x01\x00" + bytes(16), 70, index_a=1700000000000)
        self.assertEqual(len(two), 3)
        self.assertEqual(self.p(w.sign(self.key, two[0])), "BAD_CHUNK")         # one datagram when signed


class CraftingTest(unittest.TestCase):
    def test_snapshot_chunks_of_the_golden_test(self):
        # WireGoldenTest.snapshotChunkSplitIntoThreeDatagrams: 70-byte datagrams, 6 body bytes each
        image = bytes([1, 2, 3, 4])
        ds = w.datagrams(w.SNAPSHOT_CHUNK, w.snapshot_body(4, image), 70, flags=w.LAST, src=0, dst=1,
                         message_id=0xFFFFFFFF, term=2, index_a=10, log_term=2, commit_index=w.crc32c(image))
        fields = "0000000000000002 000000000000000a 0000000000000000 0000000000000002 0000000029308cf4"
        want = ["5241 01 07 10 000000 0000 0001 0000 0003 ffffffff 00000006" + fields + "000000000000",
                "5241 01 07 10 000000 0000 0001 0001 0003 ffffffff 00000006" + fields + "000400000004",
                "5241 01 07 10 000000 0000 0001 0002 0003 ffffffff 00000004" + fields + "01020304"]
        self.assertEqual([d.hex() for d in ds], [x.replace(" ", "") for x in want])

    def test_header_is_64_bytes_and_masks(self):
        d = w.header(3, 0, term=-1, src=0x1FFFF)
        self.assertEqual(len(d), 64)
        h = w.parse_header(d)
        self.assertEqual((h.term, h.src), (w.U64, 0xFFFF))

    def test_values_and_commands_round_trip(self):
        for v in (w.v_int(0), w.v_int(-5), w.v_str(""), w.v_str("é字😀"), w.v_bytes(b""), w.v_bytes(b"\0\xff"),
                  w.v_list([w.v_int(1), w.v_str("a")])):
            r = w.Reader(v)
            self.assertEqual(w.read_value(r)[2], v)
            self.assertEqual(r.remaining(), 0)
        for c in (w.cmd_put("k", w.v_int(1)), w.cmd_get("k"), w.cmd_delete("ключ"),
                  w.cmd_cas("k", None, w.v_int(2)), w.cmd_cas("k", w.v_list([]), w.v_int(2)),
                  w.cmd_append("l", w.v_str("x"))):
            r = w.Reader(c)
            w.read_command(r)
            self.assertEqual(r.remaining(), 0)

    def test_kv_entry(self):
        data = w.kv_entry(7, 1, 123, w.cmd_put("k", w.v_int(1)))
        self.assertEqual(data[:25], b"\x01" + struct.pack(">qqq", 7, 1, 123))
        self.assertEqual(w.parse_kv_entry(data), (w.OP_PUT, "k", ("int", 1, w.v_int(1))))
        with self.assertRaises(w.Malformed):
            w.parse_kv_entry(w.kv_entry(7, 0, 123, w.cmd_get("k")))      # a session with seq 0
        with self.assertRaises(w.Malformed):
            w.parse_kv_entry(data + b"\0")

    def test_status_body_round_trip(self):
        body = w.status_body(1, 9, "LEADER", {0: 9, 2: 8}, {"rx.datagrams": 5, "kv.keys": 2})
        h = w.parse_header(w.header(w.STATUS_RESPONSE, len(body), src=1, term=3, index_a=1, index_b=9,
                                    commit_index=9))
        s = w.parse_status_body(h, body)
        self.assertEqual((s["role"], s["leader"], s["applied"], s["match"], s["counters"]["kv.keys"]),
                         ("LEADER", 1, 9, {0: 9, 2: 8}, 2))

    def test_utf8_is_strict(self):
        for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xff", b"\xe2\x82"):
            with self.assertRaises(w.Malformed):
                w.read_command(w.Reader(b"\x02" + struct.pack(">H", len(bad)) + bad))


class ModelTest(unittest.TestCase):
    def setUp(self):
        self.discarded = []
        self.m = w.NodeModel(0, 3, self.discarded.append)

    def vote(self, **f):
        fields = dict(src=1, dst=0, message_id=1, term=5)
        fields.update(f)
        return w.datagram(w.VOTE_REQUEST, **fields)

    def test_every_header_reason(self):
        good = self.vote()
        cases = {
            "SHORT": good[:63],
            "BAD_MAGIC": b"RB" + good[2:],
            "BAD_VERSION": good[:2] + b"\x02" + good[3:],
            "UNKNOWN_TYPE": good[:3] + b"\x0a" + good[4:],
            "TRUNCATED": w.header(w.VOTE_REQUEST, 1, src=1, dst=0, term=5),
            "TRAILING_BYTES": good + b"\0",
            "BAD_FLAGS": self.vote(flags=0x04),
            "BAD_FIELD": self.vote(commit_index=1),
        }
        for reason, d in cases.items():
            self.assertEqual(self.m.predict(d, w.VOTE, "a", 0), reason, reason)
        self.assertEqual(self.m.predict(self.vote(term=1 << 63), w.VOTE, "a", 0), "BAD_FIELD")
        self.assertEqual(self.m.predict(self.vote(reserved=1), w.VOTE, "a", 0), "BAD_FIELD")
        self.assertEqual(self.m.predict(self.vote(src=0xFFFF), w.VOTE, "a", 0), "BAD_FIELD")
        self.assertEqual(self.m.predict(self.vote(chunk_count=0), w.VOTE, "a", 0), "BAD_CHUNK")
        self.assertEqual(self.m.predict(self.vote(chunk_count=2), w.VOTE, "a", 0), "BAD_CHUNK")   # empty chunk
        self.assertEqual(self.m.predict(good, w.APPEND, "a", 0), "WRONG_PORT")

    def test_admission_from_a_non_member_port(self):
        self.assertEqual(self.m.predict(self.vote(), w.VOTE, "a", 0), "WRONG_SOURCE")
        self.assertEqual(self.m.predict(self.vote(src=0), w.VOTE, "a", 0), "WRONG_SOURCE")
        self.assertEqual(self.m.predict(self.vote(src=3), w.VOTE, "a", 0), "NOT_MEMBER")
        self.assertEqual(self.m.predict(self.vote(dst=1), w.VOTE, "a", 0), "MISADDRESSED")
        # the term ceiling is judged after the source: from a non-member port, WRONG_SOURCE
        self.assertEqual(self.m.predict(self.vote(term=w.U63), w.VOTE, "a", 0), "WRONG_SOURCE")
        bad_session = w.datagram(w.CLIENT_REQUEST, w.cmd_get("k"), index_a=9, index_b=0)
        self.assertEqual(self.m.predict(bad_session, w.CLIENT, "a", 0), "BAD_SESSION")
        answer = w.datagram(w.CLIENT_RESPONSE, w.client_response_body(w.ST_RETRY), src=1, index_a=1, index_b=1)
        self.assertEqual(self.m.predict(answer, w.CLIENT, "a", 0), "UNEXPECTED_TYPE")
        self.assertEqual(self.m.predict(w.datagram(w.STATUS_REQUEST), w.CLIENT, "a", 0), w.ADMITTED_STATUS)

    def test_bodies(self):
        entries = [(5, w.ENTRY_NORMAL, b"not an entry")]
        body = w.entries_body(entries)
        ok = w.datagram(w.APPEND_REQUEST, body, src=1, dst=0, term=5, index_a=3, index_b=4, log_term=5)
        self.assertEqual(self.m.predict(ok, w.APPEND, "a", 0), "WRONG_SOURCE")   # BAD_ENTRY is judged later
        off = w.datagram(w.APPEND_REQUEST, body, src=1, dst=0, term=5, index_a=3, index_b=5, log_term=5)
        self.assertEqual(self.m.predict(off, w.APPEND, "a", 0), "MALFORMED_BODY")
        kind2 = w.datagram(w.APPEND_REQUEST, w.entries_body([(5, 2, b"")]), src=1, dst=0, term=5, index_a=3,
                           index_b=4)
        self.assertEqual(self.m.predict(kind2, w.APPEND, "a", 0), "MALFORMED_BODY")   # MEMBERS without a count
        kind3 = w.datagram(w.APPEND_REQUEST, w.entries_body([(5, 3, b"")]), src=1, dst=0, term=5, index_a=3,
                           index_b=4)
        self.assertEqual(self.m.predict(kind3, w.APPEND, "a", 0), "MALFORMED_BODY")   # no kind 3
        snap = w.datagram(w.SNAPSHOT_CHUNK, w.snapshot_body(3, b"abcd"), src=1, dst=0, term=5, index_a=1,
                          log_term=1)
        self.assertEqual(self.m.predict(snap, w.SNAPSHOT, "a", 0), "MALFORMED_BODY")
        self.assertEqual(self.m.predict(w.datagram(w.HEARTBEAT, b"\0", src=1, dst=0, term=1), w.HEARTBEAT_CLASS,
                                        "a", 0), "MALFORMED_BODY")

    def response(self, t, **f):
        fields = dict(src=1, dst=0, message_id=1, term=5, commit_index=0x1234)
        fields.update(f)
        return w.datagram(t, **fields)

    def test_responses_carry_a_nonzero_incarnation(self):
        for t in (w.VOTE_RESPONSE, w.APPEND_RESPONSE, w.HEARTBEAT_RESPONSE, w.SNAPSHOT_RESPONSE):
            name = w.TYPE_NAMES[t]
            cls = w.TYPE_CLASS[t]
            self.assertEqual(self.m.predict(self.response(t), cls, "a", 0), "WRONG_SOURCE", name)
            self.assertEqual(self.m.predict(self.response(t), cls, "a", 0, from_member_port=True),
                             w.ADMITTED_RAFT, name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=1), cls, "a", 0), "WRONG_SOURCE", name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=w.U63), cls, "a", 0), "WRONG_SOURCE",
                             name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=0), cls, "a", 0), "BAD_FIELD", name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=0), cls, "a", 0, from_member_port=True),
                             "BAD_FIELD", name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=1 << 63), cls, "a", 0), "BAD_FIELD",
                             name)
            # in the order of MessageCodec.checkHeader: flags first, chunks after
            self.assertEqual(self.m.predict(self.response(t, commit_index=0, flags=0x40), cls, "a", 0),
                             "BAD_FLAGS", name)
            self.assertEqual(self.m.predict(self.response(t, commit_index=0, chunk_count=0), cls, "a", 0),
                             "BAD_FIELD", name)
            self.assertEqual(self.m.predict(self.response(t, chunk_count=0), cls, "a", 0), "BAD_CHUNK", name)
        # the other Raft types do not carry one: commit_index 0 is right for them (unused or a value)
        self.assertEqual(self.m.predict(self.vote(), w.VOTE, "a", 0), "WRONG_SOURCE")
        self.assertEqual(self.m.predict(self.vote(commit_index=1), w.VOTE, "a", 0), "BAD_FIELD")
        self.assertEqual(self.m.predict(w.datagram(w.TIMEOUT_NOW, src=1, dst=0, term=5, commit_index=1),
                                        w.VOTE, "a", 0), "BAD_FIELD")

    def test_a_heartbeat_names_the_receivers_incarnation(self):
        hb = lambda **f: w.datagram(w.HEARTBEAT, **dict(dict(src=1, dst=0, term=5, commit_index=3), **f))  # noqa
        for inc in (0, 1, 0x0abcdef012345678, w.U63):                 # 0: none recorded
            self.assertEqual(self.m.predict(hb(index_b=inc), w.HEARTBEAT_CLASS, "a", 0, from_member_port=True),
                             w.ADMITTED_RAFT, inc)
        self.assertEqual(self.m.predict(hb(index_b=1 << 63), w.HEARTBEAT_CLASS, "a", 0), "BAD_FIELD")
        self.assertEqual(self.m.predict(hb(log_term=1), w.HEARTBEAT_CLASS, "a", 0), "BAD_FIELD")   # still unused
        self.assertEqual(self.m.predict(hb(commit_index=0), w.HEARTBEAT_CLASS, "a", 0, from_member_port=True),
                         w.ADMITTED_RAFT)                              # a request: commit 0 is a commit index

    def test_members_entries(self):
        good = w.members_data([(0, 0x1a2b), (1, 1), (2, w.U63)])
        self.assertEqual(good.hex(), "0003" "0000" "0000000000001a2b" "0001" "0000000000000001"
                                     "0002" "7fffffffffffffff")
        self.assertEqual(w.parse_members(good), [(0, 0x1a2b), (1, 1), (2, w.U63)])
        self.assertEqual(w.parse_members(w.members_data([(65534, 9)])), [(65534, 9)])
        bad = {
            "no count": b"\x00",
            "count 0": w.members_data([]),
            "count above the members": w.members_data([(0, 1)], count=2),
            "count below the members": w.members_data([(0, 1), (1, 1)], count=1),
            "a byte left over": w.members_data([(0, 1)]) + b"\0",
            "ids descending": w.members_data([(1, 1), (0, 1)]),
            "an id twice": w.members_data([(1, 1), (1, 2)]),
            "id 65535": w.members_data([(0, 1), (w.NO_NODE, 1)]),
            "incarnation 0": w.members_data([(0, 1), (1, 0)]),
            "incarnation 2^63": w.members_data([(0, 1 << 63)]),
        }
        for what, data in bad.items():
            with self.assertRaises(w.Malformed, msg=what):
                w.parse_members(data)

        def append(entries, **f):
            fields = dict(src=1, dst=0, term=5, index_a=3, index_b=3 + len(entries), log_term=5)
            fields.update(f)
            return w.datagram(w.APPEND_REQUEST, w.entries_body(entries), **fields)

        ok = append([(5, w.ENTRY_MEMBERS, good), (5, w.ENTRY_NOOP, b"")])
        self.assertEqual(self.m.predict(ok, w.APPEND, "a", 0), "WRONG_SOURCE")
        self.assertEqual(self.m.predict(ok, w.APPEND, "a", 0, from_member_port=True), w.ADMITTED_RAFT)
        self.assertEqual(w.decode_body(w.parse_header(ok), ok[64:]),
                         [(5, w.ENTRY_MEMBERS, good), (5, w.ENTRY_NOOP, b"")])
        for what, data in bad.items():
            # the whole message is malformed, whatever else it carries and wherever the entry is
            d = append([(5, w.ENTRY_NORMAL, w.kv_entry(1, 1, 1, w.cmd_get("k"))), (5, w.ENTRY_MEMBERS, data)])
            self.assertEqual(self.m.predict(d, w.APPEND, "a", 0), "MALFORMED_BODY", what)
            self.assertEqual(self.m.predict(d, w.APPEND, "a", 0, from_member_port=True), "MALFORMED_BODY", what)

    def test_admission_of_entries(self):
        members = (5, w.ENTRY_MEMBERS, w.members_data([(0, 7)]))
        normal = (5, w.ENTRY_NORMAL, w.kv_entry(1, 1, 1, w.cmd_put("k", w.v_int(1))))
        self.assertIsNone(w.bad_entry([]))
        self.assertIsNone(w.bad_entry([members, (5, w.ENTRY_NOOP, b""), normal]))   # MEMBERS: not a kv entry
        self.assertIn("NOOP", w.bad_entry([members, (5, w.ENTRY_NOOP, b"x")]))
        self.assertIn("key-value", w.bad_entry([members, (5, w.ENTRY_NORMAL, b"")]))
        self.assertIn("key-value", w.bad_entry([(5, w.ENTRY_NORMAL, members[2])]))   # the same bytes as NORMAL

    def test_reassembly(self):
        body = w.cmd_put("atk-1", w.v_bytes(bytes(300)))
        ds = w.datagrams(w.CLIENT_REQUEST, body, 200, message_id=7, index_a=1, index_b=1)
        self.assertEqual(len(ds), 3)
        p = lambda d, origin="a", t=0: self.m.predict(d, w.CLIENT, origin, t)   # noqa: E731
        self.assertEqual([p(ds[2]), p(ds[0]), p(ds[0]), p(ds[1])],
                         [w.BUFFERED, w.BUFFERED, "DUPLICATE_CHUNK", w.ADMITTED_CLIENT])
        self.assertEqual(p(ds[1]), "LATE_CHUNK")
        self.assertEqual(p(ds[1], t=5000), w.BUFFERED)        # forgotten after the timeout: a new message
        other = bytearray(ds[0])
        other[-1] ^= 1
        self.assertEqual(p(ds[0], "b"), w.BUFFERED)
        self.assertEqual(p(bytes(other), "b"), "INCONSISTENT_CHUNK")
        self.assertEqual(self.discarded, ["ABANDONED"])
        self.assertEqual(p(ds[1], "b"), "LATE_CHUNK")
        self.m.expire_all(20000)
        self.assertEqual(self.discarded, ["ABANDONED", "EXPIRED"])


class ReassemblyMemoryTest(unittest.TestCase):
    def test_charge_limit_evicts_the_least_recent_and_refuses_a_message_alone_too_large(self):
        gone = []
        m = w.ReassemblyModel(gone.append)
        m.REASSEMBLY_BYTES_MAX = 1000
        hdr = lambda mid, i, n: w.parse_header(w.header(w.STATUS_REQUEST, 100, message_id=mid, chunk_index=i,   # noqa
                                                        chunk_count=n))
        chunk = bytes(100)
        for mid in range(1, 7):                     # each: 8*3 + 16 + 100 = 140 bytes charged
            self.assertIsNone(m.add(("o", 0, mid), hdr(mid, 0, 3), chunk, 0))
        self.assertEqual((gone, m.charged), ([], 840))
        self.assertIsNone(m.add(("o", 0, 1), hdr(1, 1, 3), chunk, 0))      # message 1 becomes the most recent
        self.assertIsNone(m.add(("o", 0, 7), hdr(7, 0, 3), chunk, 0))      # 840 + 116 + 140 > 1000
        self.assertEqual(gone, ["EVICTED"])
        self.assertNotIn(("o", 0, 2), m.partials)                             # the least recently active
        with self.assertRaises(w.Drop) as e:
            m.add(("o", 0, 9), hdr(9, 0, 200), chunk, 0)                   # 8 * 200 slots alone
        self.assertEqual(e.exception.reason, "TOO_LARGE")


class CheckReadsTest(unittest.TestCase):
    class FakeLoad:
        def __init__(self):
            self.acks = [("load-w00-000001", w.v_int(0), "put", 0, 1), ("load-list-w00", w.v_int(1), "append", 0, 1),
                         ("load-list-w00", w.v_int(2), "append", 1, 2)]
            self.appends_sent = {"load-list-w00": [1, 2, 3]}

    @staticmethod
    def found(value):
        return w.read_result(w.Reader(w.result_found(value)))

    def test_all_present(self):
        results = {"load-w00-000001": self.found(w.v_int(0)),
                   "load-list-w00": self.found(w.v_list([w.v_int(1), w.v_int(2), w.v_int(3)]))}
        self.assertEqual(hostile.check_reads(self.FakeLoad(), results), ([], 1, 2))

    def test_lost_wrong_and_duplicated(self):
        results = {"load-w00-000001": self.found(w.v_str("0")),
                   "load-list-w00": self.found(w.v_list([w.v_int(1), w.v_int(1), w.v_int(9)]))}
        problems, _, _ = hostile.check_reads(self.FakeLoad(), results)
        text = "\n".join(problems)
        for what in ("load-w00-000001", "applied twice", "missing: [2]", "nobody sent: [9]"):
            self.assertIn(what, text)
        problems, _, _ = hostile.check_reads(self.FakeLoad(), {})
        self.assertEqual(len(problems), 2)


class FakeCluster:
    def __init__(self, port):
        self.port = port

    def member_ports(self):
        return {20000 + i for i in range(15)}

    def addr(self, node, cls):
        return ("127.0.0.1", self.port)


class AttackerTest(unittest.TestCase):
    def setUp(self):
        self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink.bind(("127.0.0.1", 0))
        self.sink.settimeout(0.2)
        self.a = hostile.Attacker(FakeCluster(self.sink.getsockname()[1]), 3, 2000, False, 4, 10, 12)

    def tearDown(self):
        self.a.close()
        self.sink.close()

    def test_generators_are_seeded(self):
        b = hostile.Attacker(FakeCluster(1), 3, 2000, False, 4, 10, 12)
        try:
            one = [self.a.generate() for _ in range(300)]
            two = [b.generate() for _ in range(300)]
        finally:
            b.close()
        self.assertEqual(one, two)

    def test_every_kind_of_forged_raft_message_and_no_fault_request(self):
        kinds = set()
        for _ in range(6000):
            kind, sends = self.a.generate()
            kinds.add(kind.split(".")[0] + "." + kind.split(".")[1])
        for t in w.RAFT_TYPES:
            self.assertIn("forged." + w.TYPE_NAMES[t], kinds)
        for group in ("random", "bitflip", "header", "client", "chunks", "answer"):
            self.assertTrue(any(k.startswith(group + ".") for k in kinds), group)

    def test_a_fault_request_is_never_sent(self):
        d = w.datagram(w.FAULT_REQUEST, b"\x03")
        self.a.send("test", 0, w.CLIENT, 0, d)
        self.assertEqual(self.a.suppressed, 1)
        self.assertEqual(self.a.total(), 0)
        with self.assertRaises(socket.timeout):
            self.sink.recvfrom(100)

    def test_header_violations_hit_their_reason(self):
        expect = {"magic": "BAD_MAGIC", "version": "BAD_VERSION", "type": "UNKNOWN_TYPE",
                  "truncated": "TRUNCATED", "trailing": "TRAILING_BYTES", "reserved": "BAD_FIELD",
                  "chunk_count0": "BAD_CHUNK", "wrong_port": "WRONG_PORT",
                  "checksum": "BAD_FIELD", "body": "MALFORMED_BODY", "incarnation": "BAD_FIELD",
                  "members": "MALFORMED_BODY"}
        seen = {}
        for _ in range(3000):
            kind, sends = self.a.header_violation(0, 0)
            v = kind.split(".")[1]
            node, cls, _, d = sends[0]
            got = w.NodeModel(node, 3, lambda r: None).predict(d, cls, "x", 0)
            seen.setdefault(v, set()).add(got)
        for v, reason in expect.items():
            if v in ("magic", "version", "type", "truncated", "trailing"):
                self.assertEqual(seen[v], {reason}, v)          # checked before any field
            else:
                # some crafted messages carry an extreme index (2^63-1 + entries) already
                self.assertIn(reason, seen[v], v)
                # or a chunk of a big one: buffered, or refused before buffering when it claims a Raft sender
                self.assertLessEqual(seen[v], {reason, "BAD_FIELD", w.BUFFERED, "UNADMITTED_CHUNK"}, v)
        # a client id is any 64-bit pattern (section 3): the top bit of index_a passes there
        self.assertIn("BAD_FIELD", seen["topbit"])
        self.assertLessEqual(seen["topbit"], {"BAD_FIELD", w.ADMITTED_CLIENT, "UNEXPECTED_TYPE"})
        self.assertEqual(seen["incarnation"], {"BAD_FIELD"})
        self.assertEqual(seen["members"], {"MALFORMED_BODY"})

    def test_forged_responses_and_heartbeats_are_well_formed(self):
        """Forged messages of the types whose header rules changed pass every format check:
        responses carry a nonzero incarnation, heartbeats a receiver's incarnation or 0."""
        heartbeat_incarnations = set()
        for t in sorted(w.RESPONSES) + [w.HEARTBEAT]:
            for _ in range(300):
                ds, _ = self.a.forged_raft(t, 0)
                h = w.check_header(ds[0], w.TYPE_CLASS[t])     # raises Drop otherwise
                if t == w.HEARTBEAT:
                    heartbeat_incarnations.add(h.index_b != 0)
                else:
                    self.assertGreater(h.commit_index, 0, w.TYPE_NAMES[t])
        self.assertEqual(heartbeat_incarnations, {False, True})

    def test_forged_appends_carry_well_formed_members_entries(self):
        kinds = set()
        for _ in range(400):
            ds, _ = self.a.forged_raft(w.APPEND_REQUEST, 0)
            if len(ds) > 1:
                continue
            try:
                entries = w.decode_body(w.parse_header(ds[0]), ds[0][64:])
            except w.Malformed:
                continue                                       # index_b off by one, or past 2^63 - 1
            kinds.update(k for _, k, _ in entries)
        self.assertEqual(kinds, set(w.ENTRY_KINDS))



class KeyedAttackerTest(unittest.TestCase):
    """Keyed mode: the attacker has no key. Only replays (and the campaign's own keyholder
    share) carry a right MAC; the model, which has the key, says what each datagram meets."""

    def setUp(self):
        self.key = bytes(range(100, 132))
        self.genuine = hostile.Genuine(1)
        put = w.datagram(w.CLIENT_REQUEST, w.cmd_put("load-w00-000001", w.v_int(5)), message_id=9, index_a=77,
                         index_b=1)
        self.genuine.offer("load.ClientRequest", [w.sign(self.key, put)])
        self.genuine.offer("monitor.StatusRequest", [w.sign(self.key, w.datagram(w.STATUS_REQUEST, message_id=4))])
        status = w.datagrams(w.STATUS_RESPONSE, w.status_body(0, 1, "LEADER", {}, {"x.%03d" % i: i for i in range(60)}),
                             400, src=0, message_id=8, term=1)
        self.genuine.offer("monitor.StatusResponse", [w.sign(self.key, d) for d in status])
        self.a = hostile.Attacker(FakeCluster(1), 5, 2000, False, 4, 10, 12, receiver_key=self.key,
                                  genuine=self.genuine, keyholder=True)

    def tearDown(self):
        self.a.close()

    def test_only_replays_and_the_keyholder_carry_a_right_mac(self):
        kinds, outcomes = set(), {}
        for _ in range(4000):
            kind, sends = self.a.generate()
            kinds.add(".".join(kind.split(".")[:2]))
            for node, cls, _, d in sends:
                if w.verify(self.key, d):
                    self.assertTrue(kind.startswith(("auth.replayed.", "keyholder.")), kind)
                if kind.startswith("auth.replayed."):
                    self.assertTrue(w.verify(self.key, d), kind)
                got = self.a.models[node].predict(d, cls, "x", 0)
                outcomes.setdefault(kind.split(".")[0], set()).add(got)
        for k in ("auth.random_mac", "auth.other_key", "auth.no_trailer", "auth.bitflip", "auth.stripped",
                  "auth.unflagged", "auth.cut_mac", "auth.spliced", "auth.replayed", "keyholder.sessionless_write",
                  "keyholder.forged", "forged.VoteRequest"):
            self.assertIn(k, kinds)
        # nothing the attacker crafted passes the MAC check: what it meets is a reason judged before it
        before = set(w.BEFORE_MAC_REASONS) | {"UNAUTHENTICATED", "BAD_MAC"}
        for group in ("random", "bitflip", "forged", "header", "client", "chunks", "answer", "replayed"):
            self.assertLessEqual(outcomes.get(group, set()), before, group)
        self.assertIn("UNAUTHENTICATED", outcomes["forged"])
        self.assertIn("BAD_MAC", outcomes["auth"])
        self.assertIn(w.ADMITTED_CLIENT, outcomes["auth"])            # a replayed ClientRequest is taken
        self.assertIn(w.ADMITTED_STATUS, outcomes["auth"])
        self.assertIn("UNEXPECTED_TYPE", outcomes["auth"])            # a replayed answer, reassembled
        self.assertIn("SESSIONLESS_WRITE", outcomes["keyholder"])
        self.assertNotIn(w.ADMITTED_RAFT, outcomes["keyholder"])
        self.assertEqual(self.a.replayed_ops, {(77, 1): w.OP_PUT})

    def test_no_keyholder(self):
        b = hostile.Attacker(FakeCluster(1), 5, 2000, False, 4, 10, 12, receiver_key=self.key, genuine=self.genuine)
        try:
            for _ in range(2000):
                kind, sends = b.generate()
                self.assertFalse(kind.startswith("keyholder."), kind)
                for _, _, _, d in sends:
                    self.assertEqual(w.verify(self.key, d), kind.startswith("auth.replayed."), kind)
        finally:
            b.close()

    def test_judging_answers_to_replays(self):
        self.a.replayed_ops[(77, 1)] = w.OP_PUT
        ok = w.datagram(w.CLIENT_RESPONSE, w.client_response_body(w.ST_OK, 0, w.result_ok()), src=0, index_a=77,
                        index_b=1)
        again = w.datagram(w.CLIENT_RESPONSE, w.client_response_body(w.ST_OK, 0, w.result_ok(w.v_int(5))), src=0,
                           index_a=77, index_b=1)
        self.a.judge_answer(0, w.sign(self.key, ok))
        self.a.judge_answer(0, w.sign(self.key, again))
        self.a.judge_answer(0, ok)                                    # unsigned: a keyed node never sends that
        self.assertEqual(self.a.replay_answers, {"Put: cached OK": 1, "Put: APPLIED AGAIN": 1})
        self.assertEqual(self.a.unsigned_answers, {"UNAUTHENTICATED": 1})

    def test_key_file(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "cluster.key")
            k = hostile.make_key_file(path)
            self.assertEqual(len(k), 32)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            self.assertEqual(w.read_key_file(path), k)


if __name__ == "__main__":
    unittest.main()
