"""Password hashing with Argon2id (RFC 9106) through argon2-cffi's ``PasswordHasher``.

The library's defaults are RFC 9106's second recommended option (64 MiB, three passes); the
parameters travel inside each hash, so raising them later rehashes old accounts at their next
sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["MIN_LENGTH", "check_strength", "hash_password", "needs_rehash", "verify_password"]

#: NIST SP 800-63B §5.1.1.2 asks for at least 8; a shared editorial account deserves more.
MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing is bounded work whatever a form sends


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_strength(password: str) -> str | None:
    """Why ``password`` is refused for a new account, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if len(set(password)) < 4:
        return "a password needs more than three different characters"
    return None


def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string: algorithm, parameters, salt and digest) of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Does ``password`` match the stored hash? (constant-time in the library)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Was the hash made with weaker parameters than the current ones?"""
    return _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches, verified for unknown names so their timing gives nothing
    away (a sign-in with an unknown name costs one Argon2 run, like a wrong password)."""
    return hash_password("unused password for timing, never a real account's")
