"""The validators' messages come from their templates: every finding carries a code and the
template (a message id of the pages' gettext catalogues) that, filled with the finding's values,
is exactly its message; that is what lets the web pages say it in another language (docs/web.md,
Validation). A finding with an English-only message fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from rdflib import Namespace

from vocab import VALIDATION_MESSAGES, Violation, validate_record, validate_shacl
from vocab.resources import shapes_graph

from .corpus import base, invalid_records, variant

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SH = Namespace("http://www.w3.org/ns/shacl#")
ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "ncc_node/web/translations/messages.pot"


def _set(key: str, value: Any) -> Any:
    return lambda record: record.__setitem__(key, value)


# what the corpus (one broken rule each) does not reach: every finding of the JSON-LD expansion
# and each shape's own sh:message
_MORE = [
    ("id a number", variant("initiative", _set("id", 5))),
    ("organisation id a number", variant("initiative", lambda r: r["leadOrganisation"]
                                         .__setitem__("id", 7))),
    ("@value an object", variant("initiative", _set("website", {"@value": {"a": 1}}))),
    ("text in a language map a number", variant("initiative", _set("name", {"de": 5}))),
    ("initiative id off its pattern", variant("initiative", _set(
        "id", "https://ncc-de.example.org/records/1"))),
    ("method id off its pattern", variant("method", _set(
        "id", "https://ncc-de.example.org/records/1"))),
    ("id under another origin", variant("initiative", _set(
        "origin", "https://ncc-nl.example.org/node"))),
]


def _findings() -> list[tuple[str, Violation]]:
    cases = [(name, record) for name, _, record in invalid_records()] + _MORE
    return [(name, finding) for name, record in cases for finding in validate_record(record)]


def _catalogue_ids() -> set[str]:
    with POT.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_every_finding_is_its_template_filled() -> None:
    seen, english_only = set(), []
    for name, finding in _findings():
        if not (finding.code and finding.template):
            english_only.append((name, finding))
            continue
        seen.add(finding.code)
        assert finding.template % dict(finding.args) == finding.message
        if finding.code in VALIDATION_MESSAGES:
            assert finding.template == VALIDATION_MESSAGES[finding.code]
    assert not english_only
    assert {"minCount", "maxCount", "in", "strict.term", "closed", "jsonld.id",
            "jsonld.value", "jsonld.language_map", "shape.InitiativeShape",
            "shape.MethodShape", "shape.id-under-origin"} <= seen


def test_every_template_is_a_message_of_the_catalogues() -> None:
    ids = _catalogue_ids()
    templates = {f.template for _, f in _findings()}
    shape_messages = {str(text) for text in shapes_graph().objects(None, SH.message)}
    assert len(shape_messages) >= 8
    missing = sorted((templates | shape_messages | set(VALIDATION_MESSAGES.values())) - ids)
    assert not missing, "run pybabel extract (docs/web.md)"


def test_no_validator_makes_a_finding_without_a_template() -> None:
    # beyond the cases above: a finding made as Violation(path, rule, message) is English only;
    # only pyshacl's own messages (shacl.py, the normative check no page shows) are made so
    bare = []
    for source in sorted((ROOT / "vocab/validation").glob("*.py")):
        if source.name in ("violations.py", "shacl.py"):
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Violation"):
                bare.append(f"{source.name}:{node.lineno}")
    assert not bare


def test_each_template_names_the_values_its_code_is_made_with() -> None:
    for code, template in VALIDATION_MESSAGES.items():
        names = dict.fromkeys(_PLACEHOLDER.findall(template), "v")
        made = Violation.of("name", "rule", code, **names)
        assert made.code == code and made.template == template and "%(" not in made.message
        assert made == Violation("name", "rule", made.message)  # codes do not change equality


@pytest.mark.parametrize("field, value", [("id", "https://ncc-de.example.org/records/1"),
                                          ("origin", "https://ncc-nl.example.org/node")])
def test_pyshacl_findings_of_a_sh_message_carry_it_as_their_template(
        field: str, value: str) -> None:
    record = variant("initiative", _set(field, value))
    fast = {f.code: f for f in validate_record(record) if f.code.startswith("shape.")}
    normative = [f for f in validate_shacl(record) if f.template]
    assert normative and {f.code for f in normative} <= set(fast)
    for finding in normative:
        assert finding.template == finding.message == fast[finding.code].template


def test_a_valid_record_has_no_finding() -> None:
    assert validate_record(base("initiative")) == []
