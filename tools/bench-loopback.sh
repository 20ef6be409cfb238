#!/usr/bin/env bash
# Throughput and latency of a 3-node cluster on this machine's loopback (udp transport,
# fsync as given), measured by `raft-client bench` (HdrHistogram). Starts its own three
# raft-node processes on 127.0.0.1:47200/47210/47220 with data in a temporary directory,
# runs each load for DURATION seconds, stops the nodes by their PIDs.
#   tools/bench-loopback.sh [DURATION] [FSYNC]       e.g. tools/bench-loopback.sh 10 always
#   LOADS='1:0 64:0.9' tools/bench-loopback.sh       clients:read-ratio pairs (default: five loads)
# Needs raft-node.jar and raft-client.jar (make build). Prints one line per load.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
FSYNC=${2:-always}
PEERS=127.0.0.1:47200,127.0.0.1:47210,127.0.0.1:47220
[ -f raft-node.jar ] && [ -f raft-client.jar ] || { echo "bench: make build first"; exit 2; }
data=$(mktemp -d /tmp/raftudp-bench.XXXXXX)
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap stop EXIT
for i in 0 1 2; do
  java -jar raft-node.jar "$i" --peers "$PEERS" --transport udp --fsync "$FSYNC" \
    --data-dir "$data/node-$i" --log-level warn >"$data/node-$i.log" 2>&1 &
  pids+=($!)
done
# wait (bounded) until a leader answers a write
ok=
for _ in $(seq 60); do
  if java -jar raft-client.jar --peers "$PEERS" --timeout-ms 1000 put bench-ready 1 >/dev/null 2>&1; then ok=1; break; fi
done
[ -n "$ok" ] || { echo "bench: no leader"; cat "$data"/node-*.log | tail -20; exit 1; }
echo "bench: 3 nodes on loopback, udp, fsync $FSYNC, ${DURATION}s per load ($(nproc) cores)"
for load in ${LOADS:-1:0 8:0 64:0 8:0.9 64:0.9}; do   # clients:read-ratio
  set -- ${load/:/ }
  printf "clients %-3s reads %-4s  " "$1" "$2"
  java -jar raft-client.jar --peers "$PEERS" bench --clients "$1" --read-ratio "$2" \
    --duration "$DURATION" --value-bytes 100 --keys 1000 --timeout-ms 5000 2>&1 | tr '\n' ' ' | sed 's/  */ /g'
  echo
done
