"""The reader's language: ``?lang=`` (remembered in a cookie), else the cookie, else
``Accept-Language``, else English; and translation from :mod:`.messages`."""

from __future__ import annotations

from flask import Response, g, request
from markupsafe import Markup, escape

from .messages import CATALOGS

LANGUAGES = tuple(CATALOGS)  # ("en", "de")
DEFAULT = "en"
COOKIE = "ncc_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


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
        g.ncc_lang = choose_language()
    language: str = g.ncc_lang
    return language


def translate(key: str, /, **values: object) -> str:
    """The message ``key`` in the reader's language, ``{name}`` placeholders filled in."""
    catalog = CATALOGS[current_language()]
    text = catalog.get(key) or CATALOGS[DEFAULT].get(key)
    if text is None:  # a gettext message id: the English text, ``%(name)s`` placeholders
        return key % values if values else key
    return text.format(**values) if values else text


def translate_markup(key: str, /, **values: object) -> Markup:
    """Like :func:`translate`, for values that are already safe HTML (e.g. links); the message
    and every plain-text value are escaped."""
    catalog = CATALOGS[current_language()]
    text = catalog.get(key) or CATALOGS[DEFAULT].get(key) or key
    return Markup(escape(text).format(**{k: v if isinstance(v, Markup) else escape(v)
                                         for k, v in values.items()}))


def remember_language(response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` in a cookie; the page varies by language."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    response.headers["Content-Language"] = current_language()
    response.vary.update(("Accept-Language", "Cookie"))
    return response
