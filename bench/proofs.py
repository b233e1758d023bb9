"""Benchmark eddsa-jcs-2022 on typical ~2 KB initiative records: sign, raw verify, full verify.

Run: ``.venv/bin/python bench/proofs.py [--records 2000] [--rounds 3] [--target 0.60]``.

In one run it builds the records, signs them all (sign rate), then measures, alternating for
``--rounds`` rounds and keeping each one's best: raw Ed25519 verify of the very hashData and
signatures the full path checks (the limit), and full ``ncc_node.integrity.proofs.verify``
with a key lookup built from a node descriptor. It prints the rates and full/raw, and exits 1
when full/raw is below the target (0.60). It also checks that the JCS fast path equals
rfc8785 on every record.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785

from ncc_node.identity.descriptor import key_lookup_from_descriptor, new_descriptor
from ncc_node.identity.signing_key import generate_key
from ncc_node.integrity.cryptosuites import (
    canonicalize_document,
    canonicalize_proof_config,
    hash_data,
    proof_configuration,
    unsecured_document,
)
from ncc_node.integrity.jcs import canonicalize, is_plain
from ncc_node.integrity.multibase import multibase_decode
from ncc_node.integrity.proofs import sign, verify

BASE = "https://ncc-de.example.org"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

_TEXTS = {
    "de": [
        "Ehrenamtliche Lernpatinnen und -paten begleiten Kinder aus Familien mit geringem "
        "Einkommen einmal pro Woche beim Lesen und Rechnen.",
        "Nachbarschaftsküchen in Großstädten bringen ältere Menschen und Geflüchtete an einen "
        "Tisch; Überschüsse aus Supermärkten werden gemeinsam verarbeitet.",
        "Genossenschaftlich getragene Bürgerwerkstätten qualifizieren Langzeitarbeitslose für "
        "handwerkliche Berufe – mit Zertifikat der Handwerkskammer.",
    ],
    "en": [
        "Volunteer mentors support children from low-income families once a week by video "
        "with reading and arithmetic.",
        "Neighbourhood kitchens bring older people and refugees to one table; surplus food "
        "from supermarkets is cooked together.",
        "Cooperative community workshops train long-term unemployed people for craft "
        "professions, certified by the chamber of crafts.",
    ],
    "et": [
        "Vabatahtlikud mentorid toetavad madala sissetulekuga perede lapsi kord nädalas "
        "lugemisel ja arvutamisel; tulemusi jälgitakse õppeaasta jooksul.",
        "Kogukonnaköögid toovad eakad ja pagulased ühe laua taha; üleliigne toit "
        "valmistatakse ühiselt ja jagatakse naabruskonnas.",
    ],
    "nl": [
        "Vrijwillige mentoren begeleiden kinderen uit gezinnen met een laag inkomen één keer "
        "per week bij lezen en rekenen – ook tijdens de zomervakantie.",
        "Buurtkeukens brengen ouderen en nieuwkomers samen aan tafel; overschotten van "
        "supermarkten worden samen gekookt en gedeeld.",
    ],
    "fr": [
        "Des bénévoles accompagnent chaque semaine des enfants de familles à faibles revenus "
        "en lecture et en calcul ; l'évaluation est menée avec l'université.",
        "Des cuisines de quartier réunissent personnes âgées et réfugiés autour d'une même "
        "table, où les invendus des supermarchés sont cuisinés ensemble.",
    ],
}
_ORGS = [
    "Lernbrücke gemeinnützige GmbH",
    "Stiftung Bildungschancen",
    "Tartu Ülikool",
    "Stichting Buurtkracht",
    "Association Solidarité Éducative",
    "Kogukonnaköök MTÜ",
]
_COUNTRIES = ["country:DEU", "country:EST", "country:NLD", "country:LUX", "country:FRA"]
_THEMES = ["theme:education", "theme:food", "theme:employment", "theme:inclusion", "theme:housing"]
_STAGES = ["maturity:pilot", "maturity:proven", "maturity:scaling", "maturity:established"]


def _text(rng: random.Random, languages: Sequence[str], sentences: int) -> dict[str, str]:
    return {
        lang: " ".join(rng.choice(_TEXTS[lang]) for _ in range(sentences)) for lang in languages
    }


def _organisation(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "Organization",
        "legalName": rng.choice(_ORGS),
        "countries": rng.sample(_COUNTRIES, 1),
    }


def make_record(rng: random.Random) -> dict[str, Any]:
    """Return one typical unsigned initiative record (about 2 KB of JSON)."""
    languages = ["en", rng.choice(["de", "et", "nl", "fr"])]
    return {
        "@context": "https://w3id.org/ncc/context/v1",
        "id": f"{BASE}/initiatives/{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "type": "Initiative",
        "origin": f"{BASE}/node",
        "version": rng.randint(1, 9),
        "modified": "2026-03-01T10:00:00Z",
        "name": _text(rng, languages, 1),
        "description": _text(rng, languages, 1),
        "problem": _text(rng, languages[:1], 1),
        "approach": _text(rng, languages, 1),
        "results": {"en": "1,200 pairs in 14 cities; 78% improved reading within a year."},
        "transferPotential": _text(rng, languages[:1], 1),
        "sdgs": sorted(rng.sample(["sdg:1", "sdg:2", "sdg:4", "sdg:8", "sdg:10", "sdg:11"], 2)),
        "themes": rng.sample(_THEMES, 2),
        "countries": rng.sample(_COUNTRIES, 1),
        "languages": ["lang:DEU", "lang:ENG"],
        "stage": rng.choice(_STAGES),
        "leadOrganisation": {**_organisation(rng), "website": "https://lernbruecke.example.org"},
        "partners": [_organisation(rng) for _ in range(rng.randint(1, 3))],
        "seeksPartners": rng.random() < 0.5,
    }


def _best_rate(count: int, run: Callable[[], None], timings: list[float]) -> None:
    start = time.perf_counter()
    run()
    timings.append(count / (time.perf_counter() - start))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and return the exit status (1 below target)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.60)
    args = parser.parse_args(argv)

    rng = random.Random(8785)
    key = generate_key("key-1")
    descriptor = new_descriptor(
        base_url=BASE, name={"en": "NCC Germany"}, jurisdiction="country:DEU", key=key, created=T0
    )
    key_lookup = key_lookup_from_descriptor(descriptor)
    method = key.verification_method(descriptor["id"])
    records = [make_record(rng) for _ in range(args.records)]
    sizes = [len(canonicalize(record)) for record in records]

    mismatches = sum(canonicalize(r) != rfc8785.dumps(r) for r in records)
    fast = sum(is_plain(r) for r in records)

    start = time.perf_counter()
    signed = [
        sign(r, private_key=key.private_key, verification_method=method, created=T0)
        for r in records
    ]
    sign_rate = len(signed) / (time.perf_counter() - start)
    mismatches += sum(canonicalize(s) != rfc8785.dumps(s) for s in signed)

    # The raw limit: the same public key verifying the same hashData and signature bytes.
    raw_inputs = []
    for document in signed:
        unsecured = unsecured_document(document)
        suite = document["proof"]["cryptosuite"]
        hashed = hash_data(
            canonicalize_proof_config(
                proof_configuration(document["proof"], unsecured), cryptosuite=suite
            ),
            canonicalize_document(unsecured, cryptosuite=suite),
        )
        raw_inputs.append((multibase_decode(document["proof"]["proofValue"]), hashed))
    public_key = key_lookup(method, T0)
    now = T0 + timedelta(days=1)

    def raw() -> None:
        for signature, hashed in raw_inputs:
            public_key.verify(signature, hashed)

    def full() -> None:
        for document in signed:
            verify(document, key_lookup=key_lookup, now=now)

    raw_rates: list[float] = []
    full_rates: list[float] = []
    for _ in range(args.rounds):
        _best_rate(len(signed), raw, raw_rates)
        _best_rate(len(signed), full, full_rates)
    raw_rate, full_rate = max(raw_rates), max(full_rates)
    ratio = full_rate / raw_rate

    print(
        f"records: {len(records)}, canonical size: mean {sum(sizes) / len(sizes):.0f} B, "
        f"min {min(sizes)} B, max {max(sizes)} B; JCS fast path taken for {fast}/{len(records)}"
    )
    print(f"JCS fast path == rfc8785.dumps: {'yes' if not mismatches else f'NO ({mismatches})'}")
    print(f"sign (eddsa-jcs-2022):          {sign_rate:10.0f} records/s")
    print(
        f"raw Ed25519 verify (limit):     {raw_rate:10.0f} verifies/s  "
        f"({1e6 / raw_rate:.1f} µs each)"
    )
    print(
        f"full eddsa-jcs-2022 verify:     {full_rate:10.0f} verifies/s  "
        f"({1e6 / full_rate:.1f} µs each)"
    )
    print(
        f"ratio full/raw: {ratio:.3f} (target >= {args.target:.2f}, best of {args.rounds} rounds)"
    )
    if mismatches:
        print("FAIL: the JCS fast path differs from rfc8785")
        return 1
    if ratio < args.target:
        print("FAIL: full verify is below target")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
