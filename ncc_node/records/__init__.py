"""The node's own records: publishing (mint, validate, sign, store) and the digest over them.
"""

from .digest import digest, digest_lines, hash_lines
from .publish import COLLECTIONS, MINTED, Publisher, payload_of

__all__ = [
    "COLLECTIONS",
    "MINTED",
    "Publisher",
    "digest",
    "digest_lines",
    "hash_lines",
    "payload_of",
]
