"""Who is signed in to the pages: Flask-Login over a signed session cookie, and the guards.

The session is Flask's signed cookie (itsdangerous, HMAC-SHA1 over a key the node makes once and
keeps in its store, so every worker process signs alike). It holds the account's id and
*session epoch*: disabling an account, changing its role or its password raises the epoch, and
every cookie carrying the old one stops naming anyone at once. A session ends after
``web.session_idle_minutes`` without a request (the cookie's signed timestamp, renewed on each
request) and ``web.session_max_hours`` after signing in, however active.

Views use :func:`editor_required` / :func:`admin_required` and :data:`current_user`;
:func:`actor` names the signed-in person for the audit log.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from flask import Flask, redirect, request, session
from flask_babel import gettext
from flask_login import AnonymousUserMixin, LoginManager, login_user, logout_user
from flask_login import current_user as _current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from ..context import NodeContext, node
from ..store import User
from .labels import ROLES
from .pages import page

__all__ = ["Account", "actor", "admin_required", "current_user", "editor_required",
           "init_auth", "safe_next", "sign_in_user", "sign_out_user"]

SIGN_IN = "/web/sign-in"
COOKIE = "ncc_session"
View = TypeVar("View", bound=Callable[..., Any])


class Account:
    """The signed-in person as Flask-Login sees them (wraps the stored :class:`User`)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    def is_active(self) -> bool:
        """Disabled accounts never sign in."""
        return self.user.disabled is None

    def get_id(self) -> str:
        """The session's reference to the account: ``<id>.<epoch>`` (see the module doc)."""
        return f"{self.user.id}.{self.user.session_epoch}"

    @property
    def name(self) -> str:
        """The sign-in name."""
        return self.user.name

    @property
    def label(self) -> str:
        """What the pages call the person: the display name, else the sign-in name."""
        return self.user.display_name or self.user.name

    @property
    def role(self) -> str:
        """editor or admin."""
        return self.user.role

    @property
    def is_admin(self) -> bool:
        """May manage accounts, peers, moderation and tokens."""
        return self.user.role == "admin"

    @property
    def is_editor(self) -> bool:
        """May create, edit and retire records (admins may too)."""
        return self.user.role in ("editor", "admin")


class PagesLoginManager(LoginManager):
    """Flask-Login without its remember-me cookie, which the node never sets.

    Its after-request hook reads the session on every response to refresh that cookie, and a
    read session makes Flask add ``Vary: Cookie``: every API response (feeds, records) would
    then vary by cookie for caches. Only the pages touch the session here.
    """

    def _update_remember_cookie(self, response: Response) -> Response:
        return response


class Anonymous(AnonymousUserMixin):
    """Nobody signed in: no role."""

    role = ""
    is_admin = False
    is_editor = False
    name = ""
    label = ""


#: The signed-in :class:`Account`, or an :class:`Anonymous` (``is_authenticated`` False).
current_user: Any = _current_user


def _load(session_id: str) -> Account | None:
    user_id, _, epoch = session_id.partition(".")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    context = node()
    signed_in_at = session.get("signed_in_at")
    max_age = context.settings["web.session_max_hours"] * 3600
    if not isinstance(signed_in_at, int) or time.time() - signed_in_at > max_age:
        return None
    user = context.store.user(user_id=int(user_id))
    if user is None or user.disabled or user.session_epoch != int(epoch):
        return None
    return Account(user)


def _unauthorized() -> Response:
    """Not signed in: to the sign-in page, coming back here afterwards."""
    target = request.full_path if request.query_string else request.path
    return redirect(f"{SIGN_IN}?next={quote(target, safe='/')}", 303)


def init_auth(app: Flask, context: NodeContext) -> None:
    """Configure the session cookie, Flask-Login and CSRF protection on ``app``."""
    settings = context.settings
    app.secret_key = context.store.node_secret("session", lambda: secrets.token_urlsafe(48))
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(settings["node.base_url"] or "").startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings["web.session_idle_minutes"]),
        # the pages check tokens themselves (pages.py): the API's bearer-token POSTs carry no
        # cookie to abuse and no CSRF token
        WTF_CSRF_CHECK_DEFAULT=False,
        # a form is good as long as the session it was made in
        WTF_CSRF_TIME_LIMIT=max(1, int(settings["web.session_max_hours"] * 3600)),
    )
    manager = PagesLoginManager(app)
    manager.user_loader(_load)
    manager.unauthorized_handler(_unauthorized)
    manager.anonymous_user = Anonymous
    CSRFProtect(app)


def sign_in_user(user: User) -> None:
    """Start a session for ``user``: a fresh cookie (nothing of the anonymous one is kept)."""
    session.clear()
    login_user(Account(user))
    session.permanent = True
    session["signed_in_at"] = int(time.time())


def sign_out_user() -> None:
    """End the session."""
    logout_user()
    session.clear()


def actor() -> str:
    """The audit log's name for the signed-in person: ``user:<name>``."""
    return f"user:{current_user.name}" if current_user.is_authenticated else "anonymous"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this node only (never ``//host`` or a URL)."""
    # browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    # "/\t/host" or "/\\host" would leave the node as surely as "//host" (WHATWG URL)
    if not target or not target.startswith("/") or target.startswith("//") \
            or any(ch == "\\" or ch.isspace() or ord(ch) < 32 for ch in target):
        return "/web/account"
    return target


def _guard(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _unauthorized()
            if not allowed(current_user):
                return page("web/refused.html", 403, title=gettext("Not allowed"),
                            reason=gettext("Your role (%(role)s) may not open this page.",
                                           role=str(ROLES.get(current_user.role, ""))))
            return view(*args, **kwargs)
        return cast(View, guarded)
    return decorate


#: A view for any signed-in editor or admin; others are sent to the sign-in page.
editor_required = _guard(lambda user: user.is_editor)
#: A view for admins only: an editor gets 403, someone not signed in the sign-in page.
admin_required = _guard(lambda user: user.is_admin)
