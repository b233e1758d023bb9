"""Push: peers subscribe to this node's feed and are told when it moved (docs/protocol.md §7).

Shaped after W3C WebSub: a subscriber asks the publisher (the "hub") at ``/push/subscriptions``
for a lease on a topic (``<base>/feed?scope=own|all``) with its callback (``<base>/push``); the
publisher's sync daemon verifies the intent with a ``GET`` of the callback carrying a challenge,
which the subscriber echoes only for a topic it pulls; then each time the feed moves the
publisher ``POST``s the callback a small notification: the topic and its new head cursor.

A notification is only a hint. It needs no trust because it changes nothing by itself: the
receiver's daemon pulls the peer through the ordinary verified path, so a lie costs one request.
Only configured peers are followed or notified (DESIGN §9: a node talks to its peers alone), and
notifications are rate-limited per publisher. The endpoints hand what came in to the sync daemon
(:mod:`ncc_node.push_channel`); without a daemon they answer 503.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import Flask, Response, jsonify, request
from flask.views import MethodView
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from ..context import NodeContext, node
from ..errors import Forbidden, NotFound, PayloadTooLarge, RequestInvalid
from ..push_channel import (
    callback_for,
    channel_address,
    parse_topic,
    send_to_daemon,
    topic_for,
)
from .incoming import json_body
from .openapi import Blueprint
from .schemas import ErrorSchema

MAX_NOTIFICATION_BYTES = 4096
F = TypeVar("F", bound=Callable[..., Response])
NOTIFICATION_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["topic"], "additionalProperties": False,
    "properties": {"topic": {"type": "string", "maxLength": 2000,
                             "description": "`<publisher base>/feed?scope=own|all`"},
                   "head": {"type": "string", "nullable": True, "maxLength": 200,
                            "description": "The feed's cursor after its last item."}}}}}}

blp = Blueprint("push", __name__, url_prefix="/push",
                description="Push: subscriptions to this node's feed, and notifications that a "
                            "peer's feed moved (hints; the node then pulls).")


class RateLimits:
    """A token bucket per publisher: ``burst`` notifications at once, then ``rate`` a second."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, max(1, burst), clock
        self.buckets: dict[str, tuple[float, float]] = {}  # publisher -> (tokens, at)
        self.lock = threading.Lock()

    def take(self, publisher: str) -> float:
        """0 if a notification of ``publisher`` may pass now, else the seconds to wait."""
        now = self.clock()
        with self.lock:
            tokens, at = self.buckets.get(publisher, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1:
                self.buckets[publisher] = (tokens - 1, now)
                return 0.0
            self.buckets[publisher] = (tokens, now)
            return (1 - tokens) / self.rate if self.rate > 0 else 60.0


def _push_on(context: NodeContext) -> None:
    if not context.settings["push.enabled"]:
        raise NotFound("push is turned off on this node ([push] enabled = false)")


def _followed(context: NodeContext, topic: str, *,
              any_scope: bool = False) -> tuple[str, str] | None:
    """The configured peer and the scope a topic names, if this node pulls that peer in that
    scope (or, with ``any_scope``, in either)."""
    parsed = parse_topic(topic)
    if parsed is None:
        return None
    for peer in context.settings["peers"]:
        if peer["base_url"] == parsed[0].rstrip("/") and (any_scope or
                                                          peer["scope"] == parsed[1]):
            return peer["base_url"], parsed[1]
    return None


def _hand_over(context: NodeContext, message: dict[str, Any],
               answer: dict[str, Any]) -> Response:
    """Pass ``message`` to the sync daemon; 202 with ``answer``, or 503 without a daemon."""
    if not send_to_daemon(channel_address(context.settings.path("node.data_dir")), message):
        raise ServiceUnavailable("no sync daemon takes push messages for this node now "
                                 "(the pull interval still applies)")
    response = jsonify(answer)
    response.status_code = 202
    return response


def _handed_over(accepted: str, *errors: tuple[int, str]) -> Callable[[F], F]:
    """Document a POST that :func:`_hand_over` answers: 202, its own errors, 503."""
    def decorate(func: F) -> F:
        func = blp.alt_response(503, schema=ErrorSchema,
                                description="No sync daemon runs now.")(func)
        for status, description in reversed(errors):
            func = blp.alt_response(status, schema=ErrorSchema, description=description)(func)
        return blp.alt_response(202, schema={"type": "object"}, success=True,
                                description=accepted)(func)
    return decorate


class VerificationSchema(ma.Schema):
    """A publisher checking that this node asked for (or gave up) its notifications."""

    class Meta:
        unknown = ma.EXCLUDE  # WebSub lets hubs add parameters

    mode = ma.fields.String(data_key="hub.mode", required=True,
                            validate=ma.validate.OneOf(["subscribe", "unsubscribe"]))
    topic = ma.fields.String(data_key="hub.topic", required=True)
    challenge = ma.fields.String(data_key="hub.challenge", required=True,
                                 validate=ma.validate.Length(min=1, max=200))
    lease_seconds = ma.fields.Integer(data_key="hub.lease_seconds")


class NotificationSchema(ma.Schema):
    """A peer's notification that its feed moved: the topic and the new head cursor."""

    topic = ma.fields.String(required=True, validate=ma.validate.Length(max=2000),
                             metadata={"description": "`<base>/feed?scope=own|all`."})
    head = ma.fields.String(load_default=None, allow_none=True,
                            validate=ma.validate.Length(max=200),
                            metadata={"description": "The feed's cursor after its last item."})


class SubscriptionSchema(ma.Schema):
    """A WebSub subscription request (form-encoded)."""

    mode = ma.fields.String(data_key="hub.mode", required=True,
                            validate=ma.validate.OneOf(["subscribe", "unsubscribe"]))
    callback = ma.fields.String(data_key="hub.callback", required=True,
                                validate=ma.validate.Length(max=2000))
    topic = ma.fields.String(data_key="hub.topic", required=True,
                             validate=ma.validate.Length(max=2000))
    lease_seconds = ma.fields.Integer(data_key="hub.lease_seconds",
                                      validate=ma.validate.Range(min=1))


@blp.route("")
class Callback(MethodView):
    """This node's callback for the peers it follows."""

    @blp.arguments(VerificationSchema(), location="query")
    @blp.alt_response(200, schema={"type": "string"}, content_type="text/plain", success=True,
                      description="The challenge, echoed: yes, this node wants that.")
    @blp.alt_response(404, schema=ErrorSchema,
                      description="This node did not ask for that (or push is off).")
    def get(self, args: dict[str, Any]) -> Response:
        """Answer a publisher's verification of intent (WebSub §5.3)"""
        context = node()
        _push_on(context)
        followed = _followed(context, args["topic"]) is not None
        if followed != (args["mode"] == "subscribe"):
            raise NotFound(f"this node did not ask to {args['mode']} {args['topic']}")
        return Response(args["challenge"], mimetype="text/plain")

    @blp.doc(requestBody=NOTIFICATION_BODY)
    @_handed_over("Taken as a hint: the peer is pulled soon.",
                  (400, "Not a notification."),
                  (404, "This node does not follow that feed (or push is off)."),
                  (413, "The body is too large."), (415, "The body is not JSON."),
                  (429, "Too many notifications from that peer (`Retry-After`)."))
    def post(self) -> Response:
        """Take a notification that a followed peer's feed moved (a hint, never trusted)"""
        context = node()
        _push_on(context)
        if (request.content_length or 0) > MAX_NOTIFICATION_BYTES:
            raise PayloadTooLarge(f"a notification is at most {MAX_NOTIFICATION_BYTES} bytes")
        try:
            args = NotificationSchema().load(json_body())
        except ma.ValidationError as exc:
            raise RequestInvalid(f"not a notification: {exc.messages}") from None
        # either scope: a peer that just started tells all its peers its head (sync.push)
        followed = _followed(context, args["topic"], any_scope=True)
        if followed is None:
            raise NotFound(f"this node does not follow {args['topic']}")
        wait = request_limits().take(followed[0])
        if wait > 0:
            raise TooManyRequests(f"too many notifications from {followed[0]}",
                                  retry_after=max(1, round(wait)))
        return _hand_over(context, {"kind": "hint", "peer": followed[0], "scope": followed[1],
                                    "head": args["head"]}, {"queued": True})


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    """Subscriptions to this node's feed."""

    @blp.arguments(SubscriptionSchema(), location="form")
    @_handed_over("Accepted; the callback is verified before notifications go.",
                  (400, "The topic is not this node's feed."),
                  (403, "The callback is not `<base>/push` of a configured peer."),
                  (404, "Push is off on this node."))
    def post(self, args: dict[str, Any]) -> Response:
        """Subscribe a peer's callback to this node's feed, or unsubscribe it (WebSub §5.1)"""
        context = node()
        _push_on(context)
        own = context.settings["node.base_url"].rstrip("/")
        parsed = parse_topic(args["topic"])
        if parsed is None or parsed[0] != own:
            raise RequestInvalid(f"the topic must be {topic_for(own, 'own')} or "
                                 f"{topic_for(own, 'all')}")
        peers = [peer["base_url"] for peer in context.settings["peers"]]
        if args["callback"] not in {callback_for(base) for base in peers}:
            raise Forbidden("only this node's configured peers may subscribe, with the "
                            "callback <peer base URL>/push")
        lease = min(args.get("lease_seconds") or context.settings["push.lease_s"],
                    context.settings["push.lease_s"])
        return _hand_over(context, {"kind": args["mode"], "callback": args["callback"],
                                    "scope": parsed[1], "lease": lease},
                          {"lease_seconds": lease})


def request_limits() -> RateLimits:
    """The app's notification rate limits."""
    from flask import current_app

    limits: RateLimits = current_app.extensions["ncc_push_limits"]
    return limits


def register_nudges(app: Flask) -> None:
    """Rate limits for notifications, and a nudge to the daemon after each successful write
    (it then compares the feed's head with what its subscribers were last told)."""
    settings = app.extensions["ncc"].settings
    app.extensions["ncc_push_limits"] = RateLimits(settings["push.rate_per_s"],
                                                   settings["push.rate_burst"])
    if not settings["push.enabled"]:
        return
    address = channel_address(settings.path("node.data_dir"))

    def nudge(response: Response) -> Response:
        if (request.method not in ("GET", "HEAD", "OPTIONS") and 200 <= response.status_code < 300
                and request.blueprint != "push"):
            send_to_daemon(address, {"kind": "moved"})
        return response

    app.after_request(nudge)
