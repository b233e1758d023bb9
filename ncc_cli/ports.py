"""Free ports on 127.0.0.1 for a federation on one host (``ncc demo``, bench/federation.py).

Chosen below the ephemeral range: a port there is taken at any moment as the source port of some
outgoing connection on a busy host, between the check and the servers' bind.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

from .errors import CliError

#: Where Linux's ephemeral ports start when /proc does not say (net.ipv4.ip_local_port_range)
EPHEMERAL_LOW = 32768
LOWEST_PORT = 10000


class NoFreePorts(CliError):
    """No run of free ports in a row was found on 127.0.0.1."""

    code = "no_free_ports"


def ephemeral_low() -> int:
    """The first port of the range the OS hands out for outgoing connections and port 0."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return EPHEMERAL_LOW


def port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` of 127.0.0.1 now."""
    with socket.socket() as sock:
        # as the servers will: a port whose old connections are in TIME_WAIT is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_run(count: int) -> int:
    """A port P such that P…P+count-1 are free on 127.0.0.1 now, below the ephemeral range."""
    top = ephemeral_low() - count
    chooser = random.SystemRandom()
    for _ in range(200 if top > LOWEST_PORT else 0):
        base = chooser.randrange(LOWEST_PORT, top)
        if all(port_free(base + i) for i in range(count)):
            return base
    for _ in range(100):  # no room below it: let the OS pick, and check the neighbours
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + count - 1 <= 65535 and all(port_free(base + i) for i in range(1, count)):
            return base
    raise NoFreePorts(f"found no {count} free ports in a row on 127.0.0.1")
