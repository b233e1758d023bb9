"""The record editor's pages: this node's records and drafts, the form, publish, retire.

One form serves a new record, an edit of a published one and a draft. Its hidden fields carry
the version the edit was made on and the draft's revision, so a publish or save made on an old
version is refused with "someone else changed this" and the editor's input is kept on the page
(:class:`~ncc_node.records.Editor`). Every action is a submit button; no script is needed.
"""

from __future__ import annotations

import json
from typing import Any

from flask import redirect, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from vocab import COLLECTIONS

from ..context import node
from ..errors import Conflict, NccError, NotFound, PreconditionFailed, RecordRejected
from ..records import Editor
from ..store import RecordFilter, StoredRecord
from . import editor_form as ef
from .auth import actor, editor_required
from .i18n import current_language, finding_said, language_name
from .labels import FIELDS
from .pages import bp, page

KINDS = {collection: kind for kind, collection in COLLECTIONS.items()}
LIST = "/web/edit"
RULES = {  # the validator's rules, said in the reader's language (its message follows)
    "minCount": _l("This is required."),
    "maxCount": _l("Too many values."),
    "maxLength": _l("Too long."),
    "minLength": _l("Empty."),
    "in": _l("Not one of the allowed values."),
    "pattern": _l("Not in the expected form."),
    "datatype": _l("Not in the expected form."),
    "languageIn": _l("Not a language of the vocabulary."),
}


# the editor's fields the record pages do not show under a label of their own
MORE_FIELDS = {
    "keywords": _l("Keywords"),
    "endDate": _l("End date"),
    "scale": _l("Scale"),
    "technologies": _l("Technologies"),
    "sameAs": _l("Same case as"),
    "source": _l("Source dataset"),
    "legalName": _l("Legal name"),
    "organisationType": _l("Organisation type"),
    "title": _l("Title"),
}


def field_label(term: str) -> str:
    """A field's label in the reader's language (its term when it has none)."""
    found = FIELDS.get(term) or MORE_FIELDS.get(term)
    return str(found) if found is not None else term


def _languages_to_add(present: list[str]) -> list[tuple[str, str]]:
    """(name in the UI language, tag) of the vocabulary's languages a record lacks, by name."""
    return sorted(((language_name(tag), tag) for tag in ef.text_languages()
                   if tag not in present), key=lambda pair: (pair[0].casefold(), pair[1]))


def _editor() -> Editor:
    context = node()
    return Editor(context.store, context.publisher)


def record_name(body: bytes | dict[str, Any], lang: str) -> str:
    """A record's name in ``lang`` (else English, else any)."""
    record = json.loads(body) if isinstance(body, bytes) else body
    names = record.get("name") if isinstance(record, dict) else None
    if not isinstance(names, dict) or not names:
        return str(record.get("id", "")) if isinstance(record, dict) else ""
    return str(names.get(lang) or names.get("en") or next(iter(names.values())))


def edit_url(record: StoredRecord) -> str:
    """The editor of one of this node's records."""
    return f"{LIST}/{COLLECTIONS[record.kind]}/{record.id.rsplit('/', 1)[1]}"


def page_url(record_id: str, kind: str) -> str:
    """The public page of a record."""
    return f"/web/{COLLECTIONS[kind]}/{record_id.rsplit('/', 1)[1]}"


def _own(collection: str, record_uuid: Any) -> StoredRecord | None:
    """This node's live record at ``/<collection>/<uuid>``, or None."""
    record_id = f"{node().identity.base_url}/{collection}/{record_uuid}"
    try:
        return _editor().current(record_id)
    except NccError:
        return None


@bp.get(LIST)
@editor_required
def my_records() -> BaseResponse:
    """This node's records and the drafts, with links to edit, publish and retire."""
    context = node()
    lang = current_language()
    rows = []
    for kind in COLLECTIONS:
        where = RecordFilter(kind=kind, origin=context.identity.node_iri)
        for record in context.store.list_records(where, after=None, limit=500):
            rows.append({"name": record_name(record.body, lang), "kind": kind,
                         "version": record.version, "modified": record.modified,
                         "edit": edit_url(record), "view": page_url(record.id, kind),
                         "draft": context.store.draft_of(record.id)})
    drafts = [{"draft": d, "name": record_name(d.payload, lang) or gettext("(no name yet)")}
              for d in context.store.drafts(limit=200)]
    return page("web/my_records.html", title=gettext("Records of this node"), rows=rows,
                drafts=drafts, done=request.args.get("done", ""))


@bp.get(f"{LIST}/new/<collection>")
@editor_required
def new_record(collection: str) -> BaseResponse:
    """An empty form for a new initiative or method."""
    kind = KINDS.get(collection)
    if kind is None:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    state = ef.FormState(kind, langs=[current_language()])
    return _form(state, {})


