"""``ncc status``, ``ncc token``, ``ncc keys rotate`` and ``ncc reindex`` on real nodes."""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest

import ncc_node.api
from ncc_node.errors import Unauthorized
from ncc_node.identity.key_validity import descriptor_keys
from ncc_node.identity.tokens import SCOPE_ALLOWS, SCOPES, authenticate
from ncc_node.store import RecordFilter

from .conftest import SAMPLE_CSV, Invoke, node_at

THEME = "https://w3id.org/ncc/concepts/theme/"


def test_status_shows_identity_keys_and_counts(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    text = ncc("status", "--config", node_config)
    assert text.exit_code == 0, text.output
    for expected in ("Node        http://127.0.0.1:8471/node", "Country     country:DEU (Germany)",
                     "Descriptor  version 1", "key-1      active"):
        assert expected in text.output
    info = json.loads(ncc("status", "--json", "--config", node_config).output)
    assert info["records"] == {"Initiative": {"own": 2, "from_peers": 0, "deleted": 0},
                               "Method": {"own": 1, "from_peers": 0, "deleted": 0}}
    assert info["active_key"] == "key-1" and info["descriptor_version"] == 1
    assert info["tokens"] == {"live": 0, "revoked": 0}


def test_status_counts_deleted_records(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    with node_at(node_config) as node:
        method = node.store.find_by_identifier(node.identity.node_iri, "wirkungstreppe")
        assert method is not None
        node.publisher.delete(method.id)
    info = json.loads(ncc("status", "--json", "--config", node_config).output)
    assert info["records"]["Method"] == {"own": 0, "from_peers": 0, "deleted": 1}


def test_token_create_list_revoke(ncc: Invoke, node_config: Path) -> None:
    created = ncc("token", "create", "importer", "--scope", "write", "--scope", "admin",
                  "--config", node_config)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("ncc_") and "\n" not in secret
    assert "it is not shown again" in created.stderr
    with node_at(node_config) as node:
        token = authenticate(node.store, f"Bearer {secret}", "admin")
        assert token.name == "importer" and token.scopes == {"write", "admin"}
    listing = ncc("token", "list", "--config", node_config)
    assert "importer" in listing.output and "admin,write" in listing.output
    assert secret not in listing.output
    duplicate = ncc("token", "create", "importer", "--config", node_config)
    assert duplicate.exit_code == 1
    assert "Error: a token named 'importer' already exists" in duplicate.output
    revoked = ncc("token", "revoke", "importer", "--config", node_config)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    with node_at(node_config) as node, pytest.raises(Unauthorized):
        authenticate(node.store, f"Bearer {secret}", "write")
    assert "revoked 20" in ncc("token", "list", "--config", node_config).output
    again = ncc("token", "revoke", "importer", "--config", node_config)
    assert again.exit_code == 1 and "no live token named 'importer'" in again.output
    with node_at(node_config) as node:
        logged = [(e.actor, e.action, e.detail) for e in node.store.audit_log()]
    assert logged == [("cli:token", "token.revoke", "importer"),
                      ("cli:token", "token.create", "importer (admin, write)")]


def test_token_defaults_to_write_and_refuses_unknown_scopes(ncc: Invoke,
                                                            node_config: Path) -> None:
    assert "No tokens." in ncc("token", "list", "--config", node_config).output
    created = ncc("token", "create", "editor", "--config", node_config)
    with node_at(node_config) as node:
        token = authenticate(node.store, f"Bearer {created.stdout.strip()}", "write")
        assert token.scopes == {"write"}
    bad = ncc("token", "create", "x", "--scope", "root", "--config", node_config)
    assert bad.exit_code == 2 and "'root' is not one of" in bad.output


def test_keys_rotate_publishes_the_next_descriptor(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    rotated = ncc("keys", "rotate", "--config", node_config)
    assert rotated.exit_code == 0, rotated.output
    assert "Retired key-1; new active key key-2" in rotated.output
    assert "Published descriptor version 2" in rotated.output
    assert "sign with it from now on" in rotated.output
    assert (node_config.parent / "keys" / "key-2.pem").is_file()
    with node_at(node_config) as node:
        keys = descriptor_keys(node.identity.descriptor)
        assert [(k.key_id, k.status) for k in keys.values()] == [("key-1", "retired"),
                                                                 ("key-2", "active")]
        assert node.identity.active_key.key_id == "key-2"
    status = ncc("status", "--config", node_config).output
    assert "key-1      retired" in status and "key-2      active" in status
    # records signed from now on carry the new key
    changed = node_config.parent / "changed.csv"
    text = SAMPLE_CSV.read_text(encoding="utf-8")
    changed.write_text(text.replace("seven steps", "seven steps (2nd edition)"))
    assert ncc("import", changed, "--config", node_config).exit_code == 0
    with node_at(node_config) as node:
        record = node.store.find_by_identifier(node.identity.node_iri, "wirkungstreppe")
        assert record is not None and record.version == 2
        assert json.loads(record.body)["proof"]["verificationMethod"].endswith("#key-2")


def test_reindex_rebuilds_the_derived_indexes(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    education = RecordFilter(kind="Initiative", theme=THEME + "education")
    text = RecordFilter(kind="Initiative", q="repair")
    # lose the derived tables (as after a crash or a bug in indexing); records stay
    with sqlite3.connect(node_config.parent / "node.db") as db:
        db.execute("DELETE FROM facet_postings")
        db.execute("DELETE FROM record_text")
    db.close()
    with node_at(node_config) as node:
        assert node.store.count(education) == 0 and node.store.count(text) == 0
    result = ncc("reindex", "--config", node_config)
    assert result.exit_code == 0
    assert "Reindexed 4 record(s)" in result.output  # 3 records and the descriptor
    with node_at(node_config) as node:
        assert node.store.count(education) == 1 and node.store.count(text) == 1


def test_node_commands_need_an_initialised_node(ncc: Invoke) -> None:
    for command in (["status"], ["token", "list"], ["keys", "rotate"], ["reindex"],
                    ["export"], ["serve"], ["import", str(SAMPLE_CSV)]):
        result = ncc(*command)
        assert result.exit_code == 1, command
        assert result.output.startswith("Error: no node configuration"), command


def _scopes_the_api_requires() -> set[str]:
    """Every scope the API's views ask for: the literal arguments of ``require_scope(...)``."""
    found = set()
    for path in (Path(ncc_node.api.__file__).parent).glob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id == "require_scope"):
                found.add(ast.literal_eval(call.args[0]))
    return found


def test_token_help_says_what_each_scope_allows(ncc: Invoke) -> None:
    assert _scopes_the_api_requires() == SCOPES == set(SCOPE_ALLOWS)
    shown = " ".join(ncc("token", "create", "--help").output.split())
    for scope in SCOPES:
        assert f"{scope}: {' '.join(SCOPE_ALLOWS[scope].split())}" in shown
    operations = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(
        encoding="utf-8")
    assert {row.split("`")[1] for row in operations.splitlines()
            if row.startswith("| `") and row.split("`")[1] in SCOPES} == SCOPES
