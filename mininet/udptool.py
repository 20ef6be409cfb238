"""Tiny bounded UDP sender/receiver for the network checks (runs inside a host).

  udptool.py listen PORT SECONDS [EXPECT] prints the number of datagrams received, then exits
                                          (after SECONDS, or as soon as EXPECT arrived)
  udptool.py send DST PORT COUNT          sends COUNT VoteRequest datagrams (the spec's example)
"""
import socket
import sys
import time

# docs/wire-format.md section 9, first example: a pre-vote VoteRequest from node 1 to node 2.
VOTE_REQUEST = bytes.fromhex(
    "524101010100000000010002000000010000000100000000000000000000000500000000000000070000000000000000"
    "00000000000000040000000000000000")


def listen(port, seconds, expect=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    print("ready", flush=True)
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            s.recvfrom(65535)
            n += 1
            if expect is not None and n >= expect:
                time.sleep(0.2)   # a few more would show up as more than expected
                s.setblocking(False)
                try:
                    while True:
                        s.recvfrom(65535)
                        n += 1
                except BlockingIOError:
                    pass
                break
        except socket.timeout:
            break
    print(n, flush=True)


def send(dst, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(min(count, 10000)):
        s.sendto(VOTE_REQUEST, (dst, port))
        time.sleep(0.002)


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
