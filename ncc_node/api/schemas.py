"""Marshmallow schemas shared by the resources: records, pages, the error shape (documentation).

Records are open JSON-LD objects: the schemas describe the envelope a node mints and let every
other property through (``additionalProperties: true``); the vocabulary's SHACL shapes, not
these schemas, define what a valid payload is.
"""

from __future__ import annotations

import marshmallow as ma

from vocab import ALL_KINDS

TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"


class ErrorDetailSchema(ma.Schema):
    """One problem with a request: which field, which rule, what is wrong."""

    path = ma.fields.String(required=True, metadata={"description": "The field or parameter."})
    rule = ma.fields.String(required=True, metadata={"description": "The rule it breaks."})
    message = ma.fields.String(required=True)


class ErrorBodySchema(ma.Schema):
    """The inside of every error response."""

    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status."})
    code = ma.fields.String(
        required=True, metadata={"description": "Stable machine-readable reason, e.g. "
                                                "`invalid_record`, `not_found`, `gone`."})
    message = ma.fields.String(required=True, metadata={"description": "For people."})
    details = ma.fields.List(ma.fields.Nested(ErrorDetailSchema), required=True)
    tombstone = ma.fields.Dict(
        metadata={"description": "Only with 410 Gone: the record's signed tombstone."})


class ErrorSchema(ma.Schema):
    """The one JSON shape of every 4xx and 5xx response."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class RecordSchema(ma.Schema):
    """A signed record as stored and served (JSON-LD, compacted with the NCC context)."""

    class Meta:
        unknown = ma.INCLUDE  # the payload: every term of the NCC context

    context = ma.fields.String(
        data_key="@context", required=True,
        metadata={"description": "Always `https://w3id.org/ncc/context/v1`."})
    id = ma.fields.String(
        required=True, metadata={"description": "`<origin base>/initiatives/<uuid>`, "
                                                "`<origin base>/methods/<uuid>` or "
                                                "`<base>/node`."})
    type = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(ALL_KINDS))
    origin = ma.fields.String(
        required=True, metadata={"description": "IRI of the publishing node (`<base>/node`)."})
    version = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1),
        metadata={"description": "+1 on every change; a tombstone has the highest."})
    modified = ma.fields.String(
        required=True, validate=ma.validate.Regexp(TIMESTAMP),
        metadata={"description": "UTC, `YYYY-MM-DDThh:mm:ssZ`."})
    proof = ma.fields.Raw(
        required=True, metadata={"description": "Data Integrity proof (eddsa-jcs-2022), or a "
                                                "proof set (a list) on descriptors."})


class RecordPayloadSchema(ma.Schema):
    """What an operator sends: the record's fields, without the ones the node mints."""

    class Meta:
        unknown = ma.INCLUDE

    context = ma.fields.String(
        data_key="@context",
        metadata={"description": "Optional; if sent, `https://w3id.org/ncc/context/v1`."})
    type = ma.fields.String(metadata={"description": "Optional; if sent, the collection's kind."})


class RecordPageSchema(ma.Schema):
    """One page of a record list."""

    items = ma.fields.List(ma.fields.Nested(RecordSchema), required=True)
    next = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "URL of the next page (also a `Link: rel=\"next\"` header); "
                                 "null on the last page."})
    total = ma.fields.Integer(
        required=True, metadata={"description": "How many records match the filters now."})


class FeedPageSchema(ma.Schema):
    """One page of the change feed."""

    items = ma.fields.List(
        ma.fields.Nested(RecordSchema), required=True,
        metadata={"description": "Latest signed state of each record (or its tombstone), in "
                                 "the node's sequence order."})
    cursor = ma.fields.String(
        required=True, metadata={"description": "Opaque; send it as `after` next time. "
                                                "Unchanged when nothing is new."})
    more = ma.fields.Boolean(
        required=True, metadata={"description": "True when more items follow right away."})
