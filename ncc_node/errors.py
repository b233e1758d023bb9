"""The node's exception tree: one base class, a stable machine-readable ``code`` per reason.

CONVENTIONS §5: one handler maps :class:`NccError` to the JSON error body (``code``, message,
``http_status``), the CLI maps it to a message and a non-zero exit. Later issues add store and
API errors as further subclasses; codes, once published, never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar


class NccError(Exception):
    """Base class of every error the node raises on purpose."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProofError(NccError):
    """A Data Integrity proof that cannot be created or does not verify."""

    code = "invalid_proof"


class UnknownKey(ProofError):
    """The proof names a verification method the key lookup does not know."""

    code = "unknown_key"

    def __init__(self, verification_method: str, detail: str = "") -> None:
        message = f"unknown verification method {verification_method!r}"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.verification_method = verification_method


class KeyNotValidAt(ProofError):
    """The key exists but was not valid at the proof's ``created`` time."""

    code = "key_not_valid_at"

    def __init__(self, verification_method: str, created: datetime, detail: str) -> None:
        super().__init__(
            f"key {verification_method!r} is not valid at {created.isoformat()}: {detail}"
        )
        self.verification_method = verification_method
        self.created = created


class BadSignature(ProofError):
    """The signature does not verify over the canonical document and proof options."""

    code = "bad_signature"


class UnsupportedCryptosuite(ProofError):
    """The proof type or cryptosuite is not one this node implements."""

    code = "unsupported_cryptosuite"


class ProofContextMismatch(ProofError):
    """The proof's ``@context`` is not a prefix of the document's ``@context``."""

    code = "proof_context_mismatch"


class ProofPurposeMismatch(ProofError):
    """The proof's ``proofPurpose`` is not the one the verifier expects."""

    code = "proof_purpose_mismatch"


class MalformedProof(ProofError):
    """A proof field is missing, has the wrong type or cannot be decoded."""

    code = "malformed_proof"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"malformed proof: {field}: {detail}")
        self.field = field


class CreatedInFuture(ProofError):
    """The proof's ``created`` lies further in the future than the allowed clock skew."""

    code = "created_in_future"


class CanonicalizationFailed(ProofError):
    """The document cannot be canonicalized (RFC 8785 domain, JSON-LD error, refused context)."""

    code = "canonicalization_failed"


class MultikeyError(NccError):
    """A Multikey or multibase value that is not a well-formed Ed25519 key encoding."""

    code = "bad_multikey"


class KeyFileError(NccError):
    """A node key file that cannot be created or loaded (missing, too open, wrong passphrase)."""

    code = "key_file"
    http_status = 500


class DescriptorError(NccError):
    """A node descriptor that is malformed or whose own proofs do not hold."""

    code = "bad_descriptor"


class RotationRejected(DescriptorError):
    """A new descriptor version that does not follow from the previous one by key continuity."""

    code = "rotation_rejected"


class ConfigError(NccError):
    """A setting that is unknown, of the wrong type, or missing (reported at start-up)."""

    code = "config"
    http_status = 500


class StoreError(NccError):
    """The store cannot complete an operation (corrupt database, unknown schema version)."""

    code = "store"
    http_status = 500


class RequestInvalid(NccError):
    """A malformed request: bad JSON, bad parameter, wrong media type."""

    code = "bad_request"
    http_status = 400

    def __init__(self, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class RecordRejected(RequestInvalid):
    """A record that breaks the vocabulary's rules; ``details`` names every field.

    ``violations`` are the validator's findings behind the details, in the same order, when it
    made them (:class:`vocab.Violation`: each keeps its message code, so a page can say it in
    the reader's language); they are not part of the wire shape.
    """

    code = "invalid_record"
    http_status = 422

    def __init__(self, message: str, details: list[dict[str, str]] | None = None, *,
                 violations: Sequence[Any] = ()) -> None:
        super().__init__(message, details)
        self.violations = list(violations)


class PayloadTooLarge(RequestInvalid):
    """A request body over the configured size or JSON depth limit."""

    code = "too_large"
    http_status = 413


class Unauthorized(NccError):
    """No valid bearer token."""

    code = "unauthorized"
    http_status = 401


class Forbidden(NccError):
    """The token lacks the scope this operation needs."""

    code = "forbidden"
    http_status = 403


class SignInFailed(Unauthorized):
    """A sign-in name and password that do not match a live account (which, never said)."""

    code = "sign_in_failed"


class TooManyAttempts(NccError):
    """Too many failed sign-ins: the next try waits ``retry_after`` seconds."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(NccError):
    """No record or resource with this id."""

    code = "not_found"
    http_status = 404


class Gone(NccError):
    """The record was deleted; ``tombstone`` is its signed tombstone."""

    code = "gone"
    http_status = 410

    def __init__(self, message: str, tombstone: bytes) -> None:
        super().__init__(message)
        self.tombstone = tombstone


class Conflict(NccError):
    """The write conflicts with what is stored (e.g. a record of another origin)."""

    code = "conflict"
    http_status = 409


class Unavailable(NccError):
    """The node cannot serve this request now, for a reason the client may know (503 with
    ``Retry-After``: the message is kept, unlike other 5xx whose messages go to the log)."""

    code = "unavailable"
    http_status = 503
    retry_after: ClassVar[int] = 5


class PreconditionFailed(NccError):
    """``If-Match`` does not match the current ETag."""

    code = "precondition_failed"
    http_status = 412


class PreconditionRequired(NccError):
    """A write that must carry ``If-Match`` did not."""

    code = "precondition_required"
    http_status = 428
