"""What every web page shares: the blueprint, rendering, security headers and the form guard.

Every module of pages registers its views on :data:`bp` (``ncc_node.web.__init__`` imports
them all). Every POST to a page passes two checks before its view runs: the browser's
``Origin``/``Sec-Fetch-Site`` must name this node (:func:`~.operator.cross_site`), and the
form must carry the session's CSRF token (Flask-WTF, ``{{ csrf_field() }}`` in the form).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup

from ..context import node
from .i18n import LANGUAGES, current_language, remember_language
from .labels import TEMPLATE_LABELS
from .operator import cross_site
from .present import node_name

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")

# Scripts are never needed; inline SVG charts are part of the document, not img sources.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def csrf_field() -> Markup:
    """The hidden CSRF field every ``<form method="post">`` of the pages carries."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def lang_url(lang: str) -> str:
    """The current page in another language (its other query parameters kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"languages": LANGUAGES, "lang_url": lang_url, "csrf_field": csrf_field,
            **TEMPLATE_LABELS}


@bp.before_request
def _before() -> Response | None:
    current_language()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    refused = cross_site()
    if refused is not None:
        return page("web/refused.html", 403, title=gettext("Request refused"),
                    reason=gettext("A form from another site may not change anything here "
                                   "(%(why)s).", why=refused))
    current_app.extensions["csrf"].protect()  # CSRFError (400) without a valid token
    return None


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> Response:
    return page("web/refused.html", 400, title=gettext("Request refused"),
                reason=gettext("This form has expired or did not come from this site's pages "
                               "(%(why)s). Go back, reload the page and try again.",
                               why=error.description))


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        remember_language(response)
    if session or request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        # a page seen in a session (signed in, or holding a form's CSRF token) is that
        # person's: never kept by a browser or proxy cache
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def page(template: str, status: int = 200, **values: Any) -> Response:
    """Render a page template with the reader's language and this node's name."""
    context = node()
    values.setdefault("title", "")
    html = render_template(template, lang=current_language(),
                           node_name=node_name(context.store, context.identity.node_iri,
                                               current_language()), **values)
    response = make_response(html, status)
    response.mimetype = "text/html"
    return response
