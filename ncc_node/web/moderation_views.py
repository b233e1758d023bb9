"""Review and moderation pages: the review queue (editors), hiding peers' records and origins,
the quarantine with "retry now", and each peer's health (admins)."""

from __future__ import annotations

import json

from flask import redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ..context import node
from ..errors import NccError
from ..records import Moderation
from ..reports import sync_status
from .auth import actor, admin_required, editor_required
from .editor import record_name
from .i18n import current_language
from .pages import bp, page

REVIEW = "/web/review"
MODERATION = "/web/admin/moderation"
QUARANTINE_SHOWN = 100


def _moderation() -> Moderation:
    context = node()
    return Moderation(context.store, context.publisher)


def _review_page(status: int = 200, problem: str = "") -> BaseResponse:
    lang = current_language()
    held = [{"record": r, "name": record_name(r.payload, lang),
             "description": record_name({"name": r.payload.get("description") or {}}, lang)}
            for r in node().store.held_records("held", limit=500)]
    rejected = node().store.held_records("rejected", limit=50)
    return page("web/review.html", status, title=gettext("Review queue"), held=held,
                rejected=rejected, problem=problem, done=request.args.get("done", ""))


@bp.get(REVIEW)
@editor_required
def review() -> BaseResponse:
    """Records an import held as suspected spam or junk, with the rules' reasons."""
    return _review_page()


@bp.post(f"{REVIEW}/<path:identifier>/<decision>")
@editor_required
def review_decide(identifier: str, decision: str) -> BaseResponse:
    """Publish a held record, or reject it with a reason."""
    reason = request.form.get("reason", "")
    try:
        if decision == "publish":
            _moderation().publish_held(identifier, by=actor(), reason=reason or None)
        elif decision == "reject":
            _moderation().reject_held(identifier, reason=reason, by=actor())
        else:
            return page("web/not_found.html", 404, title=gettext("Not found"))
    except NccError as exc:
        return _review_page(exc.http_status, problem=f"{identifier}: {exc.message}")
    return redirect(f"{REVIEW}?done={decision}", 303)


def _moderation_page(status: int = 200, problem: str = "") -> BaseResponse:
    context = node()
    lang = current_language()
    hidden = []
    for entry in context.store.hidden():
        record = context.store.get(entry.target) if entry.scope == "record" else None
        hidden.append({"entry": entry, "name": record_name(record.body, lang)
                       if record is not None else entry.target})
    origins = sorted(o for o in _origins() if o != context.identity.node_iri)
    quarantine = context.store.quarantined(limit=QUARANTINE_SHOWN)
    return page("web/moderation.html", status, title=gettext("Moderation"),
                hidden=hidden, origins=origins, quarantine=quarantine,
                sync=sync_status(context.store, context.settings), problem=problem,
                done=request.args.get("done", ""), target=request.args.get("target", ""))


def _origins() -> list[str]:
    """The node IRIs of every origin this node holds a descriptor of."""
    store = node().store
    return [json.loads(r.body)["id"] for r in store.iter_records(kind="Node")]


@bp.get(MODERATION)
@admin_required
def moderation() -> BaseResponse:
    """Hidden records and origins, the quarantine and the peers' health."""
    return _moderation_page()


@bp.post(f"{MODERATION}/hide")
@admin_required
def hide() -> BaseResponse:
    """Hide a peer's record, or every record of an origin, on this node."""
    scope = request.form.get("scope", "record")
    target = request.form.get("target", "").strip()
    relay = request.form.get("block_relay") != "yes"
    reason = request.form.get("reason", "")
    try:
        if scope == "origin":
            _moderation().hide_origin(target, reason=reason, relay=relay, by=actor())
        else:
            _moderation().hide_record(target, reason=reason, relay=relay, by=actor())
    except NccError as exc:
        return _moderation_page(exc.http_status, problem=f"{target}: {exc.message}")
    return redirect(f"{MODERATION}?done=hidden", 303)


@bp.post(f"{MODERATION}/unhide")
@admin_required
def unhide() -> BaseResponse:
    """Show a hidden record or origin again."""
    target = request.form.get("target", "")
    try:
        _moderation().unhide(target, by=actor())
    except NccError as exc:
        return _moderation_page(exc.http_status, problem=f"{target}: {exc.message}")
    return redirect(f"{MODERATION}?done=unhidden", 303)


@bp.post(f"{MODERATION}/quarantine/<int:entry_id>/retry")
@admin_required
def retry(entry_id: int) -> BaseResponse:
    """Ask for a quarantined item again at the next sync round."""
    try:
        _moderation().retry_now(entry_id, by=actor())
    except NccError as exc:
        return _moderation_page(exc.http_status, problem=exc.message)
    return redirect(f"{MODERATION}?done=retry", 303)
