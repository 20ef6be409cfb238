"""Boots the testbed and runs the `network` scenario (no Raft programs needed). Needs root
and Mininet; skipped otherwise. Run:
  sudo /usr/bin/python3 -m unittest discover -s mininet/tests -p 'test_network.py'
"""
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "run.py")


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("mnexec"), "needs root and Mininet")
class NetworkTest(unittest.TestCase):
    def test_network_scenario_passes_and_leaves_nothing_behind(self):
        p = subprocess.run([sys.executable, RUN, "scenarios", "network", "--no-install"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(0, p.returncode, p.stdout[-3000:])
        self.assertIn("PASS network", p.stdout)
        ns = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout.split()
        self.assertNotIn(os.environ.get("RAFTUDP_NS", "raftudp-tb"), ns)
        addrs = subprocess.run(["ip", "-4", "addr"], stdout=subprocess.PIPE, text=True).stdout
        self.assertNotIn("10.0.1.", addrs, "a testbed address leaked into the root namespace")


if __name__ == "__main__":
    unittest.main()
