"""Operator tokens: random secrets shown once, stored only as SHA-256 hashes, with scopes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping

from vocab import N_

from ..errors import Forbidden, RequestInvalid, Unauthorized
from ..store import Store, Token

#: what a token of each scope may do through the API (``ncc token --scope``, docs/operations.md);
#: admin implies write (:func:`authenticate`). Peers and tokens are managed outside the API.
#: The admin tokens page says the same in the reader's language (``ncc_node.web.labels``;
#: babel.cfg extracts the texts marked ``N_`` here).
SCOPE_ALLOWS: Mapping[str, str] = {
    "write": N_("publish, update and retire this node's records, work its drafts and the "
                "review queue"),
    "admin": N_("all that write allows, and the sync status (GET /sync/status) and "
                "moderation: hide and unhide records and origins, retry quarantined items"),
}
SCOPES = frozenset(SCOPE_ALLOWS)
PREFIX = "ncc_"


def hash_token(secret: str) -> str:
    """The stored form of a token: hex SHA-256 (the secret has 256 bits of entropy)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str, scopes: Iterable[str], *,
                 actor: str | None = None) -> tuple[Token, str]:
    """Create a token; return it and its secret, which is never stored or shown again.

    ``actor`` (``user:<name>``, ``cli:<command>``) is written to the audit log with it.
    """
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise RequestInvalid("a token's name must be 1-100 printable characters")
    wanted = frozenset(scopes)
    unknown = wanted - SCOPES
    if not wanted or unknown:
        raise RequestInvalid(f"scopes must be a non-empty subset of {sorted(SCOPES)}, "
                             f"got {sorted(wanted)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    return store.add_token(name, hash_token(secret), sorted(wanted), actor=actor), secret


def authenticate(store: Store, authorization: str | None, scope: str) -> Token:
    """Check an ``Authorization: Bearer`` header for a live token holding ``scope``."""
    if not authorization:
        raise Unauthorized("this operation needs Authorization: Bearer <token>")
    kind, _, secret = authorization.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    token = store.token_by_hash(hash_token(secret.strip()))
    if token is None:
        raise Unauthorized("unknown or revoked token")
    # admin implies write: an operator who may moderate may also publish
    if scope not in token.scopes and not (scope == "write" and "admin" in token.scopes):
        raise Forbidden(f"token {token.name!r} lacks the {scope!r} scope")
    return token
