"""The record editor's pages over real HTTP, as a browser without JavaScript sends its forms:
a new initiative in two languages with concepts, a validation error beside its field, a
draft, publishing, a second version, a stale edit refused, retiring."""

from __future__ import annotations

import re
from collections.abc import Callable

import requests

from tests.nodes import LiveNode
from tests.web_session import csrf_token, signed_in

Start = Callable[..., LiveNode]


def _form_fields(html: str) -> list[tuple[str, str]]:
    """The fields a browser would send for the editor form (checked boxes, selected options,
    texts), as (name, value) pairs."""
    fields: list[tuple[str, str]] = []
    for tag in re.finditer(r"<input([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        kind = attrs.get("type", "text")
        if "name" not in attrs or kind in ("submit",):
            continue
        if kind == "checkbox" and " checked" not in tag.group(1):
            continue
        fields.append((attrs["name"], _unescape(attrs.get("value", ""))))
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields.append((area.group(1), _unescape(area.group(2))))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(2))
        fields.append((select.group(1), chosen.group(1) if chosen else ""))
    return fields


def _unescape(text: str) -> str:
    return (text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def _set(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [*[(n, v) for n, v in fields if n != name], (name, value)]


def _press(session: requests.Session, url: str, fields: list[tuple[str, str]],
           action: str) -> requests.Response:
    return session.post(f"{url}/web/edit/submit", data=[*fields, ("action", action)],
                        timeout=30, allow_redirects=False)


def test_create_edit_and_retire_in_the_editor(live_node: Start) -> None:
    de = live_node("DE")
    editor = signed_in(de.url, *de.person("editor"))
    form = editor.get(f"{de.url}/web/edit/new/initiatives", params={"lang": "de"}, timeout=30)
    assert form.status_code == 200 and 'name="f-name-de"' in form.text
    fields = _form_fields(form.text)
    # add English next to German: both get a field for every text
    fields = _set(fields, "add_lang", "en")
    shown = _press(editor, de.url, fields, "add-language")
    assert 'name="f-name-en"' in shown.text and 'name="f-name-de"' in shown.text
    fields = _form_fields(shown.text)
    for name, value in (("f-name-de", "Nachbarschaftswerkstatt"),
                        ("f-name-en", "Neighbourhood workshop"),
                        ("f-description-de", "Nachbarn reparieren gemeinsam."),
                        ("f-identifier", "werkstatt-1"), ("f-startDate", "2021-03-01")):
        fields = _set(fields, name, value)
    # find concepts by a label in another language than the UI's
    fields = _set(fields, "q-themes", "Education")
    found = _press(editor, de.url, fields, "find-themes")
    assert "Bildung" in found.text
    fields = _form_fields(found.text)
    theme = re.search(r'name="f-themes" value="([^"]+)" id="[^"]+"> <label[^>]*>Bildung',
                      found.text)
    assert theme, found.text[:2000]
    fields.append(("f-themes", theme.group(1)))
    # no country yet: publishing is refused, the error stands beside the field
    refused = _press(editor, de.url, fields, "publish")
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.text and 'href="#f-countries"' in refused.text
    fields = _form_fields(refused.text)
    fields = _set(fields, "q-countries", "Deutschland")
    fields = _form_fields(_press(editor, de.url, fields, "find-countries").text)
    fields.append(("f-countries", "http://publications.europa.eu/resource/authority/country/DEU"))
    # a draft first: stored, not signed, not in the feed
    before = de.context.store.last_seq()
    saved = _press(editor, de.url, fields, "save-draft")
    assert saved.status_code == 303 and "/web/drafts/" in saved.headers["Location"]
    assert de.context.store.last_seq() == before
    draft = editor.get(f"{de.url}{saved.headers['Location']}", timeout=30)
    assert "Nachbarschaftswerkstatt" in draft.text
    published = _press(editor, de.url, _form_fields(draft.text), "publish")
    assert published.status_code == 303, published.text[:3000]
    record = de.context.store.find_by_identifier(de.context.identity.node_iri, "werkstatt-1")
    assert record is not None and record.version == 1 and de.context.store.drafts() == []
    assert b'"theme:education"' in record.body and b'"de"' in record.body

    # version 2 through the editor; the form still holding version 1 is then refused
    uuid = record.id.rsplit("/", 1)[1]
    edit = editor.get(f"{de.url}/web/edit/initiatives/{uuid}", timeout=30)
    old_form = _form_fields(edit.text)
    second = _press(editor, de.url, _set(old_form, "f-name-en", "Repair workshop"), "publish")
    assert second.status_code == 303
    assert de.context.store.get(record.id).version == 2
    stale = _press(editor, de.url, _set(old_form, "f-name-en", "Mine"), "publish")
    assert stale.status_code == 409 and 'id="stale"' in stale.text
    assert 'value="Mine"' in stale.text  # the editor's input is kept
    assert de.context.store.get(record.id).version == 2
    assert b"Repair workshop" in de.context.store.get(record.id).body

    # retire: a confirmation first
    confirm = editor.get(f"{de.url}/web/edit/initiatives/{uuid}/retire", timeout=30)
    token = csrf_token(confirm.text)
    unconfirmed = editor.post(f"{de.url}/web/edit/initiatives/{uuid}/retire", timeout=30,
                              data={"csrf_token": token, "base_version": "2"})
    assert unconfirmed.status_code == 400 and not de.context.store.get(record.id).deleted
    retired = editor.post(f"{de.url}/web/edit/initiatives/{uuid}/retire", timeout=30,
                          data={"csrf_token": token, "base_version": "2", "confirm": "yes"},
                          allow_redirects=False)
    assert retired.status_code == 303
    assert de.context.store.get(record.id).deleted


def test_the_editor_needs_a_sign_in(live_node: Start) -> None:
    de = live_node("DE")
    response = requests.get(f"{de.url}/web/edit/new/initiatives", timeout=30,
                            allow_redirects=False)
    assert response.status_code == 303 and "/web/sign-in" in response.headers["Location"]


def test_a_method_with_partners(live_node: Start) -> None:
    de = live_node("DE")
    editor = signed_in(de.url, *de.person("editor"))
    form = editor.get(f"{de.url}/web/edit/new/methods", params={"lang": "en"}, timeout=30)
    fields = _form_fields(form.text)
    for name, value in (("f-name-en", "Social impact bonds"),
                        ("f-description-en", "Paying for outcomes."),
                        ("f-partners-0-legalName", "Stiftung Wirkung"),
                        ("f-partners-0-countries", "Deutschland, Estonia")):
        fields = _set(fields, name, value)
    shown = _press(editor, de.url, fields, "add-partners")  # a second partner's row
    assert 'name="f-partners-1-legalName"' in shown.text
    fields = _form_fields(shown.text)
    fields = _set(fields, "f-partners-1-countries", "Atlantis")
    refused = _press(editor, de.url, fields, "publish")
    assert refused.status_code == 422
    assert "Atlantis" in refused.text and 'href="#f-partners-1-countries"' in refused.text
    fields = _set(_form_fields(refused.text), "f-partners-1-countries", "")
    refused = _press(editor, de.url, fields, "publish")  # methodTypes and languages required
    assert refused.status_code == 422
    assert 'href="#f-methodTypes"' in refused.text and 'href="#f-languages"' in refused.text
    fields = _form_fields(refused.text)
    mtype = re.search(r'name="f-methodTypes" value="([^"]+)"', refused.text)
    assert mtype
    fields.append(("f-methodTypes", mtype.group(1)))
    fields.append(("f-languages", "http://publications.europa.eu/resource/authority/language/ENG"))
    published = _press(editor, de.url, fields, "publish")
    assert published.status_code == 303, published.text[:2000]
    [method] = [r for r in de.context.store.iter_records(kind="Method")]
    body = method.body.decode()
    assert "Stiftung Wirkung" in body and "country:EST" in body and "lang:ENG" in body


def test_an_upload_larger_than_an_api_body(live_node: Start) -> None:
    """The import page takes files up to web.import_max_bytes, past limits.max_body_bytes."""
    from ncc_cli.webapp import CliImportRunner
    from ncc_node.web import register_import_runner

    de = live_node("DE", **{"limits.max_body_bytes": 100_000, "web.import_max_bytes": 400_000})
    register_import_runner(de.app, CliImportRunner(de.context))
    editor = signed_in(de.url, *de.person("editor"))
    token = csrf_token(editor.get(f"{de.url}/web/import", timeout=30).text)
    row = "Initiative,big-{n},A name,{text},DE\n"
    text = "x" * 2000
    body = "kind,identifier,name_en,description_en,countries\n" + "".join(
        row.format(n=n, text=text) for n in range(100))  # ~200 kB
    accepted = editor.post(f"{de.url}/web/import", timeout=30, allow_redirects=False,
                           data={"csrf_token": token, "mapping": ""},
                           files={"file": ("big.csv", body.encode())})
    assert accepted.status_code == 303, accepted.text[:500]
    too_big = editor.post(f"{de.url}/web/import", timeout=30, allow_redirects=False,
                          data={"csrf_token": token, "mapping": ""},
                          files={"file": ("big.csv", (body * 3).encode())})
    assert too_big.status_code == 413
    assert editor.post(f"{de.url}/web/edit/submit", timeout=30, data={
        "csrf_token": token, "kind": "Initiative", "f-name-en": "y" * 150_000}
    ).status_code == 413  # the other forms keep the API's limit


def test_dates_of_a_year_or_a_month(live_node: Start) -> None:
    de = live_node("DE")
    editor = signed_in(de.url, *de.person("editor"))
    fields = _form_fields(editor.get(f"{de.url}/web/edit/new/initiatives", timeout=30).text)
    for name, value in (("f-name-en", "Repair café"), ("f-description-en", "Fix things."),
                        ("f-startDate", "2016"), ("f-endDate", "2019-05"),
                        ("f-identifier", "dates-1")):
        fields = _set(fields, name, value)
    fields.append(("f-countries", "http://publications.europa.eu/resource/authority/country/DEU"))
    bad = _press(editor, de.url, _set(fields, "f-endDate", "05.2019"), "publish")
    assert bad.status_code == 422 and 'href="#f-endDate"' in bad.text
    assert _press(editor, de.url, fields, "publish").status_code == 303
    record = de.context.store.find_by_identifier(de.context.identity.node_iri, "dates-1")
    assert record is not None
    assert b'"startYear":"2016"' in record.body and b'"endMonth":"2019-05"' in record.body
    edit = editor.get(f"{de.url}/web/edit/initiatives/{record.id.rsplit('/', 1)[1]}",
                      timeout=30)
    assert 'value="2016"' in edit.text and 'value="2019-05"' in edit.text
