"""burst.sh's two ends: `tx N GAP_US` sends N datagrams of 1444 bytes (a full 1500-byte frame)
to 192.0.2.2:5000, GAP_US apart (0: back to back); `rx FILE` creates FILE once it listens,
counts what arrives until 1.5 s pass without a datagram, and prints the count. Bounded."""
import socket
import sys
import time

PAYLOAD = b"x" * 1444


def tx(n, gap_us):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gap = gap_us / 1e6
    t = time.perf_counter()
    for _ in range(n):
        s.sendto(PAYLOAD, ("192.0.2.2", 5000))
        if gap:
            t += gap
            while time.perf_counter() < t:   # busy-wait: sleep() is too coarse for 50 us
                pass


def rx(bound):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", 5000))
    open(bound, "w").close()
    s.settimeout(1.5)
    n = 0
    try:
        while n < 1_000_000:
            s.recv(65535)
            n += 1
    except socket.timeout:
        pass
    print(n)


if __name__ == "__main__":
    if sys.argv[1] == "tx":
        tx(int(sys.argv[2]), float(sys.argv[3]))
    else:
        rx(sys.argv[2])
