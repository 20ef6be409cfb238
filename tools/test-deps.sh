#!/usr/bin/env bash
# What `make test` needs before Maven starts: installs it as root on Debian/Ubuntu,
# otherwise says exactly what is missing and stops. (The testbed scenarios check their
# own needs through `mininet/run.py deps`.)
set -uo pipefail
lacking=()   # "what|package"
command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 \
  || lacking+=("a Java 17+ JDK|openjdk-17-jdk-headless")
command -v mvn >/dev/null 2>&1 || lacking+=("Maven|maven")
# The pcap tests (root only: they build network namespaces) need these too.
if [ "$(id -u)" = 0 ]; then
  # grep without -q reads all of ldconfig's output: with -q it may exit first, and pipefail
  # would then count ldconfig's SIGPIPE as "no libpcap" (it did, once the cache grew)
  /sbin/ldconfig -p 2>/dev/null | grep 'libpcap\.so' >/dev/null || lacking+=("libpcap (pcap4j loads it)|libpcap0.8")
  command -v ip >/dev/null 2>&1 || lacking+=("ip (network namespaces)|iproute2")
  command -v sysctl >/dev/null 2>&1 && command -v kill >/dev/null 2>&1 \
    || lacking+=("sysctl and kill (namespace routers, pausing nodes)|procps")
  command -v tcpdump >/dev/null 2>&1 || lacking+=("tcpdump (capture checks)|tcpdump")
  command -v tshark >/dev/null 2>&1 || lacking+=("tshark (the Wireshark dissector test)|tshark")
  [ -x /usr/bin/python3 ] || lacking+=("python3 (the testbed runner)|python3")
fi
# BMv2 + p4c for the scenarios on BMv2 switches: installed into /opt/p4 (which the Makefile puts
# on PATH) from the prebuilt toolchain beside the repository, where there is one. Elsewhere the
# BMv2 runs say loudly that they did not happen (P4 tutorials VMs have their own on PATH).
if [ "$(id -u)" = 0 ] && ! command -v simple_switch >/dev/null 2>&1 && [ ! -x /opt/p4/bin/simple_switch ] \
   && [ -z "${RAFTUDP_NO_INSTALL:-}" ]; then
  for d in "${P4TOOLS:-}" ../shared/p4tools ../../shared/p4tools; do
    if [ -n "$d" ] && [ -x "$d/INSTALL.sh" ]; then
      echo "make test: installing BMv2 and p4c into /opt/p4 from $d"
      "$d/INSTALL.sh" /opt/p4 || echo "make test: $d/INSTALL.sh failed: the BMv2 scenarios will not run"
      break
    fi
  done
fi
[ ${#lacking[@]} = 0 ] && exit 0

pkgs() { for l in "${lacking[@]}"; do echo "${l#*|}"; done | sort -u | tr '\n' ' '; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${RAFTUDP_NO_INSTALL:-}" ]; then
  echo "make test: installing $(pkgs)"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2046
  apt-get install -y -q --no-install-recommends $(pkgs) \
    || { apt-get update -q && apt-get install -y -q --no-install-recommends $(pkgs); } \
    && RAFTUDP_NO_INSTALL=1 exec "$0"   # check once more: what is still missing is reported below
fi
for l in "${lacking[@]}"; do echo "make test: missing ${l%|*} (Debian/Ubuntu package ${l#*|})"; done
echo "make test: install with: sudo apt-get install --no-install-recommends $(pkgs)"
exit 2
