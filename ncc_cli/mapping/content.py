"""Content checks before signing: rules read from a TOML file, applied to a record payload.

A record that trips a rule is held for review with the rules' reasons; nothing is decided in code
but how each kind of rule is measured. Kinds (``kind = ...`` in the file):

- ``patterns``: case-insensitive regular expressions over the named text fields; trips when at
  least ``min_matches`` different patterns match.
- ``links``: more than ``max_links`` URLs in the named text fields, or links making up more than
  ``max_link_share`` of their characters.
- ``min_words``: the named text field has fewer than ``min_words`` words in every language.
- ``repeats_name``: the description is the name again (or the name plus at most a few words).
- ``requires``: the payload has none of the named fields (e.g. no organisation at all).
- ``broken_text``: more than ``max_replacement_chars`` U+FFFD characters (bytes lost in decoding).

Each rule's ``action`` is ``hold`` (the default: held for review) or ``warn`` (published, and the
reason reported by the import).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)
KINDS = ("patterns", "links", "min_words", "repeats_name", "requires", "broken_text")


class RulesError(ValueError):
    """The rules file is not well formed (names the rule and the key)."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    reason: str
    fields: tuple[str, ...]
    params: Mapping[str, Any]
    patterns: tuple[re.Pattern[str], ...] = ()
    any_pattern: re.Pattern[str] | None = None  # all patterns in one: most texts match none


def _texts(payload: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for field in fields:
        value = payload.get(field)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, Mapping):
            for inner in value.values():
                if isinstance(inner, str):
                    out.append(inner)
                elif isinstance(inner, list):
                    out.extend(v for v in inner if isinstance(v, str))
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


def _words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def _has_words(text: str, count: int) -> bool:
    """Whether ``text`` has at least ``count`` words as :func:`_words` counts them (stops
    reading at the count-th)."""
    if count <= 0:
        return True
    return next(islice(WORD.finditer(text.casefold()), count - 1, None), None) is not None


class ContentRules:
    """The rules of one file, and the check that applies them all to a payload."""

    def __init__(self, rules: list[Rule], source: str) -> None:
        self.rules = rules
        self.source = source

    @classmethod
    def load(cls, path: Path) -> ContentRules:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"{path}: {exc}") from None
        rules = []
        seen: set[str] = set()
        for number, raw in enumerate(data.get("rule", []), 1):
            where = f"{path}: rule {number}"
            if not isinstance(raw, dict):
                raise RulesError(f"{where}: must be a table")
            rule_id, kind = raw.get("id"), raw.get("kind")
            if not isinstance(rule_id, str) or not rule_id:
                raise RulesError(f"{where}: id is required")
            if rule_id in seen:
                raise RulesError(f"{where}: id {rule_id!r} is used twice")
            seen.add(rule_id)
            if kind not in KINDS:
                raise RulesError(f"{where} ({rule_id}): kind must be one of {', '.join(KINDS)}")
            fields = raw.get("fields", ["name", "description"])
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise RulesError(f"{where} ({rule_id}): fields must be a list of field names")
            patterns: tuple[re.Pattern[str], ...] = ()
            if kind == "patterns":
                try:
                    patterns = tuple(re.compile(p, re.IGNORECASE) for p in raw.get("any", []))
                except (re.error, TypeError) as exc:
                    raise RulesError(f"{where} ({rule_id}): bad pattern: {exc}") from None
                if not patterns:
                    raise RulesError(f"{where} ({rule_id}): a patterns rule needs any = [...]")
            reason = raw.get("reason") or rule_id
            params = {k: v for k, v in raw.items()
                      if k not in ("id", "kind", "reason", "fields", "any")}
            if params.get("action", "hold") not in ("hold", "warn"):
                raise RulesError(f"{where} ({rule_id}): action must be hold or warn")
            joined = (re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
                      if patterns else None)
            rules.append(Rule(rule_id, kind, str(reason), tuple(fields), params, patterns,
                              joined))
        return cls(rules, str(path))

    def check(self, payload: Mapping[str, Any],
              action: str = "hold") -> list[tuple[str, str]]:
        """The (rule id, reason) of every rule with this action the payload trips."""
        tripped = []
        for rule in self.rules:
            if rule.params.get("action", "hold") != action:
                continue
            detail = getattr(self, "_" + rule.kind)(rule, payload)
            if detail:
                tripped.append((rule.id, f"{rule.reason} ({detail})"))
        return tripped

    # -- kinds -------------------------------------------------------------------------------
    def _patterns(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        text = "\n".join(_texts(payload, rule.fields))
        if rule.any_pattern is not None and rule.any_pattern.search(text) is None:
            return ""
        hits = [m.group(0) for p in rule.patterns if (m := p.search(text))]
        if len(hits) >= int(rule.params.get("min_matches", 1)):
            return "matched " + ", ".join(repr(h) for h in hits[:5])
        return ""

    def _links(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        texts = _texts(payload, rule.fields)
        links = [m.group(0) for t in texts for m in URL.finditer(t)]
        most = int(rule.params.get("max_links", 3))
        if len(links) > most:
            return f"{len(links)} links, at most {most}"
        total = sum(len(t) for t in texts)
        share = float(rule.params.get("max_link_share", 0.5))
        if total and links and sum(map(len, links)) / total > share:
            return f"links are {sum(map(len, links)) / total:.0%} of the text"
        return ""

    def _min_words(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        least = int(rule.params.get("min_words", 8))
        texts = _texts(payload, rule.fields)
        if any(_has_words(t, least) for t in texts):
            return ""  # most texts: no need to count all their words
        longest = max((len(_words(t)) for t in texts), default=0)
        return f"{longest} word(s), at least {least}" if longest < least else ""

    def _repeats_name(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        extra = int(rule.params.get("max_extra_words", 3))
        names = {tuple(_words(t)) for t in _texts(payload, ("name",))}
        longest = max((len(n) for n in names), default=0)
        for text in _texts(payload, ("description",)):
            if _has_words(text, longest + extra + 1):
                continue  # longer than any name and its extra words: never the name again
            words = _words(text)
            for name in names:
                if name and len(words) - len(name) <= extra and _contains(words, name):
                    return "the description is the name"
        return ""

    def _requires(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        if any(payload.get(f) for f in rule.fields):
            return ""
        return "none of " + ", ".join(rule.fields)

    def _broken_text(self, rule: Rule, payload: Mapping[str, Any]) -> str:
        most = int(rule.params.get("max_replacement_chars", 0))
        count = sum(t.count("\ufffd") for t in _texts(payload, rule.fields))
        return f"{count} undecodable character(s)" if count > most else ""


def _contains(words: list[str], name: tuple[str, ...]) -> bool:
    n = len(name)
    return any(tuple(words[i:i + n]) == name for i in range(len(words) - n + 1))
