"""Accounts of the people who edit a node: create, change role, disable, set a password.

Every change is written to the audit log with who made it (``actor``: ``user:<name>`` for a
person in the browser, ``cli:<command>`` for the operator's shell).
"""

from __future__ import annotations

import re

from ..errors import Conflict, NotFound, RequestInvalid
from ..store import Store, User
from ..timestamps import format_timestamp, utc_now
from .passwords import check_strength, hash_password

__all__ = ["ROLES", "add_user", "normalise_name", "set_disabled", "set_password", "set_role"]

#: editor: create, edit and retire records, the review queue; admin: also accounts, peers,
#: moderation and tokens (an admin may do everything an editor may)
ROLES = ("editor", "admin")

_NAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,99}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_name(name: str) -> str:
    """A sign-in name as stored: trimmed and lower case (names never differ by case)."""
    return name.strip().lower()


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise RequestInvalid(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(store: Store, name: str, *, role: str, password: str | None, actor: str,
             email: str | None = None, display_name: str = "",
             oidc_subject: str | None = None) -> User:
    """Create an account; a password (checked for strength) or an OIDC subject is needed."""
    name = normalise_name(name)
    if not _NAME.fullmatch(name):
        raise RequestInvalid(f"{name!r} is not a sign-in name: 2-100 characters of a-z, 0-9 "
                             "and . _ @ + -, starting with a letter or digit")
    if email is not None:
        email = normalise_name(email)
        if not _EMAIL.fullmatch(email):
            raise RequestInvalid(f"{email!r} is not an e-mail address")
    if password is None and oidc_subject is None and email is None:
        # without a password the account signs in through the identity provider, which
        # finds it by its verified e-mail address (ncc_node/web/oidc.py)
        raise RequestInvalid("an account needs a password, or an e-mail address to sign in "
                             "with through the identity provider")
    if password is not None and (why := check_strength(password)):
        raise RequestInvalid(why)
    user = store.add_user(User(
        id=0, name=name, role=_check_role(role), created=format_timestamp(utc_now()),
        email=email, display_name=display_name.strip(),
        password_hash=None if password is None else hash_password(password),
        oidc_subject=oidc_subject))
    store.audit(actor=actor, action="user.add", detail=f"{user.name} as {user.role}")
    return user


def _existing(store: Store, name: str) -> User:
    user = store.user(name=normalise_name(name))
    if user is None:
        raise NotFound(f"no account named {name!r}")
    return user


def _last_admin(store: Store, user: User) -> bool:
    """Would changing ``user`` leave no live admin account?"""
    return user.role == "admin" and not user.disabled and not any(
        other.role == "admin" and not other.disabled and other.id != user.id
        for other in store.users())


def set_role(store: Store, name: str, role: str, *, actor: str) -> User:
    """Give an account another role (its sessions end: they carry the old role's rights)."""
    user = _existing(store, name)
    if _check_role(role) != "admin" and _last_admin(store, user):
        raise Conflict(f"{user.name} is the last admin; make another admin first")
    changed = store.update_user(user.id, role=role, end_sessions=True)
    store.audit(actor=actor, action="user.role", detail=f"{user.name}: {user.role} -> {role}")
    return changed


def set_disabled(store: Store, name: str, disabled: bool, *, actor: str) -> User:
    """Disable an account (every session of it ends at once) or enable it again."""
    user = _existing(store, name)
    if disabled and _last_admin(store, user):
        raise Conflict(f"{user.name} is the last admin; make another admin first")
    when = format_timestamp(utc_now()) if disabled else None
    changed = store.update_user(user.id, disabled=when, end_sessions=disabled)
    store.audit(actor=actor, action="user.disable" if disabled else "user.enable",
                detail=user.name)
    return changed


def set_password(store: Store, name: str, password: str, *, actor: str) -> User:
    """Set a new password (checked for strength); every other session of the account ends."""
    user = _existing(store, name)
    if why := check_strength(password):
        raise RequestInvalid(why)
    changed = store.update_user(user.id, password_hash=hash_password(password),
                                end_sessions=True)
    store.audit(actor=actor, action="user.password", detail=user.name)
    return changed
