"""The sync package's public API and its place in the layering (architecture §2)."""

from __future__ import annotations

import subprocess
import sys

import sync


def test_all_is_sorted_and_importable() -> None:
    assert list(sync.__all__) == sorted(sync.__all__)
    for name in sync.__all__:
        assert getattr(sync, name) is not None
    for name in ("PeerConfig", "PeerResult", "SyncWorker", "peers_from_settings", "run_daemon"):
        assert name in sync.__all__


def test_sync_does_not_import_the_web_layer() -> None:
    code = ("import sys, sync; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'flask_smorest', 'waitress') or m.startswith('ncc_node.api')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
