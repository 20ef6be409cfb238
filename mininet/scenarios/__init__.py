"""Headless scenarios: each module here has NAME, ABOUT, NEEDS_JARS and run(ctx).

run(ctx) asserts its outcome (AssertionError = failed) and records timings with ctx.time.
The runner resets the testbed between scenarios (nodes stopped, partitions healed, link
faults cleared, data directories emptied, on BMv2 the switches' seen_* registers cleared), prints one line per scenario and a closing
'N passed, N failed, N skipped' line. Scenarios that drive Raft need raft-node.jar and
raft-client.jar; they are skipped with a clear message when those are missing, unless
--require-jars (CI) turns that into a failure.
"""
import importlib
import os
import pkgutil
import shutil
import time
import traceback

import testbed

from .context import Context, Skip  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))


def modules():
    out = []
    for info in sorted(pkgutil.iter_modules([HERE]), key=lambda m: m.name):
        if info.name.startswith("s") and info.name[1:3].isdigit():
            out.append(importlib.import_module("scenarios." + info.name))
    return out


def describe():
    return "\n".join("%-14s %s%s" % (m.NAME, m.ABOUT, "  [needs the jars]" if m.NEEDS_JARS else "")
                     for m in modules())


def select(names):
    mods = modules()
    if names:
        known = {m.NAME: m for m in mods}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit("unknown scenario(s) %s; known: %s" % (", ".join(unknown), ", ".join(known)))
        return [known[n] for n in names]
    return mods


def reset(tb):
    for h in list(tb.raft_running()):
        tb.raft_stop(h, kill=True)
    tb.heal()
    tb.faults.clear_all()
    if tb.backend_name == "bmv2":
        tb.reset_seen()   # the switches' seen_* registers: the next cluster starts again at term 1
    # Scenarios keep their nodes' data apart from the CLI's (data/node-INDEX) and start afresh.
    tb.data_root = os.path.join(testbed.DATA_DIR, "scenarios")
    if os.path.isdir(tb.data_root):
        shutil.rmtree(tb.data_root)
    os.makedirs(tb.data_root)


def run_all(tb, names, require_jars=False, demo=False):
    chosen = select(names)
    jars_missing = tb.jars_missing()
    passed = failed = skipped = 0
    print("scenarios: %s" % ", ".join(m.NAME for m in chosen))
    for m in chosen:
        print("\n=== %s: %s" % (m.NAME, m.ABOUT))
        if m.NEEDS_JARS and jars_missing:
            msg = "%s missing (run `make build` once the node and client programs exist)" % " and ".join(jars_missing)
            if require_jars:
                print("FAIL %s: %s" % (m.NAME, msg))
                failed += 1
            else:
                print("SKIP %s: %s" % (m.NAME, msg))
                skipped += 1
            continue
        reset(tb)
        ctx = Context(tb, m.NAME, narrate=demo)
        start = time.monotonic()
        try:
            m.run(ctx)
            passed += 1
            print("PASS %s (%.1f s)%s" % (m.NAME, time.monotonic() - start, ctx.timings_text()))
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (m.NAME, e))
        except Exception as e:   # an assertion or a broken testbed: report, go on with the next
            failed += 1
            print("FAIL %s (%.1f s): %s: %s%s" % (m.NAME, time.monotonic() - start, type(e).__name__, e,
                                                 ctx.timings_text()))
            traceback.print_exc()
            ctx.dump_logs()
    reset(tb)
    print("\nscenarios: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0
