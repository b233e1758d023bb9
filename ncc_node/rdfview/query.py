"""Read-only SPARQL over the view with a time limit and a result cap (issue 6).

Oxigraph cannot cancel a running query, but it releases the GIL while evaluating. So each query
runs in a worker thread that stops at the next solution once cancelled, and the request waits
for it with a deadline: a client gets its 503 on time, and a query stuck in a blocking operator
(ORDER BY, GROUP BY over a huge join) keeps one core until that operator is done. At most
:data:`MAX_RUNNING` queries run at once (abandoned ones included); beyond that a query is
refused with 503 rather than queued behind them.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store, Triple

from ..errors import NccError, Unavailable
from .view import RdfView

MAX_RUNNING = 4
UPDATE_WORDS = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)


class SparqlError(NccError):
    """A SPARQL request the endpoint refuses."""

    code = "sparql_error"


class QueryInvalid(SparqlError):
    """The query does not parse (SPARQL 1.1 Protocol §2.1.4: 400)."""

    code = "sparql_query_invalid"


class UpdateRefused(SparqlError):
    """The endpoint is read-only: SPARQL Update is refused."""

    code = "sparql_update_refused"
    http_status = 403


class TooManyResults(SparqlError):
    """The query has more results than ``[sparql] max_results``."""

    code = "sparql_too_many_results"
    http_status = 422


class QueryTimeout(SparqlError, Unavailable):
    """The query ran longer than ``[sparql] timeout_seconds`` (answered 503 + Retry-After,
    its message kept, by the one error handler)."""

    code = "sparql_timeout"
    http_status: ClassVar[int] = 503


class QueryBusy(QueryTimeout):
    """Too many queries are running (slow ones included); try again later."""

    code = "sparql_busy"


class QueryMemory(QueryTimeout):
    """The query needed more memory than ``[sparql] memory_mb`` (its process was stopped)."""

    code = "sparql_memory"


class ViewUnavailable(QueryTimeout):
    """The query process cannot bring its RDF view up to date (the store failed)."""

    code = "sparql_view_unavailable"


class ServiceRefused(SparqlError):
    """The query would make the node fetch (``SERVICE``): refused before evaluation."""

    code = "sparql_service_refused"
    http_status = 403


class ResultNotAcceptable(SparqlError):
    """No format the client accepts fits the result's form (SPARQL 1.1 Protocol: 406)."""

    code = "not_acceptable"
    http_status = 406


_BY_CODE: dict[str, type[SparqlError]] = {
    cls.code: cls for cls in (SparqlError, QueryInvalid, UpdateRefused, TooManyResults,
                              QueryTimeout, QueryBusy, QueryMemory, ServiceRefused, ViewUnavailable,
                              ResultNotAcceptable)}


def error_from_wire(code: str, message: str) -> SparqlError:
    """The error a query process reported as ``(code, message)``."""
    return _BY_CODE.get(code, SparqlError)(message)


@dataclass
class QueryResult:
    """A finished query: a boolean (ASK), solutions (SELECT) or triples (CONSTRUCT/DESCRIBE)."""

    form: str  # "boolean" | "bindings" | "graph"
    boolean: bool = False
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # pyoxigraph terms or None
    triples: list[Triple] = field(default_factory=list)


_running = threading.BoundedSemaphore(MAX_RUNNING)


def _collect(results: Any, cap: int, cancelled: threading.Event) -> QueryResult:
    if isinstance(results, QueryBoolean):
        return QueryResult("boolean", boolean=bool(results))
    if isinstance(results, QuerySolutions):
        names = [v.value for v in results.variables]
        result = QueryResult("bindings", variables=names)
        for solution in results:
            if cancelled.is_set():
                break
            if len(result.rows) == cap:
                raise TooManyResults(f"the query has more than {cap} results; add a LIMIT "
                                     "or narrow it ([sparql] max_results)")
            result.rows.append([solution[name] for name in names])
        return result
    graph = QueryResult("graph")
    for triple in results:
        if cancelled.is_set():
            break
        if len(graph.triples) == cap:
            raise TooManyResults(f"the query constructs more than {cap} triples; narrow it "
                                 "([sparql] max_results)")
        graph.triples.append(triple)
    return graph


