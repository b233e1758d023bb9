"""``ncc repair`` and ``ncc keys rotate`` re-publish own records signed after their key retired."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from ncc_node.errors import NccError
from ncc_node.identity import key_lookup_from_descriptor
from ncc_node.integrity import sign, verify
from ncc_node.jsonbody import dump_body
from ncc_node.timestamps import parse_timestamp

from .conftest import Invoke, node_at


def _stale_version(config: Path, record_id: str) -> None:
    """What a server that kept its retired key did: a new version signed with it, too late."""
    with node_at(config) as node:
        identity = node.identity
        retired = parse_timestamp(next(k["retired"] for k in identity.descriptor[
            "verificationMethod"] if k["id"].endswith("#key-1")))
        current = json.loads(node.store.get(record_id).body)  # type: ignore[union-attr]
        unsigned = {k: v for k, v in current.items() if k != "proof"}
        unsigned["version"] += 1
        stale = sign(unsigned, private_key=identity.keys["key-1"].private_key,
                     verification_method=f"{identity.node_iri}#key-1",
                     created=retired + timedelta(seconds=30))
        node.store.put(stale, dump_body(stale), expect_version=current["version"])


def _verifies(config: Path, record_id: str) -> bool:
    with node_at(config) as node:
        lookup = key_lookup_from_descriptor(node.identity.descriptor)
        try:
            verify(json.loads(node.store.get(record_id).body),  # type: ignore[union-attr]
                   key_lookup=lookup)
        except NccError:
            return False
        return True


def test_repair_and_rotate_re_sign_too_late_records(
    ncc: Invoke, node_config: Path, make_payload: Callable[..., dict[str, Any]],
) -> None:
    with node_at(node_config) as node:
        first = node.publisher.create("Initiative", make_payload()).id
        second = node.publisher.create("Method", make_payload("Method")).id
    assert ncc("keys", "rotate", "--config", node_config).exit_code == 0
    _stale_version(node_config, first)
    assert not _verifies(node_config, first)

    repaired = ncc("repair", "--config", node_config)

    assert repaired.exit_code == 0, repaired.output
    assert f"re-signed {first}: version 2 -> 3" in repaired.output
    assert _verifies(node_config, first) and _verifies(node_config, second)
    assert "Re-signed" not in ncc("repair", "--config", node_config).output

    # `ncc keys rotate` repairs too, after publishing the next descriptor
    _stale_version(node_config, second)
    rotated = ncc("keys", "rotate", "--config", node_config)
    assert rotated.exit_code == 0, rotated.output
    assert f"re-signed {second}: version 2 -> 3" in rotated.output
    assert _verifies(node_config, second)
