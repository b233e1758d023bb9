"""``ncc roster keygen | sign | install | show``: the federation's side and the operator's."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from .conftest import Invoke, node_at, write


def pin(config: Path, key: str) -> None:
    """Pin ``key`` as the roster key in a node's ncc.toml."""
    text = config.read_text(encoding="utf-8")
    line = f'keys = ["{key}"]'
    if re.search(r"^\[roster\]$", text, re.M):
        text = re.sub(r"^\[roster\]$", "[roster]\n" + line, text, count=1, flags=re.M)
    else:
        text += f"\n[roster]\n{line}\n"
    config.write_text(text, encoding="utf-8")


def test_sign_install_show_and_refusals(ncc: Invoke, node_config: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "roster-key.pem"
    made = ncc("roster", "keygen", key_file)
    assert made.exit_code == 0, made.output
    public = made.stdout.strip()
    assert public.startswith("z6Mk") and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ncc("roster", "keygen", key_file).exit_code == 1  # never overwritten
    with node_at(node_config) as node:
        own = node.identity
        listed = (own.node_iri, own.active_key.public_multikey)
    nodes = write(tmp_path / "nodes.toml", "[[nodes]]", f'node = "{listed[0]}"', 'country = "DE"',
                  f'keys = ["{listed[1]}"]')

    def sign(version: int, name: str) -> Path:
        out = tmp_path / name
        result = ncc("roster", "sign", nodes, "--key", key_file, "--version", str(version),
                     "--out", out)
        assert result.exit_code == 0, result.output
        return out

    first, second = sign(1, "roster-1.json"), sign(2, "roster-2.json")
    assert json.loads(second.read_text())["nodes"][0]["country"] == "country:DEU"
    unpinned = ncc("roster", "install", second, "--config", node_config)
    assert unpinned.exit_code == 1 and "roster_forged" in unpinned.output
    pin(node_config, public)
    assert "No roster held" in ncc("roster", "show", "--config", node_config).output
    installed = ncc("roster", "install", second, "--config", node_config)
    assert installed.exit_code == 0, installed.output
    assert "Installed roster version 2, 1 node(s)" in installed.output
    again = ncc("roster", "install", second, "--config", node_config)
    assert again.exit_code == 0 and "Already held" in again.output
    older = ncc("roster", "install", first, "--config", node_config)
    assert older.exit_code == 1 and "roster_rollback" in older.output
    tampered = json.loads(second.read_text())
    tampered["version"] = 3
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    forged = ncc("roster", "install", tmp_path / "tampered.json", "--config", node_config)
    assert forged.exit_code == 1 and "roster_forged" in forged.output
    shown = ncc("roster", "show", "--config", node_config)
    assert shown.exit_code == 0 and "version 2" in shown.output and listed[0] in shown.output
    status = ncc("status", "--config", node_config)
    assert "Roster      version 2, 1 node(s)" in status.output, status.output


def test_sign_refuses_a_bad_node_list(ncc: Invoke, tmp_path: Path) -> None:
    key_file = tmp_path / "k.pem"
    assert ncc("roster", "keygen", key_file).exit_code == 0
    nodes = write(tmp_path / "nodes.toml", "[[nodes]]", 'node = "not a node"',
                  'country = "DE"', 'keys = []')
    result = ncc("roster", "sign", nodes, "--key", key_file, "--version", "1")
    assert result.exit_code == 1 and "node must be a node IRI" in result.output
