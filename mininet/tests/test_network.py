"""Boots the testbed for real: the `network` scenario leaves nothing behind, and a runner
killed with SIGKILL in the middle of a Raft scenario is cleaned up by the next run.
Needs root and Mininet: skipped without them, except under CI (env CI set), where a skip
would hide a missing piece and is a failure instead. `make test` runs this as root:
  sudo /usr/bin/python3 -m unittest discover -s mininet/tests -p 'test_network.py'
"""
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUN = os.path.join(HERE, "..", "run.py")
sys.path.insert(0, os.path.join(HERE, ".."))
from parentns import start_time  # noqa: E402  (None when gone or a zombie)
NS = "raftudp-crashtest"   # its own parent namespace: never the one `make run` uses
ENV = dict(os.environ, RAFTUDP_NS=NS)
CAN = os.geteuid() == 0 and shutil.which("mnexec")


def namespaces():
    return subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout.split()


def recorded_pids():
    """[(pid, start time, role)] the runner wrote down for NS."""
    try:
        with open(os.path.join("/run/raftudp", NS, "pids")) as f:
            return [(int(p), int(s), r) for p, s, r in (line.split() for line in f if line.strip())]
    except OSError:
        return []


def runner(*args):
    return [sys.executable, RUN] + list(args)


@unittest.skipUnless(CAN or os.environ.get("CI"), "needs root and Mininet")
class NetworkTest(unittest.TestCase):
    def setUp(self):
        if not CAN:
            self.fail("CI must run the testbed tests: they need root and Mininet (mnexec)")

    def tearDown(self):
        subprocess.run(runner("stop"), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def test_network_scenario_passes_and_leaves_nothing_behind(self):
        p = subprocess.run(runner("scenarios", "network", "--no-install"), env=ENV, cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(0, p.returncode, p.stdout[-3000:])
        self.assertIn("PASS network", p.stdout)
        self.assertNotIn(NS, namespaces())
        addrs = subprocess.run(["ip", "-4", "addr"], stdout=subprocess.PIPE, text=True).stdout
        self.assertNotIn("10.0.1.", addrs, "a testbed address leaked into the root namespace")

    def test_the_disk_full_fault_leaves_not_a_byte_free(self):
        """make chaos's disk-full fault (chaos.fill) on a 1 MiB tmpfs in a mount namespace of its own."""
        code = ("import os, sys; sys.path.insert(0, %r); import chaos; chaos.fill('/mnt/f'); st = os.statvfs('/mnt'); "
                "print('free', st.f_bavail * st.f_frsize, 'size', os.path.getsize('/mnt/f'))" % os.path.join(HERE, ".."))
        p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs -o size=1m raftudp-filltest /mnt && %s -c \"%s\"" % (sys.executable, code)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(0, p.returncode, p.stdout)
        self.assertIn("free 0 size 1048576", p.stdout)

    @unittest.skipUnless(os.path.exists(os.path.join(REPO, "raft-node.jar")) or os.environ.get("CI"),
                         "needs raft-node.jar (make build)")
    def test_a_runner_killed_mid_scenario_is_cleaned_up_by_the_next_run(self):
        # 1. a Raft scenario, killed (SIGKILL, its whole process group) once a leader is up
        # (demo mode narrates, so the leader line comes while the nodes run; unbuffered output)
        p = subprocess.Popen(runner("demo", "elect", "--no-install", "--require-jars"),
                             env=dict(ENV, PYTHONUNBUFFERED="1"), cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in p.stdout], daemon=True).start()
        seen, deadline = [], time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                self.assertIsNone(p.poll(), "the runner ended before a leader was up:\n" + "".join(seen[-40:]))
                continue
            seen.append(line)
            if ">> leader:" in line:
                break
        else:
            os.killpg(p.pid, signal.SIGKILL)
            self.fail("no leader within 180 s:\n" + "".join(seen[-40:]))
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=30)

        # 2. the crash left its network and its processes behind (else this test proves nothing)
        self.assertIn(NS, namespaces())
        left = [(pid, st, role) for pid, st, role in recorded_pids() if start_time(pid) == st]
        self.assertTrue(any("raft" in role for _, _, role in left), "no raft node survived the crash: %s" % left)

        # 3. the next run starts clean by itself and passes
        again = subprocess.run(runner("scenarios", "elect", "--no-install", "--require-jars"), env=ENV, cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertEqual(0, again.returncode, again.stdout[-3000:])
        self.assertIn("PASS elect", again.stdout)

        # 4. nothing of either run is left: no namespace, no process the crashed run started
        self.assertNotIn(NS, namespaces())
        alive = [(pid, role) for pid, st, role in left if start_time(pid) == st]
        self.assertEqual([], alive, "processes of the crashed run still alive")


if __name__ == "__main__":
    unittest.main()
