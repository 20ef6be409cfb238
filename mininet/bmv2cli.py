"""What the BMv2 backend reads from and passes to BMv2's own programs, kept apart from
backend_bmv2 (which needs Mininet) so that the static tests can check it anywhere."""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Switch logs are off unless SWITCH_LOG=1 (make run SWITCH_LOG=1): --log-console on three
# switches wrote about 1.2 GB in an 11-minute run. When on, each switch writes logs/SWITCH.log
# through BMv2's rotating file logger: at most SWITCH_LOG_MB MB in each of 2 files.
SWITCH_LOG_DIR = os.path.join(REPO, "logs")
SWITCH_LOG_FILES = 2


def switch_log_args(name, env=None):
    """simple_switch's logging options for switch `name`: none unless SWITCH_LOG is set to 1."""
    env = os.environ if env is None else env
    if env.get("SWITCH_LOG", "0") in ("", "0"):
        return []
    mb = int(env.get("SWITCH_LOG_MB", "20"))
    return ["--log-file", os.path.join(SWITCH_LOG_DIR, "%s" % name), "--log-file-max-size", str(mb << 20),
            "--log-file-max-files", str(SWITCH_LOG_FILES), "--log-level", env.get("SWITCH_LOG_LEVEL", "info")]


def parse_counter_values(text):
    """(packets, bytes) of every counter_read answer in `text`, in order. simple_switch_CLI
    1.15 prints `NAME[i]= (B bytes, P packets)`; older ones `... packets=P, bytes=B`."""
    out = []
    for line in text.splitlines():
        new = re.search(r"=\s*\((\d+) bytes, (\d+) packets\)", line)
        old = re.search(r"packets=(\d+), bytes=(\d+)", line)
        if new:
            out.append((int(new.group(2)), int(new.group(1))))
        elif old:
            out.append((int(old.group(1)), int(old.group(2))))
    return out
