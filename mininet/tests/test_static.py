"""Checks that need no root and no network: topology, runtime files, P4 source vs Java codec.

Run: /usr/bin/python3 -m unittest discover -s mininet/tests -v
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import bmv2cli  # noqa: E402
import faults  # noqa: E402
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


if __name__ == "__main__":
    unittest.main()


class RaftStartCommandTest(unittest.TestCase):
    """`raft start` in the CLI: one host with optional index and arguments, or several hosts."""

    def setUp(self):
        try:
            import raftcli
        except ImportError as e:   # mininet is a hard dependency of the testbed; say so
            self.fail("the CLI needs Mininet for /usr/bin/python3: %s" % e)
        started = self.started = []

        class Proc:
            pid = 4242

        class Tb(FakeTestbed):
            def raft_start(self, host, index, extra):
                started.append((host, index, list(extra)))
                return Proc()

        self.cli = raftcli.RaftCLI.__new__(raftcli.RaftCLI)   # no Mininet network behind it
        self.cli.tb = Tb()

    def test_several_cluster_hosts_start_one_node_each(self):
        out = self.cli._raft(["start", "h1", "h2", "h3"])
        self.assertEqual([("h1", None, []), ("h2", None, []), ("h3", None, [])], self.started)
        self.assertEqual(3, out.count("raft node on"))

    def test_one_host_takes_an_index_and_node_arguments(self):
        self.cli._raft(["start", "h1", "0", "--log-level", "debug"])
        self.cli._raft(["start", "h2", "--tick-ms", "5"])
        self.assertEqual([("h1", 0, ["--log-level", "debug"]), ("h2", None, ["--tick-ms", "5"])], self.started)
