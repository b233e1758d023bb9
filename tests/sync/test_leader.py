"""Several processes on one database: one sync daemon leads, another takes over when it dies.

On PostgreSQL the lead is a session advisory lock held on a connection of its own; the server
frees it when the leader's process dies, so the next process to ask (every sync interval) leads.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sync import run_daemon

from .. import processes
from ..databases import TEST_DATABASE, postgres_only
from ..nodes import LiveNode
from .conftest import fake_with_records, peer, worker_for

Start = Callable[..., LiveNode]

LEADER = """
import sys, time
from ncc_node.store import open_store
store = open_store(sys.argv[1])
assert store.try_lead("sync")
print("leading", flush=True)
while True:
    time.sleep(60)
"""


@postgres_only
def test_leader_dies_and_another_process_takes_over(live_node: Start) -> None:
    node = live_node("EE")
    url = str(node.context.settings.database())
    leader = processes.start([sys.executable, "-c", LEADER, url], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert leader.stdout is not None and leader.stdout.readline().strip() == b"leading"
    store = node.context.store
    assert not store.try_lead("sync")  # one leader at a time
    assert store.try_lead("other role")  # roles are independent
    leader.send_signal(signal.SIGKILL)
    leader.communicate(timeout=10)
    deadline = time.monotonic() + 5  # well within one sync interval (default 60 s)
    while not store.try_lead("sync"):
        assert time.monotonic() < deadline, "nobody took over after the leader died"
    assert store.try_lead("sync")  # kept


def test_only_the_leader_runs_rounds(live_node: Start, fake_peer: Callable[..., object],
                                     tmp_path: Path) -> None:
    consumer = live_node("EE")
    fake = fake_with_records(fake_peer, 3)  # type: ignore[arg-type]
    worker = worker_for(consumer, peer(fake))
    stop, asked, rounds = threading.Event(), [], []

    def not_leading() -> bool:
        asked.append(1)
        if len(asked) == 3:
            stop.set()
        return False

    run_daemon(worker, interval_s=0, jitter_s=0, stop=stop, on_round=rounds.append,
               lead=not_leading)
    assert len(asked) == 3 and rounds == [] and consumer.context.store.peers() == []
    stop.clear()
    run_daemon(worker, interval_s=0, jitter_s=0, stop=stop,
               on_round=lambda results: (rounds.append(results), stop.set()),
               lead=lambda: consumer.context.store.try_lead("sync"))
    assert len(rounds) == 1 and consumer.context.store.peers()[0].counts.get("accepted")
    assert TEST_DATABASE is not None or consumer.context.store.try_lead("sync")
