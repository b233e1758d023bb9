"""Validation findings in the reader's language, over real HTTP to a live node: a German-speaking
editor sees the JSON-LD expansion's finding on the import's dry run, and the shapes' own
``sh:message`` in the editor's findings, in German (issue 19; docs/web.md, Validation)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ncc_cli.webapp import CliImportRunner
from ncc_node.errors import RecordRejected
from ncc_node.records import payload_of
from ncc_node.web import register_import_runner
from ncc_node.web.editor import _findings
from tests.nodes import LiveNode
from tests.web_session import csrf_token, signed_in
from vocab.resources import example

Start = Callable[..., LiveNode]
DEADLINE_S = 60.0


def _payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = payload_of(example("initiative.jsonld"))
    payload.update(type="Initiative", **changes)
    return payload


def test_a_german_editor_sees_the_json_ld_finding_of_an_import_in_german(
        live_node: Start, tmp_path: Path) -> None:
    de = live_node("DE")
    register_import_runner(de.app, CliImportRunner(de.context))
    editor = signed_in(de.url, *de.person("editor"))
    editor.headers["Accept-Language"] = "de-DE,de;q=0.9"
    upload = tmp_path / "records.json"
    upload.write_text(json.dumps([
        _payload(identifier="gut-1"),
        _payload(identifier="schlecht-2", website={"@value": {"url": "https://example.org"}}),
    ]), encoding="utf-8")
    form = editor.get(f"{de.url}/web/import", timeout=30)
    with upload.open("rb") as handle:
        started = editor.post(f"{de.url}/web/import", timeout=30, allow_redirects=False,
                              data={"csrf_token": csrf_token(form.text)},
                              files={"file": ("records.json", handle, "application/json")})
    assert started.status_code == 303, started.text[:500]
    deadline = time.monotonic() + DEADLINE_S
    while "Refresh" in (shown := editor.get(de.url + started.headers["Location"],
                                            timeout=30)).headers:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert 'id="import-errors"' in shown.text, shown.text[:2000]
    # the expansion's finding (at website) and the strict check's (at website.@value)
    assert "@value muss eine Zeichenkette, eine Zahl oder ein Wahrheitswert sein" in shown.text
    assert "Das JSON-LD-Schlüsselwort @value ist hier nicht erlaubt" in shown.text
    assert "@value must be a string" not in shown.text
    english = editor.get(de.url + started.headers["Location"], params={"lang": "en"},
                         timeout=30)
    assert "@value must be a string, number or boolean" in english.text


@pytest.mark.parametrize("lang, pattern, language_map", [
    ("de", "id muss <base>/initiatives/<uuid> unter einer https-Basis-URL (oder http auf "
           "Loopback) sein", "die Werte einer Sprachtabelle müssen Zeichenketten sein"),
    ("fr", "l’id doit être <base>/initiatives/<uuid> sous une URL de base https (ou http en "
           "boucle locale)", "les valeurs d’une table de langues doivent être des chaînes de "
                             "caractères"),
])
def test_the_editor_says_a_shapes_sh_message_in_the_ui_language(
        live_node: Start, lang: str, pattern: str, language_map: str) -> None:
    # the node mints the ids of what its editors write, so no form reaches a shape's id
    # pattern; the publisher's check of an id off it does, and the editor says its findings
    de = live_node("DE")
    bad_id = f"{de.context.identity.base_url}/initiatives/not-a-uuid"
    told = set()
    # the expansion stops at a JSON-LD error before the shapes: two records, one finding each
    for payload, record_id in ((_payload(), bad_id), (_payload(name={"de": 5}), None)):
        with pytest.raises(RecordRejected) as refused:
            de.context.publisher.check("Initiative", payload, record_id=record_id)
        with de.app.test_request_context("/web/edit", headers={"Accept-Language": lang}):
            told |= set(_findings(refused.value))
    assert ("id", "pattern", pattern) in told
    assert ("name.de", "jsonld", language_map) in told
