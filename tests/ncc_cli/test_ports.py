"""Free ports for a federation on one host (ncc_cli/ports.py), on real sockets."""

from __future__ import annotations

import socket

from ncc_cli.ports import LOWEST_PORT, ephemeral_low, free_port_run, port_free


def test_a_port_a_server_listens_on_is_not_free() -> None:
    base = free_port_run(1)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", base))
        holder.listen()
        assert not port_free(base)
    assert port_free(base)


def test_a_run_of_ports_is_free_and_below_the_ephemeral_range() -> None:
    low = ephemeral_low()
    for _ in range(10):
        base = free_port_run(31)
        assert all(port_free(base + i) for i in range(31))
        assert base + 30 < low or low - 31 <= LOWEST_PORT
