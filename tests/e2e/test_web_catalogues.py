"""The pages' gettext catalogues: current with the sources, complete, and compiled as shipped.

Nothing is compiled at run time: the ``.mo`` files are committed beside the ``.po`` files, so
these tests fail when one is edited without the other (docs/web.md says how to regenerate).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from ncc_node.web.i18n import DEFAULT, LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != DEFAULT]


def _po(lang: str) -> Catalog:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _source_ids() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "N_": None}
    return {message for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords) if isinstance(message, str)}


def test_the_template_holds_every_message_of_the_sources() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert _source_ids() == template, "run pybabel extract (docs/web.md)"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_language_translates_every_message(lang: str) -> None:
    catalog = _po(lang)
    assert not catalog.fuzzy
    ids = {m.id for m in catalog if m.id}
    assert ids == _source_ids(), "run pybabel update (docs/web.md)"
    untranslated = sorted(m.id for m in catalog if m.id and (not m.string or m.fuzzy))
    assert not untranslated
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems  # python-format placeholders agree with the message id


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_mo_is_the_compiled_po(lang: str) -> None:
    catalog = _po(lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        shipped = read_mo(handle)
    expected = read_mo(compiled)
    assert {m.id: m.string for m in shipped if m.id} == \
        {m.id: m.string for m in expected if m.id}, "run pybabel compile (docs/web.md)"
