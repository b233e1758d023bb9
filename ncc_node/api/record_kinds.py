"""One blueprint per publishable record kind, made by one factory (``/initiatives``, ``/methods``).

Each kind's resource is the same: a collection (list with filters, publish) and its items (read,
replace with If-Match, delete as a tombstone). Only the kind (``vocab.kinds``) and its list
filters differ.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from vocab import RecordKind

from . import records
from .listing import list_page
from .openapi import Blueprint
from .record_docs import create_doc, list_doc, read_doc, remove_doc, replace_doc


def kind_blueprint(kind: RecordKind, query_schema: type[ma.Schema]) -> Blueprint:
    """The blueprint of ``kind``'s resource at ``/<collection>`` and ``/<collection>/<uuid>``."""
    blp = Blueprint(kind.collection, __name__, url_prefix=f"/{kind.collection}",
                    description=kind.description)
    a_kind = f"{kind.article} {kind.singular}"

    class Collection(MethodView):
        @blp.arguments(query_schema(), location="query")
        @list_doc(blp)
        def get(self, args: dict[str, Any]) -> Response:
            return list_page(kind.name, args)

        @create_doc(blp)
        def post(self) -> Response:
            return records.create(kind.name)

    class Item(MethodView):
        @read_doc(blp)
        def get(self, record_id: UUID) -> Response:
            return records.read(kind.name, str(record_id))

        @replace_doc(blp)
        def put(self, record_id: UUID) -> Response:
            return records.replace(kind.name, str(record_id))

        @remove_doc(blp)
        def delete(self, record_id: UUID) -> Response:
            return records.remove(kind.name, str(record_id))

    # the docstrings are the OpenAPI summaries (CONVENTIONS §4), worded for this kind
    Collection.__doc__ = f"The collection of {kind.plural}."
    Collection.get.__doc__ = f"List {kind.plural} (filters, keyset pagination)"
    Collection.post.__doc__ = (f"Publish a new {kind.singular} (the node mints id, version, "
                               "modified and signs it)")
    Item.__doc__ = f"One {kind.singular}."
    Item.get.__doc__ = f"Read {a_kind} (JSON-LD, Turtle or N-Triples)"
    Item.put.__doc__ = f"Publish the next version of one of this node's {kind.plural} (If-Match)"
    Item.delete.__doc__ = (f"Delete one of this node's {kind.plural} (a signed tombstone "
                           "replaces it)")
    Collection.__name__ = Collection.__qualname__ = kind.plural.capitalize()
    Item.__name__ = Item.__qualname__ = kind.name
    blp.route("")(Collection)
    blp.route("/<uuid:record_id>")(Item)
    return blp
