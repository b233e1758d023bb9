"""A writer or a feed reader of one store, for the concurrency test (run with ``python -m``).

``writer URL SECONDS NAME``: writes new records for SECONDS (single puts, transactions of several
records, and transactions that roll back), printing each committed id as a JSON line.
``reader URL DONE_FILE``: follows the feed by cursor (``changes(after, 50)``) until DONE_FILE
exists and a last read finds nothing new, printing each (seq, id) it sees as a JSON line.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from typing import Any

from ncc_node.jsonbody import dump_body
from ncc_node.store import open_store
from vocab import example

BASE = "https://ncc-de.example.org/initiatives/"


class Rollback(Exception):
    """Raised inside a transaction to roll it back."""


def _record() -> tuple[dict[str, Any], bytes]:
    data = example("initiative.jsonld")
    data["id"] = BASE + str(uuid.uuid4())
    return data, dump_body(data)


def writer(url: str, seconds: float) -> None:
    store = open_store(url, connections=2)
    rng = random.Random(os.getpid())
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            batch = [_record() for _ in range(rng.choice((1, 1, 2, 5)))]
            fail = rng.random() < 0.1
            try:
                with store.write() as write:
                    for data, body in batch:
                        write.put(data, body, expect_version=0)
                    if fail:
                        raise Rollback
            except Rollback:
                continue
            for data, _ in batch:
                print(json.dumps(data["id"]), flush=True)
    finally:
        store.close()


def reader(url: str, done: str) -> None:
    store = open_store(url, connections=2)
    after = 0
    try:
        while True:
            finished = os.path.exists(done)  # checked before the read: it sees every commit
            page = store.changes(after, 50)
            for seq, body in page:
                print(json.dumps([seq, json.loads(body)["id"]]), flush=True)
                after = seq
            if finished and not page:
                return
    finally:
        store.close()


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        writer(sys.argv[2], float(sys.argv[3]))
    else:
        reader(sys.argv[2], sys.argv[3])
