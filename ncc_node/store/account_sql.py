"""SQL of people's accounts: users, failed sign-ins, the audit log and the node's secrets.

Mixins of :class:`~ncc_node.store.sqlite.SqliteStore` (reads on its reader connection, writes
in its own transactions) and of its writer (the audit row, inside the caller's transaction so a
record and the row naming who wrote it commit together). Kept apart from the record SQL so the
PostgreSQL store can port it as one piece.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import fields
from typing import Any

from ..errors import Conflict, NotFound
from ..timestamps import format_timestamp, utc_now
from .base import AuditEntry, User

__all__ = ["AccountSql", "AuditWrites"]

_USER_COLUMNS = tuple(f.name for f in fields(User))
_SELECT_USER = f"SELECT {', '.join(_USER_COLUMNS)} FROM users"
# what update_user may change (id, name and created never change)
_CHANGEABLE = frozenset(_USER_COLUMNS) - {"id", "name", "created", "session_epoch"}
_AUDIT_COLUMNS = ("id", "at", "actor", "action", "record_id", "version", "detail")


def _user(row: Sequence[Any]) -> User:
    return User(**dict(zip(_USER_COLUMNS, row, strict=True)))


class AuditWrites:
    """Writer side: the audit row (a mixin: ``conn`` is the writer's connection)."""

    conn: sqlite3.Connection

    def audit(self, *, actor: str, action: str, record_id: str | None = None,
              version: int | None = None, detail: str = "") -> None:
        """See :meth:`Writer.audit`."""
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, record_id, version, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (format_timestamp(utc_now()), actor, action, record_id, version, detail))


class AccountSql:
    """Read and write side of accounts (a mixin of the store)."""

    @property
    def _reader(self) -> sqlite3.Connection:  # provided by SqliteStore
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[Any]:  # provided by SqliteStore
        raise NotImplementedError

    # -- users ----------------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        """See :meth:`Store.add_user`."""
        values = {c: getattr(user, c) for c in _USER_COLUMNS if c != "id"}
        with self._transaction() as writer:
            conn = writer.conn
            taken = conn.execute("SELECT name FROM users WHERE name = ? OR email = ? "
                                 "OR name = ? OR email = ?",
                                 (user.name, user.name, user.email, user.email)).fetchone()
            if taken:
                raise Conflict(f"an account {taken[0]!r} already has that name or e-mail")
            row = conn.execute(
                f"INSERT INTO users ({', '.join(values)}) VALUES "
                f"({', '.join('?' for _ in values)}) RETURNING id",
                tuple(values.values())).fetchone()
        return User(**{**values, "id": int(row[0])})

    def user(self, *, user_id: int | None = None, name: str | None = None,
             oidc_subject: str | None = None) -> User | None:
        """See :meth:`Store.user`."""
        if user_id is not None:
            row = self._reader.execute(f"{_SELECT_USER} WHERE id = ?", (user_id,)).fetchone()
        elif name is not None:
            row = self._reader.execute(f"{_SELECT_USER} WHERE name = ? OR email = ? "
                                       "ORDER BY name = ? DESC LIMIT 1",
                                       (name, name, name)).fetchone()
        elif oidc_subject is not None:
            row = self._reader.execute(f"{_SELECT_USER} WHERE oidc_subject = ?",
                                       (oidc_subject,)).fetchone()
        else:
            raise TypeError("user() needs user_id, name or oidc_subject")
        return None if row is None else _user(row)

    def users(self) -> list[User]:
        """See :meth:`Store.users`."""
        return [_user(row) for row in self._reader.execute(f"{_SELECT_USER} ORDER BY name")]

    def update_user(self, user_id: int, *, end_sessions: bool = False,
                    **changes: Any) -> User:
        """See :meth:`Store.update_user`."""
        unknown = sorted(set(changes) - _CHANGEABLE)
        if unknown:
            raise TypeError(f"update_user cannot change {', '.join(unknown)}")
        sets = [f"{column} = ?" for column in changes]
        if end_sessions:
            sets.append("session_epoch = session_epoch + 1")
        with self._transaction() as writer:
            if sets:
                writer.conn.execute(f"UPDATE users SET {', '.join(sets)} WHERE id = ?",
                                    (*changes.values(), user_id))
            row = writer.conn.execute(f"{_SELECT_USER} WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise NotFound(f"no account with id {user_id}")
        return _user(row)

    # -- sign-in failures (rate limiting, ncc_node/accounts) ------------------------------------
    def note_sign_in_failure(self, keys: Sequence[str], *, at: str, forget_before: str) -> None:
        """See :meth:`Store.note_sign_in_failure`."""
        with self._transaction() as writer:
            writer.conn.execute("DELETE FROM sign_in_failures WHERE at < ?", (forget_before,))
            writer.conn.executemany("INSERT INTO sign_in_failures (key, at) VALUES (?, ?)",
                                    [(key, at) for key in keys])

    def sign_in_failures(self, key: str, *, since: str) -> list[str]:
        """See :meth:`Store.sign_in_failures`."""
        rows = self._reader.execute(
            "SELECT at FROM sign_in_failures WHERE key = ? AND at >= ? ORDER BY at, id",
            (key, since))
        return [str(row[0]) for row in rows]

    def clear_sign_in_failures(self, key: str) -> None:
        """See :meth:`Store.clear_sign_in_failures`."""
        with self._transaction() as writer:
            writer.conn.execute("DELETE FROM sign_in_failures WHERE key = ?", (key,))

    # -- the audit log --------------------------------------------------------------------------
    def audit_log(self, *, limit: int = 100, before: int | None = None,
                  record_id: str | None = None, actor: str | None = None) -> list[AuditEntry]:
        """See :meth:`Store.audit_log`."""
        where, params = ["1 = 1"], []
        for clause, value in (("id < ?", before), ("record_id = ?", record_id),
                              ("actor = ?", actor)):
            if value is not None:
                where.append(clause)
                params.append(value)
        rows: Iterator[Sequence[Any]] = self._reader.execute(
            f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit_log WHERE {' AND '.join(where)} "
            "ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AuditEntry(**dict(zip(_AUDIT_COLUMNS, row, strict=True))) for row in rows]

    # -- the node's secrets ---------------------------------------------------------------------
    def node_secret(self, name: str, make: Callable[[], str]) -> str:
        """See :meth:`Store.node_secret`."""
        row = self._reader.execute("SELECT value FROM node_secrets WHERE name = ?",
                                   (name,)).fetchone()
        if row is not None:
            return str(row[0])
        with self._transaction() as writer:
            # another process may have made it between the read and this write: keep the first
            writer.conn.execute("INSERT INTO node_secrets (name, value) VALUES (?, ?) "
                                "ON CONFLICT DO NOTHING", (name, make()))
            row = writer.conn.execute("SELECT value FROM node_secrets WHERE name = ?",
                                      (name,)).fetchone()
        return str(row[0])
