"""Record lists: filter parameters, keyset pagination by id, and the page response.

Pages are keyed on the record id (``id > last id of the previous page``), never on an offset, so
a record that exists when the first page is read is seen exactly once however many records are
created, updated or deleted meanwhile (ids never change). The ``after`` token is opaque.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import Response, request

from vocab import UnknownConcept, concept_index

from ..context import node
from ..representations import (
    JSON,
    JSONLD,
    RECORD_TYPES,
    body_etag,
    items_page,
    negotiate,
    payload_graph,
    respond,
    serialize_graph,
)
from ..store import RecordFilter
from .compression import compressible

DEFAULT_LIMIT = 50


def encode_after(record_id: str) -> str:
    """The opaque ``after`` token for a page that ends with ``record_id``."""
    return base64.urlsafe_b64encode(record_id.encode("utf-8")).rstrip(b"=").decode("ascii")


class AfterToken(ma.fields.String):
    """The opaque ``after`` token of a list page, loaded as the last record id it stands for."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        token = super()._deserialize(value, attr, data, **kwargs)
        try:
            record_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ma.ValidationError("not a token this node handed out") from None
        if encode_after(record_id) != token or "://" not in record_id:
            raise ma.ValidationError("not a token this node handed out")
        return record_id


class ConceptParameter(ma.fields.String):
    """A concept of one bundled scheme, compact (``sdg:4``) or full IRI; loads the full IRI."""

    def __init__(self, scheme: str, example: str, **kwargs: Any) -> None:
        metadata = {"description": f"A concept of the {scheme} scheme, compact or full IRI.",
                    "example": example}
        super().__init__(metadata=metadata, **kwargs)
        self.scheme = scheme

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        index = concept_index()
        try:
            if index.in_scheme(text, self.scheme):
                return index.get(text).iri
        except UnknownConcept:
            pass
        raise ma.ValidationError(f"{text!r} is not a concept of the {self.scheme} scheme")


class InitiativeQuerySchema(ma.Schema):
    """Filters and paging of a list of initiatives."""

    origin = ma.fields.String(
        metadata={"description": "Only records of this node (its IRI, `<base>/node`)."})
    country = ConceptParameter("country", "country:DEU")
    sdg = ConceptParameter("sdg", "sdg:4")
    stage = ConceptParameter("stage", "maturity:proven")
    theme = ConceptParameter("theme", "theme:education")
    target_group = ConceptParameter("target-group", "tg:children")
    language = ConceptParameter("language", "lang:DEU")
    q = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "Full text, any language; every word must match, the last "
                                 "as a prefix."})
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1),
        metadata={"description": "Page size; above the node's `limits.list_page_max` "
                                 "(default 200) it is reduced to that."})
    after = AfterToken(
        metadata={"description": "Opaque; taken from the previous page's `next` link."})


class MethodQuerySchema(InitiativeQuerySchema):
    """Filters and paging of a list of methods."""

    method_type = ConceptParameter("method-type", "mt:impact-measurement")


def _next_url(after: str) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "after"]
    return request.base_url + "?" + urlencode([*args, ("after", after)])


def list_page(kind: str, args: dict[str, Any]) -> Response:
    """One page of the records of ``kind`` matching the filters in ``args``."""
    context = node()
    filters = dict(args)
    limit = min(filters.pop("limit"), context.settings["limits.list_page_max"])
    after = filters.pop("after", None)
    where = RecordFilter(kind=kind, **filters)
    records = context.store.list_records(where, after=after, limit=limit + 1)
    more = len(records) > limit
    records = records[:limit]
    next_url = _next_url(encode_after(records[-1].id)) if more and records else None
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    mimetype = negotiate(RECORD_TYPES)
    if mimetype in (JSONLD, JSON):
        body = items_page((r.body for r in records), next=next_url,
                          total=context.store.count(where))
    else:
        body = serialize_graph(payload_graph(r.body for r in records), mimetype)
    return compressible(respond(body, mimetype, body_etag(body), headers=headers))
