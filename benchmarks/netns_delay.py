"""A latency-bound test network in two network namespaces this script creates (and deletes).

    python benchmarks/netns_delay.py up N      # namespaces, N server addresses, the delay relay
    python benchmarks/netns_delay.py down

``tc qdisc … netem`` is what the issue names, but this machine's kernel has no ``sch_netem`` (a
Firecracker VM, booted ``nomodule``: "Specified qdisc kind is unknown"). So the delay is added one
level down, per IP packet: each namespace gets a TUN device, and one relay process, holding both,
forwards every packet to the other namespace ``DELAY`` seconds after it arrived: 25 ms each way, a
50 ms round trip for every packet, SYNs and ACKs included, as netem on a veth pair would give.

Addresses: the client namespace is 198.18.0.1, the servers 198.18.1.1-N (RFC 2544's benchmarking
range). They exist only inside these namespaces; nothing else on the machine can reach them.
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import os
import selectors
import struct
import subprocess
import sys
import time

NS_CLIENT, NS_SERVER = "pqsb-cli", "pqsb-srv"
TUN = "pqsb-t"
CLIENT_ADDR, SERVER_NET = "198.18.0.1", "198.18.1."
DELAY = 0.025  # seconds, each way
PIDFILE = "/run/pqsb-delay.pid"

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
CLONE_NEWNET = 0x40000000


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _in_ns(ns: str, *cmd: str) -> None:
    subprocess.run(["ip", "netns", "exec", ns, *cmd], check=True, capture_output=True)


def _setns(name: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


def _open_tun() -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", TUN.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def relay() -> None:
    """Hold both TUN devices; forward each packet to the other side DELAY seconds later."""
    _setns(NS_CLIENT)
    client = _open_tun()
    _setns(NS_SERVER)
    server = _open_tun()
    other = {client: server, server: client}
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ)
    sel.register(server, selectors.EVENT_READ)
    queue: list[tuple[float, int, int, bytes]] = []
    seq = 0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        for key, _ in sel.select(timeout):
            while True:
                try:
                    packet = os.read(key.fd, 65535)
                except BlockingIOError:
                    break
                seq += 1
                heapq.heappush(queue, (time.monotonic() + DELAY, seq, other[key.fd], packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
            except OSError:
                pass  # a full queue drops the packet, as a real link would


def up(hosts: int) -> None:
    down()
    for ns in (NS_CLIENT, NS_SERVER):
        _ip("netns", "add", ns)
        _ip("-n", ns, "tuntap", "add", "dev", TUN, "mode", "tun")
        _ip("-n", ns, "link", "set", "lo", "up")
        _in_ns(ns, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0")
    _ip("-n", NS_CLIENT, "addr", "add", f"{CLIENT_ADDR}/32", "dev", TUN)
    for n in range(1, hosts + 1):
        _ip("-n", NS_SERVER, "addr", "add", f"{SERVER_NET}{n}/32", "dev", "lo")
    proc = subprocess.Popen([sys.executable, __file__, "relay"], start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open(PIDFILE, "w") as fh:
        fh.write(str(proc.pid))
    time.sleep(0.3)  # the relay attaches to both TUN devices
    for ns in (NS_CLIENT, NS_SERVER):
        _ip("-n", ns, "link", "set", TUN, "up")
    _ip("-n", NS_CLIENT, "route", "add", f"{SERVER_NET}0/24", "dev", TUN, "src", CLIENT_ADDR)
    _ip("-n", NS_SERVER, "route", "add", f"{CLIENT_ADDR}/32", "dev", TUN)


def down() -> None:
    try:
        with open(PIDFILE) as fh:
            pid = int(fh.read().strip())
        os.kill(pid, 15)
        os.unlink(PIDFILE)
    except (OSError, ValueError):
        pass
    for ns in (NS_CLIENT, NS_SERVER):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["relay"]:
        relay()
    elif sys.argv[1:2] == ["up"]:
        up(int(sys.argv[2]))
    elif sys.argv[1:2] == ["down"]:
        down()
    else:
        raise SystemExit(__doc__)
