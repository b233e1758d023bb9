"""The SQL of push shared between processes: subscribers and the leader's inbox (sync/push.py).

A mixin of :class:`~ncc_node.store.sqlite.SqliteStore`, and so of the PostgreSQL store too: the
statements are the same on both backends (``?`` placeholders; ``DELETE … RETURNING`` is in both).
Several ``ncc serve`` processes on one PostgreSQL database run one sync daemon that leads; these
tables are how the others' HTTP workers reach it, and how a new leader knows the subscribers.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from .base import PushSubscriber


class PushSql:
    """Push's reads and writes (a mixin: ``_reader`` and ``_transaction`` are the store's)."""

    @property
    def _reader(self) -> Any:  # provided by the store
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[Any]:  # provided by the store
        raise NotImplementedError

    def push_subscribers(self) -> list[PushSubscriber]:
        """See :meth:`Store.push_subscribers`."""
        rows = self._reader.execute(
            "SELECT callback, scope, expires, told FROM push_subscribers "
            "ORDER BY callback, scope").fetchall()
        return [PushSubscriber(str(r[0]), str(r[1]), int(r[2]), r[3]) for r in rows]

    def save_push_subscriber(self, subscriber: PushSubscriber) -> None:
        """See :meth:`Store.save_push_subscriber`."""
        with self._transaction() as writer:
            writer.conn.execute(
                "INSERT INTO push_subscribers (callback, scope, expires, told) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (callback, scope) DO UPDATE SET "
                "expires = excluded.expires, told = excluded.told",
                (subscriber.callback, subscriber.scope, subscriber.expires, subscriber.told))

    def drop_push_subscriber(self, callback: str, scope: str) -> None:
        """See :meth:`Store.drop_push_subscriber`."""
        with self._transaction() as writer:
            writer.conn.execute("DELETE FROM push_subscribers WHERE callback = ? AND scope = ?",
                                (callback, scope))

    def post_push_message(self, message: str) -> None:
        """See :meth:`Store.post_push_message`."""
        with self._transaction() as writer:
            writer.conn.execute("INSERT INTO push_inbox (message) VALUES (?)", (message,))

    def take_push_messages(self, *, limit: int) -> list[str]:
        """See :meth:`Store.take_push_messages`."""
        if self._reader.execute("SELECT 1 FROM push_inbox LIMIT 1").fetchone() is None:
            return []  # the usual case, polled every second: a read, no write lock
        with self._transaction() as writer:
            rows = writer.conn.execute(
                "DELETE FROM push_inbox WHERE id IN (SELECT id FROM push_inbox ORDER BY id "
                "LIMIT ?) RETURNING id, message", (limit,)).fetchall()
        return [str(message) for _, message in sorted(rows)]
