"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the RDF view (issue 6).

GET ``?query=``, POST ``application/sparql-query`` or form-encoded ``query=``; optional
``default-graph-uri``/``named-graph-uri`` (SPARQL 1.1 Protocol §2.1). Updates are refused with
403; errors use the node's one JSON shape. Graphs, limits and examples: docs/sparql.md.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from flask.views import MethodView
from werkzeug.exceptions import HTTPException

from ..context import node
from ..errors import PayloadTooLarge
from ..rdfview.pool import pool_of
from ..rdfview.query import QueryInvalid, UpdateRefused
from ..rdfview.results import GRAPH_TYPES, RESULT_TYPES
from ..representations import negotiate
from .openapi import Blueprint
from .schemas import ErrorSchema

blp = Blueprint("sparql", __name__,
                description="Read-only SPARQL 1.1 over all records the node holds (one named "
                            "graph per origin) and the vocabulary.")

QUERY_TYPES = ("application/sparql-query", "application/x-www-form-urlencoded")
PARAMETERS = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The SPARQL query (GET; POST carries it in the body)."},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "Graphs whose union is the default graph (default: all graphs)."},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "The graphs GRAPH may name (default: all)."},
]


def _query_text() -> str:
    if "update" in request.values or request.mimetype == "application/sparql-update":
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is refused")
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        data = request.get_data()
        limit = node().settings["limits.max_body_bytes"]
        if len(data) > limit:  # a chunked body, cut off one byte over the limit
            raise PayloadTooLarge(f"the query is larger than {limit} bytes "
                                  "(limits.max_body_bytes)")
        text = data.decode("utf-8", errors="replace")
    elif request.method == "POST" and request.mimetype not in QUERY_TYPES:
        raise QueryInvalid("POST a query as application/sparql-query or as the form field "
                           "query (application/x-www-form-urlencoded)")
    else:
        text = request.values.get("query", "")
    if not text.strip():
        raise QueryInvalid("no query: pass it as the query parameter")
    return text


def _offer(offers: tuple[str, ...]) -> str | None:
    try:
        return negotiate(offers)
    except HTTPException:  # 406; the query process reports it if the result has this form
        return None


def _answer() -> Response:
    text = _query_text()
    graphs = {"default_graphs": request.values.getlist("default-graph-uri") or None,
              "named_graphs": request.values.getlist("named-graph-uri") or None}
    # the form of the result is known once it is evaluated: the client's choice for each
    mimetypes = {"graph": _offer(GRAPH_TYPES), "bindings": _offer(RESULT_TYPES),
                 "boolean": _offer(RESULT_TYPES)}
    # a timeout, a full queue, a process out of memory: errors.Unavailable (503 + Retry-After)
    answer = pool_of(current_app).run(text, graphs, mimetypes)
    charset = "; charset=utf-8" if answer.mimetype.startswith("text/") else ""
    response = Response(answer.body, content_type=answer.mimetype + charset)
    response.vary.add("Accept")
    return response


def _documented(func: Callable[..., Response]) -> Callable[..., Response]:
    func = blp.alt_response(400, schema=ErrorSchema, description="The query does not parse.")(
        func)
    func = blp.alt_response(403, schema=ErrorSchema,
                            description="An update, or SERVICE (refused: the node never "
                                        "fetches for a query).")(func)
    func = blp.alt_response(406, schema=ErrorSchema, description="No offered format fits.")(
        func)
    func = blp.alt_response(422, schema=ErrorSchema,
                            description="More results than `[sparql] max_results`.")(func)
    func = blp.alt_response(503, schema=ErrorSchema,
                            description="The query ran out of time (`[sparql] timeout_seconds`) "
                                        "or memory (`[sparql] memory_mb`), or too many run "
                                        "or wait (`[sparql] workers`, `queue`).")(func)
    for mimetype in (*RESULT_TYPES, *GRAPH_TYPES):
        func = blp.alt_response(200, schema={"type": "string"}, content_type=mimetype,
                                success=True, description="Query results.")(func)
    return blp.doc(parameters=PARAMETERS)(func)


@blp.route("/sparql")
class Sparql(MethodView):
    """SPARQL 1.1 Protocol query operation (read-only)."""

    @_documented
    def get(self) -> Response:
        """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) given as ?query="""
        return _answer()

    @_documented
    def post(self) -> Response:
        """Run a SPARQL query posted as application/sparql-query or a form"""
        return _answer()
