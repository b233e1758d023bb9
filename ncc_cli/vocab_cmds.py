"""``ncc vocab``: inspect the shared vocabulary and check record files before importing them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vocab import (
    SCHEMES,
    UnknownConcept,
    concept_index,
    context_document,
    data_text,
    validate_record,
    validate_shacl,
)


@click.group()
def vocab() -> None:
    """The shared vocabulary: concepts, data files, record validation."""


def _records(path: Path) -> list[tuple[str, Any]]:
    """Read a JSON record, a JSON array of records, or JSON Lines; label each by its line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [(f"{path}:{n}", json.loads(line))
                for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    data = json.loads(text)
    if isinstance(data, list):
        return [(f"{path}[{n}]", item) for n, item in enumerate(data)]
    return [(str(path), data)]


@vocab.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False,
                                                                   path_type=Path))
@click.option("--shacl", is_flag=True, help="Also run the normative (slow) pyshacl check.")
def validate(files: tuple[Path, ...], shacl: bool) -> None:
    """Validate record files (.json, .jsonld, .jsonl) against the shapes; exit 1 if any fail."""
    checked = failed = unreadable = 0
    for path in files:
        try:
            records = _records(path)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            click.echo(f"{path}: not valid JSON: {exc}", err=True)
            unreadable += 1
            continue
        for label, record in records:
            checked += 1
            violations = validate_record(record)
            if shacl and not violations:
                violations = validate_shacl(record)
            if violations:
                failed += 1
                for violation in violations:
                    click.echo(f"{label}: {violation}", err=True)
    summary = f"{checked} record(s) checked, {checked - failed} valid, {failed} invalid"
    click.echo(summary + (f"; {unreadable} file(s) unreadable" if unreadable else ""))
    if failed or unreadable:
        raise SystemExit(1)


@vocab.command()
@click.argument("scheme", type=click.Choice(sorted(SCHEMES)))
@click.option("--lang", default="en", show_default=True, help="Label language (falls back to en).")
def concepts(scheme: str, lang: str) -> None:
    """List the concepts of a scheme with their compact IRI and label."""
    index = concept_index()
    for concept in index.concepts(scheme):
        click.echo(f"{index.compact(concept.iri):40} {index.label(concept.iri, lang)}")


@vocab.command()
@click.argument("text")
@click.option("--scheme", type=click.Choice(sorted(SCHEMES)), help="Search one scheme only.")
def lookup(text: str, scheme: str | None) -> None:
    """Find concepts by a label in any language, part of one, or a close spelling."""
    index = concept_index()
    how, found = index.search(text, scheme)
    if how == "none":
        raise click.ClickException(f"no concept is labelled {text!r} or like it (list a "
                                   "scheme's concepts with `ncc vocab concepts SCHEME`)")
    if how == "close":
        names = "; ".join(f"{index.compact(c.iri)} ({index.label(c.iri, 'en')})"
                          for c, _ in found)
        raise click.ClickException(f"no concept is labelled {text!r}; did you mean: {names}")
    if how == "part":
        click.echo(f"no concept is labelled {text!r}; labels containing it:", err=True)
    for concept, matched in found:
        shown = index.label(concept.iri, "en")
        extra = f"  (matched: {matched})" if how == "part" else ""
        click.echo(f"{index.compact(concept.iri):40} {concept.scheme}  {shown}{extra}")


@vocab.command()
@click.argument("what", type=click.Choice(["context", "ontology", "shapes"]))
def show(what: str) -> None:
    """Print a bundled data file: the JSON-LD context, the ontology or the SHACL shapes."""
    if what == "context":
        click.echo(json.dumps(context_document(), indent=2, ensure_ascii=False))
    else:
        click.echo(data_text(f"{what}.ttl"), nl=False)


@vocab.command()
@click.argument("iri")
@click.option("--lang", default="en", show_default=True)
def label(iri: str, lang: str) -> None:
    """Print the label of a concept (compact or full IRI) in a language."""
    try:
        click.echo(concept_index().label(iri, lang))
    except UnknownConcept as exc:
        raise click.ClickException(str(exc)) from exc
