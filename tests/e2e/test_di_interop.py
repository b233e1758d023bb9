"""Our proofs checked by an independent Data Integrity implementation, and the other way round.

The independent implementation is Digital Bazaar's JavaScript stack (jsonld-signatures,
@digitalbazaar/data-integrity, @digitalbazaar/eddsa-jcs-2022-cryptosuite and
@digitalbazaar/eddsa-rdfc-2022-cryptosuite), pinned in ``tests/e2e/di_js/package-lock.json`` and
driven by ``tests/e2e/di_js/check.mjs`` with an offline document loader that serves only the
contexts we bundle. ``.ci/run`` installs Node.js and runs ``npm ci`` there; without Node or the
packages these tests skip with the reason, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from ncc_node import dump_body
from ncc_node.identity import generate_key, rotate_identity
from ncc_node.identity.descriptor import build_descriptor
from ncc_node.integrity import EDDSA_JCS_2022, EDDSA_RDFC_2022
from ncc_node.integrity.multikey import encode_secret_key
from vocab import CONTEXT_URL, DATA_INTEGRITY_V2_URL, bundled_contexts, example

from ..nodes import LiveNode, stop_all
from ..sync.conftest import FakePeer, converge, peer, worker_for

CHECK_DIR = Path(__file__).with_name("di_js")
SUITES = (EDDSA_JCS_2022, EDDSA_RDFC_2022)
FEDERATION = {"DE": EDDSA_JCS_2022, "EE": EDDSA_JCS_2022, "NL": EDDSA_RDFC_2022,
              "LU": EDDSA_RDFC_2022}
Job = Callable[[dict[str, Any]], dict[str, Any]]


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js not found: install Debian's nodejs and npm (apt-get install -y nodejs npm)"
    if not (CHECK_DIR / "node_modules" / "jsonld-signatures").is_dir():
        return f"the check's npm packages are not installed: run `npm ci` in {CHECK_DIR}"
    return None


@pytest.fixture(scope="module")
def js_check() -> Job:
    """Run one job through check.mjs (bounded in time) and return its answer."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true but the Data Integrity interop check cannot run: {reason}",
                        pytrace=False)
        pytest.skip(reason)

    def run(job: dict[str, Any]) -> dict[str, Any]:
        done = subprocess.run(["node", str(CHECK_DIR / "check.mjs")], text=True,
                              input=json.dumps({"contexts": bundled_contexts(), **job}),
                              capture_output=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-4000:]
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    return run


def _suite(record: dict[str, Any]) -> str:
    proof = record["proof"]
    return str((proof[0] if isinstance(proof, list) else proof)["cryptosuite"])


