"""Scouting: ``/scout/candidates``, ``/scout/similar/<id>`` and ``/scout/methods``.

Ranked results with a per-factor breakdown (docs/scouting.md); the ranking lives in
:mod:`ncc_node.scout` (:class:`~ncc_node.scout.Scouting`: the node's ``[scout]`` settings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask.views import MethodView

from ..context import node
from ..scout import (
    Candidate,
    Scouting,
    ScoutQuery,
    ScoutQueryInvalid,
    inferred_concepts,
    resolve_country,
)
from ..store import Store
from .listing import ConceptParameter
from .openapi import Blueprint
from .schemas import ErrorSchema

blp = Blueprint("scout", __name__, url_prefix="/scout",
                description="Scouting: initiatives and methods from other countries, ranked by "
                            "a transparent score with its breakdown.")
DEFAULT_LIMIT = 20


class CountryParameter(ma.fields.String):
    """A country: ``EE``, ``EST``, ``country:EST``, its IRI or its name in a bundled language."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return resolve_country(text)
        except ScoutQueryInvalid as exc:
            raise ma.ValidationError(exc.details[0]["message"]) from None


def _text() -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "Full text in any language: words are stemmed in en, de, et, "
                                 "nl and fr, concept labels in those languages match records "
                                 "tagged with or about the concept, diacritics are folded. "
                                 "Every word is optional: the best partial matches come back, "
                                 "each saying which words it misses."})


def _inferred() -> ma.fields.Boolean:
    return ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Concept filters also match concepts this node inferred from "
                                 "the text (not the publisher's tags)."})


def _lang() -> ma.fields.String:
    return ma.fields.String(
        load_default="en", validate=ma.validate.Regexp(r"^[a-z]{2}(-[A-Za-z0-9]{1,8})*$"),
        metadata={"description": "The scout's language: concept labels in explanations."})


def _limit() -> ma.fields.Integer:
    return ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1),
        metadata={"description": "How many results; above `scout.limit_max` (default 100) it "
                                 "is reduced to that."})


class _SearchSchema(ma.Schema):
    """What every search takes: text, filters shared by both kinds, how many, how shown."""

    theme = ConceptParameter("theme", "theme:education")
    target_group = ConceptParameter("target-group", "tg:children")
    language = ConceptParameter("language", "lang:DEU")
    q = _text()
    limit = _limit()
    inferred = _inferred()
    lang = _lang()


class CandidateQuerySchema(_SearchSchema):
    """What a scout looks for: the target country, filters and text."""

    country = CountryParameter(
        data_key="for", required=True,
        metadata={"description": "The target country (where the scout works): `EE`, `EST`, "
                                 "`country:EST` or a name such as `Estonia`.",
                  "example": "EE"})
    sdg = ConceptParameter("sdg", "sdg:4")
    stage = ConceptParameter("stage", "maturity:proven")


class MethodQuerySchema(_SearchSchema):
    """What a scout looks for among methods."""

    country = CountryParameter(
        data_key="for",
        metadata={"description": "Optional: leave out methods from this country.",
                  "example": "EE"})
    method_type = ConceptParameter("method-type", "mt:impact-measurement")


class SimilarQuerySchema(ma.Schema):
    """How many similar records."""

    limit = _limit()


class FactorSchema(ma.Schema):
    """One factor of a score."""

    value = ma.fields.Float(required=True, metadata={"description": "Unweighted, 0..1."})
    weight = ma.fields.Float(required=True)
    contribution = ma.fields.Float(
        required=True, metadata={"description": "value × weight; the contributions sum to the "
                                                "score."})


