"""The feed's opaque cursor (DESIGN §6): today ``base64url("1:<seq>")``, no padding.

Core, not web: the sync daemon puts the head cursor of its own feed in push notifications, and
receivers compare it with the cursor they hold.
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["CURSOR_FORMAT", "decode_cursor", "encode_cursor"]

CURSOR_FORMAT = "1"


def encode_cursor(seq: int) -> str:
    """The opaque cursor standing for "everything up to sequence number ``seq``"."""
    raw = f"{CURSOR_FORMAT}:{seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> int:
    """The sequence number of a cursor this node handed out (ValueError otherwise)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor of this node") from None
    version, _, number = raw.partition(":")
    if version != CURSOR_FORMAT or not number.isdigit() or encode_cursor(int(number)) != cursor:
        raise ValueError("not a cursor of this node")
    return int(number)
