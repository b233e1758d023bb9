"""The web pages: scouting (home), a record, statistics, and the operator's peers and sync.

Plain Flask views rendering Jinja templates (not part of the OpenAPI document). Every page
works without JavaScript; the pages forbid scripts altogether through their CSP.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, redirect, render_template, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from ..context import node
from ..errors import Forbidden, NotFound
from ..records import served_record
from ..reports import sync_status
from ..representations import (
    JSONLD,
    TURTLE,
    record_graph,
    respond,
    serialize_graph,
    variant_etag,
)
from . import operator, scouting, statistics
from .i18n import LANGUAGES, current_language, remember_language, translate, translate_markup
from .present import api_path, node_name, provenance, record_fields

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")

# Scripts are never needed; inline SVG charts are part of the document, not img sources.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"_": translate, "_m": translate_markup, "languages": LANGUAGES,
            "lang_url": lang_url}


def lang_url(lang: str) -> str:
    """The current page in another language (its other query parameters kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


@bp.before_request
def _pick_language() -> None:
    current_language()


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        remember_language(response)
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


@bp.get("/")
def scout() -> Response:
    """The scouting page (home): target country, filters, text; ranked candidates."""
    form = scouting.read_form(request.args)
    result = scouting.search(node().store, node().settings, form, current_language())
    return page("web/scout.html", title=translate("scout_title"), form=form,
                choices=scouting.choices(current_language()), result=result,
                status=400 if result.error else 200)


def _record_page(kind: str, uuid: str) -> Response:
    context = node()
    lang = current_language()
    try:
        stored = served_record(context.store, context.identity.base_url, kind, uuid)
    except NotFound:
        return page("web/not_found.html", 404, title=translate("not_found"))
    record = json.loads(stored.body)
    if context.store.hidden_entry(stored.id, stored.origin) is not None:
        # moderation: kept and served by the API, left out of this node's pages
        return page("web/not_found.html", 404, title=translate("not_found"),
                    message=translate("Hidden on this node by its moderators."))
    if stored.deleted:
        return page("web/not_found.html", 410, title=translate("not_found"),
                    message=translate("deleted", version=stored.version))
    names = record_fields(record, lang)
    title = next((row["text"] for row in names if row["field"] == "name"), stored.id)
    return page("web/record.html", title=title, kind=kind, record_id=stored.id, fields=names,
                provenance=provenance(context.store, stored, record, lang),
                api_url=api_path(stored.id, kind), turtle_url=f"{request.path}/record.ttl",
                jsonld_url=f"{request.path}/record.jsonld")


@bp.get("/web/initiatives/<uuid:record_id>")
def initiative(record_id: Any) -> Response:
    """An initiative's page: all fields, provenance, links to its JSON-LD and Turtle."""
    return _record_page("Initiative", str(record_id))


@bp.get("/web/methods/<uuid:record_id>")
def method(record_id: Any) -> Response:
    """A method's page."""
    return _record_page("Method", str(record_id))


def _turtle(kind: str, uuid: str) -> Response:
    # The API negotiates Turtle by Accept, which a link cannot set: same bytes, fixed type.
    context = node()
    stored = served_record(context.store, context.identity.base_url, kind, uuid)
    body = serialize_graph(record_graph(stored.body), TURTLE)
    return respond(body, TURTLE, variant_etag(stored.etag, TURTLE), vary=False)


@bp.get("/web/initiatives/<uuid:record_id>/record.ttl")
def initiative_turtle(record_id: Any) -> Response:
    """An initiative as Turtle, for a plain link."""
    return _turtle("Initiative", str(record_id))


@bp.get("/web/methods/<uuid:record_id>/record.ttl")
def method_turtle(record_id: Any) -> Response:
    """A method as Turtle, for a plain link."""
    return _turtle("Method", str(record_id))


def _jsonld(kind: str, uuid: str) -> Response:
    # A browser asking the record's IRI is sent to its page (303): the link needs a fixed type.
    context = node()
    stored = served_record(context.store, context.identity.base_url, kind, uuid)
    return respond(stored.body, JSONLD, stored.etag, vary=False)


@bp.get("/web/initiatives/<uuid:record_id>/record.jsonld")
def initiative_jsonld(record_id: Any) -> Response:
    """An initiative's signed JSON-LD, for a plain link."""
    return _jsonld("Initiative", str(record_id))


@bp.get("/web/methods/<uuid:record_id>/record.jsonld")
def method_jsonld(record_id: Any) -> Response:
    """A method's signed JSON-LD, for a plain link."""
    return _jsonld("Method", str(record_id))


@bp.get("/web/stats")
def stats() -> Response:
    """Ecosystem statistics as bar charts (origin country x SDG, stage, theme, …)."""
    links = {name: Markup('<a href="{}">{}</a>').format(url, name.upper())
             for name, url in (("json", "/stats?format=json"), ("csv", "/stats?format=csv"))}
    return page("web/stats.html", title=translate("stats_title"), downloads=links,
                stats=statistics.charts(node().store, current_language()))


@bp.route("/web/operator", methods=["GET", "POST"])
def operator_page() -> BaseResponse:
    """Peers and sync status, for a holder of an admin token."""
    return operator.private(_operator_page())


def _operator_page() -> BaseResponse:
    if request.method == "POST":
        refused = operator.cross_site()
        if refused is not None:
            return _refused(refused)
        secret = request.form.get("token", "").strip()
        token, error = operator.admin(f"Bearer {secret}" if secret else None)
        if token is None:
            return _sign_in(error)
        response = redirect(operator.PATH, 303)
        operator.keep_token(response, secret)
        return response
    token, error = operator.admin(operator.presented_token())
    if token is None:
        return _sign_in(error)
    context = node()
    return page("web/operator.html", title=translate("operator_title"), token=token,
                sync=sync_status(context.store, context.settings),
                view_skips=context.store.view_skips(limit=20))


def _sign_in(error: Any) -> Response:
    status = 403 if error is not None and error.http_status == 403 else 401
    response = page("web/sign_in.html", status, title=translate("operator_title"), error=error)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ncc-node"'
    if error is not None:
        operator.forget_token(response)
    return response


@bp.post("/web/operator/sign-out")
def sign_out() -> BaseResponse:
    """Forget the operator's token cookie."""
    refused = operator.cross_site()
    if refused is not None:
        return operator.private(_refused(refused))
    response = redirect(operator.PATH, 303)
    operator.forget_token(response)
    return operator.private(response)


def _refused(why: str) -> Response:
    """A cross-site form post (CSRF): refused, the sign-in state left as it was."""
    return page("web/sign_in.html", 403, title=translate("operator_title"),
                error=Forbidden(f"a form from another site may not sign in or out ({why})"))
