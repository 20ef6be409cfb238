#!/usr/bin/env bash
# Prints one closing line for `make test`: Maven's Surefire results, the hostile campaigns,
# the Wireshark dissector tests, the testbed's static Python checks and the testbed scenarios, added up.
cd "$(dirname "$0")/.."
read -r run fail err skip < <(cat target/surefire-reports/*.txt 2>/dev/null | awk -F'[:,]' \
  '/Tests run:/ {r+=$2; f+=$4; e+=$6; s+=$8} END {print r+0, f+0, e+0, s+0}')
passed=$((run - fail - err - skip)); failed=$((fail + err)); skipped=$skip
echo "maven: $passed passed, $failed failed, $skipped skipped"
# Python unittest logs: "Ran N tests", then "OK" or "FAILED (...)"; a skip would say "skipped=K".
for part in "wireshark-tests:Wireshark dissector tests" "static-tests:testbed static checks" \
            "network-tests:testbed network tests"; do
  log=target/${part%%:*}.log; what=${part#*:}
  [ -f "$log" ] || continue
  n=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$log" | tail -1)
  k=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$log" | tail -1); k=${k:-0}
  if grep -q '^OK' "$log"; then sp=$(( ${n:-0} - k )); sf=0; else sp=0; sf=${n:-1}; k=0; fi
  echo "$what: $sp passed, $sf failed, $k skipped"
  passed=$((passed + sp)); failed=$((failed + sf)); skipped=$((skipped + k))
done
# make hostile: its unit tests ("Ran N tests" / "OK") and one campaign ("verdict: PASS").
if [ -f target/hostile.log ]; then
  n=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' target/hostile.log | tail -1)
  if grep -q '^OK' target/hostile.log; then hp=${n:-0}; hf=0; else hp=0; hf=${n:-1}; fi
  if grep -q '^verdict: PASS' target/hostile.log; then hp=$((hp + 1)); else hf=$((hf + 1)); fi
  echo "hostile campaign: $hp passed, $hf failed, 0 skipped (unit tests + one 20 s run)"
  passed=$((passed + hp)); failed=$((failed + hf))
fi
# make hostile-key: one keyed campaign (--cluster-key), no unit tests of its own.
if [ -f target/hostile-key.log ]; then
  if grep -q '^verdict: PASS' target/hostile-key.log; then kp=1; kf=0; else kp=0; kf=1; fi
  echo "hostile campaign, keyed: $kp passed, $kf failed, 0 skipped (one 15 s run with --cluster-key)"
  passed=$((passed + kp)); failed=$((failed + kf))
fi
# tools/sim-mutants.sh: one line per planted bug ("...; core tests: caught|missed").
if [ -f target/mutants.log ]; then
  mt=$(grep -c '; core tests: ' target/mutants.log); ms=$(grep -c ' 0 failures; core tests: missed' target/mutants.log)
  [ "$mt" -gt 0 ] || { mt=1; ms=1; }   # the script stopped before its first planted bug
  echo "planted bugs: $((mt - ms)) caught, $ms not caught (simulator seeds and core tests, tools/sim-mutants.sh)"
  passed=$((passed + mt - ms)); failed=$((failed + ms))
fi
for log in target/scenarios.log target/scenarios-bmv2.log; do
[ -f "$log" ] || continue
backend=linux; [ "$log" = target/scenarios-bmv2.log ] && backend=bmv2
if grep -q "NOT RUN" "$log"; then echo "testbed scenarios on bmv2: NOT RUN (no BMv2 here)"; continue; fi
if true; then
  line=$(grep -E '^scenarios: [0-9]+ passed' "$log" | tail -1)
  if [ -n "$line" ]; then
    echo "testbed ($backend) $line"
    set -- $(echo "$line" | sed -E 's/scenarios: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
    passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3))
  else
    echo "testbed scenarios: no summary line (the runner failed before the end)"
    failed=$((failed + 1))
  fi
fi
done
# make chaos (make test's short campaigns): its closing line says PASS or FAIL.
for log in target/chaos-linux.log target/chaos-bmv2.log target/chaos-wipe.log; do
  [ -f "$log" ] || continue
  backend=${log#target/chaos-}; backend=${backend%.log}
  if grep -q '^chaos: PASS' "$log"; then cp=1; cf=0; else cp=0; cf=1; fi
  echo "chaos campaign ($backend): $cp passed, $cf failed, 0 skipped ($(grep -o 'faults: .*; files' "$log" | tail -1 | sed 's/; files//'))"
  passed=$((passed + cp)); failed=$((failed + cf))
done
# tools/chaos-mutant.sh: the campaign against a planted bug must fail.
if [ -f target/chaos-mutant.log ]; then
  if grep -q ': caught (verdict FAIL' target/chaos-mutant.log; then echo "chaos planted bug: 1 passed, 0 failed, 0 skipped (caught)"; passed=$((passed + 1))
  else echo "chaos planted bug: 0 passed, 1 failed, 0 skipped (not caught)"; failed=$((failed + 1)); fi
fi
# How long each part took, from the start times `make test` noted (the last part runs to now,
# or to the "end" mark).
if [ -f target/test-times.log ]; then
  { cat target/test-times.log; echo "$(date +%s) end"; } | awk '
    NR > 1 && prev != "end" { printf "  %-28s %5d s\n", prev, $1 - t; total += $1 - t }
    { t = $1; prev = substr($0, index($0, " ") + 1) }
    END { printf "  %-28s %5d s\n", "all parts", total }' | sed '1i time per part:'
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
