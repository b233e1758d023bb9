"""The node's own records: publishing (mint, validate, sign, store) and the digest over them.
"""

from .digest import digest, digest_lines, hash_lines
from .editing import Editor
from .moderation import Moderation
from .publish import MINTED, Publisher, Upsert, payload_of
from .served import served_record

__all__ = [
    "MINTED",
    "Editor",
    "Moderation",
    "Publisher",
    "Upsert",
    "digest",
    "digest_lines",
    "hash_lines",
    "payload_of",
    "served_record",
]
