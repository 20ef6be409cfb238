"""Checks that need no root and no network: topology, runtime files, P4 source vs Java codec.

Run: /usr/bin/python3 -m unittest discover -s mininet/tests -v
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import p4check  # noqa: E402
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

    def test_mismatches_are_reported(self):
        swapped = self.text.replace("bit<16> src_id;\n    bit<16> dst_id;", "bit<16> dst_id;\n    bit<16> src_id;")
        self.assertNotEqual(swapped, self.text)
        self.assertTrue(any("differs" in p for p in p4check.problems(swapped)))
        wrong_port = self.text.replace("RAFT_PORT_VOTE      = 0x9997", "RAFT_PORT_VOTE      = 0x9999")
        self.assertTrue(any("RAFT_PORT_VOTE" in p for p in p4check.problems(wrong_port)))
        self.assertTrue(any("unbalanced" in p for p in p4check.problems(self.text + "{")))


def _hex(text):
    return bytes.fromhex("".join(line[6:].replace(" ", "") for line in text.strip().splitlines()))


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


if __name__ == "__main__":
    unittest.main()
