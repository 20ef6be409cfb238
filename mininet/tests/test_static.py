"""Checks that need no root and no network: topology, runtime files, P4 source vs Java codec.

Run: /usr/bin/python3 -m unittest discover -s mininet/tests -v
"""
import ast
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest

MININET_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, MININET_DIR)
import bmv2cli  # noqa: E402
import captures  # noqa: E402
import chaos  # noqa: E402
import faults  # noqa: E402
import p4check  # noqa: E402
import raftnodes  # noqa: E402
import raftprobe  # noqa: E402
import runtime  # noqa: E402
import topo  # noqa: E402


class TopologyTest(unittest.TestCase):
    def setUp(self):
        self.t = topo.Topology.load()

    def test_issue_hosts_and_addresses(self):
        want = {"h1": "10.0.1.1", "h11": "10.0.1.11", "h2": "10.0.2.2", "h22": "10.0.2.22", "h3": "10.0.3.3"}
        self.assertEqual(want, {h: self.t.host_ip(h) for h in self.t.hosts})
        self.assertEqual(["10.0.1.1", "10.0.2.2", "10.0.3.3"], self.t.node_ips())
        self.assertEqual({"s1", "s2", "s3"}, set(self.t.switches))
        self.assertEqual({frozenset(p) for p in (("s1", "s2"), ("s1", "s3"), ("s2", "s3"))},
                         {frozenset((l.a, l.b)) for l in self.t.switch_links()})

    def test_every_host_reaches_every_other_through_the_committed_runtime_files(self):
        files = {sw: runtime.read_entries(runtime.runtime_path(self.t, sw)) for sw in self.t.switches}
        for a in self.t.hosts:
            for b in self.t.hosts:
                if a != b:
                    path = self.t.walk(a, b, entries_of=files.get)
                    self.assertEqual(self.t.host_switch(a), path[0])
                    self.assertEqual(self.t.host_switch(b), path[-1])
                    self.assertLessEqual(len(path), 2, "triangle: at most one switch-switch hop")

    def test_runtime_files_are_current(self):
        self.assertEqual([], runtime.stale_files(self.t), "run: python3 mininet/runtime.py")

    def test_static_arp_points_at_the_gateway(self):
        for h, spec in self.t.hosts.items():
            self.assertIn(spec["gw"], spec["arp"])
            for ip, mac in spec["arp"].items():
                self.assertEqual(self.t.gateway_mac(h), mac, "%s: %s" % (h, ip))

    def test_a_broken_topology_is_refused(self):
        import copy
        import json
        with open(topo.TOPOLOGY_JSON) as f:
            data = json.load(f)
        bad = copy.deepcopy(data)
        bad["links"][0]["ends"][1] = "s1-p9"
        self.assertRaises(topo.TopologyError, topo.Topology, bad)
        bad = copy.deepcopy(data)
        bad["hosts"]["h1"]["ip"] = "10.0.2.1/24"
        self.assertRaises(topo.TopologyError, topo.Topology, bad)

    def test_a_wrong_mac_in_an_entry_is_caught_by_the_walk(self):
        def broken(sw):
            out = self.t.lpm_entries(sw)
            for e in out:
                if e["kind"] == "subnet":
                    e["dmac"] = "08:00:00:00:09:09"
            return out
        self.assertRaises(topo.TopologyError, self.t.walk, "h1", "h2", broken)

    def test_cli_commands_follow_the_action_parameter_order(self):
        cmds = runtime.cli_commands(runtime.runtime_path(self.t, "s1"))
        self.assertEqual("table_set_default RaftIngress.ipv4_lpm RaftIngress.drop", cmds[0])
        self.assertIn("table_add RaftIngress.ipv4_lpm RaftIngress.ipv4_forward 10.0.1.1/32 => "
                      "08:00:00:00:01:00 08:00:00:00:01:01 1", cmds)


