#!/usr/bin/env bash
# Does restarting a follower under load depose the leader? Three udp nodes on loopback
# (127.0.0.1:47300/47310/47320, data in a temporary directory), a 40 s `raft-client bench`
# write load of CLIENTS clients, and three rounds of kill -9 of a follower, DOWN_S seconds
# down, restart on its data. Prints the leader and term around each round and the nodes'
# role changes. Stops its nodes by PID. Usage: CLIENTS=16 DOWN_S=3 tools/restart-under-load.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PEERS=127.0.0.1:47300,127.0.0.1:47310,127.0.0.1:47320
data=$(mktemp -d /tmp/rexp.XXXXXX); declare -A pid
start() { java -jar raft-node.jar "$1" --peers "$PEERS" --transport udp --data-dir "$data/node-$1" >>"$data/node-$1.log" 2>&1 & pid[$1]=$!; }
stop() { for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap 'stop; rm -rf "$data"' EXIT
for i in 0 1 2; do start $i; done
for _ in $(seq 60); do java -jar raft-client.jar --peers "$PEERS" --timeout-ms 1000 put ready 1 >/dev/null 2>&1 && break; done
java -jar raft-client.jar --peers "$PEERS" bench --clients "${CLIENTS:-16}" --read-ratio 0 --duration 40 --value-bytes 100 --keys 1000 --timeout-ms 5000 > "$data/bench.out" 2>&1 &
bench=$!
sleep 3
for round in 1 2 3; do
  lead=$(java -jar raft-client.jar --peers "$PEERS" status 2>/dev/null | sed -n 's/^leader: node \([0-9]*\).*term \([0-9]*\).*/\1 \2/p')
  set -- $lead; L=$1; T=$2
  F=$(( (L + 1) % 3 ))
  echo "round $round: leader $L term $T; kill -9 follower $F"
  kill -9 ${pid[$F]}; sleep "${DOWN_S:-3}"; start $F; sleep 6
  lead=$(java -jar raft-client.jar --peers "$PEERS" status 2>/dev/null | sed -n 's/^leader: node \([0-9]*\).*term \([0-9]*\).*/\1 \2/p')
  echo "  after restart: leader/term $lead"
done
wait $bench; tail -5 "$data/bench.out"
grep -h "LEADER in term\|CANDIDATE in term" "$data"/node-*.log | sort | tail -20
