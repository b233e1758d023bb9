"""Follow the rotations an origin made while this node was not looking (protocol.md §6.2).

A descriptor version is taken only if it follows the held one by key continuity, one version
at a time (protocol-proofs.md §7). A feed carries only an origin's latest descriptor, so an
origin that rotated twice between two rounds sends a version whose signers the held version
never listed: ``rotation_rejected``. The worker then asks for every version after the held one
(``GET <base>/node/history?origin=<iri>&after=<held version>``) — from the origin itself if it
is a configured peer, else from the peer that relayed it — and checks them in order, each
against the one before; it stops at the first that does not follow. Once per origin per round.
"""

from __future__ import annotations

from .decided import Decided, Round
from .errors import BudgetExhausted, SyncError
from .knowledge import PageKnowledge

__all__ = ["walk_history"]

MAX_VERSIONS = 1000  # versions walked per origin and round at most


def walk_history(run: Round, origin: str, knowledge: PageKnowledge) -> list[Decided]:
    """The descriptor versions of ``origin`` after the held one that follow by continuity,
    oldest first; each is counted in ``knowledge`` (they are committed with the page)."""
    if origin in run.walked:
        return []
    run.walked.add(origin)
    held = knowledge.held(origin)
    if held is None:
        return []
    sources = []
    if run.policy.is_direct(origin):
        sources.append(origin.removesuffix("/node"))
    sources.append(run.peer.base_url)
    walked: list[Decided] = []
    for base_url in dict.fromkeys(sources):
        after = held.version
        while len(walked) < MAX_VERSIONS:
            try:
                page = run.client_for(base_url).get_history(origin, after)
            except BudgetExhausted:
                raise
            except SyncError:
                break  # try the next source
            progressed = False
            for item in page.items:
                value = item.value if isinstance(item.value, dict) else {}
                if value.get("id") != origin or not isinstance(value.get("version"), int) \
                        or value["version"] <= after:
                    continue
                verdict = run.check(item.raw, item.value, knowledge, via=base_url)
                if verdict.reason == "duplicate":
                    after, progressed = value["version"], True
                    continue
                if not verdict.accepted or verdict.record is None:
                    break  # continuity broken here: the versions after it cannot follow
                knowledge.accept(verdict.record, item.raw)
                walked.append(Decided(verdict, item.raw, base_url))
                after, progressed = value["version"], True
            if not (page.more and progressed):
                break
        if walked:
            return walked
    return walked