class CandidateSchema(ma.Schema):
    """One ranked record."""

    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "Initiative or Method."})
    name = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True,
                          metadata={"description": "Language map."})
    origin = ma.fields.String(required=True, metadata={"description": "The origin node's IRI."})
    origin_country = ma.fields.String(
        data_key="originCountry", allow_none=True, required=True,
        metadata={"description": "The origin node's jurisdiction (from its descriptor)."})
    countries = ma.fields.List(ma.fields.String(), required=True)
    stage = ma.fields.String(allow_none=True, required=True)
    sdgs = ma.fields.List(ma.fields.String(), required=True)
    score = ma.fields.Float(required=True)
    breakdown = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(FactorSchema),
                               required=True)
    details = ma.fields.Dict(
        required=True, metadata={"description": "Facts behind the values: bm25, the query "
                                                "words matched and missing (`partial`), the "
                                                "concepts matched (labels in `lang`; "
                                                "`inferred` when this node found them in the "
                                                "text; `scheme: EuroVoc` and the EuroVoc IRI "
                                                "as `id` for a EuroVoc concept a word matched "
                                                "through), a `snippet` of the record's text with "
                                                "`highlights` (character spans), or shared "
                                                "concepts; replicating records, stage."})
    inferred = ma.fields.List(
        ma.fields.String(), required=True,
        metadata={"description": "Themes, target groups and SDGs this node inferred from the "
                                 "text; not the publisher's tags, never in the signed record."})
    also = ma.fields.List(
        ma.fields.Dict(), required=True,
        metadata={"description": "The same case published again (same-as link, or the same "
                                 "name and description from another origin): id, origin, "
                                 "originCountry."})


class ResultsSchema(ma.Schema):
    """Ranked results and the weights used."""

    items = ma.fields.List(ma.fields.Nested(CandidateSchema), required=True)
    all_partial = ma.fields.Boolean(
        data_key="partial", required=True,
        metadata={"description": "No result matches every word of `q`."})
    weights = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), required=True)


def _list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v) for v in items]


def _item(candidate: Candidate, scouting: Scouting) -> dict[str, Any]:
    record = candidate.record
    weights = scouting.weights
    return {
        "id": candidate.id, "kind": candidate.kind, "name": record.get("name", {}),
        "origin": candidate.origin, "origin_country": candidate.origin_country,
        "countries": _list(record.get("countries")), "stage": record.get("stage"),
        "sdgs": _list(record.get("sdgs")), "score": candidate.score,
        "breakdown": {name: {"value": candidate.raw[name], "weight": getattr(weights, name),
                             "contribution": contribution}
                      for name, contribution in candidate.factors.items()},
        "details": candidate.details,
        "inferred": inferred_concepts(record),
        "also": candidate.also,
    }


def _results(search: Callable[[Scouting, Store], list[Candidate]]) -> dict[str, Any]:
    """Run ``search`` with this node's scouting and store; the response body."""
    context = node()
    scouting = Scouting.from_settings(context.settings)
    found = search(scouting, context.store)
    return {"items": [_item(c, scouting) for c in found],
            "weights": scouting.weights.as_dict(),
            "all_partial": bool(found) and all(c.details.get("partial") for c in found)}


def _ranked(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    query = ScoutQuery(kind=kind, **args)
    return _results(lambda scouting, store: scouting.candidates(store, query))


@blp.route("/candidates")
class Candidates(MethodView):
    """Initiatives from other countries that could be replicated in the target country."""

    @blp.arguments(CandidateQuerySchema(), location="query")
    @blp.response(200, ResultsSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="A parameter names no known "
                                                           "country or concept.")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Rank initiatives from other countries for a target country (score with breakdown)"""
        return _ranked("Initiative", args)


@blp.route("/methods")
class Methods(MethodView):
    """Methods, searched and ranked the same way."""

    @blp.arguments(MethodQuerySchema(), location="query")
    @blp.response(200, ResultsSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="A parameter names no known "
                                                           "country or concept.")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Rank methods by text, type and filters (e.g. an impact-measurement method)"""
        return _ranked("Method", args)


@blp.route("/similar/<path:record_id>")
class Similar(MethodView):
    """Records like one record, in other countries."""

    @blp.arguments(SimilarQuerySchema(), location="query")
    @blp.response(200, ResultsSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such live record here.")
    def get(self, args: dict[str, Any], record_id: str) -> dict[str, Any]:
        """Rank initiatives like this one (shared SDGs, themes, target groups) elsewhere"""
        return _results(lambda scouting, store: scouting.similar(store, record_id,
                                                                 limit=args["limit"]))
