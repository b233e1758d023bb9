"""The sync worker: peer client, acceptance rules and scheduler (architecture §6).

``SyncWorker(store, identity, settings).run_once()`` pulls every ``[[peers]]`` feed once;
``run_daemon`` repeats that on an interval. Each item is checked by the pure rules of
:mod:`sync.rules` against its origin's key and merged with provenance, one transaction per page.
"""

from .checkpool import PRELOAD as FORKSERVER_PRELOAD
from .config import (
    PeerConfig,
    SyncOptions,
    check_origins,
    check_peers,
    origins_from_settings,
    peers_from_settings,
)
from .daemon import run_daemon
from .errors import (
    BadResponse,
    BudgetExhausted,
    FeedCut,
    PeerHttpError,
    PeerRejected,
    PeerTimeout,
    PeerUnreachable,
    RedirectRefused,
    ResponseTooLarge,
    SyncError,
)
from .push import PushAgent, PushCounts
from .results import PeerResult
from .rules import Limits, TrustPolicy, check_item
from .verdicts import REASONS, Verdict
from .worker import SyncWorker

__all__ = [
    "BadResponse",
    "BudgetExhausted",
    "FORKSERVER_PRELOAD",
    "FeedCut",
    "Limits",
    "PeerConfig",
    "PeerHttpError",
    "PeerRejected",
    "PeerResult",
    "PeerTimeout",
    "PeerUnreachable",
    "PushAgent",
    "PushCounts",
    "REASONS",
    "RedirectRefused",
    "ResponseTooLarge",
    "SyncError",
    "SyncOptions",
    "SyncWorker",
    "TrustPolicy",
    "Verdict",
    "check_item",
    "check_origins",
    "check_peers",
    "origins_from_settings",
    "peers_from_settings",
    "run_daemon",
]
