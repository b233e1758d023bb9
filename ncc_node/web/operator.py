"""The operator page's sign-in: an admin token from ``Authorization: Bearer`` or from a cookie
set by the sign-in form.

The cookie holds the token itself (HttpOnly, SameSite=Strict, path ``/web/operator``) and every
request checks it against the stored hashes like a bearer header, so there is no session
secret to configure and revoking the token (``ncc token revoke``) ends the sign-in at once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from werkzeug.wrappers import Response

from ..context import node
from ..errors import NccError
from ..identity import authenticate
from ..store import Token

COOKIE = "ncc_admin"
PATH = "/web/operator"


def cross_site() -> str | None:
    """Why a state-changing POST is refused as cross-site, or None (Fetch Metadata, RFC 6454).

    A browser names the page a form was sent from in ``Origin`` (and ``Sec-Fetch-Site``); a
    form on another site posting to the sign-in or sign-out (login CSRF) is refused. The
    node's own origins are its ``base_url`` and the host the request was sent to. A client
    that sends neither header is no browser and carries no ambient cookie to abuse.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {site}"
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    own = {request.host_url.rstrip("/")}
    base = node().settings["node.base_url"]
    if base:
        parts = urlsplit(base)
        own.add(f"{parts.scheme}://{parts.netloc}")
    return None if origin.rstrip("/") in own else f"Origin: {origin}"


def private(response: Response) -> Response:
    """Operator pages hold peers' state and the sign-in: never stored by a browser or proxy."""
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def presented_token() -> str | None:
    """The ``Authorization`` header, else the cookie as a bearer header, else None."""
    header = request.headers.get("Authorization")
    if header:
        return header
    secret = request.cookies.get(COOKIE)
    return f"Bearer {secret}" if secret else None


def admin(authorization: str | None) -> tuple[Token | None, NccError | None]:
    """The admin token presented, or the error that refuses it (None, None: nothing given)."""
    if authorization is None:
        return None, None
    try:
        return authenticate(node().store, authorization, "admin"), None
    except NccError as exc:
        return None, exc


def keep_token(response: Response, secret: str) -> None:
    """Remember a checked token for the operator page."""
    response.set_cookie(COOKIE, secret, path=PATH, httponly=True, samesite="Strict",
                        secure=request.is_secure)


def forget_token(response: Response) -> None:
    """Sign out: drop the cookie."""
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="Strict",
                           secure=request.is_secure)
