"""The reader's language: ``?lang=`` (remembered in a cookie), else the cookie, else the
browser's ``Accept-Language``, else English.

Messages are gettext catalogues (``translations/<lang>/LC_MESSAGES/messages.po``, compiled to
``.mo`` files that ship in the package) read by Flask-Babel; views call ``gettext``/``_`` with
the English text as message id. docs/web.md says how to extract, translate and compile.
Concept labels do not live there: they come from the vocabulary's SKOS schemes
(:func:`vocab.concept_index`) in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, Response, g, request
from flask_babel import Babel, gettext

#: the UI languages: English and the pilot countries' languages
LANGUAGES = ("en", "de", "et", "nl", "fr")
DEFAULT = "en"
COOKIE = "ncc_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def choose_language() -> str:
    """The UI language for this request (one of :data:`LANGUAGES`)."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    """The language chosen for the current request (computed once)."""
    if "ncc_lang" not in g:
        g.ncc_lang = choose_language() if request else DEFAULT
    language: str = g.ncc_lang
    return language


@lru_cache(maxsize=4096)
def _display_name(tag: str, ui: str) -> str:
    try:
        name = Locale.parse(tag, sep="-").get_display_name(ui)
    except (ValueError, UnknownLocaleError):  # a tag CLDR does not know: shown as it is
        return tag
    return name or tag


def language_name(tag: str) -> str:
    """A BCP 47 language tag's name in the UI language (CLDR's, through Babel), else the tag."""
    return _display_name(tag, current_language())


def finding_said(template: str, args: Iterable[tuple[str, str]], english: str) -> str:
    """A validator's finding in the UI language: its template (a message id of the catalogues,
    :class:`vocab.Violation`) filled with its own values; without a template, ``english``."""
    return gettext(template, **dict(args)) if template else english


def init_i18n(app: Flask) -> None:
    """Read the compiled catalogues through Flask-Babel, in the language chosen here."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    Babel(app, locale_selector=current_language)


def remember_language(response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` in a cookie; the page varies by language."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    response.headers["Content-Language"] = current_language()
    response.vary.update(("Accept-Language", "Cookie"))
    return response
