"""A bounded schemathesis run against the node's own /openapi.json, writes included.

Each documented operation gets generated requests (valid and invalid per the document, with a
write token, and with path ids of records that exist); every response must be documented,
conform to its schema and content type, and never be a 5xx. Driven from a plain test rather
than ``schema.parametrize()`` so the app comes from the usual fixtures (nothing at import time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ncc_node.context import NodeContext

from .conftest import build_payload, uuid_of

# per operation and mode: ~25 operations x 2 modes, ~1,250 cases; with 50 the run took 151 s on a
# loaded 2-core machine and past the 300 s test timeout at a load average of 40
EXAMPLES = 25
CONFIG = {
    "checks": {
        # A record's validity is defined by the SHACL shapes, not by the (deliberately open)
        # request schema, so a schema-valid body such as {} is rightly refused with 422.
        "positive_data_acceptance": {"enabled": False},
        # RFC 9110 §13.2.2: preconditions are evaluated before the content is processed, so a
        # PUT with a stale If-Match and a bad body is 412, a rejection like the others.
        "negative_data_rejection": {"expected-statuses": [
            400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428]},
    },
}


def _strategy(operation: Any, mode: GenerationMode, record_ids: dict[str, str]) -> Any:
    """Generated cases, plus (valid mode) cases aimed at records that exist, with valid bodies."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return generated
    kind = "Method" if operation.path.startswith("/methods") else "Initiative"
    aimed = {}
    if "{record_id}" in operation.path:
        aimed["path_parameters"] = {"record_id": record_ids[kind]}
    if operation.method in ("put", "delete"):
        aimed["headers"] = {"If-Match": "*"}
    if operation.method in ("post", "put"):
        aimed.update(body=build_payload(kind), media_type="application/json")
    return st.one_of(generated, operation.as_strategy(generation_mode=mode, **aimed)) if aimed \
        else generated


def test_the_api_keeps_its_documented_promises(app: Flask, context: NodeContext,
                                               auth: Callable[..., dict[str, str]]) -> None:
    record_ids = {kind: uuid_of(context.publisher.create(kind, build_payload(kind)))
                  for kind in ("Initiative", "Method")}
    # schemathesis's WSGI transport does not decode content codings (compression is tested in
    # test_compression.py)
    headers = {**auth("write"), "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi(
        "/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG))
    failures: dict[str, BaseException] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=_strategy(operation, mode, record_ids))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers)

            try:
                run()
            except Unsatisfiable:
                # nothing documented to negate (no parameters, or only free-form strings)
                assert mode == GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # reported below, per operation
                failures[f"{operation.method.upper()} {operation.path} ({mode})"] = exc
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
