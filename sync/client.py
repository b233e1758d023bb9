"""HTTP access to one peer: its descriptor and its feed (the I/O edge of sync, CONVENTIONS §6).

Every request has a connect and a read timeout, and a total deadline (``sync.request_deadline_s``,
headers and body however slowly they trickle: :mod:`sync.deadline`); a page's retries share
``sync.page_deadline_s`` and every request of a round the peer's budget (``until``). Connection
errors and 5xx answers are retried a bounded number of times with exponential backoff and jitter;
bodies are streamed and cut off past ``sync.max_response_bytes``; redirects are followed only
while they stay on the peer's own scheme, host and port (architecture §9). Failures are typed
:class:`~sync.errors.SyncError` subclasses naming the peer and the reason.

Besides the descriptor and the feed, the repair resources of protocol.md §6.1–§6.2: items by id,
digests, the digest index, and the descriptor's history.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3Error

from ncc_node import ROSTER_MAX_BYTES

from .config import SyncOptions
from .deadline import deadline
from .errors import (
    BadResponse,
    BudgetExhausted,
    PeerHttpError,
    PeerTimeout,
    PeerUnreachable,
    RedirectRefused,
    ResponseTooLarge,
    SyncError,
)
from .feedpage import FeedPage, parse_feed_page
from .wire import ACCEPT_ENCODING, ACCEPTED_CODINGS, request_bytes, response_head_bytes

__all__ = ["MAX_IDS", "MAX_REDIRECTS", "PeerClient", "same_origin"]

MAX_REDIRECTS = 5
MAX_IDS = 50  # ids per GET /feed/items: keeps the URL far below common limits
CHUNK_BYTES = 64 * 1024
ERROR_BODY_BYTES = 16 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, base_url: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``base_url``."""
    return _origin(url) == _origin(base_url)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class PeerClient:
    """Requests to one peer over an injected :class:`requests.Session`."""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session,
        options: SyncOptions,
        user_agent: str,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.options = options
        self.user_agent = user_agent
        self.sleep = sleep
        self.jitter = jitter
        self.requests = 0  # attempts made, redirects included
        self.until: float | None = None  # time.monotonic() past which no request starts
        self.wire_bytes = 0  # requests and responses as sent and received, heads included
        self.body_bytes = 0  # response bodies after decompression, all requests together

    # -- the two resources ----------------------------------------------------------------------
    def get_descriptor(self) -> tuple[dict[str, Any], bytes]:
        """``GET <base>/node``: the peer's signed descriptor, parsed, and its exact bytes."""
        body = self._get("/node", {}, accept="application/ld+json")
        try:
            value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadResponse(self.base_url, f"descriptor is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise BadResponse(self.base_url, "descriptor is not a JSON object")
        return value, body

    def get_roster(self) -> bytes:
        """``GET <base>/roster``: the federation roster the peer holds, its exact bytes (checked
        by the caller against the roster keys pinned here: the peer is only a mirror)."""
        return self._get("/roster", {}, accept="application/json", limit=ROSTER_MAX_BYTES)

    def get_feed(self, after: str | None, limit: int, scope: str) -> FeedPage:
        """``GET <base>/feed?after=&limit=&scope=``: one page, each item with its exact bytes."""
        params: dict[str, Any] = {"limit": limit, "scope": scope}
        if after is not None:
            params["after"] = after
        body = self._get("/feed", params, accept="application/json")
        return parse_feed_page(body, peer=self.base_url)

    def get_items(self, ids: list[str]) -> FeedPage:
        """``GET <base>/feed/items?id=…``: the stored states of these ids that the peer holds
        (at most :data:`MAX_IDS`), each with its exact bytes."""
        body = self._get("/feed/items", {"id": ids[:MAX_IDS]}, accept="application/json")
        return parse_feed_page(body, peer=self.base_url, listing=True)

    def get_digest(self, scope: str, origin: str | None = None) -> dict[str, Any]:
        """``GET <base>/feed/digest``: count and digest per origin (with ``origin``: of that
        origin, with its buckets)."""
        params: dict[str, Any] = {"scope": scope}
        if origin is not None:
            params["origin"] = origin
        return self._get_json("/feed/digest", params)

    def get_index(self, origin: str, bucket: str | None, after: str | None,
                  limit: int) -> dict[str, Any]:
        """``GET <base>/feed/index``: (id, version, proofValue) of an origin's records."""
        params: dict[str, Any] = {"origin": origin, "limit": limit}
        if bucket is not None:
            params["bucket"] = bucket
        if after is not None:
            params["after"] = after
        return self._get_json("/feed/index", params)

    def get_history(self, origin: str, after: int) -> FeedPage:
        """``GET <base>/node/history?origin=&after=``: the origin's descriptor versions after
        ``after``, oldest first, each with its exact bytes."""
        body = self._get("/node/history", {"origin": origin, "after": after},
                         accept="application/json")
        return parse_feed_page(body, peer=self.base_url, listing=True)

    def _get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = self._get(path, params, accept="application/json")
        try:
            value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadResponse(self.base_url, f"{path} is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise BadResponse(self.base_url, f"{path} is not a JSON object")
        return value

    # -- one GET, with retries --------------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any], *, accept: str,
             limit: int | None = None) -> bytes:
        url = self.base_url + path + (f"?{urlencode(params, doseq=True)}" if params else "")
        page_until = time.monotonic() + self.options.page_deadline_s
        attempt = 0
        while True:
            seconds = self._seconds_left(page_until)
            try:
                return self._bounded(url, accept, seconds,
                                     limit or self.options.max_response_bytes)
            except SyncError as exc:
                if not exc.retryable or attempt >= self.options.retries:
                    raise
            # exponential backoff with jitter: spreads retries of many workers apart
            delay = self.options.backoff_s * (2 ** attempt) * (0.5 + self.jitter())
            attempt += 1
            if delay > 0:
                self.sleep(min(delay, max(0.0, page_until - time.monotonic())))

    def _seconds_left(self, page_until: float) -> float:
        """How long the next attempt may take: the request deadline, cut to what is left of
        the page's and of the round's budget (a typed error if nothing is left)."""
        now = time.monotonic()
        if self.until is not None and now >= self.until:
            raise BudgetExhausted(self.base_url, f"the round's budget of "
                                                 f"{self.options.peer_budget_s:g} s is spent")
        if now >= page_until:
            raise PeerTimeout(self.base_url, f"page not complete within "
                                             f"{self.options.page_deadline_s:g} s, retries "
                                             "included")
        ends = [page_until, now + self.options.request_deadline_s]
        if self.until is not None:
            ends.append(self.until)
        return min(ends) - now

    def _bounded(self, url: str, accept: str, seconds: float, limit: int) -> bytes:
        """One request and its redirects, done within ``seconds`` in all or cut."""
        with deadline(seconds) as watch:
            try:
                body = self._follow(url, accept, limit)
            except SyncError:
                if not watch.expired:
                    raise
                body = None
        if watch.expired and self.until is not None and time.monotonic() >= self.until:
            raise BudgetExhausted(self.base_url, f"the round's budget of "
                                                 f"{self.options.peer_budget_s:g} s ran out "
                                                 "during a request")
        if watch.expired:  # a cut body may even look complete: never use it
            raise PeerTimeout(self.base_url, f"request not complete within {seconds:.3g} s "
                                             "(total deadline)")
        assert body is not None
        return body

    def _follow(self, url: str, accept: str, limit: int) -> bytes:
        headers = {"User-Agent": self.user_agent, "Accept": accept,
                   "Accept-Encoding": ACCEPT_ENCODING}
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, headers)
            try:
                if response.is_redirect:
                    target = urljoin(url, response.headers["Location"])
                    if not same_origin(target, self.base_url):
                        raise RedirectRefused(self.base_url, f"redirect to {target} leaves the "
                                                             "peer's scheme, host and port")
                    url = target
                    continue
                if response.status_code != 200:
                    raise PeerHttpError(self.base_url, response.status_code,
                                        self._error_message(response))
                return self._read(response, limit)
            finally:
                response.close()
        raise RedirectRefused(self.base_url, f"more than {MAX_REDIRECTS} redirects")

    def _send(self, url: str, headers: dict[str, str]) -> requests.Response:
        self.requests += 1
        timeout = (self.options.connect_timeout_s, self.options.read_timeout_s)
        try:
            return self.session.get(url, headers=headers, timeout=timeout, stream=True,
                                    allow_redirects=False)
        except requests.exceptions.ConnectTimeout as exc:
            raise PeerUnreachable(self.base_url, f"connect timeout: {exc}") from None
        except requests.exceptions.ReadTimeout:
            raise PeerTimeout(self.base_url, f"no response within "
                                             f"{self.options.read_timeout_s} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise PeerUnreachable(self.base_url, f"cannot connect: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise BadResponse(self.base_url, f"request failed: {exc}") from None

    def _read(self, response: requests.Response, limit: int) -> bytes:
        """Read the body in chunks, stopping as soon as it passes ``limit`` bytes."""
        declared = response.headers.get("Content-Length", "")
        coding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if coding not in ("identity", *ACCEPTED_CODINGS):
            raise BadResponse(self.base_url, f"content coding {coding!r} was not asked for")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(self.base_url, f"response of {declared} bytes exceeds the "
                                                  f"limit of {limit}")
        deadline = time.monotonic() + self.options.read_timeout_s
        chunks: list[bytes] = []
        size = 0
        self.wire_bytes += request_bytes(response) + response_head_bytes(response)
        try:
            for chunk in response.raw.stream(CHUNK_BYTES, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise ResponseTooLarge(self.base_url, f"response exceeds the limit of "
                                                          f"{limit} bytes")
                if time.monotonic() > deadline:
                    raise PeerTimeout(self.base_url, f"body not complete within "
                                                     f"{self.options.read_timeout_s} s")
                chunks.append(chunk)
        except ReadTimeoutError:
            raise PeerTimeout(self.base_url, f"peer stalled for {self.options.read_timeout_s} s "
                                             "while sending the body") from None
        except ProtocolError as exc:
            raise BadResponse(self.base_url, f"truncated response: {exc}",
                              retryable=True) from None
        except DecodeError as exc:
            raise BadResponse(self.base_url, f"cannot decode the {coding} body: {exc}") from None
        except Urllib3Error as exc:
            raise BadResponse(self.base_url, f"cannot read the response: {exc}",
                              retryable=True) from None
        finally:
            self.wire_bytes += response.raw.tell()
            self.body_bytes += size
        return b"".join(chunks)

    def _error_message(self, response: requests.Response) -> str:
        """The peer's error code and message (protocol.md §4 error shape), if it sent one."""
        try:
            body = self._read(response, ERROR_BODY_BYTES)
            error = json.loads(body.decode("utf-8"))["error"]
            return f"{error['code']}: {error['message']}"
        except (SyncError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return response.reason or "error"
