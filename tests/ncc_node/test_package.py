"""The node package's public API, and the layering architecture §2 asks for."""

from __future__ import annotations

import subprocess
import sys

import ncc_node


def test_all_is_sorted_and_importable() -> None:
    assert list(ncc_node.__all__) == sorted(ncc_node.__all__)
    for name in ncc_node.__all__:
        assert getattr(ncc_node, name) is not None


def test_core_does_not_import_the_web_layer_or_sync() -> None:
    code = ("import sys, ncc_node; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'flask_smorest', 'sync', 'waitress') or m.startswith('ncc_node.api')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
