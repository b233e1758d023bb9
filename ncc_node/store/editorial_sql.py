"""The SQL of editing and moderation: drafts, the review queue, hidden records and origins.

Mixins of :class:`~ncc_node.store.sqlite.SqliteStore` (reads, on its reader connection) and of
its writer (writes, inside one ``BEGIN IMMEDIATE`` transaction), kept apart so this concern has
one home. A hidden record keeps its row, its body and its sequence number (it stays verifiable
and in the feed); only its derived index entries (facets, text) are dropped, and that is what
scouting, statistics and the record lists read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ..errors import Conflict, NotFound
from ..timestamps import format_timestamp, utc_now
from .base import Draft, HeldRecord, Hidden, QuarantineEntry

_DRAFT_COLUMNS = ("id, kind, record_id, base_version, payload, revision, author, created, "
                  "updated")
_HELD_COLUMNS = ("identifier, kind, payload, reasons, source, status, held_at, decision, "
                 "decided_by, decided_at")
_HIDDEN_COLUMNS = "target, scope, reason, relay, hidden_by, hidden_at"


MAX_ROWID = 2**63 - 1  # SQLite's integers: a larger number names no row (and cannot be bound)


def _draft(row: Sequence[Any]) -> Draft:
    return Draft(int(row[0]), str(row[1]), row[2], int(row[3]), json.loads(row[4]),
                 int(row[5]), row[6], str(row[7]), str(row[8]))


def _held(row: Sequence[Any]) -> HeldRecord:
    reasons = tuple((str(rule), str(why)) for rule, why in json.loads(row[3]))
    return HeldRecord(str(row[0]), str(row[1]), json.loads(row[2]), reasons, str(row[4]),
                      str(row[5]), str(row[6]), row[7], row[8], row[9])


def _hidden(row: Sequence[Any]) -> Hidden:
    return Hidden(str(row[0]), str(row[1]), str(row[2]), bool(row[3]), row[4], str(row[5]))


def _now() -> str:
    return format_timestamp(utc_now())


class EditorialReads:
    """Read side (a mixin of the store: ``_reader`` is the thread's read connection)."""

    @property
    def _reader(self) -> sqlite3.Connection:  # provided by SqliteStore
        raise NotImplementedError

    def draft(self, draft_id: int) -> Draft | None:
        """See :meth:`Store.draft`."""
        if not 0 < draft_id <= MAX_ROWID:
            return None
        row = self._reader.execute(f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE id = ?",
                                   (draft_id,)).fetchone()
        return None if row is None else _draft(row)

    def draft_of(self, record_id: str) -> Draft | None:
        """See :meth:`Store.draft_of`."""
        row = self._reader.execute(f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE record_id = ?",
                                   (record_id,)).fetchone()
        return None if row is None else _draft(row)

    def drafts(self, *, limit: int = 100) -> list[Draft]:
        """See :meth:`Store.drafts`."""
        rows = self._reader.execute(
            f"SELECT {_DRAFT_COLUMNS} FROM drafts ORDER BY updated DESC, id DESC LIMIT ?",
            (limit,))
        return [_draft(row) for row in rows]

    def held(self, identifier: str) -> HeldRecord | None:
        """See :meth:`Store.held`."""
        row = self._reader.execute(
            f"SELECT {_HELD_COLUMNS} FROM review_queue WHERE identifier = ?",
            (identifier,)).fetchone()
        return None if row is None else _held(row)

    def held_records(self, status: str | None = "held", *, limit: int = 1000
                     ) -> list[HeldRecord]:
        """See :meth:`Store.held_records`."""
        if status is None:
            rows = self._reader.execute(
                f"SELECT {_HELD_COLUMNS} FROM review_queue ORDER BY held_at, identifier "
                "LIMIT ?", (limit,))
        else:
            rows = self._reader.execute(
                f"SELECT {_HELD_COLUMNS} FROM review_queue WHERE status = ? "
                "ORDER BY held_at, identifier LIMIT ?", (status, limit))
        return [_held(row) for row in rows]

    def hidden(self) -> list[Hidden]:
        """See :meth:`Store.hidden`."""
        rows = self._reader.execute(
            f"SELECT {_HIDDEN_COLUMNS} FROM hidden ORDER BY hidden_at DESC, target")
        return [_hidden(row) for row in rows]

    def hidden_entry(self, record_id: str, origin: str) -> Hidden | None:
        """See :meth:`Store.hidden_entry`."""
        rows = self._reader.execute(
            f"SELECT {_HIDDEN_COLUMNS} FROM hidden WHERE (target = ? AND scope = 'record') "
            "OR (target = ? AND scope = 'origin') ORDER BY scope DESC", (record_id, origin))
        row = rows.fetchone()
        return None if row is None else _hidden(row)

    def moderation_version(self) -> int:
        """See :meth:`Store.moderation_version`."""
        row = self._reader.execute(
            "SELECT value FROM counters WHERE name = 'moderation'").fetchone()
        return int(row[0]) if row else 0

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None:
        """See :meth:`Store.quarantine_entry`."""
        if not 0 < entry_id <= MAX_ROWID:
            return None
        r = self._reader.execute(
            "SELECT id, peer, record_id, reason, detail, body, received_at, times FROM quarantine "
            "WHERE id = ?", (entry_id,)).fetchone()
        return None if r is None else QuarantineEntry(r[0], r[1], r[2], r[3], r[4], bytes(r[5]),
                                                      r[6], r[7])


#: WHERE clause on a records row ``r``: hidden here (such a record keeps no index entries)
HIDDEN_ROW = ("EXISTS (SELECT 1 FROM hidden h WHERE r.kind <> 'Node' AND ((h.scope = 'record' "
              "AND h.target = r.id) OR (h.scope = 'origin' AND h.target = r.origin)))")

#: WHERE clause on a records row ``r``: not hidden on this node (lists and counts)
VISIBLE = ("NOT EXISTS (SELECT 1 FROM hidden h WHERE (h.scope = 'record' AND h.target = r.id) "
           "OR (h.scope = 'origin' AND h.target = r.origin AND r.kind <> 'Node'))")
#: WHERE clause on a records row ``r``: not hidden with relaying blocked (the scope=all feed)
RELAYED = ("NOT EXISTS (SELECT 1 FROM hidden h WHERE h.relay = 0 AND ((h.scope = 'record' "
           "AND h.target = r.id) OR (h.scope = 'origin' AND h.target = r.origin "
           "AND r.kind <> 'Node')))")


class EditorialWrites:
    """Write side (a mixin of the writer: ``conn`` is its transaction's connection)."""

    conn: sqlite3.Connection
    _hidden_targets: tuple[frozenset[str], frozenset[str]] | None = None

    def _reindex_rows(self, rowids: list[int]) -> None:
        raise NotImplementedError  # provided by SqliteWriter: index (or un-index) as now hidden

    # -- drafts --------------------------------------------------------------------------------
    def save_draft(self, *, kind: str, record_id: str | None, base_version: int,
                   payload: dict[str, Any], author: str | None, draft_id: int | None = None,
                   expect_revision: int | None = None) -> Draft:
        """See :meth:`Writer.save_draft`."""
        now = _now()
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if draft_id is None:
            if record_id is not None:
                held = self.conn.execute("SELECT id FROM drafts WHERE record_id = ?",
                                         (record_id,)).fetchone()
                if held is not None:
                    raise Conflict(f"{record_id} already has a draft (number {held[0]}): "
                                   "someone else is editing it")
            draft_id = int(self.conn.execute(
                "INSERT INTO drafts (kind, record_id, base_version, payload, revision, author, "
                "created, updated) VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                (kind, record_id, base_version, text, author, now, now)).fetchone()[0])
        else:
            row = self.conn.execute("SELECT revision FROM drafts WHERE id = ?",
                                    (draft_id,)).fetchone()
            if row is None:
                raise NotFound(f"no draft {draft_id} (published or discarded meanwhile)")
            if expect_revision is not None and int(row[0]) != expect_revision:
                raise Conflict(f"draft {draft_id} was saved by someone else meanwhile "
                               f"(revision {row[0]}, yours was {expect_revision})")
            self.conn.execute(
                "UPDATE drafts SET payload = ?, base_version = ?, revision = revision + 1, "
                "author = coalesce(?, author), updated = ? WHERE id = ?",
                (text, base_version, author, now, draft_id))
        found = self.conn.execute(f"SELECT {_DRAFT_COLUMNS} FROM drafts WHERE id = ?",
                                  (draft_id,)).fetchone()
        return _draft(found)

    def delete_draft(self, draft_id: int) -> bool:
        """See :meth:`Writer.delete_draft`."""
        return self.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount > 0

    # -- review queue --------------------------------------------------------------------------
    def hold(self, kind: str, payload: dict[str, Any], reasons: Sequence[tuple[str, str]],
             source: str) -> str:
        """See :meth:`Writer.hold`."""
        identifier = str(payload["identifier"])
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        row = self.conn.execute("SELECT payload, status FROM review_queue WHERE identifier = ?",
                                (identifier,)).fetchone()
        if row is not None and row[1] == "rejected":
            return "rejected"
        if row is not None and row[1] == "held" and row[0] == text:
            return "unchanged"
        self.conn.execute(
            "INSERT INTO review_queue (identifier, kind, payload, reasons, source, status, "
            "held_at) VALUES (?, ?, ?, ?, ?, 'held', ?) ON CONFLICT (identifier) DO UPDATE SET "
            "kind = excluded.kind, payload = excluded.payload, reasons = excluded.reasons, "
            "source = excluded.source, status = 'held', held_at = excluded.held_at, "
            "decision = NULL, decided_by = NULL, decided_at = NULL",
            (identifier, kind, text, json.dumps([list(r) for r in reasons]), source, _now()))
        return "held"

    def decide_held(self, identifier: str, status: str, *, decision: str | None,
                    by: str | None) -> bool:
        """See :meth:`Writer.decide_held`."""
        if status not in ("published", "rejected"):
            raise ValueError(f"a review decision is published or rejected, not {status!r}")
        return self.conn.execute(
            "UPDATE review_queue SET status = ?, decision = ?, decided_by = ?, decided_at = ? "
            "WHERE identifier = ?", (status, decision, by, _now(), identifier)).rowcount > 0

    # -- hidden records and origins ------------------------------------------------------------
    def hidden_targets(self) -> tuple[frozenset[str], frozenset[str]]:
        """(hidden record ids, hidden origins), read once per transaction."""
        if self._hidden_targets is None:
            rows = self.conn.execute("SELECT target, scope FROM hidden").fetchall()
            self._hidden_targets = (frozenset(t for t, s in rows if s == "record"),
                                    frozenset(t for t, s in rows if s == "origin"))
        return self._hidden_targets

    def is_hidden(self, record_id: str, origin: str, kind: str) -> bool:
        """Whether a record is hidden here (a descriptor never is: its keys are needed)."""
        ids, origins = self.hidden_targets()
        return kind != "Node" and (record_id in ids or origin in origins)

    def _rows_of(self, target: str, scope: str) -> list[int]:
        if scope == "record":
            sql = "SELECT rowid FROM records WHERE id = ? AND kind <> 'Node'"
        else:
            sql = "SELECT rowid FROM records WHERE origin = ? AND kind <> 'Node'"
        return [int(r[0]) for r in self.conn.execute(sql, (target,))]

    def _moved(self) -> None:
        self._hidden_targets = None
        self.conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'moderation'")

    def hide(self, entry: Hidden) -> int:
        """See :meth:`Writer.hide`."""
        if entry.scope not in ("record", "origin"):
            raise ValueError(f"hide a record or an origin, not {entry.scope!r}")
        self.conn.execute(
            f"INSERT INTO hidden ({_HIDDEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (target) DO UPDATE SET scope = excluded.scope, reason = "
            "excluded.reason, relay = excluded.relay, hidden_by = excluded.hidden_by, "
            "hidden_at = excluded.hidden_at",
            (entry.target, entry.scope, entry.reason, int(entry.relay), entry.hidden_by,
             entry.hidden_at))
        self._moved()
        rows = self._rows_of(entry.target, entry.scope)
        self._reindex_rows(rows)
        return len(rows)

    def unhide(self, target: str) -> int:
        """See :meth:`Writer.unhide`."""
        row = self.conn.execute("SELECT scope FROM hidden WHERE target = ?",
                                (target,)).fetchone()
        if row is None:
            return 0
        self.conn.execute("DELETE FROM hidden WHERE target = ?", (target,))
        self._moved()
        rows = self._rows_of(target, str(row[0]))
        self._reindex_rows(rows)
        return len(rows)
