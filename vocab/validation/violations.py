"""The one shape of a validation finding, shared by every validator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Violation:
    """A broken rule: where (a JSON path such as ``partners[1].legalName``), which rule, and why."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(record)'}: {self.message}"


class RecordInvalid(ValueError):
    """A record failed validation; ``violations`` lists every broken rule."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        summary = "; ".join(str(v) for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"record is invalid: {summary}{more}")