@bp.get(f"{LIST}/<collection>/<uuid:record_uuid>")
@editor_required
def edit_record(collection: str, record_uuid: Any) -> BaseResponse:
    """The form showing one of this node's records (or its draft, when it has one)."""
    current = _own(collection, record_uuid)
    if current is None:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    record_id = current.id
    held = node().store.draft_of(record_id)
    if held is not None:
        return redirect(f"/web/drafts/{held.id}", 303)
    state = ef.state_of(current.kind, _editor().payload(current), current_language())
    return _form(state, {"record_id": record_id, "base_version": current.version})


@bp.get("/web/drafts/<int:draft_id>")
@editor_required
def edit_draft(draft_id: int) -> BaseResponse:
    """The form showing a draft."""
    try:
        held = _editor().draft(draft_id)
    except NotFound:
        return page("web/not_found.html", 404, title=gettext("Not found"),
                    message=gettext("This draft was published or discarded meanwhile."))
    state = ef.state_of(held.kind, held.payload, current_language())
    notice = gettext("Draft saved.") if request.args.get("saved") else ""
    return _form(state, {"record_id": held.record_id, "base_version": held.base_version,
                         "draft_id": held.id, "revision": held.revision,
                         "author": held.author}, notice=notice)


def _hidden_values() -> dict[str, Any]:
    form = request.form
    record_id = form.get("record_id") or None
    draft_id = int(form["draft_id"]) if form.get("draft_id", "").isdigit() else None
    revision = int(form["revision"]) if form.get("revision", "").isdigit() else None
    base = int(form["base_version"]) if form.get("base_version", "").isdigit() else 0
    return {"record_id": record_id, "base_version": base, "draft_id": draft_id,
            "revision": revision}


@bp.post(f"{LIST}/submit")
@editor_required
def submit() -> BaseResponse:
    """Every button of the form: add a language or an item, find, save a draft, publish."""
    kind = request.form.get("kind", "")
    if kind not in COLLECTIONS:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    state = ef.read_form(kind, request.form)
    hidden = _hidden_values()
    action = request.form.get("action", "")
    if action.startswith("find-"):
        _find(state, action.removeprefix("find-"))
        return _form(state, hidden)
    if action == "save-draft":
        return _save(state, hidden)
    if action == "publish":
        return _publish(state, hidden)
    if action == "discard" and hidden["draft_id"] is not None:
        try:
            _editor().discard(hidden["draft_id"], revision=hidden["revision"], actor=actor())
        except (Conflict, NotFound) as exc:
            return _form(state, hidden, status=409, stale=exc.message)
        return redirect(f"{LIST}?done=discarded", 303)
    return _form(state, hidden)  # add a language / a partner: the same form, one more row


def _find(state: ef.FormState, term: str) -> None:
    spec = next((f for f in ef.fields_of(state.kind) if f.term == term), None)
    text = state.queries.get(term, "")
    if spec is None or not text:
        return
    lang = current_language()
    if spec.widget == "concepts":
        state.found[term] = ef.find_concepts(spec, text, lang)
        return
    context = node()
    kind = KINDS.get(spec.collection or "", "Initiative")
    hits = context.store.list_records(RecordFilter(kind=kind, q=text), after=None, limit=12)
    state.found[term] = [(r.id, f"{record_name(r.body, lang)} · {r.origin}") for r in hits]


def _save(state: ef.FormState, hidden: dict[str, Any]) -> BaseResponse:
    payload = ef.payload_of_state(state)
    try:
        saved = _editor().save(state.kind, payload, author=actor(),
                               record_id=hidden["record_id"],
                               base_version=hidden["base_version"],
                               draft_id=hidden["draft_id"], revision=hidden["revision"])
    except (PreconditionFailed, Conflict) as exc:
        return _form(state, hidden, status=409, stale=exc.message)
    except NotFound as exc:
        return _form(state, {**hidden, "draft_id": None, "revision": None}, status=409,
                     stale=exc.message)
    return redirect(f"/web/drafts/{saved.id}?saved=1", 303)


def _joined(said: str, told: str) -> str:
    """The rule in a sentence, then the validator's detail as a sentence of its own."""
    if not told:
        return said
    told = told[:1].upper() + told[1:]
    return f"{said} {told}".strip() + ("" if told.endswith((".", "!", "?")) else ".")


def _findings(exc: RecordRejected) -> list[tuple[str, str, str]]:
    """(path, rule, message in the UI language) of each finding behind a refusal.

    Each finding's template is a gettext message id (:data:`vocab.VALIDATION_MESSAGES` and the
    shapes' ``sh:message`` texts, extracted into the pages' catalogues), filled with the
    finding's own values (:func:`~.i18n.finding_said`).
    """
    if not exc.violations:
        return [(str(d.get("path", "")), str(d.get("rule", "")), str(d.get("message", "")))
                for d in exc.details]
    return [(v.path, v.rule, finding_said(v.template, v.args, v.message))
            for v in exc.violations]


