"""What a peer needs to repair its copy (protocol.md §6.1, §6.2): items by id, digests, the
digest index, and the descriptor's version history.

All public and read-only, like the feed. Digests are SHA-256 over the sorted lines
``<id>\\t<version>\\t<proofValue>\\n`` of an origin's records (tombstones and the descriptor
included); a bucket is the records whose id ends in one character. Computed from the records on
demand and remembered until the next write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from ..context import node
from ..representations import items_page
from .openapi import Blueprint

MAX_IDS = 50
HISTORY_PAGE = 100
INDEX_PAGE_MAX = 5000

blp = Blueprint("repair", __name__,
                description="Anti-entropy and repair: digests, index, items by id, descriptor "
                            "history.")

_TEXT = ma.validate.Length(min=1, max=2048)
F = TypeVar("F", bound=Callable[..., Response])


class ItemsQuerySchema(ma.Schema):
    """Which ids to send."""

    id = ma.fields.List(
        ma.fields.String(validate=_TEXT), required=True,
        validate=ma.validate.Length(min=1, max=MAX_IDS),
        metadata={"description": f"A record id, repeated for up to {MAX_IDS} ids."})


class DigestQuerySchema(ma.Schema):
    """Whose records to digest."""

    scope = ma.fields.String(
        load_default="own", validate=ma.validate.OneOf(["own", "all"]),
        metadata={"description": "As for `/feed`: `own` digests this node's records, `all` "
                                 "those of every origin it holds."})
    origin = ma.fields.String(
        validate=_TEXT,
        metadata={"description": "One origin's node IRI: its digest and its buckets."})


class IndexQuerySchema(ma.Schema):
    """Which origin's records to list."""

    origin = ma.fields.String(required=True, validate=_TEXT,
                              metadata={"description": "The origin's node IRI."})
    bucket = ma.fields.String(validate=ma.validate.Length(equal=1),
                              metadata={"description": "Only ids ending in this character."})
    after = ma.fields.String(validate=_TEXT,
                             metadata={"description": "Only ids greater than this one."})
    limit = ma.fields.Integer(load_default=1000,
                              validate=ma.validate.Range(min=1, max=INDEX_PAGE_MAX))


class HistoryQuerySchema(ma.Schema):
    """Whose descriptor versions, from which one on."""

    origin = ma.fields.String(
        validate=_TEXT,
        metadata={"description": "A node IRI (default: this node's); a relay serves the "
                                 "versions it holds of the origins it merged."})
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**53),
                              metadata={"description": "Versions greater than this one."})


def _json_get(schema: ma.Schema, description: str) -> Callable[[F], F]:
    """A repair read: its query parameters and its JSON answer, documented once."""
    def decorate(func: F) -> F:
        func = blp.alt_response(200, content_type="application/json", success=True,
                                description=description)(func)
        return blp.arguments(schema, location="query")(func)
    return decorate


def _json(value: Any) -> Response:
    return Response(json.dumps(value, separators=(",", ":"), sort_keys=True),
                    mimetype="application/json")


@blp.route("/feed/items")
class Items(MethodView):
    """Records by id."""

    @_json_get(ItemsQuerySchema(),
               "`{\"items\": [...]}`: the stored bytes of the ids held "
               "(others are left out), in the order asked.")
    def get(self, args: dict[str, Any]) -> Response:
        """Read the latest stored state of records by id (for a repair)"""
        ids = list(dict.fromkeys(args["id"]))
        store = node().store
        found = store.get_many(ids)
        # what the admin hid with relaying blocked is not handed to peers here either
        blocked = {h.target for h in store.hidden() if not h.relay}
        bodies = [found[i].body for i in ids if i in found
                  and not (found[i].kind != "Node" and {i, found[i].origin} & blocked)]
        return Response(items_page(bodies), mimetype="application/json")


@blp.route("/feed/digest")
class Digest(MethodView):
    """Counts and digests of the records held, per origin."""

    @_json_get(DigestQuerySchema(),
               "`{\"origins\": {<iri>: {\"count\", \"digest\"}}}`; with "
               "`origin`, that origin's `count`, `digest` and `buckets`.")
    def get(self, args: dict[str, Any]) -> Response:
        """Read the per-origin counts and digests (anti-entropy)"""
        context = node()
        store = context.store
        origin = args.get("origin")
        if origin is not None:
            held = store.origin_digests(origin).get(origin)
            buckets = store.bucket_digests(origin) if held is not None else {}
            return _json({"origin": origin, "count": held.count if held else 0,
               "digest": held.digest if held else None,
               "buckets": {b: {"count": d.count, "digest": d.digest}
                                      for b, d in buckets.items()}})
        own = context.identity.node_iri
        digests = store.origin_digests(own if args["scope"] == "own" else None)
        return _json({"scope": args["scope"],
                      "origins": {o: {"count": d.count, "digest": d.digest}
                                  for o, d in digests.items()}})


@blp.route("/feed/index")
class Index(MethodView):
    """The (id, version, proofValue) lines of an origin's records."""

    @_json_get(IndexQuerySchema(),
               "`{\"entries\": [[id, version, proofValue], ...], \"more\"}` "
               "by id; ask again with `after` = the last id while `more`.")
    def get(self, args: dict[str, Any]) -> Response:
        """List an origin's records as digest lines (anti-entropy repair)"""
        limit = args["limit"]
        rows = node().store.digest_index(args["origin"], args.get("bucket"),
                                         after=args.get("after"), limit=limit + 1)
        return _json({"entries": [list(row) for row in rows[:limit]],
                      "more": len(rows) > limit})


@blp.route("/node/history")
class History(MethodView):
    """Every version of a descriptor since a given one."""

    @_json_get(HistoryQuerySchema(),
               "`{\"items\": [...], \"cursor\", \"more\"}`: descriptor "
               f"versions after `after`, oldest first, up to "
               f"{HISTORY_PAGE}; `cursor` is the last version sent.")
    def get(self, args: dict[str, Any]) -> Response:
        """Read a descriptor's versions since a given one (to follow key rotations)"""
        context = node()
        origin = args.get("origin") or context.identity.node_iri
        bodies = context.store.descriptor_history(origin, after=args["after"],
                                                  limit=HISTORY_PAGE + 1)
        more = len(bodies) > HISTORY_PAGE
        bodies = bodies[:HISTORY_PAGE]
        last = args["after"]
        if bodies:
            last = int(json.loads(bodies[-1])["version"])
        return Response(items_page(bodies, cursor=str(last), more=more),
                        mimetype="application/json")