def _feed(node: LiveNode) -> list[dict[str, Any]]:
    """Every item of a node's feed (its own and what it relays), read over HTTP."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"scope": "all", "limit": 100}
    while True:
        page = requests.get(f"{node.url}/feed", params=params, timeout=30).json()
        items.extend(page["items"])
        if not page["more"]:
            return items
        params["after"] = page["cursor"]


@pytest.fixture
def federation(live_node: Callable[..., LiveNode],
               make_payload: Callable[..., dict[str, Any]]) -> list[LiveNode]:
    """Four nodes, two signing with each suite: records, tombstones, rotated descriptors, synced."""
    nodes = [live_node(code, **{"node.cryptosuite": suite}) for code, suite in FEDERATION.items()]
    for node in nodes:
        publisher = node.context.publisher
        kept = publisher.create("Initiative", make_payload(name={"en": f"Kept {node.url}"}))
        publisher.create("Method", make_payload("Method", name={"en": f"Method {node.url}"}))
        gone = publisher.create("Initiative", make_payload())
        publisher.update(kept.id, make_payload(name={"en": "Updated"}), if_match=kept.etag)
        publisher.delete(gone.id)
    for node in nodes[1::2]:  # EE (jcs) and LU (rdfc) rotate, then publish with the new key
        context = node.context
        rotate_identity(context.settings, context.store, context.identity)
        context.publisher.create("Initiative", make_payload(name={"en": "After the rotation"}))
    workers = [worker_for(node, *(peer(other) for other in nodes if other is not node))
               for node in nodes]
    converge(workers, nodes)
    return nodes


def _descriptors(nodes: list[LiveNode]) -> list[dict[str, Any]]:
    return [requests.get(f"{node.url}/node", timeout=30).json() for node in nodes]


def _tampered(record: dict[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(record)
    if copied["type"] == "Tombstone":
        copied["deleted"] = "2020-01-01T00:00:00Z"
    else:
        copied["name"] = {"en": "Tampered"}
    return copied


def test_the_federations_records_verify_in_the_independent_implementation(
    federation: list[LiveNode], js_check: Job,
) -> None:
    descriptors = _descriptors(federation)
    items = {(i["id"], i["version"]): i for node in federation for i in _feed(node)}
    records = list(items.values())
    covered = {(r["type"], _suite(r)) for r in records}
    assert covered == {(kind, suite) for kind in ("Initiative", "Method", "Tombstone", "Node")
                       for suite in SUITES}
    assert any(isinstance(r["proof"], list) for r in records if r["type"] == "Node")

    answer = js_check({"descriptors": descriptors, "verify": records})

    failed = [(v["id"], v["errors"]) for v in answer["verified"] if not v["verified"]]
    assert failed == []
    assert len(answer["verified"]) == len(records) == 4 * 4 + 2  # + two after rotations


def test_tampered_copies_fail_in_the_independent_implementation(
    federation: list[LiveNode], js_check: Job,
) -> None:
    descriptors = _descriptors(federation)
    records = [_tampered(i) for i in _feed(federation[0])]
    answer = js_check({"descriptors": descriptors, "verify": records})
    assert {_suite(r) for r in records} == set(SUITES)
    assert [v["id"] for v in answer["verified"] if v["verified"]] == []


@pytest.fixture
def js_origin(js_check: Job) -> Iterator[Callable[[list[dict[str, Any]]], FakePeer]]:
    """An origin node outside the project: its descriptor and records signed by the JS stack."""
    started: list[FakePeer] = []

    def start(jobs: list[dict[str, Any]]) -> FakePeer:
        server = make_server("127.0.0.1", 0, lambda e, s: [], threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        key = generate_key("key-1")
        vm = key.verification_method(f"{url}/node")
        descriptor = build_descriptor(base_url=url, name={"en": "JS origin"},
                                      jurisdiction="country:LUX", key=key,
                                      created=datetime(2026, 1, 1, tzinfo=UTC))
        signer = {"verificationMethod": vm, "publicKeyMultibase": key.public_multikey,
                  "secretKeyMultibase": encode_secret_key(key.private_key),
                  "created": descriptor["modified"]}
        documents = [{"document": descriptor, "cryptosuite": EDDSA_RDFC_2022, **signer}]
        for job in jobs:
            document = dict(job["document"], origin=f"{url}/node",
                            id=job["document"]["id"].replace("{base}", url))
            documents.append({**signer, **job, "document": document})
        signed = js_check({"sign": documents})["signed"]
        fake = FakePeer(url, server, key, signed[0])
        fake.items = [dump_body(record) for record in signed[1:]]
        server.app = fake
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(fake)
        return fake

    yield start
    stop_all([fake.server for fake in started], [])


def _example(kind: str, number: int, context: Any) -> dict[str, Any]:
    record = example(f"{kind}.jsonld")
    for minted in ("proof", "usesMethods", "adapts", "replicates"):
        record.pop(minted, None)
    collection = {"initiative": "initiatives", "method": "methods", "tombstone": "initiatives"}
    record.update({"@context": context, "version": 1 if kind != "tombstone" else 2,
                   "id": f"{{base}}/{collection[kind]}/00000000-0000-4000-8000-{number:012d}"})
    return record


def test_records_the_js_stack_signs_are_accepted_by_our_node(
    js_origin: Callable[[list[dict[str, Any]]], FakePeer], live_node: Callable[..., LiveNode],
) -> None:
    forms: list[Any] = [CONTEXT_URL, [CONTEXT_URL, DATA_INTEGRITY_V2_URL],
                        [DATA_INTEGRITY_V2_URL, CONTEXT_URL]]
    jobs = []
    for suite in SUITES:
        for form in forms:
            for kind in ("initiative", "method", "tombstone"):
                number = len(jobs)
                jobs.append({"document": _example(kind, number, copy.deepcopy(form)),
                             "cryptosuite": suite, "created": "2026-06-01T10:00:00Z"})
    origin = js_origin(jobs)
    signed = [json.loads(item) for item in origin.items]
    # jsonld-signatures adds the Data Integrity context to a document that lacks it
    assert {json.dumps(r["@context"]) for r in signed} == {
        json.dumps([CONTEXT_URL, DATA_INTEGRITY_V2_URL]),
        json.dumps([DATA_INTEGRITY_V2_URL, CONTEXT_URL])}
    tampered = _tampered(signed[0])
    tampered["id"] = tampered["id"].replace("-8000-0000", "-8000-9999")
    origin.items.append(dump_body(tampered))
    consumer = live_node("DE")

    [result] = worker_for(consumer, peer(origin)).run_once()

    assert result.error is None, result.error
    store = consumer.context.store
    for record in signed:
        stored = store.get(record["id"])
        assert stored is not None, f"{record['id']} ({_suite(record)}) was not accepted"
        assert json.loads(stored.body) == record
    reasons = [entry.reason for entry in store.quarantined()]
    assert reasons == ["bad_signature"]
