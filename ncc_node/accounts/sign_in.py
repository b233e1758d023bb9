"""Checking a sign-in: name and password against the stored Argon2 hash, rate-limited.

Failed tries are counted in the store against the account name and against the client's
address (every worker process of the node sees the same counts, and a restart forgets none):
past ``web.sign_in_attempts`` failures for one name, or ``web.sign_in_attempts_per_address``
from one address, within ``web.sign_in_window_s`` seconds, further tries are refused without
checking the password until the oldest failure leaves the window (OWASP Authentication Cheat
Sheet, "Protect against automated attacks"). Unknown names count like known ones and cost one
Argon2 run too, so neither the answer nor its timing tells whether an account exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..errors import SignInFailed, TooManyAttempts
from ..store import Store, User
from ..timestamps import format_timestamp, parse_timestamp, utc_now
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password
from .users import normalise_name

__all__ = ["sign_in"]


def _wait(store: Store, key: str, limit: int, window: int, now_text: str, since: str) -> int:
    """Seconds until ``key`` may try again (0: now)."""
    failures = store.sign_in_failures(key, since=since)
    if len(failures) < limit:
        return 0
    frees_at = parse_timestamp(failures[len(failures) - limit]) + timedelta(seconds=window)
    return max(1, int((frees_at - parse_timestamp(now_text)).total_seconds()))


def sign_in(store: Store, settings: Mapping[str, Any], name: str, password: str, *,
            address: str) -> User:
    """The live account ``name`` (or its e-mail) whose password this is; else SignInFailed,
    or TooManyAttempts while the name or the address has failed too often."""
    window = int(settings["web.sign_in_window_s"])
    now = utc_now()
    now_text = format_timestamp(now)
    since = format_timestamp(now - timedelta(seconds=window))
    name = normalise_name(name)
    keys = {f"name:{name}": int(settings["web.sign_in_attempts"]),
            f"address:{address}": int(settings["web.sign_in_attempts_per_address"])}
    wait = max(_wait(store, key, limit, window, now_text, since) for key, limit in keys.items())
    if wait:
        raise TooManyAttempts(f"too many failed sign-ins; try again in {wait} s", wait)
    user = store.user(name=name) if name else None
    stored_hash = user.password_hash if user is not None else None
    matches = verify_password(stored_hash or dummy_hash(), password)
    if user is None or stored_hash is None or not matches or user.disabled:
        store.note_sign_in_failure(list(keys), at=now_text, forget_before=since)
        raise SignInFailed("that name and password do not match an active account")
    store.clear_sign_in_failures(f"name:{name}")
    changes: dict[str, Any] = {"last_sign_in": now_text}
    if needs_rehash(stored_hash):
        changes["password_hash"] = hash_password(password)
    return store.update_user(user.id, **changes)
