"""Instruction counts of the sync's per-record work, in one process (issue 15).

Usage: ``python bench/sync_probe.py STAGE N ORIGIN_DB`` under ``valgrind --tool=callgrind``
with ``PYTHONHASHSEED=0``. STAGE ``pool`` runs the check pool's task (parse, screen, index
entries, pickled outcome) on N stored Initiatives; ``writer`` puts them with their index
entries into a fresh SqliteStore in 500-record transactions; ``pool0`` and ``writer0`` do only
the setup and the 100-record warm-up, so (Ir(STAGE) - Ir(STAGE0)) / N is the cost per record.
ORIGIN_DB is an origin's node.db holding N + 100 Initiatives (bench/serve.py's
write_payloads, then ``ncc import``).
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import sys
import tempfile
from pathlib import Path

# bench/sync.py would shadow the sync package: this directory is not on the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
from ncc_node import index_entries, key_lookup_from_descriptor, utc_now  # noqa: E402
from ncc_node.store import SqliteStore  # noqa: E402
from sync.checkpool import _screen_task  # noqa: E402
from sync.feedpage import parse_item  # noqa: E402
from sync.rules import Limits, TrustPolicy  # noqa: E402

WARM = 100


def main() -> None:
    """Run one stage (module docstring)."""
    stage, count, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    conn = sqlite3.connect(db)
    rows = [bytes(r[0]) for r in conn.execute(
        "SELECT body FROM records WHERE kind = 'Initiative' ORDER BY seq LIMIT ?",
        (WARM + count,))]
    descriptor = bytes(conn.execute("SELECT body FROM records WHERE kind = 'Node'").fetchone()[0])
    conn.close()
    origin = json.loads(descriptor)["id"]
    policy = TrustPolicy("http://127.0.0.1:1/node", {origin: ()})
    key_lookup_from_descriptor(json.loads(descriptor))
    now = utc_now()

    def pool(raws: list[bytes]) -> bytes:
        out = _screen_task((raws, {origin: descriptor}, policy, Limits(), now))
        assert all(o[0] is None and o[1] is None and o[2] is not None for o in out), out[:3]
        return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)

    store = SqliteStore(Path(tempfile.mkdtemp(prefix="sync-probe-")) / "node.db")
    writing = stage.startswith("writer")
    values = [parse_item(r) for r in rows] if writing else []
    derived = [index_entries(v) for v in values]

    def writer(lo: int, hi: int) -> None:
        for start in range(lo, hi, 500):
            with store.write() as w:
                for i in range(start, min(hi, start + 500)):
                    w.put(values[i], rows[i], received_from="http://x", expect_version=0,
                          derived=derived[i])

    pool(rows[:WARM])
    if writing:
        writer(0, WARM)
    if stage == "pool":
        pool(rows[WARM:])
    elif stage == "writer":
        writer(WARM, WARM + count)
    store.close()


if __name__ == "__main__":
    main()
