"""A worker killed with SIGKILL at any moment loses nothing and duplicates nothing.

The worker runs in a subprocess (``tests/sync/crash_worker.py``) against a real peer over HTTP.
To kill it *between fetching a page and committing it*, the peer holds the consumer's database
write lock (``BEGIN IMMEDIATE`` from another connection, as a second writer process would)
while it serves page N: the worker has the page but cannot commit it. Then it is killed, the
lock is released, and the next round resumes from the last committed page.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import processes
from ..databases import TEST_DATABASE
from ..nodes import LiveNode
from .conftest import FakePeer, fake_with_records, holdings, peer, sync_settings, worker_for

Start = Callable[..., LiveNode]
Fake = Callable[..., FakePeer]
ROOT = Path(__file__).resolve().parents[2]
RECORDS = 12
PAGE = 3


def start_worker(consumer: LiveNode, fake: FakePeer, tmp_path: Path, *,
                 pool: bool = False) -> subprocess.Popen[str]:
    """``pool``: checks in a pool even for these small pages (and so pages read ahead)."""
    checks = {"check_workers": 2, "check_min_items": 1} if pool else {}
    settings = sync_settings(consumer, [peer(fake)], page_size=PAGE, **checks)
    config = tmp_path / "worker.json"
    config.write_text(json.dumps(dict(settings)))
    return processes.start([sys.executable, "-m", "tests.sync.crash_worker", str(config)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Sent:
    """A response body that reports when the server has sent all of it (WSGI ``close``)."""

    def __init__(self, body: bytes, done: threading.Event) -> None:
        self.body, self.done = body, done

    def __iter__(self) -> Iterator[bytes]:
        yield self.body

    def close(self) -> None:
        self.done.set()


def check_converged(consumer: LiveNode, fake: FakePeer) -> None:
    store = consumer.context.store
    held = {r.id for r in store.iter_records() if r.origin == fake.node_iri}
    assert len(held) == RECORDS + 1  # the records and the peer's descriptor
    # every write takes the next sequence number: one write per record means nothing was
    # stored twice (own descriptor + peer descriptor + records)
    assert store.last_seq() == len(holdings(consumer)) == RECORDS + 2
    assert store.quarantined() == []


class WriteLock:
    """The store's write lock, held by another connection: SQLite's ``BEGIN IMMEDIATE``, or
    PostgreSQL's writer advisory lock (what ``PostgresStore.write()`` waits for)."""

    def __init__(self, database: Path | str) -> None:
        if TEST_DATABASE is None:
            self.conn: Any = sqlite3.connect(database, isolation_level=None,
                                             check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            from ncc_node.store.postgres import PostgresStore

            store = PostgresStore(str(database), pool_size=1)
            key = store.writer_key
            store.close()
            import psycopg

            self.conn = psycopg.connect(str(database), autocommit=True)
            self.conn.execute("SELECT pg_advisory_lock(%s)", (key,))

    def release(self) -> None:
        """Let writers go on."""
        if TEST_DATABASE is None:
            self.conn.execute("ROLLBACK")
        self.conn.close()


def test_killed_between_fetching_and_committing_a_page(live_node: Start, fake_peer: Fake,
                                                       tmp_path: Path) -> None:
    consumer = live_node("EE")
    database = consumer.context.settings.database()
    served = threading.Event()
    lock: list[Any] = []

    def hold_lock_on_page_3(request: Request) -> Response | None:
        # another writer holds the store's write lock, so page 3 cannot commit
        if request.path == "/feed" and request.args.get("after") == str(2 * PAGE) and not lock:
            lock.append(WriteLock(database))
            body = fake.feed_response(request).get_data()
            return Response(Sent(body, served), content_type="application/json")
        return None

    fake = fake_with_records(fake_peer, RECORDS, hold_lock_on_page_3)
    worker = start_worker(consumer, fake, tmp_path)
    try:
        assert served.wait(30), worker.communicate(timeout=5)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=10)
    finally:
        for held in lock:
            held.release()
    assert worker.returncode == -signal.SIGKILL
    [state] = consumer.context.store.peers()
    assert state.cursor == str(2 * PAGE)  # pages 1 and 2 committed, page 3 not
    assert state.counts == {"accepted": 1 + 2 * PAGE}
    result = worker_for(consumer, peer(fake), page_size=PAGE).run_once()[0]
    assert result.error is None and result.up_to_date
    assert result.accepted == RECORDS - 2 * PAGE and result.duplicates == 0
    check_converged(consumer, fake)


def test_killed_at_arbitrary_moments(live_node: Start, fake_peer: Fake, tmp_path: Path) -> None:
    """Kill the worker right after the peer served page k (it may or may not have committed),
    several times over; then one clean round converges."""
    consumer = live_node("EE")
    served = {"count": 0, "kill_after": 0}
    event = threading.Event()

    def count_pages(request: Request) -> Response | None:
        if request.path == "/feed":
            served["count"] += 1
            if served["count"] == served["kill_after"]:
                body = fake.feed_response(request).get_data()
                return Response(Sent(body, event), content_type="application/json")
        return None

    fake = fake_with_records(fake_peer, RECORDS, count_pages)
    killed = 0
    for kill_after in (2, 1, 2):
        served.update(count=0, kill_after=kill_after)
        event.clear()
        worker = start_worker(consumer, fake, tmp_path, pool=True)
        deadline = time.monotonic() + 30
        while not event.wait(0.02) and worker.poll() is None and time.monotonic() < deadline:
            pass  # until page k is served, or the worker is done with fewer pages
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            killed += 1
        # returns once every holder of the worker's output is gone: its checking processes
        # and their fork server must end with it, not wait for tasks forever
        worker.communicate(timeout=10)
    assert killed >= 2
    results: list[dict[str, Any]] = []
    for _ in range(2):  # the last round may still have had pages to go; then it is up to date
        results = [r.__dict__ for r in worker_for(consumer, peer(fake),
                                                  page_size=PAGE).run_once()]
        assert results[0]["error"] is None
    assert results[0]["up_to_date"] and results[0]["requests"] == 1
    check_converged(consumer, fake)
