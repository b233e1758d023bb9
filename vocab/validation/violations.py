"""The one shape of a validation finding, shared by every validator."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .messages import MESSAGES


@dataclass(frozen=True, order=True)
class Violation:
    """A broken rule: where (a JSON path such as ``partners[1].legalName``), which rule, and why.

    ``message`` is English (what the API sends). The validators' findings also keep the
    ``template`` the message was made from, its ``code`` and its ``args``, so the web pages can
    say it in the reader's language: the templates are gettext message ids, those of
    :data:`~.messages.MESSAGES` (:meth:`of`) and the ``sh:message`` texts of the shapes
    (:meth:`of_template`). Findings of pyshacl itself (:func:`~.shacl.validate_shacl`, the
    normative check no page shows) have none.
    """

    path: str
    rule: str
    message: str
    code: str = field(default="", compare=False)
    args: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    template: str = field(default="", compare=False)

    @classmethod
    def of(cls, path: str, rule: str, code: str, **args: object) -> Violation:
        """A violation whose message is the template ``code`` filled with ``args``."""
        return cls.of_template(path, rule, code, MESSAGES[code], **args)

    @classmethod
    def of_template(cls, path: str, rule: str, code: str, template: str,
                    **args: object) -> Violation:
        """A violation whose message is ``template`` (a message id) filled with ``args``."""
        shown = tuple((name, str(value)) for name, value in args.items())
        message = template % dict(shown) if shown else template
        return cls(path, rule, message, code, shown, template)

    def __str__(self) -> str:
        return f"{self.path or '(record)'}: {self.message}"


# At one path, the rule that names the cause comes before the ones it implies: an undefined type
# (strict) is also a missing type (minCount); "does not conform to <Shape>" (node) only sums up
# the findings inside the object, which are deeper and so come first anyway.
_RULE_RANK = {"strict": 0, "minCount": 2, "node": 3}


def _depth(path: str) -> int:
    return path.count(".") + path.count("[")


def innermost_first(violations: Iterable[Violation]) -> list[Violation]:
    """Order findings so the first names the innermost failing field and its rule.

    ``leadOrganisation.type: required`` before ``leadOrganisation: does not conform to
    OrganisationShape``; otherwise by path, so the order is stable.
    """
    return sorted(set(violations), key=lambda v: (-_depth(v.path), v.path,
                                                 _RULE_RANK.get(v.rule, 1), v.rule, v.message))


class RecordInvalid(ValueError):
    """A record failed validation; ``violations`` lists every broken rule."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        summary = "; ".join(str(v) for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"record is invalid: {summary}{more}")
