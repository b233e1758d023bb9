"""Rejections that damage on the way could explain are asked for again, from the source.

A flipped byte, a cut or a re-encoded item fails the rules that look at the bytes before the
proof has verified: the JSON, the context, the envelope, the proof itself. What a valid proof
covers is what the origin published, so rules decided after it (``foreign_id``, ``stale``,
``equivocation``, ``own_record``) are final. The shapes (``invalid_record``) and the keys
(``unknown_key``, ``unknown_origin``) may also pass later (a newer vocabulary, a descriptor not
yet seen), so they are retried too, up to ``sync.retry_limit``.

Two steps. At once: the page's possibly damaged items are asked for by id from the same peer
(``GET /feed/items``, protocol.md §6.1) and checked again; an item the peer sends again byte for
byte is what the peer holds, and if the origin is that peer it is final. Later rounds: an id that
still fails is noted in the store with a time for the next attempt (``sync.retry_backoff_s``,
doubling), and at the start of each round the due ids are asked for from the peer, then from its
origin if that is a configured peer, then from the other configured peers (never from a node
that is not configured, architecture §9).
"""

from __future__ import annotations

from datetime import datetime

from ncc_node import format_timestamp

from .client import MAX_IDS
from .decided import Decided, Round
from .errors import BudgetExhausted, SyncError
from .feedpage import FeedPage
from .knowledge import PageKnowledge
from .verdicts import PROOF_REASONS

__all__ = ["TRANSIENT", "refetch", "retry_due"]

#: Reasons that may come from damage on the way, or pass later: such items are asked for again.
TRANSIENT = frozenset({
    "unparseable", "not_object", "bad_context", "malformed", "unknown_origin",
    *PROOF_REASONS, "bad_descriptor", "invalid_record",
})
DUE_PER_ROUND = 1000  # ids retried per peer and round at most


def refetch(run: Round, decided: list[Decided], knowledge: PageKnowledge,
            now: datetime) -> list[Decided]:
    """Ask the peer again for the page's possibly damaged items and check them again."""
    wanted = {str(d.verdict.record_id): i for i, d in enumerate(decided)
              if d.verdict.reason in TRANSIENT and d.verdict.record_id is not None
              and d.verdict.reason != "unknown_origin"}  # that one waits for its descriptor
    if not wanted:
        return decided
    out = list(decided)
    ids = list(wanted)
    for start in range(0, len(ids), MAX_IDS):
        try:
            page = run.client_for(run.peer.base_url).get_items(ids[start:start + MAX_IDS])
        except BudgetExhausted:
            raise
        except SyncError:
            continue  # the items stay as they are, and are retried in a later round
        for item in page.items:
            value = item.value if isinstance(item.value, dict) else {}
            index = wanted.get(str(value.get("id")))
            if index is None:
                continue
            if item.raw == out[index].raw:  # the same bytes again: what the peer holds
                if out[index].verdict.origin == run.peer.node_iri:
                    run.final_ids.add(str(value.get("id")))  # the origin's own: final
                continue
            verdict = run.check(item.raw, item.value, knowledge, now=now)
            if verdict.accepted and verdict.record is not None:
                knowledge.accept(verdict.record, item.raw)
            if not verdict.rejected or verdict.reason not in TRANSIENT:
                out[index] = Decided(verdict, item.raw, run.peer.base_url)
                run.result.refetched += 1
    return out


def retry_due(run: Round) -> None:
    """Ask the sources again for the ids of this peer whose retry is due (module doc)."""
    due = run.store.due_retries(run.peer.base_url, now=format_timestamp(run.clock()),
                                limit=DUE_PER_ROUND)
    if not due:
        return
    run.retrying.update({entry.record_id: entry.attempts for entry in due})
    left = {entry.record_id: entry for entry in due}
    for base_url in _sources(run, {entry.origin for entry in due}):
        ids = sorted(left, key=lambda i: (not i.endswith("/node"), i))  # descriptors first
        for start in range(0, len(ids), MAX_IDS):
            try:
                page = run.client_for(base_url).get_items(ids[start:start + MAX_IDS])
            except BudgetExhausted:
                raise
            except SyncError:
                break  # this source is not answering: try the next
            asked = set(ids[start:start + MAX_IDS])
            page = FeedPage([item for item in page.items if isinstance(item.value, dict)
                             and item.value.get("id") in asked], "", False)
            for decided in run.apply_items(page, source=base_url):
                verdict = decided.verdict
                if not verdict.rejected or verdict.reason not in TRANSIENT:
                    left.pop(str(verdict.record_id), None)
        if not left:
            return
    run.note_unserved(list(left.values()))


def _sources(run: Round, origins: set[str | None]) -> list[str]:
    """The peer, the origins that are configured peers, then the other configured peers."""
    sources = [run.peer.base_url]
    others = {peer.node_iri: peer.base_url for peer in run.others}
    sources += [others[o] for o in sorted(filter(None, origins)) if o in others]
    sources += [peer.base_url for peer in run.others]
    return list(dict.fromkeys(sources))
