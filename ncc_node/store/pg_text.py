"""The full-text index in PostgreSQL: the same terms, the same queries, the same bm25 as FTS5.

The SQLite store's index (:mod:`.textquery`) is an FTS5 table over the analysed texts of
:mod:`.analysis`, tokenized by ``unicode61 remove_diacritics 2``, ranked by FTS5's ``bm25()``
with the column weights scouting asks for. PostgreSQL gets the same analysed
texts (one analysis feeds both), and this module does there what FTS5 does in SQLite:

- :func:`tokens` cuts an analysed text the way ``unicode61 remove_diacritics 2`` does (letters,
  digits and private-use characters form tokens; diacritics are dropped; lower case);
- each column's tokens are stored as a ``text[]`` and a weighted ``tsvector`` (name A,
  description B, body C, concepts D) is generated from them, indexed with GIN;
- :func:`parse` reads the FTS5 query subset the query planner writes (quoted phrases, a
  trailing ``*`` for a prefix, ``concepts :`` for the concepts column, AND, OR, parentheses),
  and :func:`to_tsquery` turns it into a ``tsquery`` (the concepts column is weight D);
- :func:`bm25_sql` is FTS5's bm25 as an SQL expression over the token arrays: per phrase,
  IDF × f(k1 + 1) / (f + k1(1 - b + b·|D| / avgdl)), with f the column-weighted count of the
  phrase in the row, |D| the row's tokens and avgdl the mean over every row, negated (lower is
  better), so the two backends rank the same records in the same order.

A phrase of several tokens is matched by the ``tsvector`` without positions (its tokens anywhere
in the row) and then counted in bm25 as FTS5 counts it, as runs side by side within a column;
a row holding the tokens only apart is in the window with a frequency of 0 for that phrase.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["COLUMNS", "Phrase", "bm25_sql", "idf", "parse", "phrases", "to_tsquery", "tokens"]

#: The text columns, in FTS5's order, with their tsvector weights.
COLUMNS = (("name", "A"), ("description", "B"), ("body", "C"), ("concepts", "D"))
MAX_LEXEME = 2000  # bytes: PostgreSQL refuses longer lexemes (2047); longer tokens are cut
K1, B = 1.2, 0.75  # FTS5's bm25 constants
_TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits


def _folded(text: str) -> str:
    """Lower case without diacritics (decomposed, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokens(text: str) -> list[str]:
    """The tokens FTS5's ``unicode61 remove_diacritics 2`` makes of a text: runs of letters
    and digits, lower case, diacritics removed."""
    found = _TOKEN.findall(text.lower() if text.isascii() else _folded(text))
    return [_cut(t) for t in found] if any(len(t) * 4 > MAX_LEXEME for t in found) else found


def _cut(token: str) -> str:
    if len(token) * 4 <= MAX_LEXEME or len(token.encode()) <= MAX_LEXEME:
        return token
    return token.encode()[:MAX_LEXEME].decode("utf-8", "ignore")


@dataclass(frozen=True)
class Phrase:
    """One phrase of an FTS5 query: its tokens, a prefix flag, the concepts-only flag."""

    tokens: tuple[str, ...]
    prefix: bool = False
    concepts_only: bool = False


Node = Phrase | tuple[str, list["Node"]]  # a phrase, or ("AND" | "OR", children)

_LEXER = re.compile(r'\s*(?:(\()|(\))|(AND|OR|NOT)\b|(concepts)\s*:|"((?:[^"]|"")*)"(\*)?)')


def parse(query: str) -> Node | None:
    """Read an FTS5 query of the subset :mod:`.textquery` writes; None when it has no token."""
    position = 0
    items: list[tuple[str, object]] = []
    column = False
    while position < len(query):
        if not query[position:].strip():
            break
        match = _LEXER.match(query, position)
        if match is None:
            raise ValueError(f"unsupported full-text query at {position}: {query!r}")
        position = match.end()
        if match.group(1):
            items.append(("(", None))
        elif match.group(2):
            items.append((")", None))
        elif match.group(3):
            if match.group(3) == "NOT":
                raise ValueError(f"unsupported full-text query (NOT): {query!r}")
            items.append(("op", match.group(3)))
        elif match.group(4):
            column = True
        else:
            text = match.group(5).replace('""', '"')
            items.append(("phrase", Phrase(tuple(tokens(text)), bool(match.group(6)), column)))
            column = False
    node, rest = _expr(items, 0)
    if rest != len(items):
        raise ValueError(f"unbalanced full-text query: {query!r}")
    return _prune(node)


def _expr(items: list[tuple[str, object]], at: int) -> tuple[Node, int]:
    """OR of ANDs (AND binds tighter, as in FTS5)."""
    ors: list[Node] = []
    ands: list[Node] = []
    while at < len(items):
        kind, value = items[at]
        if kind == "(":
            inner, at = _expr(items, at + 1)
            if at >= len(items) or items[at][0] != ")":
                raise ValueError("unbalanced parentheses in a full-text query")
            ands.append(inner)
            at += 1
        elif kind == "phrase":
            assert isinstance(value, Phrase)
            ands.append(value)
            at += 1
        elif kind == "op" and value == "OR":
            ors.append(("AND", ands))
            ands = []
            at += 1
        elif kind == "op":
            at += 1
        else:  # ")"
            break
    ors.append(("AND", ands))
    return ("OR", ors), at


def _prune(node: Node) -> Node | None:
    """Drop empty phrases (FTS5: they match nothing) and one-child groups."""
    if isinstance(node, Phrase):
        return node if node.tokens else None
    op, children = node
    kept = [c for c in (_prune(child) for child in children) if c is not None]
    if op == "AND" and len(kept) < len(children):
        return None  # an AND with a part that matches nothing matches nothing
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else (op, kept)


def _lexeme(token: str, suffix: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" + suffix


def to_tsquery(node: Node) -> str:
    """The ``tsquery`` text of a parsed query (cast with ``::tsquery``: no normalisation)."""
    if isinstance(node, Phrase):
        weight = "D" if node.concepts_only else ""
        last = len(node.tokens) - 1
        parts = [_lexeme(t, ":" + ("*" if node.prefix and i == last else "") + weight
                         if (weight or (node.prefix and i == last)) else "")
                 for i, t in enumerate(node.tokens)]
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"
    op, children = node
    joiner = " & " if op == "AND" else " | "
    return "(" + joiner.join(to_tsquery(c) for c in children) + ")"


def phrases(node: Node) -> list[Phrase]:
    """The phrases of a query in FTS5's order (the order bm25 sums them in)."""
    if isinstance(node, Phrase):
        return [node]
    return [p for child in node[1] for p in phrases(child)]


def idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency of a phrase found in ``hits`` of ``rows`` rows."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6


def _frequency(phrase: Phrase, alias: str, params: list[object],
               weights: tuple[float, ...]) -> str:
    """SQL of the weighted count of a phrase in one row's token arrays (per column)."""
    token = phrase.tokens[0]
    prefix = phrase.prefix and len(phrase.tokens) == 1
    terms = []
    for (column, _), weight in zip(COLUMNS, weights, strict=True):
        if phrase.concepts_only and column != "concepts":
            continue
        if len(phrase.tokens) > 1:  # a run of tokens side by side
            array = f"{alias}.{column}_t"
            last = len(phrase.tokens) - 1
            conditions = []
            for offset, part in enumerate(phrase.tokens):
                if offset == last and phrase.prefix:
                    conditions.append(f"starts_with({array}[i + {offset}], ?)")
                else:
                    conditions.append(f"{array}[i + {offset}] = ?")
                params.append(part)
            terms.append(f"{_f(weight)} * (SELECT count(*) FROM generate_subscripts({array}, 1) "
                         f"i WHERE {' AND '.join(conditions)})")
            continue
        if prefix:
            terms.append(f"{_f(weight)} * (SELECT count(*) FROM unnest({alias}.{column}_t) x "
                         "WHERE starts_with(x, ?))")
        else:
            terms.append(f"{_f(weight)} * coalesce(cardinality(array_positions("
                         f"{alias}.{column}_t, ?::text)), 0)")
        params.append(token)
    return "(" + " + ".join(terms) + ")"


def _f(value: float) -> str:
    """A float8 literal (a bare decimal literal would be computed as numeric)."""
    return f"{value!r}::float8"


def bm25_sql(found: list[Phrase], idfs: list[float], avgdl: float, alias: str,
             params: list[object], weights: tuple[float, ...]) -> str:
    """FTS5's ``bm25()`` over the row ``alias`` with column ``weights``, as an SQL expression
    (lower is better)."""
    parts = []
    for phrase, weight in zip(found, idfs, strict=True):
        frequency = _frequency(phrase, alias, params, weights)
        parts.append(f"{_f(weight)} * (({frequency}) * {_f(K1 + 1.0)} / (({frequency}) + "
                     f"{_f(K1)} * ({_f(1.0)} - {_f(B)} + {_f(B)} * {alias}.tokens / {_f(avgdl)})))")
        _frequency(phrase, alias, params, weights)  # the frequency is written twice
    return f"{_f(-1.0)} * (" + " + ".join(parts) + ")" if parts else "0"
