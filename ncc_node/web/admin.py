"""Admin pages: the accounts of the node and the audit log of every change."""

from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import MIN_LENGTH, ROLES, add_user, check_strength, set_disabled, set_role
from ..context import node
from ..errors import Conflict, NccError
from .auth import actor, admin_required
from .pages import bp, page

USERS = "/web/admin/users"
AUDIT = "/web/admin/audit"
AUDIT_PAGE = 50


def _users_page(status: int = 200, **values: object) -> BaseResponse:
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return page("web/admin_users.html", status, title=gettext("Accounts"),
                users=node().store.users(), roles=ROLES, **values)


@bp.get(USERS)
@admin_required
def users() -> BaseResponse:
    """Every account: role, state, last sign-in; forms to add, change and disable."""
    return _users_page(done=request.args.get("done", ""))


@bp.post(USERS)
@admin_required
def add_account() -> BaseResponse:
    """Add an account (the new person signs in with the password given here)."""
    form = {key: request.form.get(key, "").strip() for key in ("name", "email", "role")}
    password = request.form.get("password", "")
    errors = {key: gettext("This field is required.") for key in ("name", "role") if not form[key]}
    if not password:
        errors["password"] = gettext("This field is required.")
    elif check_strength(password):
        errors["password"] = gettext("Choose a longer password: at least %(n)s characters, "
                                     "not just a few repeated ones.", n=MIN_LENGTH)
    if not errors:
        try:
            add_user(node().store, form["name"], role=form["role"], password=password,
                     email=form["email"] or None, actor=actor())
        except Conflict:
            errors["name"] = gettext("An account already has that name or e-mail address.")
        except NccError as exc:  # the name or the e-mail address is not one
            errors["email" if "e-mail" in exc.message else "name"] = gettext(
                "Not accepted: %(why)s", why=exc.message)
    if errors:
        return _users_page(400, errors=errors, form=form)
    return redirect(f"{USERS}?done=added", 303)


@bp.post(f"{USERS}/<name>/role")
@admin_required
def change_role(name: str) -> BaseResponse:
    """Give an account another role."""
    try:
        set_role(node().store, name, request.form.get("role", ""), actor=actor())
    except NccError as exc:
        return _users_page(exc.http_status, problem=exc.message)
    return redirect(f"{USERS}?done=role", 303)


@bp.post(f"{USERS}/<name>/state")
@admin_required
def change_state(name: str) -> BaseResponse:
    """Disable an account (its sessions end) or enable it again."""
    disable = request.form.get("disabled") == "1"
    try:
        set_disabled(node().store, name, disable, actor=actor())
    except NccError as exc:
        return _users_page(exc.http_status, problem=exc.message)
    return redirect(f"{USERS}?done={'disabled' if disable else 'enabled'}", 303)


@bp.get(AUDIT)
@admin_required
def audit() -> BaseResponse:
    """The audit log, newest first: who changed what record to which version, and when."""
    before = request.args.get("before", type=int)
    record = request.args.get("record") or None
    who = request.args.get("actor") or None
    rows = node().store.audit_log(limit=AUDIT_PAGE + 1, before=before, record_id=record,
                                  actor=who)
    more = rows[AUDIT_PAGE - 1].id if len(rows) > AUDIT_PAGE else None
    return page("web/admin_audit.html", title=gettext("Audit log"), rows=rows[:AUDIT_PAGE],
                record=record or "", who=who or "", more=more)