def _is_update(query: str) -> bool:
    return UPDATE_WORDS.match(
        re.sub(r"(?is)^\s*((PREFIX|BASE)\s+[^<]*<[^>]*>\s*)*", "", query)) is not None


def _fetching(tree: Any) -> bool:
    """Whether a parsed query holds a ``SERVICE`` pattern anywhere (nested, in EXISTS ...)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        elif hasattr(node, "asList"):  # pyparsing's ParseResults
            stack.extend(list(node))
    return False


def check_query(query: str) -> None:
    """Refuse, before evaluation, a query that does not parse, an update, or one that would
    make the node fetch (``SERVICE``, SPARQL 1.1 Federated Query): decided on rdflib's parse
    tree of the query, never on its text (which comments and escapes can disguise)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except ParseBaseException as exc:
        if _is_update(query):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is refused") from None
        raise QueryInvalid(f"the query does not parse: {exc}") from None
    except (ValueError, TypeError, RecursionError) as exc:  # rdflib's own term errors
        raise QueryInvalid(f"the query does not parse: {exc}") from None
    if _fetching(tree):
        raise ServiceRefused("SERVICE is refused: this endpoint never fetches from other "
                             "hosts; query the node that holds the data instead")


def _evaluate(oxigraph: Store, query: str, options: dict[str, Any]) -> Any:
    check_query(query)
    try:
        return oxigraph.query(query, **options)
    except SyntaxError as exc:
        if _is_update(query):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is refused") from exc
        raise QueryInvalid(f"the query does not parse: {exc}") from exc
    except (OSError, RuntimeError, ValueError) as exc:  # an evaluation error Oxigraph raises
        raise QueryInvalid(f"the query cannot be evaluated: {exc}") from exc


def evaluate(oxigraph: Store, query: str, options: dict[str, Any], cap: int) -> QueryResult:
    """Check and run ``query`` in this thread, collecting at most ``cap`` results."""
    return _collect(_evaluate(oxigraph, query, options), cap, threading.Event())


def query_options(default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> dict[str, Any]:
    """Oxigraph's dataset options: the union of all graphs unless graphs are given."""
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = _graph_iris(default_graphs, "default-graph-uri")
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = _graph_iris(named_graphs, "named-graph-uri")
    return options


def _graph_iris(values: list[str], parameter: str) -> list[NamedNode]:
    try:
        return [NamedNode(value) for value in values]
    except ValueError as exc:
        raise QueryInvalid(f"{parameter}: not an absolute IRI: {exc}") from exc


def run_query(
    view: RdfView,
    query: str,
    *,
    timeout: float,
    max_results: int,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
) -> QueryResult:
    """Run a read-only query; the default graph is the union of all graphs unless given."""
    options = query_options(default_graphs, named_graphs)
    if not _running.acquire(blocking=False):
        raise QueryBusy("too many SPARQL queries are running; try again shortly")
    try:
        # maintenance, not the query: outside its time limit, and in the request thread (a
        # worker thread would open a store connection of its own each time)
        oxigraph = view.snapshot()
    except BaseException:
        _running.release()
        raise
    deadline = time.monotonic() + timeout
    cancelled = threading.Event()
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append(_collect(_evaluate(oxigraph, query, options), max_results,
                                    cancelled))
        except BaseException as exc:  # handed to the request thread, which raises it
            # without its traceback: its frames hold Oxigraph's result iterator, which must be
            # dropped on this thread ("unsendable")
            outcome.append(exc.with_traceback(None))
        finally:
            _running.release()

    worker = threading.Thread(target=work, name="sparql-query", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        cancelled.set()
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped "
                           "([sparql] timeout_seconds); narrow it or add a LIMIT")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    result: QueryResult = outcome[0]
    return result


