"""What the pages show of a record: texts in the reader's language, concepts as labels, and
provenance (origin, signature check, the peer it came through)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vocab import COLLECTIONS, DATE_TERMS, UnknownConcept, concept_index, date_of

from ..errors import NccError
from ..identity import key_lookup_from_descriptor
from ..integrity import verify_proof_set
from ..store import Store, StoredRecord

# The order fields are shown in; language maps first, then concepts, then links.
TEXT_FIELDS = ("name", "description", "problem", "approach", "results", "impact",
               "transferPotential")
CONCEPT_FIELDS = ("stage", "sdgs", "themes", "targetGroups", "methodTypes", "countries",
                  "languages", "fundingProgrammes", "seeksPartnersIn")
LINK_FIELDS = ("usesMethods", "replicates", "adapts")
OTHER_FIELDS = ("identifier", "startDate", "endDate", "regions", "seeksPartners", "website",
                "license")


def as_list(value: Any) -> list[Any]:
    """A JSON value as a list (absent -> [], scalar -> [scalar])."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def pick_text(texts: Any, lang: str) -> tuple[str, str]:
    """The text of a language map in ``lang``, else English, else the first: (tag, text)."""
    if isinstance(texts, str):
        return "", texts
    if not isinstance(texts, Mapping) or not texts:
        return "", ""
    for tag in (lang, "en", *sorted(texts)):
        if tag in texts:
            return tag, str(texts[tag])
    return "", ""


def concept_label(iri: str, lang: str) -> str:
    """A concept's label in ``lang`` (English, then any language, as fallbacks)."""
    try:
        return concept_index().label(iri, lang)
    except UnknownConcept:
        return iri


def concept_labels(values: Iterable[str], lang: str) -> list[str]:
    """Labels of several concepts."""
    return [concept_label(str(value), lang) for value in values]


@dataclass(frozen=True)
class Signature:
    """The outcome of checking a record's proof(s) against its origin's descriptor."""

    verified: bool
    keys: tuple[str, ...] = ()
    created: str = ""
    reason: str = ""


def check_signature(store: Store, record: Mapping[str, Any]) -> Signature:
    """Verify the record's proofs under the keys its origin's stored descriptor lists."""
    descriptor = store.descriptor(str(record.get("origin", "")))
    if descriptor is None:
        return Signature(False, reason="no_descriptor")
    try:
        lookup = key_lookup_from_descriptor(json.loads(descriptor.body))
        proofs = verify_proof_set(record, key_lookup=lookup)
    except NccError as exc:
        return Signature(False, reason=exc.message)
    return Signature(True, keys=tuple(p.verification_method for p in proofs),
                     created=min(p.created for p in proofs).strftime("%Y-%m-%dT%H:%M:%SZ"))


def node_name(store: Store, node_iri: str, lang: str) -> str:
    """A node's display name from its stored descriptor (its IRI when not held)."""
    descriptor = store.descriptor(node_iri)
    if descriptor is None:
        return node_iri
    body = json.loads(descriptor.body)
    _, name = pick_text(body.get("name"), lang)
    country = body.get("jurisdiction")
    if name and country:
        return f"{name} ({concept_label(str(country), lang)})"
    return name or node_iri


def page_path(record_id: str, kind: str) -> str:
    """The web page of a record on this node: ``/web/<collection>/<uuid>``."""
    return f"/web/{COLLECTIONS[kind]}/{record_id.rstrip('/').rpartition('/')[2]}"


def api_path(record_id: str, kind: str) -> str:
    """Where this node's API serves a record: ``/<collection>/<uuid>``."""
    return f"/{COLLECTIONS[kind]}/{record_id.rstrip('/').rpartition('/')[2]}"


def safe_url(value: Any) -> str | None:
    """A value fit for ``href``: an http(s) URL, else None (never ``javascript:`` and kin)."""
    text = str(value)
    return text if text.startswith(("https://", "http://")) else None


def record_fields(record: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """Every payload field of a record, ready for the template, in a fixed order."""
    rows: list[dict[str, Any]] = []
    for name in TEXT_FIELDS:
        if name in record:
            tag, text = pick_text(record[name], lang)
            others = {t: str(v) for t, v in record[name].items() if t != tag} \
                if isinstance(record[name], Mapping) else {}
            rows.append({"field": name, "kind": "text", "lang": tag, "text": text,
                         "others": others})
    for name in CONCEPT_FIELDS:
        if name in record:
            rows.append({"field": name, "kind": "list",
                         "items": concept_labels(as_list(record[name]), lang)})
    for name in ("leadOrganisation", "partners"):
        if name in record:
            rows.append({"field": name, "kind": "orgs", "items": [
                {"name": str(org.get("legalName", "")), "url": safe_url(org.get("website", "")),
                 "countries": concept_labels(as_list(org.get("countries")), lang)}
                for org in as_list(record[name]) if isinstance(org, Mapping)]})
    for name in LINK_FIELDS:
        if name in record:
            kind = "Method" if name == "usesMethods" else "Initiative"
            rows.append({"field": name, "kind": "records", "items": [
                {"id": str(iri), "href": page_path(str(iri), kind)}
                for iri in as_list(record[name])]})
    for name in OTHER_FIELDS:
        if name in DATE_TERMS:  # a day, a month or a year, under whichever term holds it
            date = date_of(record, name)
            if date is not None:
                rows.append({"field": name, "kind": "list", "items": [date]})
        elif name in record:
            value = record[name]
            if name in ("website", "license"):
                rows.append({"field": name, "kind": "link", "href": safe_url(value),
                             "text": str(value)})
            elif isinstance(value, bool):
                rows.append({"field": name, "kind": "bool", "value": value})
            else:
                rows.append({"field": name, "kind": "list",
                             "items": [str(v) for v in as_list(value)]})
    return rows


def provenance(store: Store, stored: StoredRecord, record: Mapping[str, Any],
               lang: str) -> dict[str, Any]:
    """Origin node, signature check, the peer it came through, version and modified."""
    return {
        "origin": stored.origin,
        "origin_name": node_name(store, stored.origin, lang),
        "signature": check_signature(store, record),
        "received_from": stored.received_from,
        "received_at": stored.received_at,
        "version": stored.version,
        "modified": stored.modified,
    }
