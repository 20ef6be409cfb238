#!/usr/bin/env bash
# Plants known Raft bugs in the core (and two in the receive path) one at a time, runs simulation seeds and the core's
# protocol tests against each, and restores the source. Shows that the simulator's checkers
# and the tests catch real protocol bugs; exits 1 when a planted bug survives both.
# Usage: tools/sim-mutants.sh [SEEDS]   (default 2000; run from the repository root)
set -euo pipefail
seeds=${1:-2000}
cd "$(dirname "$0")/.."
# Each file is copied aside (mtime kept) before its bug is planted and copied back after, so
# the script needs no git, keeps uncommitted work, and leaves no jar looking stale.
saved=$(mktemp -d)
planted=""
# The restored source keeps its old mtime, so the compiler would not see that it changed: the
# planted bug's classes are deleted with it, and the next compile (the last line of this
# script) rebuilds them from the restored source.
restore() {
  if [ -n "$planted" ]; then
    cp -p "$saved/original" "$planted"
    local class=${planted#src/main/java/}; class=target/classes/${class%.java}
    rm -f "$class.class" "$class"\$*.class
    planted=""
  fi
}
trap 'restore; rm -rf "$saved"' EXIT

mutant() { # name file old new [SimMain options, e.g. --wipes]
  local name=$1 file=$2 old=$3 new=$4
  local sim_opts=("${@:5}")
  planted_count=$((planted_count + 1))
  cp -p "$file" "$saved/original"; planted=$file
  python3 - "$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1:4]
s = open(p).read()
if s.count(old) != 1:
    sys.exit("pattern found %d times (must be once) in %s: %s" % (s.count(old), p, old))
open(p, "w").write(s.replace(old, new, 1))
PY
  mvn -B -q test-compile >/dev/null
  local out
  out=$(java -cp "target/classes:target/test-classes:$(cat target/sim.classpath)" raftudp.sim.SimMain \
        --seeds "$seeds" --start 100000 "${sim_opts[@]}" 2>/dev/null | grep -E '^FAIL|^sim: [0-9]+ seeds' || true)
  # The core's protocol tests (one class per paper section) run against the same mutant.
  local core=caught
  mvn -B -q surefire:test -Dtest='raftudp.core.*Test' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsurefire.reports=target/mutant-reports \
    >/dev/null 2>&1 && core=missed
  printf '%-64s %s; core tests: %s\n' "$name" "$(tail -1 <<< "$out")" "$core"
  if ! grep -q '^FAIL' <<< "$out" && [ "$core" = missed ]; then survivors+=("$name"); fi
  grep '^FAIL' <<< "$out" | head -2 | cut -c1-160 | sed 's/^/    /' || true
  restore
}

survivors=()
planted_count=0
make -s target/sim.classpath >/dev/null
C=src/main/java/raftudp/core
mutant "vote without the up-to-date check (5.4.1)" $C/Raft.java \
  'if (canVote && log.isUpToDate(v.lastLogIndex(), v.lastLogTerm())) {' 'if (canVote) {'
mutant "vote twice in one term (5.2)" $C/Raft.java \
  '|| (votedFor == HardState.NO_VOTE && leader == NONE)' '|| (leader == NONE)'
mutant "ReadIndex without a quorum round (6.4)" $C/Leadership.java \
  '} else if (cfg.quorum() == 1) {' '} else if (true) {'
mutant "commit earlier-term entries by counting (Figure 8)" $C/Leadership.java \
  'if (quorumIndex > log.commit() && log.term(quorumIndex) == term) {' 'if (quorumIndex > log.commit()) {'
mutant "follower ignores a conflicting suffix (5.3)" $C/RaftLog.java \
  'if (have == e.term()) {' 'if (have != -1) {'
mutant "leader never steps down for a higher term (5.1)" $C/Raft.java \
  'becomeFollower(m.term(), fromLeader ? m.from() : NONE);' \
  'if (role != Role.LEADER) { becomeFollower(m.term(), fromLeader ? m.from() : NONE); }'
mutant "votes and acks sent before the persist (10.2.1 overdone)" $C/Raft.java \
  $'List<Message> sendFirst = List.of();\n        List<Message> afterPersist = outbox;' \
  $'List<Message> sendFirst = outbox;\n        List<Message> afterPersist = List.of();'
mutant "recovery keeps a stored term below its log's last term (torn write)" $C/Raft.java \
  'if (log.lastTerm() > hard.term()) {' 'if (false) {'
mutant "a follower that lost its data is never sent what it lacks" $C/Leadership.java \
  'pr.match = Math.max(0, r.conflictIndex() - 1);' ''
mutant "a lost-data claim believed every time (forged: full resends)" $C/Leadership.java \
  'if (pr.lostClaimCooldown == 0) {' 'if (true) {'
mutant "a wiped node's answers believed (another incarnation)" $C/Raft.java \
  '&& log.members().incarnationOf(r.from()) != r.incarnation()) {' '&& false) {' --wipes
mutant "a new cluster forms with a majority (incarnations unknown)" $C/Raft.java \
  'return log.members() == null ? cfg.nodes().size() : cfg.quorum();' 'return cfg.quorum();'
# Below the core: the simulator runs whole nodes on datagrams, so the receive path is in reach.
W=src/main/java/raftudp/wire
N=src/main/java/raftudp/node
mutant "reassembly counts a duplicated chunk as a new one" $W/Reassembler.java \
  'if (had != null) {' 'if (had != null && false) {'
mutant "admission refuses an append whose previous entry is of its term" $N/Admission.java \
  'if (a.prevLogTerm() > a.term()) {' 'if (a.prevLogTerm() >= a.term()) {'
mvn -B -q test-compile >/dev/null
if [ ${#survivors[@]} -gt 0 ]; then
  printf 'sim-mutants: NOT CAUGHT by %s seeds: %s\n' "$seeds" "${survivors[*]}" >&2
  exit 1
fi
echo "sim-mutants: all $planted_count planted bugs caught ($seeds seeds and the core tests each)"
