"""The `curl` lines of docs/operations.md ("Publish by hand") run verbatim against a live node."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import processes
from tests.nodes import LiveNode

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
HEADING = "### Publish by hand with `curl`"


def doc_blocks() -> list[str]:
    """The ``sh`` code blocks of the section, as written."""
    text = DOC.read_text()
    start = text.index(HEADING)
    end = text.find("\n#", start + len(HEADING))
    return re.findall(r"```sh\n(.*?)```", text[start:end], flags=re.S)


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                    reason="needs curl and bash")
def test_the_documented_curl_lines_publish_update_and_delete(
        live_node: Callable[..., LiveNode], tmp_path: Path) -> None:
    node = live_node("DE")
    token = node.auth("write")["Authorization"].removeprefix("Bearer ")
    blocks = doc_blocks()
    assert len(blocks) == 2 and "POST" in blocks[0] and "PUT" in blocks[1]
    script = tmp_path / "by-hand.sh"
    script.write_text("set -euo pipefail\n" + "\n".join(blocks))
    process = processes.start(["bash", str(script)], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={"PATH": "/usr/bin:/bin", "NODE": node.url, "TOKEN": token})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, f"{out}\n{err}"
    decoder, bodies, pos = json.JSONDecoder(), [], 0
    while pos < len(out):
        body, pos = decoder.raw_decode(out, pos)
        bodies.append(body)
    initiative, method, updated, tombstone = bodies
    assert initiative["type"] == "Initiative" and initiative["version"] == 1
    assert initiative["leadOrganisation"]["type"] == "Organization"  # filled in by the node
    assert method["type"] == "Method" and method["methodTypes"] == ["mt:impact-measurement"]
    assert updated["id"] == initiative["id"] and updated["version"] == 2
    assert updated["stage"] == "maturity:proven"
    assert tombstone["type"] == "Tombstone" and tombstone["version"] == 3
    stored = node.context.store
    assert stored.get(initiative["id"]).deleted
    assert stored.get(method["id"]).version == 1
