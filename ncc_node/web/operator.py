"""The pages' first guard on a state-changing POST: is the form from this node's own pages?

Checked before the CSRF token (:mod:`.pages`): a browser names the page a form was sent from in
``Origin`` (and ``Sec-Fetch-Site``), so a form on another site posting here is refused at once,
sign-in (login CSRF) included.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from ..context import node


def cross_site() -> str | None:
    """Why a state-changing POST is refused as cross-site, or None (Fetch Metadata, RFC 6454).

    The node's own origins are its ``base_url`` and the host the request was sent to. A client
    that sends neither header is no browser and carries no ambient cookie to abuse (it still
    needs the session's CSRF token).
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
