"""Editing, importing and moderating in a real headless Chromium against live nodes that sync
over real HTTP: an initiative in German and English with concepts (a validation error, its
fix, a draft, publishing), a peer syncing it, version 2, a stale edit refused, retiring it,
importing a CSV with errors, fixing and committing it, hiding a peer's record, and an editor
kept out of the admin pages. No page needs JavaScript; the CSP allows none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from ncc_cli.webapp import CliImportRunner
from ncc_node.web import register_import_runner
from tests.nodes import LiveNode
from tests.sync.conftest import peer, worker_for

from .test_web_browser import click

Browser = Any
Start = Callable[..., LiveNode]
DEU = "http://publications.europa.eu/resource/authority/country/DEU"
HEADER = "kind,identifier,name_en,name_de,description_en,countries,themes,startDate\n"


def _by_id(browser: Browser, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, element_id)


def _type(browser: Browser, element_id: str, text: str) -> None:
    field = _by_id(browser, element_id)
    field.clear()
    field.send_keys(text)


def _check_label(browser: Browser, field: str, label: str) -> None:
    """Tick the checkbox of ``field`` whose label is ``label``."""
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.XPATH, f"//fieldset[@id='{field}']//label[starts-with("
                                         f"normalize-space(), '{label}')]"
                                         "/preceding-sibling::input[1]")
    if not box.is_selected():
        box.click()


def _sign_in(browser: Browser, node: LiveNode, role: str) -> None:
    browser.get(node.url + "/web/sign-in")
    name, password = node.person(role)
    _type(browser, "name", name)
    _type(browser, "password", password)
    click(browser, _by_id(browser, "password").find_element("xpath", "ancestor::form//button"))


def _sync(ee: LiveNode, de: LiveNode) -> None:
    result = worker_for(ee, peer(de)).run_once()[0]
    assert result.error is None, result.error


def _main(browser: Browser) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.TAG_NAME, "main").text)


@pytest.fixture
def nodes(live_node: Start) -> tuple[LiveNode, LiveNode]:
    de, ee = live_node("DE"), live_node("EE")
    for node in (de, ee):
        register_import_runner(node.app, CliImportRunner(node.context))
    return de, ee


def test_edit_publish_sync_and_retire(browser: Browser, nodes: tuple[LiveNode, LiveNode]
                                      ) -> None:
    de, ee = nodes
    browser.delete_all_cookies()
    _sign_in(browser, de, "editor")
    browser.get(de.url + "/web/edit/new/initiatives?lang=de")
    assert "Not published yet." in _main(browser) or "Noch nicht" in _main(browser)
    _type(browser, "f-name-de", "Nachbarschaftswerkstatt")
    _type(browser, "f-description-de", "Nachbarn reparieren gemeinsam Fahrräder.")
    # add English: every text gets an English field, missing ones are named
    from selenium.webdriver.support.ui import Select

    choices = Select(_by_id(browser, "add_lang")).options
    offered = {option.get_attribute("value"): option.text for option in choices}
    assert offered["en"] == "Englisch (en)" and offered["fr"] == "Französisch (fr)"  # CLDR names
    Select(_by_id(browser, "add_lang")).select_by_value("en")
    click(browser, _by_id(browser, "add-language"))
    assert _by_id(browser, "f-name-de").get_attribute("value") == "Nachbarschaftswerkstatt"
    assert "en" in _by_id(browser, "f-name").text  # "missing in: en"
    _type(browser, "f-name-en", "Neighbourhood workshop")
    _type(browser, "f-description-en", "Neighbours repair bicycles together.")
    _type(browser, "f-identifier", "werkstatt-1")
    _type(browser, "f-startDate", "2021-03-01")
    # a concept found by its English label, shown with its German one
    _type(browser, "q-themes", "Education")
    click(browser, _by_id(browser, "find-themes"))
    _check_label(browser, "f-themes", "Bildung")
    # a name over the shape's 200 characters: the validator's detail in German beside it
    _type(browser, "f-name-de", "Werkstatt " * 21)
    click(browser, _by_id(browser, "publish"))
    beside = _by_id(browser, "f-name-de-error").text
    assert beside == "Zu lang. Länger als 200 Zeichen.", beside
    assert "Name (Deutsch): Zu lang." in _by_id(browser, "error-summary").text
    _type(browser, "f-name-de", "Nachbarschaftswerkstatt")
    # no country: refused, the error beside the field and in the summary
    click(browser, _by_id(browser, "publish"))
    summary = _by_id(browser, "error-summary")
    assert "Länder" in summary.text  # the field's label in the UI language
    assert summary.find_elements("css selector", "a[href='#f-countries']")
    assert _by_id(browser, "f-countries").find_elements("css selector", ".field-error")
    assert de.context.store.find_by_identifier(de.context.identity.node_iri,
                                               "werkstatt-1") is None
    _type(browser, "q-countries", "Germany")  # found in any language
    click(browser, _by_id(browser, "find-countries"))
    _check_label(browser, "f-countries", "Deutschland")
    # a draft: stored, not signed, not in the feed
    before = de.context.store.last_seq()
    click(browser, _by_id(browser, "save-draft"))
    assert _by_id(browser, "notice").is_displayed()
    assert de.context.store.last_seq() == before and len(de.context.store.drafts()) == 1
    click(browser, _by_id(browser, "publish"))
    record = de.context.store.find_by_identifier(de.context.identity.node_iri, "werkstatt-1")
    assert record is not None and record.version == 1
    assert "Nachbarschaftswerkstatt" in browser.find_element("tag name", "h1").text
    assert b"theme:education" in record.body and DEU.rsplit("/", 1)[1].encode() in record.body

    # the peer syncs it and shows it
    uuid = record.id.rsplit("/", 1)[1]
    _sync(ee, de)
    shown = requests.get(f"{ee.url}/web/initiatives/{uuid}", params={"lang": "en"}, timeout=30)
    assert shown.status_code == 200 and "Neighbourhood workshop" in shown.text

    # version 2, and the peer shows version 2
    browser.get(f"{de.url}/web/edit/initiatives/{uuid}?lang=en")
    _type(browser, "f-name-en", "Repair workshop")
    click(browser, _by_id(browser, "publish"))
    assert de.context.store.get(record.id).version == 2
    _sync(ee, de)
    held = ee.context.store.get(record.id)
    assert held is not None and held.version == 2 and b"Repair workshop" in held.body

    # a stale edit: someone else publishes version 3 while this form shows version 2
    browser.get(f"{de.url}/web/edit/initiatives/{uuid}?lang=en")
    payload = json_payload(de, record.id)
    payload["name"]["en"] = "Someone else's name"
    de.context.publisher.update(record.id, payload, if_match="*")
    _type(browser, "f-name-en", "My late change")
    click(browser, _by_id(browser, "publish"))
    assert "Someone else changed this" in _by_id(browser, "stale").text
    assert _by_id(browser, "f-name-en").get_attribute("value") == "My late change"
    assert b"Someone else's name" in de.context.store.get(record.id).body

    # retire, with a confirmation; the peer drops it
    browser.get(f"{de.url}/web/edit/initiatives/{uuid}/retire?lang=en")
    click(browser, _by_id(browser, "retire"))  # not confirmed: nothing happens
    assert not de.context.store.get(record.id).deleted
    _by_id(browser, "confirm").click()
    click(browser, _by_id(browser, "retire"))
    assert de.context.store.get(record.id).deleted
    _sync(ee, de)
    assert ee.context.store.get(record.id).deleted
    assert requests.get(f"{ee.url}/web/initiatives/{uuid}", timeout=30).status_code == 410

    # an editor cannot open the admin pages
    browser.get(de.url + "/web/admin/moderation")
    assert "editor" in _main(browser)
    assert requests.get(de.url + "/web/admin/moderation", timeout=30,
                        allow_redirects=False).status_code in (302, 303)


def json_payload(node: LiveNode, record_id: str) -> dict[str, Any]:
    import json

    from ncc_node.records import payload_of

    stored = node.context.store.get(record_id)
    assert stored is not None
    return payload_of(json.loads(stored.body))


def test_import_a_csv_with_errors_then_commit(browser: Browser, tmp_path: Path,
                                              nodes: tuple[LiveNode, LiveNode]) -> None:
    de, _ = nodes
    browser.delete_all_cookies()
    _sign_in(browser, de, "editor")
    bad = tmp_path / "initiatives.csv"
    bad.write_text(HEADER
                   + "Initiative,imp-1,Food sharing,Lebensmittel teilen,Shops give food,DE,"
                     "education,2020-01-01\n"
                   + "Initiative,imp-2,Bike kitchen,,Repair bikes,Atlantis,,2020-01-01\n"
                   + "Initiative,imp-3,Tool library,,,DE,,01.02.2021\n", encoding="utf-8")
    browser.get(de.url + "/web/import?lang=en")
    _by_id(browser, "file").send_keys(str(bad))
    click(browser, _by_id(browser, "check"))
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(
        lambda b: b.find_elements("id", "dry-run") or b.find_elements("id", "error-summary"))
    errors = _by_id(browser, "import-errors").text
    assert "countries" in errors and "Atlantis" in errors  # row 3, column countries
    assert "description" in errors or "startDate" in errors  # row 4
    rows = {line.split()[0] for line in errors.splitlines()[2:] if line.split()}
    assert rows == {"3", "4"}, errors
    assert de.context.store.find_by_identifier(de.context.identity.node_iri, "imp-1") is None
    # fix the file, check again, commit
    good = tmp_path / "initiatives-fixed.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("Atlantis", "DE")
                    .replace(",,,DE,,01.02.2021", ",,Lends tools,DE,,2021-02-01"),
                    encoding="utf-8")
    click(browser, _by_id(browser, "again"))
    _by_id(browser, "file").send_keys(str(good))
    click(browser, _by_id(browser, "check"))
    WebDriverWait(browser, 60).until(lambda b: b.find_elements("id", "commit"))
    assert not browser.find_elements("id", "import-errors")
    click(browser, _by_id(browser, "commit"))
    WebDriverWait(browser, 60).until(lambda b: b.find_elements("id", "committed"))
    assert "3 new" in _by_id(browser, "summary").text
    for identifier in ("imp-1", "imp-2", "imp-3"):
        assert de.context.store.find_by_identifier(de.context.identity.node_iri, identifier)


def test_hide_a_peers_record(browser: Browser, nodes: tuple[LiveNode, LiveNode],
                             make_payload: Callable[..., dict[str, Any]]) -> None:
    de, ee = nodes
    shown = de.context.publisher.create("Initiative", make_payload(
        name={"en": "Essay writing service"}, description={"en": "Buy essays online."}))
    kept = de.context.publisher.create("Initiative", make_payload(
        name={"en": "Repair café"}, description={"en": "Neighbours fix things."}))
    _sync(ee, de)
    query = ("PREFIX ncc: <https://w3id.org/ncc/vocab#> SELECT ?i WHERE { GRAPH ?g "
             "{ ?i a ncc:Initiative } }")

    def sparql() -> set[str]:
        found = requests.get(f"{ee.url}/sparql", params={"query": query}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"}).json()
        return {row["i"]["value"] for row in found["results"]["bindings"]}

    browser.delete_all_cookies()
    browser.get(ee.url + "/?for=EE&lang=en")
    assert "Essay writing service" in _main(browser)
    assert shown.id in sparql()
    _sign_in(browser, ee, "admin")
    browser.get(f"{ee.url}/web/initiatives/{shown.id.rsplit('/', 1)[1]}?lang=en")
    click(browser, _by_id(browser, "hide-link"))
    assert _by_id(browser, "target").get_attribute("value") == shown.id
    _type(browser, "reason", "an advert, not an initiative")
    click(browser, _by_id(browser, "hide"))
    assert "an advert, not an initiative" in _by_id(browser, "hidden").text
    browser.get(ee.url + "/?for=EE&lang=en")
    assert "Essay writing service" not in _main(browser) and "Repair café" in _main(browser)
    assert shown.id not in sparql() and kept.id in sparql()
    assert ee.context.store.get(shown.id) is not None  # still stored, and relayed
    relayed = requests.get(f"{ee.url}/feed", params={"scope": "all"}, timeout=30).json()
    assert shown.id in {item["id"] for item in relayed["items"]}
    # shown again
    browser.get(ee.url + "/web/admin/moderation?lang=en")
    click(browser, browser.find_element("css selector", "button.unhide"))
    assert shown.id in sparql()
