"""The example records' keys (public, for documentation only) and the tool that re-signs them.

Each key is derived from a published seed, so anyone can check the examples in
docs/vocabulary.md. Never use these keys for a real node. Re-sign after editing an example:
``python -m tests.ncc_node.example_keys`` (then regenerate the docs: ``python -m vocab.docgen``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ncc_node.identity.descriptor import sign_descriptor
from ncc_node.identity.signing_key import NodeKey
from ncc_node.integrity.proofs import sign
from ncc_node.timestamps import parse_timestamp

EXAMPLES = Path(__file__).resolve().parents[2] / "vocab" / "data" / "examples"
KEY_IDS = ("https://ncc-de.example.org/node#key-1", "https://ncc-ee.example.org/node#key-1",
           "https://ncc-lu.example.org/node#key-1", "https://ncc-lu.example.org/node#key-2")


def example_key(verification_method: str) -> NodeKey:
    """The example key of a verification method: seed = SHA-256 of "ncc-example:<vm>"."""
    seed = hashlib.sha256(f"ncc-example:{verification_method}".encode()).digest()
    return NodeKey(Ed25519PrivateKey.from_private_bytes(seed), verification_method.split("#")[1])


def _created(record: dict[str, Any]) -> datetime:
    proof = record["proof"][0] if isinstance(record["proof"], list) else record["proof"]
    return parse_timestamp(proof["created"])


def resign(name: str) -> dict[str, Any]:
    """Return example ``name`` with real proofs (same created times and signers as before)."""
    record = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    created = _created(record)
    proofs = record["proof"] if isinstance(record["proof"], list) else [record["proof"]]
    signers = [example_key(p["verificationMethod"]) for p in proofs]
    unsigned = {k: v for k, v in record.items() if k != "proof"}
    if record["type"] == "Node":
        for entry in unsigned["verificationMethod"]:
            entry["publicKeyMultibase"] = example_key(entry["id"]).public_multikey
        return sign_descriptor(unsigned, signers, created=created)
    vm = proofs[0]["verificationMethod"]
    return sign(unsigned, private_key=signers[0].private_key, verification_method=vm,
                created=created)


def main() -> None:
    """Re-sign every example in place."""
    for path in sorted(EXAMPLES.glob("*.jsonld")):
        signed = resign(path.name)
        path.write_text(json.dumps(signed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"re-signed {path.name}")


if __name__ == "__main__":
    main()