def _publish(state: ef.FormState, hidden: dict[str, Any]) -> BaseResponse:
    payload = ef.payload_of_state(state)
    if state.problems:
        return _form(state, hidden, status=422)
    editor = _editor()
    try:
        if hidden["draft_id"] is not None:  # the draft as shown now, then published
            held = editor.draft(hidden["draft_id"])
            if hidden["revision"] is not None and held.revision != hidden["revision"]:
                raise Conflict(f"draft {held.id} was saved by someone else meanwhile")
        record = editor.publish(state.kind, payload, record_id=hidden["record_id"],
                                base_version=hidden["base_version"],
                                draft_id=hidden["draft_id"], actor=actor())
    except RecordRejected as exc:
        errors: dict[str, str] = {}
        for path, rule, told in _findings(exc):
            where = ef.field_of_path(path, state.kind)
            said = str(RULES[rule]) if rule in RULES else ""
            # "required" says it all; other rules keep the validator's detail (the limit)
            errors.setdefault(where, said if rule == "minCount" else _joined(said, told))
        return _form(state, hidden, status=422, errors=errors,
                     problem="" if errors else exc.message)
    except (PreconditionFailed, Conflict, NotFound) as exc:
        return _form(state, hidden, status=409, stale=exc.message)
    return redirect(f"{page_url(record.id, record.kind)}?published={record.version}", 303)


def _form(state: ef.FormState, hidden: dict[str, Any], *, status: int = 200,
          errors: dict[str, str] | None = None, problem: str = "", stale: str = "",
          notice: str = "") -> BaseResponse:
    lang = current_language()
    errors = {**state.problems, **(errors or {})}
    fields = ef.fields_of(state.kind)
    chosen: dict[str, list[tuple[str, str]]] = {}
    store = node().store
    for spec in fields:
        value = state.values.get(spec.term)
        if spec.widget == "concepts":
            picks = list(value or [])
            offered = ef.concept_choices(spec, lang, picks)
            known = {iri for iri, _ in offered}
            offered += [(iri, label) for iri, label in state.found.get(spec.term, [])
                        if iri not in known]
            chosen[spec.term] = offered
        elif spec.widget == "records":
            picks = [v for v in value or [] if isinstance(v, str)]
            held = store.get_many(picks)
            rows = [(i, record_name(held[i].body, lang) if i in held else i) for i in picks]
            rows += [(i, label) for i, label in state.found.get(spec.term, [])
                     if i not in picks]
            chosen[spec.term] = rows
        elif spec.widget == "concept":
            assert spec.scheme is not None
            chosen[spec.term] = ef.concept_choices(
                ef.Field(spec.term, "concepts", False, True, scheme=spec.scheme), lang,
                [value] if value else [])
    missing = {spec.term: [f"{language_name(tag)} ({tag})" for tag in state.langs
                           if not (state.values.get(spec.term) or {}).get(tag, "").strip()]
               for spec in fields if spec.widget == "text"}
    current = None
    if hidden.get("record_id"):
        current = store.get(hidden["record_id"])
    title = gettext("New %(kind)s", kind=gettext(state.kind)) if not hidden.get(
        "record_id") else gettext("Edit: %(name)s", name=record_name(
            current.body, lang) if current else hidden["record_id"])
    return page("web/editor.html", status, title=title, state=state, fields=fields,
                hidden=hidden, chosen=chosen, errors=errors, problem=problem, stale=stale,
                notice=notice, missing=missing, current=current,
                add_langs=_languages_to_add(state.langs),
                language_name=language_name, field_id=ef.field_id, label=field_label)


@bp.route(f"{LIST}/<collection>/<uuid:record_uuid>/retire", methods=["GET", "POST"])
@editor_required
def retire(collection: str, record_uuid: Any) -> BaseResponse:
    """Retire a record: a confirmation page, then its signed tombstone replaces it."""
    current = _own(collection, record_uuid)
    if current is None:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    record_id = current.id
    name = record_name(current.body, current_language())
    if request.method == "GET":
        return page("web/retire.html", title=gettext("Retire %(name)s", name=name),
                    record=current, name=name, stale="")
    base = request.form.get("base_version", "")
    if request.form.get("confirm") != "yes":
        return page("web/retire.html", 400, title=gettext("Retire %(name)s", name=name),
                    record=current, name=name,
                    stale=gettext("Tick the box to confirm."))
    try:
        _editor().retire(record_id, base_version=int(base) if base.isdigit() else 0,
                         actor=actor())
    except (PreconditionFailed, Conflict) as exc:
        return page("web/retire.html", 409, title=gettext("Retire %(name)s", name=name),
                    record=current, name=name, stale=exc.message)
    return redirect(f"{LIST}?done=retired", 303)
