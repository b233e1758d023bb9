"""The validators' messages come from their templates: each finding of the corpus's invalid
records (but those of the JSON-LD expansion and the shapes' own ``sh:message``) carries a code
whose English template, filled with the finding's values, is exactly its message; that is what
lets the web pages say it in another language (docs/web.md, Validation)."""

from __future__ import annotations

import re

from vocab import VALIDATION_MESSAGES, Violation, validate_record

from .corpus import invalid_records

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_finding_of_the_corpus_is_its_template_filled() -> None:
    seen, uncoded = set(), []
    for name, _, record in invalid_records():
        for finding in validate_record(record):
            if not finding.code:
                uncoded.append((name, finding))
                continue
            seen.add(finding.code)
            assert VALIDATION_MESSAGES[finding.code] % dict(finding.args) == finding.message
    # only the JSON-LD expansion's findings and the shapes' sh:message carry no code
    assert all(f.rule in ("jsonld", "pattern", "id-under-origin", "node-is-own-origin")
               for _, f in uncoded), uncoded
    assert {"minCount", "maxCount", "in", "strict.term", "closed"} <= seen


def test_each_template_names_the_values_its_code_is_made_with() -> None:
    for code, template in VALIDATION_MESSAGES.items():
        names = dict.fromkeys(_PLACEHOLDER.findall(template), "v")
        made = Violation.of("name", "rule", code, **names)
        assert made.code == code and "%(" not in made.message
        assert made == Violation("name", "rule", made.message)  # codes do not change equality
