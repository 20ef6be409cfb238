#!/usr/bin/env bash
# How many datagrams of a chunked message one BMv2 simple_switch carries, with the switch
# ports' offloads on and off, back to back and paced. Root; creates its own namespaces
# (rbb-sw, rbb-a, rbb-b), addresses only inside them, and removes them at exit.
# Usage: tools/bmv2/burst.sh [DATAGRAMS] [GAPS_US...]   (default 745 datagrams; gaps 0 0 50 100 200)
set -euo pipefail
n=${1:-745}; shift || true
gaps=("$@"); [ ${#gaps[@]} -gt 0 ] || gaps=(0 0 50 100 200)
here=$(cd "$(dirname "$0")" && pwd)
export PATH=/opt/p4/bin:$PATH
for t in simple_switch p4c-bm2-ss ethtool ip; do
  command -v $t >/dev/null || { echo "burst: $t is missing (BMv2 and p4c: ../shared/p4tools/INSTALL.sh)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "burst: needs root (network namespaces)" >&2; exit 2; }
work=$(mktemp -d); sw=""
cleanup() {
  [ -n "$sw" ] && kill "$sw" 2>/dev/null && wait "$sw" 2>/dev/null || true
  for ns in rbb-sw rbb-a rbb-b; do ip netns del $ns 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
p4c-bm2-ss -o "$work/fwd.json" "$here/forward.p4"
for ns in rbb-sw rbb-a rbb-b; do ip netns add $ns; done
ip link add a0 netns rbb-a type veth peer name a1 netns rbb-sw
ip link add b0 netns rbb-b type veth peer name b1 netns rbb-sw
ip -n rbb-a addr add 192.0.2.1/24 dev a0; ip -n rbb-b addr add 192.0.2.2/24 dev b0   # TEST-NET-1, inside only
for l in "rbb-a a0" "rbb-b b0" "rbb-sw a1" "rbb-sw b1"; do set -- $l; ip -n $1 link set $2 up; done
ip -n rbb-a neigh add 192.0.2.2 lladdr "$(ip -n rbb-b -br link show b0 | awk '{print $3}')" dev a0
ip netns exec rbb-a ethtool -K a0 tx off rx off >/dev/null; ip netns exec rbb-b ethtool -K b0 tx off rx off >/dev/null

run() { # label
  ip netns exec rbb-sw simple_switch -i 0@a1 -i 1@b1 --thrift-port 9299 "$work/fwd.json" >"$work/sw.log" 2>&1 &
  sw=$!
  for _ in $(seq 100); do   # until its thrift port answers (bounded: 10 s)
    ip netns exec rbb-sw bash -c 'echo > /dev/tcp/127.0.0.1/9299' 2>/dev/null && break; sleep 0.1
  done
  for g in "${gaps[@]}"; do
    rm -f "$work/bound"
    ip netns exec rbb-b /usr/bin/python3 "$here/burst.py" rx "$work/bound" >"$work/got" & rx=$!
    for _ in $(seq 100); do [ -e "$work/bound" ] && break; sleep 0.05; done   # until it listens
    ip netns exec rbb-a /usr/bin/python3 "$here/burst.py" tx "$n" "$g"
    wait $rx
    printf '%-34s gap %4s us: %s of %s through\n' "$1" "$g" "$(cat "$work/got")" "$n"
  done
  kill "$sw"; wait "$sw" 2>/dev/null || true; sw=""
}
for i in a1 b1; do ip netns exec rbb-sw ethtool -K $i tx off rx off >/dev/null 2>&1; done
run "switch ports: checksums off only"
for i in a1 b1; do ip netns exec rbb-sw ethtool -K $i tx off rx off tso off gso off gro off >/dev/null 2>&1; done
run "switch ports: + tso gso gro off"
