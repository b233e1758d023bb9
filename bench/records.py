"""Realistic synthetic records for the benchmarks: deterministic, about 2 KB each."""

from __future__ import annotations

import random
import uuid
from typing import Any

CONTEXT = "https://w3id.org/ncc/context/v1"

COUNTRIES = {
    "DEU": ("de", "DEU", "https://ncc-de.example.org",
            ["Nachbarschaftshilfe für ältere Menschen", "Sprachcafés für Geflüchtete",
             "Reparaturwerkstätten im Quartier", "Lernpatenschaften an Grundschulen"],
            "Ein gemeinnütziges Projekt, das Menschen vor Ort zusammenbringt, Ehrenamtliche "
            "schult und Wirkung über fünf Jahre gemessen hat. Schwerpunkt: Teilhabe für alle. "),
    "EST": ("et", "EST", "https://ncc-ee.example.org",
            ["Küla kogukonnaköök", "Eakate digioskuste õpituba", "Noorte töövarjupäevad",
             "Rändajate kohanemisprogramm"],
            "Kogukonnapõhine algatus, mis ühendab vabatahtlikke ja kohalikke omavalitsusi, "
            "koolitab juhendajaid ning mõõdab mõju igal aastal. Fookus: kaasamine. "),
    "NLD": ("nl", "NLD", "https://ncc-nl.example.org",
            ["Buurtbemiddeling in de wijk", "Schuldhulp voor jongeren", "Energiecoaches aan huis",
             "Taalmaatjes voor nieuwkomers"],
            "Een maatschappelijk initiatief dat bewoners en gemeenten samenbrengt, vrijwilligers "
            "opleidt en de impact jaarlijks meet. Nadruk op zelfredzaamheid en preventie. "),
    "LUX": ("fr", "FRA", "https://ncc-lu.example.org",
            ["Épicerie sociale solidaire", "Mentorat pour jeunes décrocheurs",
             "Jardins partagés intergénérationnels", "Accompagnement numérique des aînés"],
            "Une initiative sociale qui réunit habitants, communes et associations, forme des "
            "bénévoles et mesure son impact chaque année. Accent sur l'inclusion. "),
}
THEMES = ["education", "employment", "health-care", "social-inclusion", "migration-integration",
          "housing", "climate-environment", "digital-inclusion", "poverty", "care"]
GROUPS = ["youth", "children", "older-people", "migrants-refugees", "long-term-unemployed",
          "families", "low-income-households", "people-with-disabilities"]
STAGES = ["idea", "pilot", "proven", "scaling", "established"]


def initiative(rng: random.Random, index: int) -> dict[str, Any]:
    """Return one unsigned, valid initiative of about 2 KB."""
    code = rng.choice(sorted(COUNTRIES))
    lang, lang3, base, names, text = COUNTRIES[code]
    title = f"{rng.choice(names)} {index}"
    record: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{base}/initiatives/{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "type": "Initiative",
        "origin": f"{base}/node",
        "version": rng.randint(1, 9),
        "modified": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "name": {lang: title, "en": f"Social innovation {index}"},
        "description": {lang: text * 2, "en": "A community initiative that trains volunteers "
                        "and measures its impact every year. " * 2},
        "problem": {lang: text},
        "results": {"en": f"Reached {rng.randint(100, 9000)} people in {rng.randint(2, 40)} "
                    "municipalities; evaluated by an independent partner."},
        "leadOrganisation": {"type": "Organization", "legalName": f"Träger {index} gGmbH",
                             "countries": [f"country:{code}"]},
        "partners": [{"type": "Organization", "legalName": f"Partner {index}-{p}"}
                     for p in range(rng.randint(0, 3))],
        "countries": [f"country:{code}"],
        "languages": [f"lang:{lang3}", "lang:ENG"],
        "sdgs": [f"sdg:{n}" for n in sorted(rng.sample(range(1, 18), rng.randint(1, 4)))],
        "stage": f"maturity:{rng.choice(STAGES)}",
        "themes": [f"theme:{t}" for t in rng.sample(THEMES, rng.randint(1, 3))],
        "targetGroups": [f"tg:{g}" for g in rng.sample(GROUPS, rng.randint(1, 3))],
        "seeksPartners": rng.random() < 0.5,
        "website": f"https://initiative-{index}.example.org/",
    }
    return record


def initiatives(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """Return ``count`` deterministic initiatives."""
    rng = random.Random(seed)
    return [initiative(rng, i) for i in range(count)]
