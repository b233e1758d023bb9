"""Admin pages for what reaches the node from outside: its peers and its API tokens.

Peers come from the node's configuration file alone (``[[peers]]``, read at start-up by the
server and the sync worker; :func:`sync.peers_from_settings`), so the peers page shows them with
their health and says where to change them. Tokens live in the store: an admin creates one (its
secret is shown once, on the page that answers the form, and never stored) and revokes it.
Every token change is written to the audit log in the same transaction.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ..context import node
from ..errors import Conflict, NccError
from ..identity import SCOPES, create_token
from ..reports import sync_status
from .auth import actor, admin_required
from .pages import bp, page

PEERS = "/web/admin/peers"
TOKENS = "/web/admin/tokens"


def peer_health(peer: dict[str, Any]) -> str:
    """``ok``, ``failing`` or ``never`` (not synced yet): a peer's state in one word."""
    if peer["errors"] or (peer["last_error"] and not peer["last_success"]):
        return "failing"
    return "ok" if peer["last_success"] else "never"


@bp.get(PEERS)
@admin_required
def peers() -> BaseResponse:
    """The configured peers with their health; read-only (they are set in the config file)."""
    context = node()
    status = sync_status(context.store, context.settings)
    keys = {str(entry["base_url"]).rstrip("/"): list(entry.get("keys") or [])
            for entry in context.settings["peers"]}
    configured = [{**peer, "keys": keys.get(peer["base_url"].rstrip("/"), []),
                   "health": peer_health(peer)} for peer in status["peers"] if peer["configured"]]
    former = [peer for peer in status["peers"] if not peer["configured"]]
    return page("web/admin_peers.html", title=gettext("Peers"), peers=configured,
                former=former, at=status["at"])


def _tokens_page(status: int = 200, **values: Any) -> BaseResponse:
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return page("web/admin_tokens.html", status, title=gettext("API tokens"),
                tokens=node().store.tokens(), scopes=sorted(SCOPES), **values)


@bp.get(TOKENS)
@admin_required
def tokens() -> BaseResponse:
    """Every API token: name, scopes, created, last used, revoked; forms to create and revoke."""
    return _tokens_page(done=request.args.get("done", ""))


@bp.post(TOKENS)
@admin_required
def create_api_token() -> BaseResponse:
    """Create a token and show its secret once (this answer is never cached)."""
    name = request.form.get("name", "").strip()
    scopes = request.form.getlist("scope")
    form = {"name": name, "scopes": scopes}
    errors = {}
    if not name:
        errors["name"] = gettext("This field is required.")
    if not scopes or set(scopes) - SCOPES:
        errors["scope"] = gettext("Choose at least one scope.")
    if not errors:
        try:
            created, secret = create_token(node().store, name, scopes, actor=actor())
        except Conflict:
            errors["name"] = gettext("A token already has that name.")
        except NccError as exc:
            errors["name"] = gettext("Not accepted: %(why)s", why=exc.message)
        else:
            # 201 with the secret in the page: a redirect would need to carry it somewhere
            return _tokens_page(201, created=created, secret=secret)
    return _tokens_page(400, errors=errors, form=form)


@bp.post(f"{TOKENS}/<path:name>/revoke")
@admin_required
def revoke_api_token(name: str) -> BaseResponse:
    """Revoke a token: API requests carrying it are refused from now on."""
    if not node().store.revoke_token(name, actor=actor()):
        return _tokens_page(404, problem=gettext("No live token is named %(name)s.",
                                                 name=name))
    return redirect(f"{TOKENS}?done=revoked", 303)
