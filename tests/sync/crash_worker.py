"""Run one sync round of a node in this process (``python -m tests.sync.crash_worker FILE``).

The crash tests start this in a subprocess and kill it with SIGKILL mid-round. FILE is a JSON
object of settings, as passed to ``load_settings``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from ncc_node.identity.node_identity import load_identity
from ncc_node.settings import load_settings
from ncc_node.store import open_store
from sync import SyncWorker


def main(path: str) -> None:
    """Open the node's store and identity, run one round, print the results as JSON."""
    with open(path, encoding="utf-8") as handle:
        settings = load_settings(json.load(handle), environ={})
    store = open_store(settings.database())
    try:
        identity = load_identity(settings, store)
        results = SyncWorker(store, identity, settings).run_once()
        print(json.dumps([asdict(result) for result in results]))
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1])
