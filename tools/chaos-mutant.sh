#!/usr/bin/env bash
# Shows that make chaos can fail: plants one Raft bug in the real node (a leader commits with
# its own acknowledgement alone: a quorum of one), rebuilds the jars, runs a short campaign of
# leader partitions on Linux routers, and expects the checker to report lost acknowledged
# writes. Restores the source and rebuilds the jars whatever happens. Exits 1 when the
# campaign passes with the bug in place. Needs root (the testbed). Usage: tools/chaos-mutant.sh
set -uo pipefail
cd "$(dirname "$0")/.."
file=src/main/java/raftudp/core/Leadership.java
old='long quorumIndex = matches[matches.length - cfg.quorum()];'
new='long quorumIndex = matches[matches.length - 1];'
saved=$(mktemp -d)
cp "$file" "$saved/original"
restore() {
  # cp without -p: the restored file is newer than the mutant's classes, so Maven recompiles it.
  cp "$saved/original" "$file"
  rm -f target/classes/raftudp/core/Leadership.class target/classes/raftudp/core/Leadership\$*.class
  make -s build >/dev/null 2>&1 || echo "chaos-mutant: make build failed after restoring $file"
  rm -rf "$saved"
}
trap restore EXIT
python3 - "$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1:4]
s = open(p).read()
if s.count(old) != 1:
    sys.exit("chaos-mutant: pattern found %d times (must be once) in %s: %s" % (s.count(old), p, old))
open(p, "w").write(s.replace(old, new, 1))
PY
[ $? = 0 ] || exit 2
make -s build >/dev/null 2>&1 || { echo "chaos-mutant: make build failed with the bug planted"; exit 2; }
out=$(make --no-print-directory -s chaos BACKEND=linux SEED=5 MINUTES=1 KINDS=partition-leader 2>&1)
rc=$?
lost=$(grep -c 'acknowledged append lost' <<< "$out")
grep -E '^  chaos |^verdict:|^chaos: ' <<< "$out" | sed 's/^/  /'
if [ $rc != 0 ] && grep -q '^verdict: FAIL' <<< "$out" && [ "$lost" -gt 0 ]; then
  echo "chaos-mutant: a leader committing alone (quorum of one): caught (verdict FAIL, $lost lost acknowledged appends shown)"
  exit 0
fi
echo "chaos-mutant: a leader committing alone (quorum of one): NOT CAUGHT (campaign exit $rc)"
grep -v '^\[' <<< "$out" | tail -30
exit 1
