"""A stand-in for an operator's identity provider (outside the project): a minimal OpenID
Connect provider on 127.0.0.1, port 0, serving discovery, an authorization endpoint that signs
in whoever :attr:`Provider.identity` names, a token endpoint and its JWKS.

ID tokens are real RS256 JWTs (joserfc) with the nonce the node sent; the token endpoint checks
the client's secret (client_secret_basic), the code, the redirect URI and the PKCE verifier
(RFC 7636, S256), as a provider would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Provider:
    """The provider's state: who signs in next, the codes handed out, its signing key."""

    client_id: str
    client_secret: str
    identity: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={
        "kid": "test-key", "use": "sig", "alg": "RS256"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: BaseWSGIServer | None = None
    forge: bool = False  # sign ID tokens with another key (a forged answer)

    def metadata(self) -> dict[str, Any]:
        return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"]}

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return Response("bad request", 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": args.get("nonce"), "redirect_uri": args["redirect_uri"],
                            "challenge": args.get("code_challenge")}
        query = urlencode({"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def token(self, request: Request) -> Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return Response('{"error": "invalid_client"}', 401, mimetype="application/json")
        grant = self.codes.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or grant["redirect_uri"] != request.form.get("redirect_uri") \
                or grant["challenge"] != challenge:
            return Response('{"error": "invalid_grant"}', 400, mimetype="application/json")
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **self.identity}
        key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}) if self.forge \
            else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        return Response(json.dumps({"access_token": secrets.token_urlsafe(16),
                                    "token_type": "Bearer", "expires_in": 300,
                                    "id_token": id_token}), mimetype="application/json")

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration":
            response = Response(json.dumps(self.metadata()), mimetype="application/json")
        elif request.path == "/jwks":
            response = Response(json.dumps(KeySet([self.key]).as_dict(private=False)),
                                mimetype="application/json")
        elif request.path == "/authorize":
            response = self.authorize(request)
        elif request.path == "/token" and request.method == "POST":
            response = self.token(request)
        else:
            response = Response("not found", 404)
        return response(environ, start_response)


def start_provider(client_id: str, client_secret: str) -> Provider:
    """Serve a provider on 127.0.0.1, port 0 (stop it with ``provider.server.shutdown()``)."""
    provider = Provider(client_id, client_secret)
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    provider.server = server
    provider.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True).start()
    return provider
