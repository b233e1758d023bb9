"""Proof sets and chains (Data Integrity §2.1.2): a document's proofs, and what a chain signs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import MalformedProof

__all__ = ["previous_proofs", "proof_list"]


def proof_list(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the document's proofs as a list (one proof or a set); MalformedProof if none."""
    proof = document.get("proof")
    if proof is None:
        raise MalformedProof("proof", "missing")
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs:
        raise MalformedProof("proof", "empty proof set")
    for item in proofs:
        if not isinstance(item, Mapping):
            raise MalformedProof("proof", f"expected an object, got {type(item).__name__}")
    return proofs


def previous_proofs(proofs: Sequence[Mapping[str, Any]], previous: object) -> list[Any]:
    """Return the proofs that ``previousProof`` names, in the order of the proof set (§4.2)."""
    if isinstance(previous, str):
        wanted = {previous}
    elif isinstance(previous, list) and previous and all(isinstance(p, str) for p in previous):
        wanted = set(previous)
    else:
        raise MalformedProof("previousProof", "expected a proof id or a list of proof ids")
    matching = [proof for proof in proofs if proof.get("id") in wanted]
    found = {proof.get("id") for proof in matching}
    if found != wanted or len(matching) != len(wanted):
        missing = sorted(wanted - found) or sorted(wanted)
        raise MalformedProof("previousProof", f"does not name exactly one proof each: {missing}")
    return matching
