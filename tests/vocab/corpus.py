"""The agreement corpus: valid records and invalid ones, each breaking one named rule.

Shared by tests/vocab/test_agreement.py; each invalid case names the rule (the SHACL
constraint component, or the ncc:ruleId of a SPARQL constraint) it breaks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from vocab.resources import example

Record = dict[str, Any]
UUID = "3f1c6a52-8e0b-4b7e-9a55-4b7d0c8e2a11"


def base(name: str) -> Record:
    """One of the bundled examples, without its (placeholder) proof."""
    record = example(f"{name}.jsonld")
    record.pop("proof")
    return record


def variant(name: str, change: Callable[[Record], Any]) -> Record:
    """A copy of example ``name`` after ``change`` mutated it."""
    record = base(name)
    change(record)
    return record


def minimal_initiative() -> Record:
    """An initiative with only the required fields."""
    full = base("initiative")
    keep = ("@context id type origin version modified name description leadOrganisation "
            "countries languages stage").split()
    return {k: full[k] for k in keep}


def rebased(name: str, root: str) -> Record:
    """Example ``name`` moved under another base URL."""
    record = base(name)
    old = record["origin"].removesuffix("/node")
    text = __import__("json").dumps(record).replace(old, root)
    result: Record = __import__("json").loads(text)
    return result


def _parent(record: Record, path: str) -> tuple[Any, str]:
    """The container holding the last step of a dotted path (list steps are indexes)."""
    *parents, last = path.split(".")
    target: Any = record
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    return target, last


def _swap(old: str, new: str, value: Any) -> Callable[[Record], None]:
    """Replace the term ``old`` by ``new`` (a date at another precision)."""
    def change(record: Record) -> None:
        record.pop(old, None)
        record[new] = value
    return change


def _both(first: str, a: Any, second: str, b: Any) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        record[first] = a
        record[second] = b
    return change


def _set(path: str, value: Any) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        target, last = _parent(record, path)
        target[int(last) if isinstance(target, list) else last] = value
    return change


def _del(path: str) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        target, last = _parent(record, path)
        del target[last]
    return change


ORG = {"type": "Organization", "legalName": "Partner"}
ALL_COUNTRIES = [f"country:{c}" for c in (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
    "ROU SVK SVN ESP SWE ISL LIE NOR").split()]


def valid_records() -> list[tuple[str, Record]]:
    """Records that every validator must accept."""
    cases: list[tuple[str, Record]] = [(n, base(n)) for n in
                                       ("initiative", "method", "tombstone", "node")]
    cases.append(("minimal initiative", minimal_initiative()))
    for root in ("http://127.0.0.1:8765", "http://localhost:5000/ncc",
                 "https://ncc.example.eu:8443/exchange/v1", "https://ncc-ee.example.org"):
        for kind in ("initiative", "method", "tombstone", "node"):
            cases.append((f"{kind} under {root}", rebased(kind, root)))
    for stage in ("idea", "pilot", "proven", "scaling", "established", "ended", "discontinued"):
        cases.append((f"stage {stage}", variant("initiative", _set("stage", f"maturity:{stage}"))))
    more: list[tuple[str, Callable[[Record], Any]]] = [
        ("all 17 SDGs", _set("sdgs", [f"sdg:{i}" for i in range(1, 18)])),
        ("five name languages", _set("name", {t: f"Name {t}" for t in ("en de et nl fr".split())})),
        ("name of 200 characters", _set("name", {"de": "ä" * 200})),
        ("50 partners", _set("partners", [dict(ORG, legalName=f"P{i}") for i in range(50)])),
        ("seeks no partners", _set("seeksPartners", False)),
        ("regional language tag", _set("description", {"de-AT": "Beschreibung"})),
        ("largest version", _set("version", 9007199254740991)),
        ("replicates", _set("replicates", [f"https://ncc-ee.example.org/initiatives/{UUID}"])),
        ("20 regions", _set("regions", [f"Region {i}" for i in range(20)])),
        ("all countries", _set("countries", ALL_COUNTRIES)),
        ("duplicate SDG collapses", _set("sdgs", ["sdg:4", "sdg:4"])),
        ("type as a list", _set("type", ["Initiative"])),
        ("full IRIs", _set("sdgs", ["http://metadata.un.org/sdg/4"])),
        ("leap day", _set("startDate", "2024-02-29")),
        ("end of year", _set("modified", "2026-12-31T23:59:59Z")),
        ("organisation with an IRI", _set("leadOrganisation", dict(
            ORG, id="https://lernbruecke.example.org/#org"))),
        ("name as one-element array", _set("name", {"de": ["Lernpaten"]})),
        ("eight themes", _set("themes", [f"theme:{t}" for t in (
            "education employment housing energy mobility food culture poverty").split()])),
        ("legal name of 300 characters", _set("leadOrganisation.legalName", "x" * 300)),
        ("plain http website", _set("website", "http://lernbruecke.example.org")),
        ("luxembourgish text", _set("description", {"lb": "Eng Beschreiwung"})),
        # what real cases hold (and lack)
        ("no stage", _del("stage")),
        ("no languages", _del("languages")),
        ("no lead organisation", _del("leadOrganisation")),
        ("country outside Europe", _set("countries", ["country:DEU", "country:USA"])),
        ("the EU as a country", _set("countries", ["country:EUR"])),
        ("partners sought outside Europe", _set("seeksPartnersIn", ["country:CHN"])),
        ("end date", _set("endDate", "2024-06-30")),
        ("start as a year", _swap("startDate", "startYear", "2016")),
        ("start as a month", _swap("startDate", "startMonth", "2016-05")),
        ("end as a year", _set("endYear", "2019")),
        ("end as a month", _set("endMonth", "2019-12")),
        ("start year as a one-item list", _swap("startDate", "startYear", ["2016"])),
        ("scale", _set("scale", "scl:cross-border")),
        ("organisation type", _set("leadOrganisation.organisationType",
                                   "orgtype:social-enterprise")),
        ("keywords in two languages", _set("keywords", {"en": ["tutoring", "volunteers"],
                                                        "de": "Lernpaten"})),
        ("technologies", _set("technologies", ["tech:apps", "tech:open-source"])),
        ("same case elsewhere", _set("sameAs", ["https://digitalsocial.eu/projects/345"])),
        ("source dataset", _set("source", {
            "type": "Dataset", "title": "DSI4EU projects",
            "website": "https://github.com/nestauk/DSI4EU_Dataviz",
            "license": "https://creativecommons.org/licenses/by-nc-sa/4.0/"})),
    ]
    cases.extend((name, variant("initiative", change)) for name, change in more)
    cases.append(("minimal method", {k: v for k, v in base("method").items() if k in (
        "@context id type origin version modified name description methodTypes languages"
    ).split()}))
    cases.append(("tombstone of a method", variant("tombstone", lambda r: r.update(
        id=f"https://ncc-ee.example.org/methods/{UUID}", formerType="Method"))))
    cases.append(("node with one key", variant("node", lambda r: r.update(
        verificationMethod=r["verificationMethod"][1:]))))
    cases.append(("node without SPARQL", variant("node", _del("sparqlEndpoint"))))
    cases.append(("EU-level node", variant("node", _set("jurisdiction", "country:EUR"))))
    cases.append(("key id with dots", variant("node", _set(
        "verificationMethod.1.id", "https://ncc-lu.example.org/node#key_2026.1"))))
    return cases


def invalid_records() -> list[tuple[str, str, Record]]:
    """(case, broken rule, record): records that every validator must reject."""
    i = "initiative"
    other = "https://ncc-nl.example.org/node"
    cases: list[tuple[str, str, str, Callable[[Record], Any]]] = [
        ("no name", "minCount", i, _del("name")),
        ("no description", "minCount", i, _del("description")),
        ("empty name", "minLength", i, _set("name", {"de": ""})),
        ("name of 201 characters", "maxLength", i, _set("name", {"de": "n" * 201})),
        ("long description", "maxLength", i, _set("description", {"en": "d" * 3001})),
        ("long problem", "maxLength", i, _set("problem", {"en": "p" * 5001})),
        ("unknown language tag", "languageIn", i, _set("name", {"xx": "Name"})),
        ("two names in one language", "uniqueLang", i, _set("name", {"de": ["A", "B"]})),
        ("unknown stage", "in", i, _set("stage", "maturity:unknown")),
        ("two stages", "maxCount", i, _set("stage", ["maturity:idea", "maturity:pilot"])),
        ("SDG 18", "in", i, _set("sdgs", ["sdg:18"])),
        ("unknown theme", "in", i, _set("themes", ["theme:astronomy"])),
        ("unknown target group", "in", i, _set("targetGroups", ["tg:pets"])),
        ("unknown funding", "in", i, _set("fundingProgrammes", ["funding:lottery"])),
        ("no countries", "minCount", i, _set("countries", [])),
        ("country not in the table", "in", i, _set("countries", ["country:XYZ"])),
        ("unknown language", "in", i, _set("languages", ["lang:JPN"])),
        ("organisation without name", "node", i, _del("leadOrganisation.legalName")),
        ("organisation name too long", "node", i, _set("leadOrganisation.legalName", "x" * 301)),
        ("organisation with extra field", "node", i, _set("leadOrganisation.name", {"de": "X"})),
        ("organisation of wrong type", "node", i, _set("leadOrganisation.type", "Multikey")),
        ("51 partners", "maxCount", i, _set("partners", [dict(ORG, legalName=f"P{n}")
                                                         for n in range(51)])),
        ("version 0", "minInclusive", i, _set("version", 0)),
        ("version as string", "datatype", i, _set("version", "3")),
        ("fractional version", "datatype", i, _set("version", 1.5)),
        ("no version", "minCount", i, _del("version")),
        ("modified not in UTC", "pattern", i, _set("modified", "2026-03-01T10:00:00+01:00")),
        ("modified on 30 February", "datatype", i, _set("modified", "2026-02-30T10:00:00Z")),
        ("no modified", "minCount", i, _del("modified")),
        ("no origin", "minCount", i, _del("origin")),
        ("origin not a descriptor", "pattern", i, _set("origin", "https://ncc-de.example.org/")),
        ("id under another origin", "id-under-origin", i, _set("origin", other)),
        ("id of wrong collection", "pattern", i, _set("id", f"https://ncc-de.example.org/projects/{UUID}")),
        ("uppercase uuid", "pattern", i, _set("id", f"https://ncc-de.example.org/initiatives/{UUID.upper()}")),
        ("plain http off loopback", "pattern", i, lambda r: r.update(
            id=f"http://ncc-de.example.org/initiatives/{UUID}", origin="http://ncc-de.example.org/node")),
        ("foreign property", "closed", i,
         lambda r: r.update({"https://schema.org/award": "kw"})),
        ("method property on initiative", "closed", i, _set("methodTypes", ["mt:mentoring"])),
        ("seeksPartners as string", "datatype", i, _set("seeksPartners", "yes")),
        ("partners sought in no country", "in", i, _set("seeksPartnersIn", ["country:XYZ"])),
        ("unknown scale", "in", i, _set("scale", "scl:planetary")),
        ("two scales", "maxCount", i, _set("scale", ["scl:local", "scl:national"])),
        ("unknown organisation type", "node", i, _set("leadOrganisation.organisationType",
                                                      "orgtype:guild")),
        ("keyword too long", "maxLength", i, _set("keywords", {"en": ["k" * 101]})),
        ("keyword in an unknown language", "languageIn", i, _set("keywords", {"ja": ["k"]})),
        ("unknown technology", "in", i, _set("technologies", ["tech:telepathy"])),
        ("same-as over ftp", "pattern", i, _set("sameAs", ["ftp://files.example.org/x"])),
        ("source without licence", "node", i, _set("source", {
            "type": "Dataset", "title": "DSI4EU", "website": "https://example.org/d"})),
        ("end date month 13", "or", i, _set("endDate", "2021-13-01")),
        ("a year under the day term", "or", i, _set("startDate", "2016")),
        ("a day under the year term", "or", i, _set("startYear", "2016-05-01")),
        ("end month 13", "or", i, _set("endMonth", "2021-13")),
        ("two-digit year", "or", i, _set("endYear", "21")),
        ("year with a time zone", "or", i, _set("startYear", "2016Z")),
        ("start as a day and a year", "maxCount", i, _set("startYear", "2021")),
        ("end as a month and a year", "maxCount", i, _both("endMonth", "2021-05",
                                                             "endYear", "2021")),
        ("ftp website", "pattern", i, _set("website", "ftp://files.example.org/")),
        ("month 13", "or", i, _set("startDate", "2021-13-01")),
        ("method link to an initiative", "pattern", i, _set(
            "usesMethods", [f"https://ncc-de.example.org/initiatives/{UUID}"])),
        ("unknown type", "minCount", i, _set("type", "Project")),
        ("two types", "maxCount", i, _set("type", ["Initiative", "Method"])),
        ("region too long", "maxLength", i, _set("regions", ["r" * 101])),
        ("empty identifier", "minLength", i, _set("identifier", "")),
        ("number in language map", "jsonld", i, _set("name", {"de": 5})),
        ("foreign context", "jsonld", i, _set("@context", "https://example.org/context")),
        ("tombstone without formerType", "minCount", "tombstone", _del("formerType")),
        ("tombstone of a node", "in", "tombstone", _set("formerType", "Node")),
        ("tombstone without deleted", "minCount", "tombstone", _del("deleted")),
        ("method without type", "minCount", "method", _del("methodTypes")),
        ("node without keys", "minCount", "node", _del("verificationMethod")),
        ("node with another origin", "node-is-own-origin", "node", _set(
            "origin", "https://ncc-lu.example.org/other/node")),
        ("key not Ed25519", "node", "node", _set(
            "verificationMethod.0.publicKeyMultibase",
            "z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc")),
        ("revoked key status", "node", "node", _set("verificationMethod.1.keyStatus", "revoked")),
        ("jurisdiction outside EU/EEA", "in", "node", _set("jurisdiction", "country:USA")),
        # an EU-level node claims no member state besides (issue 21)
        ("EU level and a country", "maxCount", "node", _set("jurisdiction",
                                                            ["country:EUR", "country:BEL"])),
        ("node without feed", "minCount", "node", _del("feed")),
    ]
    return [(name, rule, variant(kind, change)) for name, rule, kind, change in cases]


def all_cases() -> list[tuple[str, str | None, Record]]:
    """Every case as (name, broken rule or None, record)."""
    valid: list[tuple[str, str | None, Record]] = [(n, None, r) for n, r in valid_records()]
    invalid: list[tuple[str, str | None, Record]] = [
        (n, rule, r) for n, rule, r in invalid_records()]
    return copy.deepcopy(valid + invalid)
