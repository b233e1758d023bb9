"""The node's own identity: base URL, node IRI, country, signing keys and signed descriptor.

Keys live as PKCS#8 PEM files in ``node.key_dir`` (one file per key id); the descriptor lives in
the store as a record of kind Node, so it travels through the feed like any other record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from vocab import concept_index, schemes_graph

from ..errors import ConfigError
from ..jsonbody import dump_body
from ..settings import Settings
from ..store import Store
from ..timestamps import utc_now
from .descriptor import new_descriptor, rotate
from .key_validity import ACTIVE, descriptor_keys, node_iri_for
from .signing_key import NodeKey, generate_key, load_key, save_key

NCC = Namespace("https://w3id.org/ncc/vocab#")
COUNTRY_NS = "http://publications.europa.eu/resource/authority/country/"
#: The jurisdictions a node may claim (the shapes' ``sh:in`` for ``jurisdiction``).
NODE_COUNTRIES = URIRef("https://w3id.org/ncc/concepts/node-countries")
#: The jurisdiction of an EU-level node (an aggregator): the EU itself, which is no member
#: state, so that such a node claims no country another node serves (issue 21).
EU_LEVEL = "country:EUR"


def country_concept(code: str) -> str:
    """Return the compact concept of a node's jurisdiction (``country:DEU``) for an alpha-2 or
    alpha-3 code of an EU or EEA country, or ``EU``/``EUR`` for an EU-level node."""
    upper = code.strip().upper()
    graph = schemes_graph()
    if upper == "EU":  # ISO 3166-1 reserves EU for the European Union; the table's code is EUR
        iri = COUNTRY_NS + "EUR"
    else:
        iri = str(next(graph.subjects(NCC.alpha2, Literal(upper)), COUNTRY_NS + upper))
    # a concept of the scheme, but not one a node may claim (e.g. US), is refused here too
    if (NODE_COUNTRIES, SKOS.member, URIRef(iri)) not in graph:
        raise ConfigError(f"node.country {code!r} is not the code of an EU or EEA country "
                          "(e.g. DE, EE, NL, LU), nor EU for an EU-level node")
    return concept_index().compact(iri)


@dataclass(frozen=True)
class NodeIdentity:
    """Who this node is and how it signs."""

    base_url: str
    node_iri: str
    jurisdiction: str
    keys: Mapping[str, NodeKey]
    active_key: NodeKey
    descriptor: dict[str, Any]
    key_dir: Path
    passphrase_env: str
    cryptosuite: str

    def verification_method(self) -> str:
        """The verification method id of the active key."""
        return self.active_key.verification_method(self.node_iri)


def _key_files(key_dir: Path) -> list[Path]:
    return sorted(key_dir.glob("*.pem")) if key_dir.is_dir() else []


def _load_keys(settings: Settings) -> dict[str, NodeKey]:
    env = settings["node.key_passphrase_env"]
    keys = {}
    for path in _key_files(settings.path("node.key_dir")):
        key = load_key(path, passphrase_env=env)
        keys[key.key_id] = key
    return keys


def _identity(settings: Settings, descriptor: dict[str, Any]) -> NodeIdentity:
    keys = _load_keys(settings)
    listed = descriptor_keys(descriptor)
    active = [k for k in listed.values() if k.status == ACTIVE]
    if not active:
        raise ConfigError(f"descriptor {descriptor['id']} lists no active key")
    key_id = active[-1].id.rsplit("#", 1)[-1]
    key = keys.get(key_id)
    if key is None:
        raise ConfigError(f"the active key {key_id!r} of {descriptor['id']} has no PEM file in "
                          f"{settings.path('node.key_dir')}")
    if key.public_multikey != active[-1].public_key_multibase:
        raise ConfigError(f"key file {key_id}.pem does not match the descriptor's active key")
    base_url = str(descriptor["id"]).removesuffix("/node")
    return NodeIdentity(base_url, str(descriptor["id"]), str(descriptor["jurisdiction"]), keys,
                        key, descriptor, settings.path("node.key_dir"),
                        settings["node.key_passphrase_env"], settings["node.cryptosuite"])


def load_identity(settings: Settings, store: Store) -> NodeIdentity:
    """Load the identity of an initialised node (``ncc init`` makes one)."""
    settings.require("node.base_url")
    node_iri = node_iri_for(settings["node.base_url"])
    stored = store.descriptor(node_iri)
    if stored is None:
        raise ConfigError(f"node {node_iri} is not initialised: run `ncc init` (no descriptor "
                          f"in {settings.database_label()})")
    return _identity(settings, json.loads(stored.body))


def init_identity(settings: Settings, store: Store) -> NodeIdentity:
    """Create the first key and the version-1 descriptor; refuse if the node already has one."""
    settings.require("node.base_url", "node.country", "node.name")
    node_iri = node_iri_for(settings["node.base_url"])
    if store.descriptor(node_iri) is not None:
        raise ConfigError(f"node {node_iri} is already initialised in "
                          f"{settings.database_label()}")
    key_dir = settings.path("node.key_dir")
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if _key_files(key_dir):
        raise ConfigError(f"{key_dir} already holds keys but the database has no descriptor")
    key = generate_key("key-1")
    save_key(key, key_dir / f"{key.key_id}.pem", passphrase_env=settings["node.key_passphrase_env"])
    descriptor = new_descriptor(
        base_url=settings["node.base_url"],
        name={"en": settings["node.name"]},
        jurisdiction=country_concept(settings["node.country"]),
        key=key,
        cryptosuite=settings["node.cryptosuite"],
    )
    store.put(descriptor, dump_body(descriptor), expect_version=0)
    return _identity(settings, descriptor)


def rotate_identity(settings: Settings, store: Store, identity: NodeIdentity) -> NodeIdentity:
    """Retire the active key, add a new one, and publish the descriptor signed by both.

    Atomic for every process of the node: the rotation runs in one write transaction, reads the
    stored descriptor there (another process may have rotated since ``identity`` was loaded) and
    takes the retirement time there. A record that another process writes is therefore either
    committed before (its proof's ``created`` is not after the retirement) or after, when that
    process sees the new descriptor and signs with the new key (:class:`NodeSigner`).
    """
    with store.write() as writer:
        stored = store.descriptor(identity.node_iri)
        if stored is None:
            raise ConfigError(f"node {identity.node_iri} has no descriptor: run `ncc init`")
        current = json.loads(stored.body)
        if current["version"] != identity.descriptor["version"]:
            identity = _identity(settings, current)
        rotated, new_key = rotate(current, current_key=identity.active_key, at=utc_now(),
                                  cryptosuite=settings["node.cryptosuite"])
        path = settings.path("node.key_dir") / f"{new_key.key_id}.pem"
        # the key file exists before any process can see the descriptor that names it
        save_key(new_key, path, passphrase_env=settings["node.key_passphrase_env"])
        try:
            writer.put(rotated, dump_body(rotated), expect_version=current["version"])
        except BaseException:
            path.unlink(missing_ok=True)  # the rotation did not happen: no orphan key file
            raise
    return _identity(settings, rotated)
