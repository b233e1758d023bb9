"""The web pages: scouting (home), a record, statistics, and the operator's peers and sync.

Plain Flask views rendering Jinja templates (not part of the OpenAPI document). Every page
works without JavaScript; the pages forbid scripts altogether through their CSP.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from ..context import node
from ..errors import NotFound
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
from . import scouting, statistics
from .auth import admin_required
from .i18n import current_language
from .pages import bp, page
from .present import api_path, provenance, record_fields


@bp.get("/")
def scout() -> Response:
    """The scouting page (home): target country, filters, text; ranked candidates."""
    form = scouting.read_form(request.args)
    result = scouting.search(node().store, node().settings, form, current_language())
    return page("web/scout.html", title=gettext("Find initiatives to replicate"), form=form,
                choices=scouting.choices(current_language()), result=result,
                status=400 if result.error else 200)


def _record_page(kind: str, uuid: str) -> Response:
    context = node()
    lang = current_language()
    try:
        stored = served_record(context.store, context.identity.base_url, kind, uuid)
    except NotFound:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    record = json.loads(stored.body)
    if context.store.hidden_entry(stored.id, stored.origin) is not None:
        # moderation: kept and served by the API, left out of this node's pages
        return page("web/not_found.html", 404, title=gettext("Not found"),
                    message=gettext("Hidden on this node by its moderators."))
    if stored.deleted:
        return page("web/not_found.html", 410, title=gettext("Not found"),
                    message=gettext("This record was deleted by its origin (version "
                                    "%(version)s).", version=stored.version))
    names = record_fields(record, lang)
    title = next((row["text"] for row in names if row["field"] == "name"), stored.id)
    return page("web/record.html", title=title, kind=kind, record_id=stored.id, fields=names,
                provenance=provenance(context.store, stored, record, lang),
                origin=stored.origin, own_origin=context.identity.node_iri,
                published=request.args.get("published", ""),
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
    return page("web/stats.html", title=gettext("Ecosystem statistics"), downloads=links,
                stats=statistics.charts(node().store, current_language()))


@bp.get("/web/operator")
@admin_required
def operator_page() -> BaseResponse:
    """Peers and sync status, for an admin."""
    context = node()
    return page("web/operator.html", title=gettext("Operator: peers and sync"),
                sync=sync_status(context.store, context.settings),
                view_skips=context.store.view_skips(limit=20))
