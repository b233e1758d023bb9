"""Signing in and out, and the signed-in person's own page."""

from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import MIN_LENGTH, check_strength, set_password, sign_in
from ..context import node
from ..errors import SignInFailed, TooManyAttempts
from .auth import (
    SIGN_IN,
    actor,
    current_user,
    editor_required,
    safe_next,
    sign_in_user,
    sign_out_user,
)
from .oidc import oidc_label
from .pages import bp, page


@bp.route(SIGN_IN, methods=["GET", "POST"])
def sign_in_page() -> BaseResponse:
    """Sign in with a name (or e-mail) and password."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target, 303)
        return _form(target)
    name = request.form.get("name", "")
    password = request.form.get("password", "")
    errors = {field: gettext("This field is required.") for field, value
              in (("name", name.strip()), ("password", password)) if not value}
    if errors:
        return _form(target, 400, errors=errors, name=name)
    context = node()
    try:
        user = sign_in(context.store, context.settings, name, password,
                       address=request.remote_addr or "unknown")
    except TooManyAttempts as exc:
        response = _form(target, 429, problem=gettext(
            "Too many failed sign-ins. Try again in %(seconds)s seconds.",
            seconds=exc.retry_after),
                         name=name)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except SignInFailed:
        return _form(target, 401, name=name, problem=gettext(
            "That name and password do not match an active account."))
    sign_in_user(user)
    context.store.audit(actor=f"user:{user.name}", action="session.sign_in",
                        detail=request.remote_addr or "")
    return redirect(target, 303)


def _form(target: str, status: int = 200, *, errors: dict[str, str] | None = None,
          problem: str = "", name: str = "") -> BaseResponse:
    return page("web/sign_in.html", status, title=gettext("Sign in"), next=target,
                errors=errors or {}, problem=problem, name=name, sso=oidc_label())


@bp.post("/web/sign-out")
def sign_out() -> BaseResponse:
    """End the session."""
    if current_user.is_authenticated:
        node().store.audit(actor=f"user:{current_user.name}", action="session.sign_out")
    sign_out_user()
    return redirect("/", 303)


@bp.get("/web/account")
@editor_required
def account() -> BaseResponse:
    """The signed-in person's account: name, role, and what they may do."""
    return _account_page(done=request.args.get("done") == "password")


def _account_page(status: int = 200, *, errors: dict[str, str] | None = None,
                  done: bool = False) -> BaseResponse:
    return page("web/account.html", status, title=gettext("Your account"), account=current_user,
                errors=errors or {}, done=done)


@bp.post("/web/account/password")
@editor_required
def change_password() -> BaseResponse:
    """Change one's own password: the current one (rate-limited like a sign-in), the new one
    twice. Every other session of the account ends; this one goes on."""
    form = {key: request.form.get(key, "") for key in ("current", "new", "again")}
    errors = {key: gettext("This field is required.") for key, value in form.items()
              if not value}
    if not errors and form["new"] != form["again"]:
        errors["again"] = gettext("The two new passwords differ.")
    if not errors and check_strength(form["new"]):
        errors["new"] = gettext("Choose a longer password: at least %(n)s characters, not "
                                "just a few repeated ones.", n=MIN_LENGTH)
    context = node()
    if not errors:
        try:
            sign_in(context.store, context.settings, current_user.name, form["current"],
                    address=request.remote_addr or "unknown")
        except TooManyAttempts as exc:
            errors["current"] = gettext(
                "Too many failed sign-ins. Try again in %(seconds)s seconds.",
                seconds=exc.retry_after)
        except SignInFailed:
            errors["current"] = gettext("That is not your current password.")
    if errors:
        return _account_page(400, errors=errors)
    changed = set_password(context.store, current_user.name, form["new"], actor=actor())
    sign_in_user(changed)  # the new epoch ended every session; this one starts again
    return redirect("/web/account?done=password", 303)
