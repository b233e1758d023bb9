"""What the peer client asks for and counts on the wire: content codings and bytes.

Feed pages come compressed when both sides can (``Accept-Encoding``: zstd where urllib3 has a
zstd decoder, gzip always). urllib3 (>= 2.6) decompresses a streamed body at most ``amt`` bytes
at a time, so the client's cap on the response size applies to the *decompressed* bytes as they
come out: a small compressed body that would expand to gigabytes (a "bomb") is cut off at
``sync.max_response_bytes`` having held at most one chunk in memory.
"""

from __future__ import annotations

import requests
import urllib3.response

__all__ = ["ACCEPT_ENCODING", "ACCEPTED_CODINGS", "request_bytes", "response_head_bytes"]

ACCEPTED_CODINGS: tuple[str, ...] = (
    ("zstd", "gzip") if getattr(urllib3.response, "HAS_ZSTD", False) else ("gzip",))
ACCEPT_ENCODING = ", ".join(ACCEPTED_CODINGS)


def request_bytes(response: requests.Response) -> int:
    """The size of the request line and headers that produced ``response`` (no body: GETs)."""
    sent = response.request
    head = len(f"{sent.method} {sent.path_url} HTTP/1.1\r\n")
    return head + sum(len(k) + len(str(v)) + 4 for k, v in sent.headers.items()) + 2


def response_head_bytes(response: requests.Response) -> int:
    """The size of the status line and headers of ``response``, as they came over the wire."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n")
    return head + sum(len(k) + len(v) + 4 for k, v in response.raw.headers.items()) + 2
