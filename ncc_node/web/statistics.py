"""The statistics page: the counts of :func:`ncc_node.reports.stats.ecosystem_stats`
(``GET /stats``) as bar charts, labelled in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from ..reports import ecosystem_stats
from ..store import Store
from .charts import Chart, bar_chart
from .labels import DIMENSIONS
from .present import concept_label


def charts(store: Store, lang: str) -> list[Chart]:
    """Records per origin country, then each dimension's totals and its counts per country."""
    stats: dict[str, Any] = ecosystem_stats(store)
    result = [bar_chart(gettext("Records by origin country"), [
        (concept_label(row["country"], lang), int(row["initiatives"]) + int(row["methods"]))
        for row in stats["countries"]])]
    for name, dimension in stats["dimensions"].items():
        title = str(DIMENSIONS.get(name, name))
        concepts = [c["iri"] for c in dimension["concepts"]]
        if not concepts:
            continue
        result.append(bar_chart(f"{title} · {gettext('Total')}", [
            (concept_label(iri, lang), int(dimension["totals"].get(iri, 0))) for iri in concepts]))
        # A chart per country adds something only beside others: with one country it repeats
        # the total.
        per_country = dimension["counts"] if len(dimension["counts"]) > 1 else {}
        for country, counts in sorted(per_country.items()):
            result.append(bar_chart(
                f"{title} · {concept_label(country, lang)}",
                [(concept_label(iri, lang), int(counts.get(iri, 0))) for iri in concepts
                 if counts.get(iri)]))
    return result
