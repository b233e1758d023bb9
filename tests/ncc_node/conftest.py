"""Shared fixtures and helpers for the node's tests: keys, records, signing, the W3C vectors."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node.errors import KeyNotValidAt, UnknownKey
from ncc_node.identity.signing_key import NodeKey, generate_key
from ncc_node.integrity.proofs import KeyLookup, VerifiedProof, sign, verify
from vocab import CONTEXT_URL, DocumentLoader, document_loader

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
EDDSA = VECTORS / "w3c-vc-di-eddsa"
BASE = "http://127.0.0.1:8470"
NODE = f"{BASE}/node"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
Record = dict[str, Any]

RECORD: dict[str, Any] = {
    "@context": CONTEXT_URL,
    "id": f"{BASE}/initiatives/3f1c6a52-8e0b-4b7e-9a55-4b7d0c8e2a11",
    "type": "Initiative",
    "origin": NODE,
    "version": 3,
    "modified": "2026-03-01T10:00:00Z",
    "name": {
        "de": "Digitale Lernpatenschaften für Grundschulkinder",
        "en": "Digital learning mentorships for primary school children",
    },
    "description": {
        "de": "Ehrenamtliche Lernpat:innen begleiten Kinder einmal pro Woche – per Video.",
        "et": "Vabatahtlikud mentorid toetavad lapsi kord nädalas lugemisel ja arvutamisel.",
        "en": "Volunteer mentors support children once a week by video.",
    },
    "problem": {"en": "Children without support at home fall behind in reading."},
    "approach": {"en": "Schools refer children; a matching team forms fixed pairs."},
    "results": {"en": "1,200 pairs in 14 cities; 78% improved their reading."},
    "transferPotential": {"fr": "Le matériel de formation est sous licence libre ; « prêt »."},
    "sdgs": ["sdg:4", "sdg:10"],
    "themes": ["theme:education"],
    "countries": ["country:DEU"],
    "languages": ["lang:DEU", "lang:ENG"],
    "stage": "maturity:proven",
    "leadOrganisation": {
        "type": "Organization",
        "legalName": "Lernbrücke gemeinnützige GmbH",
        "website": "https://lernbruecke.example.org",
        "countries": ["country:DEU"],
    },
    "partners": [
        {"type": "Organization", "legalName": "Stiftung Bildungschancen", "countries": []},
        {"type": "Organization", "legalName": "Tartu Ülikool", "countries": ["country:EST"]},
    ],
    "seeksPartners": True,
}


def read_json(path: Path) -> Any:
    """Parse a JSON file of the test data."""
    return json.loads(path.read_text(encoding="utf-8"))


def lookup_for(*keys: NodeKey, valid_from: datetime = T0) -> KeyLookup:
    """A key lookup over ``keys`` under our node IRI, valid from ``valid_from`` on."""
    table = {key.verification_method(NODE): key.public_key for key in keys}

    def key_lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
        if verification_method not in table:
            raise UnknownKey(verification_method)
        if created < valid_from:
            raise KeyNotValidAt(verification_method, created, "before the key existed")
        return table[verification_method]

    return key_lookup


def signed_record(record: Record, key: NodeKey, suite: str = "eddsa-jcs-2022", **kw: Any) -> Record:
    """Sign ``record`` with ``key`` under our node IRI, created at ``T0`` unless given."""
    kw.setdefault("created", T0)
    return sign(
        record,
        private_key=key.private_key,
        verification_method=key.verification_method(NODE),
        cryptosuite=suite,
        **kw,
    )


def check(document: Record, key: NodeKey, **kw: Any) -> VerifiedProof:
    """Verify ``document`` against ``key`` alone, one day after ``T0`` unless told."""
    kw.setdefault("now", NOW)
    return verify(document, key_lookup=lookup_for(key), **kw)


@pytest.fixture
def keypair() -> NodeKey:
    """A fresh node key, id ``key-1``."""
    return generate_key("key-1")


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """Return a factory for unsigned initiative records; keyword overrides replace fields."""

    def make(**overrides: Any) -> dict[str, Any]:
        record = copy.deepcopy(RECORD)
        record.update(overrides)
        return record

    return make


@pytest.fixture(scope="session")
def vector_loader() -> DocumentLoader:
    """The offline loader with the W3C contexts the vectors need (and our bundled one)."""
    contexts = VECTORS / "contexts"
    mapping = read_json(contexts / "context-map.json")
    return document_loader({url: read_json(contexts / name) for url, name in mapping.items()})