class P4SourceTest(unittest.TestCase):
    def setUp(self):
        with open(p4check.P4_FILE) as f:
            self.text = f.read()

    def test_p4_program_is_consistent(self):
        self.assertEqual([], p4check.problems(self.text))

    def test_raft_header_matches_the_java_codec(self):
        self.assertEqual(p4check.java_fields(), p4check.header_fields(self.text, "raft_t"))
        self.assertEqual(16, len(p4check.java_fields()))

    def test_linux_counter_offsets_point_at_the_header_fields(self):
        offsets, at = {}, 0
        for name, bits in p4check.java_fields():
            offsets[name] = (at, bits)
            at += bits
        self.assertEqual((topo.NFT_TH_MAGIC_BITS - 64, 16), offsets["magic"])
        self.assertEqual((topo.NFT_TH_VERSION_BITS - 64, 8), offsets["version"])
        self.assertEqual((topo.NFT_TH_TYPE_BITS - 64, 8), offsets["msg_type"])

    def test_seen_register_constants_match_the_java_codes(self):
        consts = p4check.constants(self.text)
        java = os.path.join(topo.REPO, "src", "main", "java", "raftudp")
        with open(os.path.join(java, "wire", "MessageType.java")) as f:
            codes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+([A-Z_]+)\((\d+),", f.read(), re.M)}
        for name in ("APPEND_REQUEST", "HEARTBEAT", "SNAPSHOT_CHUNK", "TIMEOUT_NOW"):
            self.assertEqual(codes[name], consts["RAFT_TYPE_" + name], name)
        raft_codes = sorted(c for n, c in codes.items() if c < 16)
        self.assertEqual((raft_codes[0], raft_codes[-1]), (consts["RAFT_TYPE_FIRST"], consts["RAFT_TYPE_LAST"]))
        self.assertLess(max(codes.values()), consts["RAFT_TYPES"])
        with open(os.path.join(java, "core", "Raft.java")) as f:
            self.assertIn("TERM_MAX = 1L << 48;", f.read())
        self.assertEqual(1 << 48, consts["RAFT_TERM_MAX"])

    def test_mismatches_are_reported(self):
        swapped = self.text.replace("bit<16> src_id;\n    bit<16> dst_id;", "bit<16> dst_id;\n    bit<16> src_id;")
        self.assertNotEqual(swapped, self.text)
        self.assertTrue(any("differs" in p for p in p4check.problems(swapped)))
        wrong_port = self.text.replace("RAFT_PORT_VOTE      = 0x9997", "RAFT_PORT_VOTE      = 0x9999")
        self.assertTrue(any("RAFT_PORT_VOTE" in p for p in p4check.problems(wrong_port)))
        self.assertTrue(any("unbalanced" in p for p in p4check.problems(self.text + "{")))


FACTS = os.path.join(topo.REPO, "docs", "wire-facts.json")
UDP_HEADER_BITS = 8 * 8   # RFC 768: nftables' @th offsets count from the UDP header, the Raft header follows it


def load_facts():
    with open(FACTS, encoding="utf-8") as f:
        return json.load(f)


def struct_layout(s):
    """[(offset_bits, bits)] of the items of a big-endian struct.Struct, in order; an "Ns" is one item of N bytes."""
    assert s.format[0] in ">!", "a wire struct is big-endian: " + s.format
    out, at = [], 0
    for count, code in re.findall(r"(\d*)([a-zA-Z?])", s.format[1:]):
        n = int(count or 1)
        for size in [n] if code in "sp" else [struct.calcsize(">" + code)] * n:
            out.append((at * 8, size * 8))
            at += size
    return out


def module_literals(path, *names):
    """The values of top-level `NAME = <literal>` assignments of a Python file, read without importing it
    (the backends need Mininet)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in names:
                out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


class WireFactsTest(unittest.TestCase):
    """The testbed's copies of the wire facts (raftprobe.py, topo.py, the backends, topology.json) against
    docs/wire-facts.json, which the Java code renders (raftudp.wire.WireFacts; WireFactsTest keeps it current)."""

    @classmethod
    def setUpClass(cls):
        cls.facts = load_facts()
        cls.fields = {x["name"]: x for x in cls.facts["header_fields"]}
        cls.types = {t["code"]: t for t in cls.facts["message_types"]}
        cls.classes = sorted(cls.facts["message_classes"], key=lambda c: c["index"])
        cls.ports = {c["name"]: c["default_port"] for c in cls.classes}

    def field_value(self, d, name):
        x = self.fields[name]
        at = x["offset_bits"] // 8
        return int.from_bytes(d[at:at + x["bits"] // 8], "big")

    def test_probe_constants(self):
        f = self.facts
        for name, key in (("MAGIC", "magic"), ("VERSION", "version"), ("NO_NODE", "no_node"),
                          ("DATAGRAM_MAX", "datagram_bytes_default")):
            self.assertEqual(f[key], getattr(raftprobe, name), "raftprobe.%s vs wire-facts.json %s" % (name, key))
        self.assertEqual(self.ports["client"], raftprobe.CLIENT_PORT, "raftprobe.CLIENT_PORT vs the client class")
        codes = {t["constant"]: c for c, t in self.types.items()}
        names = [n for n in dir(raftprobe) if n.startswith("T_")]
        self.assertTrue(names, "raftprobe's T_* type codes")
        for n in names:
            self.assertEqual(codes.get(n[2:]), getattr(raftprobe, n), "raftprobe.%s" % n)

    def test_probe_header_layout(self):
        fields = self.facts["header_fields"]
        self.assertEqual(self.facts["header_bytes"], raftprobe.HEADER.size, "raftprobe.HEADER size")
        self.assertEqual([(x["offset_bits"], x["bits"]) for x in fields], struct_layout(raftprobe.HEADER),
                         "raftprobe.HEADER %s vs the header fields of wire-facts.json" % raftprobe.HEADER.format)
        # what header() writes, read at the offsets of the facts
        d = raftprobe.header(0x11, 0x12345678, 0x9ABC, index_a=0x0102030405060708, index_b=0x1112131415161718,
                             chunk_index=0x0203, chunk_count=0x0405)
        want = dict(magic=self.facts["magic"], version=self.facts["version"], msg_type=0x11, flags=0, reserved=0,
                    src_id=self.facts["no_node"], dst_id=self.facts["no_node"], chunk_index=0x0203,
                    chunk_count=0x0405, message_id=0x12345678, payload_length=0x9ABC, term=0,
                    index_a=0x0102030405060708, index_b=0x1112131415161718, log_term=0, commit_index=0)
        self.assertEqual(set(self.fields), set(want), "every field of the facts is checked")
        self.assertEqual(want, {n: self.field_value(d, n) for n in self.fields}, "raftprobe.header()")
        # what parse_header() reads: its names are the facts' field names
        d = bytearray(self.facts["header_bytes"])
        values = {}
        for i, (name, x) in enumerate(self.fields.items()):
            if name in ("magic", "version"):
                values[name] = self.facts[name]
            else:
                values[name] = int.from_bytes(bytes(range(i, i + x["bits"] // 8)), "big")
            at = x["offset_bits"] // 8
            d[at:at + x["bits"] // 8] = values[name].to_bytes(x["bits"] // 8, "big")
        h = raftprobe.parse_header(bytes(d))
        got = {k: int.from_bytes(v, "big") if isinstance(v, bytes) else v for k, v in h.items()}
        self.assertEqual(values, got, "raftprobe.parse_header()")

    def test_nft_offsets_point_at_the_header_fields(self):
        for const, name in (("NFT_TH_MAGIC_BITS", "magic"), ("NFT_TH_VERSION_BITS", "version"),
                            ("NFT_TH_TYPE_BITS", "msg_type")):
            self.assertEqual(UDP_HEADER_BITS + self.fields[name]["offset_bits"], getattr(topo, const),
                             "topo.%s: the UDP header, then %s" % (const, name))

    def test_backend_copies(self):
        names = {c: t["name"] for c, t in self.types.items()}
        classes = [c["name"] for c in self.classes]
        for backend in ("backend_linux.py", "backend_bmv2.py"):
            path = os.path.join(MININET_DIR, backend)
            lit = module_literals(path, "RAFT_TYPES", "CLASSES")
            self.assertEqual(names, lit.get("RAFT_TYPES"), backend + " RAFT_TYPES")
            self.assertEqual(classes, lit.get("CLASSES"), backend + " CLASSES (MessageClass order)")
        with open(os.path.join(MININET_DIR, "backend_linux.py")) as f:
            rules = re.findall(r"@th,%d,16 (0x[0-9A-Fa-f]+) @th,%d,8 (\d+)", f.read())
        self.assertEqual(1, len(rules), "backend_linux.py's nft magic/version match")
        self.assertEqual((self.facts["magic"], self.facts["version"]), (int(rules[0][0], 16), int(rules[0][1])),
                         "backend_linux.py's nft rules match magic and version")

    def test_topology_json_is_the_java_testbed(self):
        t = topo.Topology.load()
        nodes = sorted(self.facts["testbed"]["nodes"], key=lambda n: n["id"])
        self.assertEqual([n["address"] for n in nodes], t.node_ips(),
                         "topology.json's cluster hosts vs ClusterConfig.testbed() (wire-facts.json testbed)")
        for n in nodes:
            self.assertEqual(n["ports"], t.raft_ports, "topology.json raft_ports vs node %d's ports" % n["id"])
        self.assertEqual(self.ports, t.raft_ports, "topology.json raft_ports vs the default ports")

    def test_p4_program(self):
        # P4HeaderTest holds p4/raft.p4 to the Java classes; this holds it to the file the other copies use
        with open(p4check.P4_FILE) as f:
            text = f.read()
        self.assertEqual([(x["name"], x["bits"]) for x in self.facts["header_fields"]],
                         p4check.header_fields(text, "raft_t"), "header raft_t of p4/raft.p4")
        consts = p4check.constants(text)
        want = {"RAFT_MAGIC": self.facts["magic"], "RAFT_VERSION": self.facts["version"],
                "RAFT_TERM_MAX": self.facts["term_max"]}
        for c in self.classes:
            want["RAFT_PORT_" + c["name"].upper()] = c["default_port"]
            want["RAFT_CLASS_" + c["name"].upper()] = c["index"]
        codes = {t["constant"]: c for c, t in self.types.items()}
        for name in consts:
            if name.startswith("RAFT_TYPE_") and name[len("RAFT_TYPE_"):] in codes:
                want[name] = codes[name[len("RAFT_TYPE_"):]]
        self.assertEqual(want, {k: consts.get(k) for k in want}, "constants of p4/raft.p4")
        raft = sorted(c for c, t in self.types.items() if t["raft"])
        self.assertEqual((raft[0], raft[-1]), (consts["RAFT_TYPE_FIRST"], consts["RAFT_TYPE_LAST"]),
                         "RAFT_TYPE_FIRST .. RAFT_TYPE_LAST: the Raft peer messages")
        self.assertLess(max(self.types), consts["RAFT_TYPES"], "RAFT_TYPES counts every type code")
        self.assertLessEqual(len(self.classes), consts["RAFT_CLASSES"], "RAFT_CLASSES counts every class")

    def test_the_struct_reader_of_this_test(self):
        self.assertEqual([(0, 16), (16, 24), (40, 8), (48, 64)], struct_layout(struct.Struct(">H3sBQ")))


def _hex(text):
    return bytes.fromhex("".join(line[6:].replace(" ", "") for line in text.strip().splitlines()))


class Bmv2CliTest(unittest.TestCase):
    # simple_switch_CLI of BMv2 1.15.5, as captured (mininet/tests: docs/testbed.md, BMv2 backend)
    CLI_1_15 = """Obtaining JSON from switch...
Done
Control utility for runtime P4 table manipulation
RuntimeCmd: RaftIngress.raft_type_counter[1]= (4224 bytes, 33 packets)
RuntimeCmd: RaftIngress.drop_counter[0]= (0 bytes, 0 packets)
RuntimeCmd: RaftEgress.egress_drop_counter[2]= (128 bytes, 2 packets)
RuntimeCmd: """
    # the format of BMv2 releases before 1.15 (p4lang tutorials VMs of 2020-2023)
    CLI_OLD = """RuntimeCmd: this is the direct counter for table ...
RuntimeCmd: RaftIngress.raft_type_counter[1]=  BmCounterValue(packets=33, bytes=4224)
RuntimeCmd: RaftIngress.drop_counter[0]=  BmCounterValue(packets=0, bytes=0)
RuntimeCmd: RaftEgress.egress_drop_counter[2]=  BmCounterValue(packets=2, bytes=128)
RuntimeCmd: """

    def test_both_counter_formats_read_the_same_values(self):
        want = [(33, 4224), (0, 0), (2, 128)]
        self.assertEqual(bmv2cli.parse_counter_values(self.CLI_1_15), want)
        self.assertEqual(bmv2cli.parse_counter_values(self.CLI_OLD), want)

    def test_a_refused_read_gives_no_value(self):
        self.assertEqual(bmv2cli.parse_counter_values("RuntimeCmd: Invalid counter operation (INVALID_INDEX)"), [])

    FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    # register_read as BMv2 before 1.9.0 printed it (tools/runtime_CLI.py of 2015-2017:
    # `print "%s[%d]= " % (name, index), value`, and "SUCCESS" in the first version); the
    # values are those of the 1.15.5 capture.
    REGISTER_CLI_OLD = """RuntimeCmd: RaftIngress.seen_max_term[0]=  7
SUCCESS
RuntimeCmd: RaftIngress.seen_leader_term[0]=  6
RuntimeCmd: RaftIngress.seen_leader_id[0]=  1
RuntimeCmd: RaftIngress.seen_leader_changes[0]=  2
RuntimeCmd: """

    def fixture(self, name):
        with open(os.path.join(self.FIXTURES, name)) as f:
            return f.read()

    def test_register_reads_of_bmv2_1_15_both_forms(self):
        # Captured from simple_switch 1.15.5 after hand-made frames: Heartbeat t3 from 2,
        # VoteRequest t5, a Heartbeat above 2^48, AppendRequest t6 from 1, a ClientRequest
        # with term 100, HeartbeatResponse t7, Heartbeat t4, a Heartbeat t9 with a bad magic.
        # stdout and stderr together, as Bmv2Backend.cli reads them.
        reads = bmv2cli.parse_register_reads(self.fixture("register_read-bmv2-1.15.5.txt"))
        self.assertEqual(("RaftIngress.seen_max_term", None, [7]), reads[0])
        self.assertEqual(("RaftIngress.seen_leader_changes", None, [2]), reads[3])
        self.assertEqual(("RaftIngress.seen_max_term", 0, [7]), reads[4])
        self.assertEqual(("RaftIngress.seen_leader_id", 0, [1]), reads[6])
        # the INVALID_INDEX read of seen_leader_id[1] gives nothing; the 64-port array follows
        self.assertEqual(("RaftIngress.loss_in_per10k", None, [0] * 64), reads[8])
        self.assertEqual(9, len(reads))
        cells = bmv2cli.register_cells(self.fixture("register_read-bmv2-1.15.5.txt"))
        self.assertEqual(0, cells[("RaftIngress.loss_in_per10k", 63)])
        self.assertNotIn(("RaftIngress.seen_leader_id", 1), cells)

    def test_seen_registers_read_the_same_in_every_format(self):
        want = {"max_term": 7, "leader_term": 6, "leader_id": 1, "leader_changes": 2}
        self.assertEqual(want, bmv2cli.parse_seen(self.fixture("register_read-bmv2-1.15.5.txt")))
        self.assertEqual(want, bmv2cli.parse_seen(self.fixture("register_read-bmv2-1.15.5-stdout.txt")))
        self.assertEqual(want, bmv2cli.parse_seen(self.REGISTER_CLI_OLD))

    def test_seen_without_a_leader_has_no_leader_id(self):
        text = "".join("RuntimeCmd: %s[0]= %d\n" % (reg, v) for (_, reg), v in zip(bmv2cli.SEEN_REGISTERS,
                                                                                    (4, 0, 0, 0)))
        self.assertEqual({"max_term": 4, "leader_term": 0, "leader_id": None, "leader_changes": 0},
                         bmv2cli.parse_seen(text))

    def test_a_missing_or_refused_register_is_an_error(self):
        text = self.REGISTER_CLI_OLD.replace("RaftIngress.seen_leader_id[0]=  1",
                                             "Error: Invalid register name (RaftIngress.seen_leader_id)")
        with self.assertRaises(ValueError) as e:
            bmv2cli.parse_seen(text)
        self.assertIn("RaftIngress.seen_leader_id", str(e.exception))
        self.assertEqual([], bmv2cli.parse_register_reads("RuntimeCmd: Invalid register operation (INVALID_INDEX)"))

    def test_seen_commands_read_and_clear_cell_0_of_each_register(self):
        regs = [reg for _, reg in bmv2cli.SEEN_REGISTERS]
        self.assertEqual(["register_read %s 0" % r for r in regs], bmv2cli.seen_commands())
        self.assertEqual(["register_write %s 0 0" % r for r in regs], bmv2cli.seen_reset_commands())
        with open(p4check.P4_FILE) as f:
            code = p4check.strip_comments(f.read())
        for r in regs:   # each is a one-cell register of RaftIngress
            self.assertRegex(code, r"register<bit<\d+>>\(1\)\s+%s\s*;" % r.split(".")[1])

    def test_switch_ports_get_checksum_and_segmentation_offloads_off(self):
        # tso/gso/gro on made libpcap give simple_switch a ~32-frame receive ring: chunked
        # messages lost their tail on BMv2 (tools/bmv2/burst.sh measures it)
        cmd = bmv2cli.switch_port_ethtool("s1-eth1")
        self.assertTrue(cmd.startswith("ethtool -K s1-eth1 "), cmd)
        for feature in ("tx", "rx", "tso", "gso", "gro"):
            self.assertIn(" %s off" % feature, cmd)

    def test_switch_logs_are_off_unless_asked_and_bounded_when_on(self):
        self.assertEqual(bmv2cli.switch_log_args("s1", {}), [])
        self.assertEqual(bmv2cli.switch_log_args("s1", {"SWITCH_LOG": "0"}), [])
        on = bmv2cli.switch_log_args("s1", {"SWITCH_LOG": "1", "SWITCH_LOG_MB": "5"})
        self.assertIn("--log-file", on)
        self.assertEqual(on[on.index("--log-file-max-size") + 1], str(5 << 20))
        self.assertEqual(on[on.index("--log-file-max-files") + 1], "2")
        self.assertNotIn("--log-console", on)


class ProbeCodecTest(unittest.TestCase):
    """raftprobe.py against the worked examples of docs/wire-format.md section 9."""

    PUT = """
0000  52 41 01 10 00 00 00 00  ff ff ff ff 00 00 00 01
0010  00 00 00 02 00 00 00 0d  00 00 00 00 00 00 00 00
0020  00 00 00 00 00 00 00 2a  00 00 00 00 00 00 00 07
0030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
0040  01 00 01 6b 01 00 00 00  00 00 00 00 00
"""
    NOT_LEADER = """
0000  52 41 01 11 00 00 00 00  00 01 ff ff 00 00 00 01
0010  00 00 00 04 00 00 00 03  00 00 00 00 00 00 00 00
0020  00 00 00 00 00 00 00 2a  00 00 00 00 00 00 00 07
0030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
0040  01 00 02
"""

    def test_put_int_zero_matches_the_spec_bytes(self):
        body = raftprobe.command(1, "k", 0)
        self.assertEqual(_hex(self.PUT), raftprobe.client_request(2, 42, 7, body))

    def test_not_leader_answer_decodes(self):
        r = raftprobe.decode_client_response(_hex(self.NOT_LEADER))
        self.assertEqual(("NOT_LEADER", 2, 42, 7), (r["status"], r["leader_hint"], r["client_id"], r["seq"]))

    def test_the_spec_examples_use_the_spec_wording(self):
        with open(os.path.join(topo.REPO, "docs", "wire-format.md")) as f:
            spec = f.read()
        self.assertIn(self.PUT.strip(), spec)
        self.assertIn(self.NOT_LEADER.strip(), spec)

    def test_values_round_trip(self):
        for v in (0, -1, "", "héllo", b"", b"\x00" * 1000, 2 ** 63 - 1):
            got, end = raftprobe.decode_value(raftprobe.encode_value(v), 0)
            self.assertEqual(v, got)
            self.assertEqual(len(raftprobe.encode_value(v)), end)


class FakeTestbed:
    """What LinkFaults reads without a network: the topology and the backend's name."""

    def __init__(self):
        self.t = topo.Topology.load()
        self.backend_name = "linux"
        self.cluster = self.t.cluster


class LinkFaultMappingTest(unittest.TestCase):
    """The filter mechanism: which raft node gets which rule for which destination."""

    def setUp(self):
        self.tb = FakeTestbed()
        self.lf = faults.LinkFaults(self.tb, "filter")

    def set_link(self, a, b, **opts):
        self.lf.state[self.tb.t.find_link(a, b).name()] = {k: opts.get(k, 0) for k in faults.LinkFaults.KEYS}

    def test_link_words_parse_with_jitter(self):
        self.assertEqual(dict(loss_pct=5.0, delay_ms=5.0, jitter_ms=1.0, dup_pct=0.5),
                         faults.parse_link_args(["loss", "5", "delay", "5ms", "jitter", "1ms", "dup", "0.5"]))
        self.assertRaises(faults.FaultError, faults.parse_link_args, ["jitter", "1s"])

    def test_paths_follow_the_routes(self):
        names = [l.name() for l in self.lf.path_links("h1", "h2")]
        self.assertEqual(3, len(names))
        self.assertEqual(self.tb.t.find_link("s1", "s2").name(), names[1])
        self.assertEqual(2, len(self.lf.path_links("h1", "h11")), "same switch: two host links")

    def test_a_switch_link_delays_what_crosses_it_and_nothing_else(self):
        self.set_link("s1", "s2", delay_ms=5, jitter_ms=1)
        self.assertEqual({"10.0.2.2": (5, 1, 0), "10.0.2.22": (5, 1, 0)}, self.lf.java_rules("h1"))
        self.assertEqual({"10.0.1.1": (5, 1, 0), "10.0.1.11": (5, 1, 0)}, self.lf.java_rules("h2"))
        self.assertEqual({}, self.lf.java_rules("h3"), "h3's paths do not use s1-s2")

    def test_every_link_adds_up_along_the_path_and_duplication_combines(self):
        for l in self.tb.t.links:
            self.set_link(l.a, l.b, delay_ms=5, dup_pct=1)
        rules = self.lf.java_rules("h1")
        self.assertEqual((15, 0, 29701), rules["10.0.2.2"], "3 links: 15 ms, 1 - 0.99^3 duplicated")
        self.assertEqual((10, 0, 19900), rules["10.0.1.11"], "2 links")
        self.assertEqual(4, len(rules), "every other host")
        self.assertEqual(["--fault", "10.0.1.11=delay:10ms,dup:1.99%"], self.lf.fault_options("h1")[:2])

    def test_a_host_link_delays_everything_its_host_sends(self):
        self.set_link("h3", "s3", delay_ms=7)
        self.assertEqual({ip: (7, 0, 0) for ip in ("10.0.1.1", "10.0.1.11", "10.0.2.2", "10.0.2.22")},
                         self.lf.java_rules("h3"))
        self.assertEqual({"10.0.3.3": (7, 0, 0)}, self.lf.java_rules("h1"), "and what others send to it")

    def test_filter_refuses_what_the_node_layer_cannot_do(self):
        self.assertRaises(faults.FaultError, self.lf.check, dict(delay_ms=5, reorder_pct=25))
        self.assertRaises(faults.FaultError, self.lf.check, dict(delay_ms=0.5))
        self.assertRaises(faults.FaultError, self.lf.check, dict(delay_ms=2000, jitter_ms=1))
        self.lf.check(dict(delay_ms=5, jitter_ms=2, dup_pct=1, loss_pct=5))

    def test_netem_needs_no_node_rules(self):
        lf = faults.LinkFaults(self.tb, "netem")
        lf.state[self.tb.t.find_link("s1", "s2").name()] = dict(delay_ms=5)
        self.assertEqual({}, lf.java_rules("h1"))
        self.assertEqual([], lf.fault_options("h1"))

    def test_rule_text_is_the_nodes(self):
        self.assertEqual("delay:5ms,jitter:1ms,loss:5%,dup:0.0001%", faults.rule_text(5, 1, 1, 50000))
        self.assertEqual("none", faults.rule_text(0, 0, 0))
        self.assertNotIn("not available", faults.NO_DELAY_HINT)

    def test_explain_names_each_mechanism(self):
        self.set_link("s1", "s2", delay_ms=5, loss_pct=5)
        text = self.lf.explain(dict(loss_pct=5, delay_ms=5), {"loss_pct": ["s1", "s2"]}, [])
        self.assertIn("loss 5%: nftables numgen random rules in s1,s2", text)
        self.assertIn("delay 5ms: the raft nodes' fault layer on h1,h2", text)
        self.assertIn("recorded, given as --fault when a node starts", text)


class ProbeFaultCodecTest(unittest.TestCase):
    """raftprobe.py's FaultRequest/FaultResponse against the vectors of WireGoldenTest."""

    def test_set_request_body(self):
        body = raftprobe.fault_request_body(raftprobe.FAULT_SET, "10.0.2.2", (50000, 5, 1, 10000))
        self.assertEqual(bytes.fromhex("01 04 0a000202 0000c350 00000005 00000001 00002710".replace(" ", "")), body)
        self.assertEqual(b"\x02\x00", raftprobe.fault_request_body(raftprobe.FAULT_CLEAR, "*"))
        self.assertEqual(b"\x00", raftprobe.fault_request_body(raftprobe.FAULT_SHOW))

    def test_response_decodes(self):
        data = bytes.fromhex(("5241 01 15 00 000000 0002 ffff 0000 0001 0000000a 00000028" + "00" * 40
                              + "0002 00 00002710 00000000 00000000 00000000"
                              + "04 0a000101 00000000 00000005 00000000 00000000").replace(" ", ""))
        r = raftprobe.decode_fault_response(data)
        self.assertEqual(2, r["id"])
        self.assertEqual([dict(target="*", loss_ppm=10000, delay_ms=0, jitter_ms=0, dup_ppm=0),
                          dict(target="10.0.1.1", loss_ppm=0, delay_ms=5, jitter_ms=0, dup_ppm=0)], r["rules"])

    def test_set_words_parse(self):
        self.assertEqual(("10.0.2.2", (0, 5, 1, 0)), raftprobe.parse_fault_set("10.0.2.2=5,1,0"))
        self.assertEqual(("*", (7, 5, 0, 3)), raftprobe.parse_fault_set("*=5,0,3,7"))


class RaftCommandTest(unittest.TestCase):
    """The CLI's `raft` command (raftnodes.py, no Mininet needed): start one host with an optional
    index and arguments, or several hosts; a node that dies at once is an error, not a pid."""

    def setUp(self):
        self.started, self.dies = [], set()
        started, dies = self.started, self.dies

        class Proc:
            def __init__(self, index):
                self.pid, self.raft_index, self.raft_log = 4242, index, os.path.join(topo.REPO, "logs", "node-%d.log" % index)

        class Tb(FakeTestbed):
            def __init__(self):
                FakeTestbed.__init__(self)
                self.nodes = {}

            def raft_start(self, host, index, extra):
                started.append((host, index, list(extra)))
                self.nodes[host] = Proc(self.t.cluster.index(host) if index is None else index)

            def raft_await_started(self, host):
                if host in dies:
                    del self.nodes[host]
                    raise raftnodes.CommandError("the raft node on %s exited at once (exit 1)" % host)
                return self.nodes[host]

        self.tb = Tb()

    def test_several_cluster_hosts_start_one_node_each(self):
        out = raftnodes.raft_command(self.tb, ["start", "h1", "h2", "h3"])
        self.assertEqual([("h1", None, []), ("h2", None, []), ("h3", None, [])], self.started)
        self.assertEqual(["raft node 0 on h1: pid 4242, log logs/node-0.log",
                          "raft node 1 on h2: pid 4242, log logs/node-1.log",
                          "raft node 2 on h3: pid 4242, log logs/node-2.log"], out.splitlines())

    def test_one_host_takes_an_index_and_node_arguments(self):
        raftnodes.raft_command(self.tb, ["start", "h1", "0", "--log-level", "debug"])
        raftnodes.raft_command(self.tb, ["start", "h2", "--tick-ms", "5"])
        self.assertEqual([("h1", 0, ["--log-level", "debug"]), ("h2", None, ["--tick-ms", "5"])], self.started)

    def test_a_node_that_dies_at_once_is_an_error_and_prints_no_pid_for_it(self):
        self.dies.add("h2")
        with self.assertRaises(raftnodes.CommandError) as e:
            raftnodes.raft_command(self.tb, ["start", "h1", "h2", "h3"])
        text = str(e.exception)
        self.assertIn("on h2 exited at once", text)
        self.assertNotIn("on h2: pid", text)
        self.assertIn("raft node 2 on h3: pid 4242", text)

    def test_unknown_words_print_the_usage(self):
        with self.assertRaises(raftnodes.CommandError) as e:
            raftnodes.raft_command(self.tb, ["frobnicate"])
        self.assertIn("raft list", str(e.exception))


class NodeDiscoveryTest(unittest.TestCase):
    """`raft list` / `raft stop` find nodes started by hand by their command line in /proc."""

    def test_the_index_is_the_first_argument_after_the_jar(self):
        self.assertEqual(2, raftnodes.node_index(["java", "-Xmx256m", "-jar", "/r/raft-node.jar", "2", "--data-dir", "d"]))
        self.assertEqual(0, raftnodes.node_index(["java", "-jar", "raft-node.jar", "0"]))
        self.assertIsNone(raftnodes.node_index(["java", "-jar", "raft-node.jar", "--help"]))
        self.assertIsNone(raftnodes.node_index(["java", "-jar", "raft-client.jar", "1"]))

    def test_a_running_process_named_java_with_the_jar_is_found_by_pid(self):
        # A stand-in whose argv[0] is "java" and whose arguments name raft-node.jar: python sleeping.
        p = subprocess.Popen(["/bin/bash", "-c", 'exec -a java %s -c "import sys; sys.stdin.read()" '
                              '-jar /x/raft-node.jar 1' % sys.executable], stdin=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                found = dict(raftnodes.nodes_in_proc())
                if p.pid in found:
                    break
                time.sleep(0.05)   # until bash has exec'd (bounded)
            self.assertIn(p.pid, found)
            self.assertEqual(1, raftnodes.node_index(found[p.pid]))
        finally:
            p.communicate(b"", timeout=10)
        self.assertNotIn(p.pid, dict(raftnodes.nodes_in_proc()))


class CapturesTest(unittest.TestCase):
    """pcaps/: one bounded capture per switch port (captures.py)."""

    def test_the_default_is_a_bounded_tcpdump_ring(self):
        self.assertEqual(("ring", 10, 2), captures.settings({}))
        self.assertEqual(("ring", 5, 3), captures.settings({"PCAP": "1", "PCAP_MB": "5", "PCAP_FILES": "3"}))
        self.assertEqual("0", captures.settings({"PCAP": "0"})[0])
        argv = captures.tcpdump_argv("s1-eth2", 5, 3, "/tmp/p")
        self.assertEqual("tcpdump", argv[0])
        for opt, value in (("-i", "s1-eth2"), ("-C", "5"), ("-W", "3"), ("-w", "/tmp/p/s1-eth2.pcap"), ("-Z", "root")):
            self.assertEqual(value, argv[argv.index(opt) + 1], opt)

    def test_bad_settings_are_refused_with_what_is_wrong(self):
        for env in ({"PCAP": "yes please"}, {"PCAP_MB": "ten"}, {"PCAP_FILES": "0"}):
            with self.assertRaises(ValueError) as e:
                captures.settings(env)
            self.assertRegex(str(e.exception), "PCAP")

    def test_bmv2_captures_are_its_own_option_and_only_then(self):
        self.assertEqual(["--pcap", "/tmp/p"], captures.bmv2_args("bmv2", "/tmp/p"))
        self.assertEqual([], captures.bmv2_args("ring", "/tmp/p"))

    def test_clear_removes_captures_and_nothing_else(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("s1-eth1.pcap0", "s1-eth1.pcap1", "s2-eth3_in.pcap", "notes.txt"):
                open(os.path.join(d, name), "w").close()
            captures.clear(d)
            self.assertEqual(["notes.txt"], os.listdir(d))


class ChaosKindsTest(unittest.TestCase):
    """make chaos KINDS=...: which fault kinds a campaign draws from."""

    def test_default_is_every_kind_but_the_opt_in_ones_and_all_adds_them(self):
        self.assertEqual(chaos.KINDS, chaos.kinds(""))
        self.assertIn("wipe", chaos.kinds(""), "a wiped node is detected and stopped: drawn by default")
        self.assertEqual(chaos.KINDS + chaos.OPT_IN, chaos.kinds("all"))
        self.assertEqual(("kill", "wipe"), chaos.kinds("kill, wipe"))

    def test_the_lost_data_text_is_what_the_node_says(self):
        raft = os.path.join(os.path.dirname(__file__), "..", "..", "src/main/java/raftudp/core/Raft.java")
        with open(raft) as f:
            self.assertIn(chaos.LOST_DATA, f.read(), "chaos.LOST_DATA must match the message of Raft.lose()")

    def test_an_unknown_kind_is_refused_naming_it_and_the_known_ones(self):
        with self.assertRaises(ValueError) as e:
            chaos.kinds("kill,partition")
        self.assertIn("unknown fault kind(s) partition; known: kill, pause", str(e.exception))
        with self.assertRaises(ValueError):
            chaos.kinds(",")


class NoMininetNeededTest(unittest.TestCase):
    """A fresh machine runs these tests before Mininet is installed: none of their modules may need it."""

    def test_the_modules_under_test_import_without_mininet(self):
        code = ("import sys; sys.modules['mininet'] = None; sys.path.insert(0, %r); "
                "import bmv2cli, captures, chaos, faults, p4check, raftnodes, raftprobe, runtime, topo" % MININET_DIR)
        p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(0, p.returncode, p.stdout)


if __name__ == "__main__":
    unittest.main()
