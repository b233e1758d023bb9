"""Feed order is commit order on PostgreSQL: concurrent writers never make a reader skip.

Four writer processes commit new records (one or several per transaction, some transactions
rolled back) for 20 s while two reader processes follow the feed by cursor. Every reader must
see every committed record exactly once, each with a higher sequence number than the one
before: a record committed after a reader passed its number would be lost to that reader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ncc_node.store import open_store
from tests import processes
from tests.databases import postgres_only, test_database

WRITERS, READERS, SECONDS = 4, 2, 20


@postgres_only
def test_readers_see_every_commit_once_in_cursor_order(tmp_path: Path) -> None:
    url = str(test_database(tmp_path))
    open_store(url).close()  # the schema is created once, before the processes start
    done = tmp_path / "writers-done"
    module = "tests.ncc_node.core.feed_worker"
    readers = [processes.start([sys.executable, "-m", module, "reader", url, str(done)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(READERS)]
    writers = [processes.start([sys.executable, "-m", module, "writer", url, str(SECONDS)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(WRITERS)]
    committed: list[str] = []
    for proc in writers:
        out, err = proc.communicate(timeout=SECONDS + 120)
        assert proc.returncode == 0, err.decode()
        committed.extend(json.loads(line) for line in out.splitlines())
    done.touch()
    assert len(committed) > 100 and len(set(committed)) == len(committed)
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        seen = [json.loads(line) for line in out.splitlines()]
        seqs = [seq for seq, _ in seen]
        assert seqs == sorted(set(seqs)), "a reader saw a number twice or out of order"
        ids = [record_id for _, record_id in seen]
        assert len(ids) == len(set(ids)), "a reader saw a record twice"
        assert set(ids) == set(committed), (
            f"{len(set(committed) - set(ids))} committed record(s) never seen by a reader")
    store = open_store(url)
    try:
        # no number was lost either: rolled-back transactions give theirs back
        assert store.last_seq() == len(committed)
        assert [s for s, _ in store.changes(0, len(committed) + 1)] == list(
            range(1, len(committed) + 1))
    finally:
        store.close()
