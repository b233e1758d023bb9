"""SPARQL results in the formats a client negotiates (SPARQL 1.1 Protocol §2.1.5).

Solutions and booleans: JSON (SPARQL 1.1 Query Results JSON), XML, CSV and TSV, written here
from the collected rows (the result cap means rows are already in memory). Graphs: Turtle and
N-Triples written by Oxigraph, JSON-LD by rdflib.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, NamedNode, RdfFormat, serialize

from .query import QueryResult

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    if result.form == "boolean":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [{name: _json_term(term) for name, term in zip(result.variables, row, strict=True)
                 if term is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(term: Any) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                f"{escape(term.value)}</literal>")
    return f"<literal>{escape(term.value)}</literal>"


def to_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML Format (Second Edition)."""
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
             "<head>"]
    parts += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    parts.append("</head>")
    if result.form == "boolean":
        parts.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        parts.append("<results>")
        for row in result.rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                      for name, term in zip(result.variables, row, strict=True)
                      if term is not None]
            parts.append("</result>")
        parts.append("</results>")
    parts.append("</sparql>\n")
    return "\n".join(parts)


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV: plain values (lexical forms, IRIs, _:labels)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.form == "boolean":  # no standard CSV for ASK; one column named after the form
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else f"_:{t.value}" if isinstance(t, BlankNode)
                         else t.value for t in row])
    return buffer.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV: terms in Turtle/N-Triples syntax."""
    if result.form == "boolean":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


def to_graph_format(result: QueryResult, mimetype: str) -> bytes:
    """A CONSTRUCT/DESCRIBE result as Turtle, N-Triples or JSON-LD."""
    if mimetype == "application/ld+json":
        from rdflib import Graph

        nt = serialize(result.triples, format=RdfFormat.N_TRIPLES)
        graph = Graph().parse(data=nt, format="nt")
        return graph.serialize(format="json-ld", encoding="utf-8")
    rdf_format = RdfFormat.TURTLE if mimetype == "text/turtle" else RdfFormat.N_TRIPLES
    return serialize(result.triples, format=rdf_format) or b""


WRITERS: dict[str, Callable[[QueryResult], str]] = {
    "application/sparql-results+json": to_json,
    "application/json": to_json,
    "application/sparql-results+xml": to_xml,
    "text/csv": to_csv,
    "text/tab-separated-values": to_tsv,
}


def render(result: QueryResult, mimetype: str) -> bytes:
    """Serialize ``result`` as ``mimetype`` (one of :data:`RESULT_TYPES`/:data:`GRAPH_TYPES`)."""
    if result.form == "graph":
        return to_graph_format(result, mimetype)
    return WRITERS[mimetype](result).encode("utf-8")



