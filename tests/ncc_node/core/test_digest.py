"""``digest(store)``: one hash over (id, version, proofValue), independent of arrival order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from ncc_node import digest
from ncc_node.context import NodeContext
from ncc_node.store import SqliteStore, StoredRecord


def _copy_into(path: Path, records: list[StoredRecord]) -> SqliteStore:
    store = SqliteStore(path)
    for record in records:
        store.put(json.loads(record.body), record.body, received_from="http://127.0.0.1:8470")
    return store


def test_digest_is_the_hash_of_sorted_lines_and_ignores_arrival_order(
        app: Flask, tmp_path: Path, make_payload: Callable[..., dict[str, Any]]) -> None:
    context: NodeContext = app.extensions["ncc"]
    for index in range(3):
        context.publisher.create("Initiative", make_payload(identifier=f"i-{index}"))
    held = list(context.store.iter_records())
    lines = sorted(f"{r.id}\t{r.version}\t{r.proof_value}\n" for r in held)
    expected = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    assert digest(context.store) == expected

    forward = _copy_into(tmp_path / "a.db", held)
    backward = _copy_into(tmp_path / "b.db", held[::-1])
    try:
        assert digest(forward) == digest(backward) == expected
    finally:
        forward.close()
        backward.close()


def test_a_new_version_changes_the_digest(
        app: Flask, make_payload: Callable[..., dict[str, Any]]) -> None:
    context: NodeContext = app.extensions["ncc"]
    record = context.publisher.create("Initiative", make_payload())
    before = digest(context.store)
    context.publisher.update(record.id, make_payload(website="https://changed.example.org/"),
                             kind="Initiative", if_match=record.etag)
    assert digest(context.store) != before


def test_an_empty_store_has_the_hash_of_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "empty.db")
    try:
        assert digest(store) == hashlib.sha256(b"").hexdigest()
    finally:
        store.close()
