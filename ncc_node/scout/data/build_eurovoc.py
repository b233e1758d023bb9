"""Rebuild ``eurovoc.json.gz`` (the bundled EuroVoc thesaurus) from its published sources.

Run by hand when EuroVoc is to be refreshed, never at run time (see ``README.md`` here for the
sources, their exact commits and the licence)::

    python ncc_node/scout/data/build_eurovoc.py \\
        --labels eurovoc-classifier/src/config --levels multi-eurlex/data/eurovoc_descriptors.json

``--labels`` is the ``src/config`` folder of ``github:tn-aixpa/eurovoc-classifier``: the
preferred label of every EuroVoc descriptor per language (``label_mappings_tc/<lang>.json``),
of every microthesaurus (``label_mappings_mt``) and domain (``label_mappings_do``), and the
microthesaurus of every descriptor (``mt_labels.json``). ``--levels`` is MultiEURLEX's
``data/eurovoc_descriptors.json`` of ``github:nlpaueb/multi-eurlex`` (EuroVoc levels 1-3 with
their concept IRIs), which gives the IRIs of the domains and microthesauri.

The output keeps the five vocabulary languages only: one row per concept, ``[id, broader id,
kind, {language: preferred label}]`` (kind ``d`` descriptor, ``m`` microthesaurus, ``f``
domain; ids are the EuroVoc IRIs less ``http://eurovoc.europa.eu/``), gzip-compressed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "de", "et", "nl", "fr")
OUTPUT = Path(__file__).resolve().parent / "eurovoc.json.gz"
SOURCE = ("EuroVoc, the EU's multilingual thesaurus (Publications Office of the European "
          "Union): preferred labels of its descriptors, microthesauri and domains as published "
          "in github:tn-aixpa/eurovoc-classifier src/config (commit "
          "09ff7903a08b96c41a3d0bb639d8c7fc9af241a7), domain and microthesaurus IRIs from "
          "github:nlpaueb/multi-eurlex data/eurovoc_descriptors.json (commit "
          "5f866576033ffd80282f4a0b00a97b4aab747a72)")
LICENCE = ("CC BY 4.0 (EuroVoc reuse, Commission Decision 2011/833/EU); "
           "© European Union, Publications Office of the European Union")


def _read(path: Path) -> dict[str, str]:
    # the published files start with a byte-order mark
    data: dict[str, str] = json.loads(path.read_text("utf-8-sig"))
    return {key.strip(): value.strip() for key, value in data.items()}


def build(labels: Path, levels: Path) -> dict[str, Any]:
    """The compact thesaurus: every descriptor, microthesaurus and domain with its five labels."""
    descriptors = {lang: _read(labels / "label_mappings_tc" / f"{lang}.json")
                   for lang in LANGUAGES}
    micro = {lang: _read(labels / "label_mappings_mt" / f"{lang}.json") for lang in LANGUAGES}
    domains = {lang: _read(labels / "label_mappings_do" / f"{lang}.json") for lang in LANGUAGES}
    member = {k: v for k, v in _read(labels / "mt_labels.json").items() if k != "ID"}
    # MultiEURLEX's levels 1-3 name domains and microthesauri by IRI, in lower case English;
    # two microthesauri share their domain's label ("trade"): the domains' IRIs (100142-100162)
    # come before the microthesauri's
    by_label: dict[str, list[str]] = {}
    for iri, text in json.loads(levels.read_text("utf-8")).items():
        if iri.startswith("100"):
            by_label.setdefault(text["en"].lower(), []).append(iri)
    for found in by_label.values():
        found.sort(key=int)
    rows: list[list[Any]] = []
    domain_id: dict[str, str] = {}
    for code, english in sorted(domains["en"].items()):
        iri = by_label.get(english.lower(), [None])[0]
        if iri is None:
            raise SystemExit(f"no IRI for the domain {code} {english!r} in {levels}")
        domain_id[code] = iri
        rows.append([iri, None, "f", {lang: domains[lang][code].lower()
                                      for lang in LANGUAGES if domains[lang].get(code)}])
    micro_id: dict[str, str] = {}
    for code, english in sorted(micro["en"].items()):
        iri = by_label.get(english.lower(), [None])[-1]
        if iri is None or iri in domain_id.values():
            raise SystemExit(f"no IRI for the microthesaurus {code} {english!r} in {levels}")
        micro_id[code] = iri
        rows.append([iri, domain_id.get(code[:2]), "m",
                     {lang: micro[lang][code] for lang in LANGUAGES if micro[lang].get(code)}])
    for key in sorted(descriptors["en"], key=lambda k: (len(k), k)):
        texts = {lang: descriptors[lang][key] for lang in LANGUAGES if descriptors[lang].get(key)}
        rows.append([key, micro_id.get(member.get(key, "")), "d", texts])
    return {"source": SOURCE, "licence": LICENCE, "languages": list(LANGUAGES),
            "concepts": rows}


def main(argv: list[str] | None = None) -> int:
    """Write ``eurovoc.json.gz`` from the two sources named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, required=True,
                        help="src/config of github:tn-aixpa/eurovoc-classifier")
    parser.add_argument("--levels", type=Path, required=True,
                        help="data/eurovoc_descriptors.json of github:nlpaueb/multi-eurlex")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    data = build(args.labels, args.levels)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # mtime=0: the same sources give the same bytes
    args.output.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.output}: {len(data['concepts'])} concepts, "
          f"{args.output.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
