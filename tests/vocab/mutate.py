"""Deterministic mutations of valid records, aimed at what JSON-LD and SHACL read subtly.

Used by tests/vocab/test_accept.py: every mutation is a record the accept path may only vouch
for if the full path (strict check + fast validator) finds nothing wrong with it either.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from vocab.resources import context_terms

Record = dict[str, Any]

ORG = {"type": "Organization", "legalName": "Partner"}
KEY = {"id": "https://ncc-lu.example.org/node#key-9", "type": "Multikey",
       "controller": "https://ncc-lu.example.org/node",
       "publicKeyMultibase": "z6MkuSGWMnTrfbyuth62eNwNwU277dxCfaqqXdp2RZc2cRbY",
       "keyStatus": "active", "created": "2026-01-01T00:00:00Z"}
# values that JSON-LD, the strict check or the shapes read in a special way
VALUES: list[Any] = [
    None, [], [[]], [None], {}, "", " ", "x" * 6000, True, False, 0, 1, -1, 1.0, 3.0, 1.5,
    2**53, 2**53 - 1, 2**64, "1", "true", "null",
    "country:DEU", "country:USA", "country:deu", "country:", "sdg:3", "sdg:18", "sdg:03",
    "lang:ENG", "maturity:idea", "theme:education", "tg:youth", "funding:erdf", "mt:mentoring",
    "http://metadata.un.org/sdg/3", "https://metadata.un.org/sdg/3",
    "http://publications.europa.eu/resource/authority/country/DEU", "sdg3", "_:b0", "_:",
    "relative/iri", "https://example.org/x", "https://example.org/a b", "ftp://example.org/",
    "https://ncc-de.example.org/node", "https://ncc-de.example.org/node\n", "ncc:Initiative",
    "2026-02-30T10:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z\n", "2026-01-01",
    "2026-01-01T10:00:00+01:00", "Initiative", "Method", "Node", "Tombstone", "Organization",
    "Multikey", "origin", "ncc", ["Initiative"], ["Initiative", "Method"], "active", "retired",
    "ACTIVE", {"de": "x"}, {"en": "x"}, {"EN": "x"}, {"en": ""}, {"en": "x", "en-GB": "y"},
    {"de-AT": "a", "de-at": "b"}, {"de-AT": "a", "de-at": "a"}, {"xx": "y"}, {"en": ["a"]},
    {"en": None}, {"@none": "x"}, {"en\n": "x"}, {"e": "x"}, {"en-": "x"}, {"en": 5},
    {"@value": "x"}, {"@value": "x", "@language": "en"}, {"@id": "country:DEU"},
    {"id": "country:DEU"}, {"id": "_:b1"}, {"@list": ["sdg:3"]}, {"@set": ["sdg:3"]},
    dict(ORG), dict(ORG, id="https://org.example.org/#o"), dict(ORG, legalName=""),
    dict(ORG, type=["Organization"]), dict(ORG, countries=["country:DEU", "country:DEU"]),
    dict(ORG, website="https://org.example.org/"), dict(ORG, proof={"type": "x"}),
    dict(ORG, **{"@context": "https://w3id.org/ncc/context/v1"}), dict(KEY),
    dict(KEY, keyStatus="revoked"), "z6MkuSGWMnTrfbyuth62eNwNwU277dxCfaqqXdp2RZc2cRbY",
    "eddsa-jcs-2022",
]
TERMS = sorted(k for k in context_terms() if not k.startswith("@"))
KEYS = ["foo", "@id", "@type", "@value", "@language", "@context", "@graph", "@none", "@reverse",
        "ncc:origin", "https://schema.org/keywords", "_:x", "ID", "Type", *TERMS]
TAGS = ["EN", "En", "e", "en-", "en-GB", "en-gb", "de-AT", "@none", "x-private", "qqq", "en\n",
        "deu", "en-GB-oxendict", "no", "nb", "*"]


def _containers(value: Any, found: list[Any]) -> list[Any]:
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            _containers(item, found)
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            _containers(item, found)
    return found


def _ids(record: Record) -> list[str]:
    return [c["id"] for c in _containers(record, []) if isinstance(c, dict)
            and isinstance(c.get("id"), str)]


def _value(rng: random.Random, record: Record) -> Any:
    pool = VALUES + _ids(record) + [record.get("origin"), str(record.get("id", "")).upper()]
    return copy.deepcopy(rng.choice(pool))


def _mutate_dict(rng: random.Random, record: Record, target: dict[str, Any]) -> None:
    keys = list(target)
    choice = rng.randrange(6)
    if choice == 0 and keys:
        del target[rng.choice(keys)]
    elif choice == 1 and keys:
        target[rng.choice(keys)] = _value(rng, record)
    elif choice == 2:
        target[rng.choice(KEYS)] = _value(rng, record)
    elif choice == 3 and keys:  # a key under another name: language tags, case, typos
        key = rng.choice(keys)
        target[rng.choice(TAGS + [key.upper(), key.lower(), key + "-AT"])] = target.pop(key)
    elif choice == 4 and keys:  # one value in a list, or a list around it
        key = rng.choice(keys)
        target[key] = [target[key]] if rng.random() < 0.7 else [[target[key]]]
    elif keys:  # the same value under a second spelling of its language
        key = rng.choice(keys)
        target[key.upper() if rng.random() < 0.5 else key + "-at"] = copy.deepcopy(target[key])


def _mutate_list(rng: random.Random, record: Record, target: list[Any]) -> None:
    choice = rng.randrange(6)
    if choice == 0 and target:
        del target[rng.randrange(len(target))]
    elif choice == 1 and target:  # a duplicate: the same object again, or an equal copy
        item = rng.choice(target)
        target.append(item if rng.random() < 0.5 else copy.deepcopy(item))
    elif choice == 2:
        target.append(_value(rng, record))
    elif choice == 3 and target:
        target[rng.randrange(len(target))] = _value(rng, record)
    elif choice == 4 and target:  # many times the same object (one node per object in RDF)
        target.extend([target[0]] * rng.choice((5, 30, 60)))
    else:
        target.clear()


def _swap_spelling(rng: random.Random, record: Record) -> None:
    """A concept written as an absolute IRI (same term) or a near miss of it."""
    prefixes = {k: v for k, v in context_terms().items() if isinstance(v, str)
                and not v.startswith("@")}
    for container in _containers(record, []):
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in list(items):
            if isinstance(value, str) and value.split(":")[0] in prefixes and rng.random() < 0.5:
                prefix, _, rest = value.partition(":")
                spelt = [prefixes[prefix] + rest, prefixes[prefix] + rest.upper(),
                         f"{prefix}:{rest}/", f"{prefix}://{rest}", f"{prefix.upper()}:{rest}"]
                container[key] = rng.choice(spelt)
                return


def _merge_ids(rng: random.Random, record: Record) -> None:
    """Objects sharing an id (with the record or each other): one node in RDF."""
    objects = [c for c in _containers(record, [])[1:] if isinstance(c, dict) and "type" in c]
    if objects:
        rng.choice(objects)["id"] = rng.choice(_ids(record) or ["https://org.example.org/#o"])


def _retag(rng: random.Random, record: Record) -> None:
    """A language map with one language twice under tags that differ only in case."""
    maps = [c for c in _containers(record, []) if isinstance(c, dict) and c
            and all(isinstance(k, str) and k.islower() and len(k) < 4 for k in c)]
    if maps:
        texts = rng.choice(maps)
        tag = rng.choice(list(texts))
        region = rng.choice(["AT", "at", "Latn", "1996"])
        texts[f"{tag}-{region}"] = "same" if rng.random() < 0.5 else "one"
        texts[f"{tag}-{region.swapcase()}"] = "same" if rng.random() < 0.5 else "other"


def _near_miss(rng: random.Random, record: Record) -> None:
    """A date, number or origin changed into one its pattern may take but its type or rule not."""
    slots = [(c, k, v) for c in _containers(record, [])
             for k, v in (c.items() if isinstance(c, dict) else enumerate(c))]
    kinds = [
        ([(c, k) for c, k, v in slots if isinstance(v, str) and DATE.match(v)], DATES),
        ([(c, k) for c, k, v in slots if type(v) is int], NUMBERS),
        ([(c, k) for c, k, v in slots if isinstance(v, str) and v.endswith("/node")], ORIGINS),
    ]
    ids = [(c, k) for c, k, v in slots if k == "id" and isinstance(v, str)]
    kinds.append((ids, [rng.choice(ID_CHANGES)(c[k]) for c, k in ids]))
    found, choices = rng.choice([kind for kind in kinds if kind[0]] or [([], [])])
    if found:
        container, key = rng.choice(found)
        container[key] = rng.choice(choices)


DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")
ID_CHANGES: list[Callable[[str], str]] = [
    str.upper, lambda i: i + "/", lambda i: i.replace("https://", "http://"),
    lambda i: i.replace("/initiatives/", "/methods/"), lambda i: i.replace("/node", "/nodes"),
    lambda i: i.replace("#", "#x/"), lambda i: i[:-1], lambda i: i.replace("-", "", 1),
    lambda i: i.replace("ncc-", "ncc_"), lambda i: "_:" + i, lambda i: i.rsplit("/", 1)[-1],
]
NUMBERS = [0, -1, 2**53 - 1, 2**53, True, 1.0, "1"]
DATES = ["2026-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "2024-02-29T10:00:00Z",
         "2026-13-01T10:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:00:60Z", "2026-02-30",
         "2026-13-01", "2024-02-29", "0000-01-01T00:00:00Z", "2026-1-01", "20260101"]
ORIGINS = ["https://ncc-de.example.org/node", "https://ncc-lu.example.org/node",
           "http://127.0.0.1:8765/node", "https://ncc-de.example.org/sub/node",
           "https://ncc-de.example.org/nodes", "https://ncc-de.example.org/other/node"]


RECORD_MUTATIONS: list[Callable[[random.Random, Record], None]] = [
    _swap_spelling, _merge_ids, _retag, _near_miss, _near_miss,
    lambda rng, r: r.update(type=rng.choice(["Initiative", "Method", "Node", "Tombstone"])),
    lambda rng, r: r.update(proof=_value(rng, r)),
    lambda rng, r: r.update(partners=[dict(ORG)] * rng.choice((1, 50, 51))),
    lambda rng, r: r.update(id=str(r.get("id", "")).replace("https://", "http://")),
]


def mutations(records: list[Record], count: int, seed: int = 2026) -> Iterator[Record]:
    """Yield ``count`` mutated copies of ``records`` (one to three changes each)."""
    rng = random.Random(seed)
    for index in range(count):
        record = copy.deepcopy(records[index % len(records)])
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            if rng.random() < 0.15:
                rng.choice(RECORD_MUTATIONS)(rng, record)
                continue
            target = rng.choice(_containers(record, []))
            if isinstance(target, dict):
                _mutate_dict(rng, record, target)
            else:
                _mutate_list(rng, record, target)
        yield record
