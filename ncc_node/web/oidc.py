"""Signing in through the operator's identity provider: OpenID Connect, where configured.

Authlib's Flask client does the protocol (OpenID Connect Core 1.0 §3.1, the authorization code
flow, with PKCE, RFC 7636): it reads the provider's discovery document from ``web.oidc_issuer``,
sends the browser there with a ``state`` and a ``nonce`` kept in the session, exchanges the code
for tokens and checks the ID token's signature (the provider's JWKS), issuer, audience, expiry
and nonce. This module only maps the verified identity to an account of the node: the account
already bound to that subject, else the account whose e-mail or name is the identity's
*verified* e-mail (and the subject is bound to it from then on). Nobody gets an account by
signing in: an admin creates it first (``ncc user add NAME --email ADDRESS``).
"""

from __future__ import annotations

import os
from typing import Any

from authlib.integrations.base_client import OAuthError
from flask import Flask, current_app, redirect, request, session
from flask_babel import gettext
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from ..accounts import normalise_name
from ..context import NodeContext, node
from ..errors import ConfigError
from ..store import User
from .auth import safe_next, sign_in_user
from .pages import bp, page

__all__ = ["init_oidc", "oidc_label"]

EXTENSION = "ncc_oidc"
START = "/web/sign-in/sso"
CALLBACK = "/web/sign-in/sso/callback"


def init_oidc(app: Flask, context: NodeContext) -> None:
    """Register the identity provider when ``web.oidc_issuer`` is set (else nothing)."""
    settings = context.settings
    issuer = settings["web.oidc_issuer"]
    if not issuer:
        return
    from authlib.integrations.flask_client import OAuth

    client_id = settings["web.oidc_client_id"]
    secret = os.environ.get(settings["web.oidc_client_secret_env"], "")
    if not client_id or not secret:
        raise ConfigError(f"web.oidc_issuer is set: web.oidc_client_id and the client secret "
                          f"(environment variable {settings['web.oidc_client_secret_env']}) "
                          "are needed too")
    oauth = OAuth(app)
    oauth.register(
        "sso", client_id=client_id, client_secret=secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 15})
    app.extensions[EXTENSION] = oauth


def oidc_label() -> str | None:
    """What the sign-in page's button names (None: no identity provider configured)."""
    if EXTENSION not in current_app.extensions:
        return None
    return str(node().settings["web.oidc_label"])


def _client() -> Any:
    return current_app.extensions[EXTENSION].sso


def _refused(message: str, status: int = 403) -> Response:
    return page("web/refused.html", status, title=gettext("Sign in"), reason=message)


@bp.get(START)
def sso_start() -> Response:
    """Send the browser to the identity provider."""
    if EXTENSION not in current_app.extensions:
        return _refused(gettext("This node has no identity provider configured."), 404)
    session["sso_next"] = safe_next(request.args.get("next"))
    response: Response = _client().authorize_redirect(node().identity.base_url + CALLBACK)
    return response


def _account(claims: dict[str, Any]) -> User | None:
    """The account this verified identity signs in to (binding the subject on first use)."""
    store = node().store
    subject = f"{claims['iss']}|{claims['sub']}"
    user = store.user(oidc_subject=subject)
    if user is not None:
        return user
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    user = store.user(name=normalise_name(email))
    if user is None or user.oidc_subject is not None:
        return None
    bound = store.update_user(user.id, oidc_subject=subject)
    store.audit(actor=f"user:{user.name}", action="user.link_sso", detail=subject)
    return bound


@bp.get(CALLBACK)
def sso_callback() -> Response:
    """The identity provider's answer: check it, then sign the account in."""
    if EXTENSION not in current_app.extensions:
        return _refused(gettext("This node has no identity provider configured."), 404)
    try:
        token = _client().authorize_access_token()
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        # a refused or forged answer (state, code, ID token signature or claims)
        return _refused(gettext("The identity provider's answer was not accepted: %(why)s",
                                why=str(exc) or type(exc).__name__), 400)
    claims = dict(token.get("userinfo") or {})
    user = _account(claims) if claims.get("sub") and claims.get("iss") else None
    if user is None or user.disabled:
        who = claims.get("email") or claims.get("sub") or "?"
        return _refused(gettext("No active account on this node belongs to %(who)s. Ask an "
                                "admin of this node to add one with your e-mail address.",
                                who=who))
    target = safe_next(session.pop("sso_next", None))
    sign_in_user(user)
    node().store.audit(actor=f"user:{user.name}", action="session.sign_in",
                       detail=f"sso {request.remote_addr or ''}".strip())
    return redirect(target, 303)
