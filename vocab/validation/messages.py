"""The validators' messages: English templates with named placeholders, each under a code.

A :class:`~.violations.Violation` made with :meth:`~.violations.Violation.of` keeps its code and
arguments beside the English message the API sends, so a reader in another language can be told
the same thing: the web pages translate the template through their gettext catalogues (the
templates are the message ids; ``pybabel extract -k N_`` finds them here, and the shapes'
``sh:message`` texts in ``shapes.ttl`` through :mod:`vocab.shapes_extract`, docs/web.md
"Languages"). Values in the arguments are the record's own and are not
translated.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:  # noqa: N802  (gettext's name for a message marked, not translated)
    """Mark ``message`` as a message id for extraction; return it unchanged."""
    return message


#: code -> English template (printf-style with named arguments, as gettext's python-format)
MESSAGES: Mapping[str, str] = {
    "json.object": N_("a record must be a JSON object"),
    "id.missing": N_("must have an id (an IRI)"),
    "id.pattern": N_("id does not match the pattern"),
    "closed": N_("%(name)s is not allowed here"),
    "minCount": N_("required (at least %(n)s value)"),
    "maxCount": N_("at most %(n)s value(s), got %(got)s"),
    "uniqueLang": N_("more than one value in language %(tag)s"),
    "datatype": N_("%(value)s is not a valid %(datatype)s"),
    "datatype.date": N_("%(value)s is not a valid date (write YYYY-MM-DD, e.g. 2021-02-01)"),
    "datatype.dateTime": N_("%(value)s is not a valid dateTime (write YYYY-MM-DDThh:mm:ssZ)"),
    "or.given": N_("%(value)s is not a valid %(given)s (%(form)s)"),
    "or.given.dates": N_("%(value)s is not a valid %(given)s (%(form)s); write a day as "
                         "%(day)s (YYYY-MM-DD), a month as %(month)s (YYYY-MM), a year as "
                         "%(year)s (YYYY)"),
    "or.none": N_("%(value)s is none of %(forms)s"),
    "or.none.dates": N_("%(value)s is none of %(forms)s; write a day as %(day)s (YYYY-MM-DD), "
                        "a month as %(month)s (YYYY-MM), a year as %(year)s (YYYY)"),
    "nodeKind": N_("%(value)s must be %(kind)s"),
    "in": N_("%(value)s is not one of the allowed values"),
    "pattern": N_("%(value)s does not match %(pattern)s"),
    "minLength": N_("shorter than %(n)s character(s)"),
    "maxLength": N_("longer than %(n)s characters"),
    "languageIn": N_("language %(tag)s not allowed"),
    "minInclusive": N_("%(value)s must be a number ≥ %(min)s"),
    "maxInclusive": N_("%(value)s must be ≤ %(max)s"),
    "node.object": N_("must be an object"),
    "node": N_("does not conform to %(shape)s"),
    "strict.term": N_("%(key)s is not a term of %(context)s"),
    "strict.keyword": N_("JSON-LD keyword %(key)s is not allowed here"),
    "strict.string": N_("%(key)s must be a string"),
    "strict.type": N_("type %(type)s is not defined by the context"),
    "strict.id": N_("id %(id)s is not an absolute IRI"),
    "strict.null": N_("null is not allowed (JSON-LD would drop it)"),
    "strict.list": N_("a list is not allowed here"),
    "strict.language_map": N_("must be a non-empty language map"),
    "strict.language_tag": N_("%(tag)s is not a language tag"),
    "strict.texts": N_("must be a string or a list of strings"),
    "strict.iri": N_("%(value)s is not an absolute or compact IRI"),
    "strict.context": N_("@context must be %(context)s, alone or with %(integrity)s"),
    # the JSON-LD expansion's (expand.py): what stops a record becoming RDF at all
    "jsonld.id": N_("id must be a string"),
    "jsonld.language_map": N_("language map values must be strings"),
    "jsonld.value_type": N_("unsupported JSON value %(type)s"),
    "jsonld.value": N_("@value must be a string, number or boolean"),
}

__all__ = ["MESSAGES", "N_"]
