"""Read models for operators and scouts: ecosystem statistics, record origins, sync health.
"""

from .origins import OriginCountries
from .peer_status import sync_status
from .stats import ecosystem_stats, stats_csv

__all__ = [
    "OriginCountries",
    "ecosystem_stats",
    "stats_csv",
    "sync_status",
]
