"""Every node setting, declared once: name, type, default and a one-line help (CONVENTIONS §2).

Layers, later wins: packaged defaults -> the TOML file named by ``NCC_CONFIG`` -> ``NCC_*``
environment variables -> the mapping passed to :func:`load_settings` (tests). A setting
``server.port`` is ``[server] port = 8001`` in TOML and ``NCC_SERVER_PORT`` in the environment.
Unknown keys and bad types fail at start-up with a message naming the key and its source.
``peers`` is the one list setting: an array of tables (``[[peers]]``) whose form is checked here
and whose entries the sync worker checks (:func:`sync.check_peers`, run at start-up by the CLI);
its environment variable, when set, holds the same list as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    key: str
    type: type
    default: Any
    help: str
    check: Callable[[Any, str], Any] | None = None  # validates (and may normalise) a value

    @property
    def env(self) -> str:
        """The environment variable that overrides this setting."""
        return "NCC_" + self.key.replace(".", "_").upper()


ENGINES = ("granian", "waitress")


def _check_engine(value: Any, where: str) -> str:
    if value not in ENGINES:
        raise ConfigError(f"server.engine from {where}: {value!r} is not one of "
                          f"{', '.join(ENGINES)}")
    return str(value)


SIGNING_SUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")


def _check_suite(value: Any, where: str) -> str:
    if value not in SIGNING_SUITES:
        raise ConfigError(f"node.cryptosuite from {where}: {value!r} is not one of "
                          f"{', '.join(SIGNING_SUITES)}")
    return str(value)


PEER_KEYS = frozenset({"base_url", "scope", "keys"})


def _peer_tables(value: Any, source: str) -> list[dict[str, Any]]:
    """The form of ``[[peers]]``: a list of tables with known keys. What the entries mean (URL
    rules, key encoding, duplicates) is the sync worker's to check (``sync.check_peers``)."""
    if not isinstance(value, list | tuple):
        raise ConfigError(f"peers from {source}: expected a list of peer tables")
    for index, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"peers[{index}] from {source}: expected a table with base_url, "
                              "scope, keys")
        unknown = sorted(set(entry) - PEER_KEYS)
        if unknown:
            raise ConfigError(f"peers[{index}] from {source}: unknown key(s) "
                              f"{', '.join(unknown)} (allowed: base_url, scope, keys)")
    return [dict(entry) for entry in value]


def _origin_tables(value: Any, source: str) -> list[dict[str, Any]]:
    """The form of ``[[origins]]``: a list of tables of ``node`` and ``keys``. What the entries
    mean (node IRIs, key encoding, duplicates) is the sync worker's to check
    (``sync.check_origins``)."""
    if not isinstance(value, list | tuple):
        raise ConfigError(f"origins from {source}: expected a list of origin tables")
    for index, entry in enumerate(value):
        if not isinstance(entry, Mapping) or sorted(entry) != ["keys", "node"]:
            raise ConfigError(f"origins[{index}] from {source}: expected a table with node (a "
                              "node IRI <base>/node) and keys (a list of z6Mk… keys)")
    return [dict(entry) for entry in value]


def _check_roster_keys(value: Any, source: str) -> list[str]:
    """``[roster] keys``: a list of z6Mk… strings (each key's encoding is checked on use)."""
    if not isinstance(value, list | tuple) or not all(
            isinstance(k, str) and k.startswith("z6Mk") for k in value):
        raise ConfigError(f"roster.keys from {source}: expected a list of z6Mk… keys, "
                          f"got {value!r}")
    return list(value)


def _check_threshold(value: Any, source: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"roster.threshold from {source}: expected an integer >= 1, "
                          f"got {value!r}")
    return value


def _check_weight(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"scout weight from {where}: expected a number >= 0, got {value!r}")
    return float(value)


def _positive(key: str, kind: type) -> Callable[[Any, str], Any]:
    """A check that ``key`` holds a number of ``kind`` above zero (text from the environment
    is converted first: a check replaces the plain type check)."""
    def check(value: Any, where: str) -> Any:
        if isinstance(value, str):
            try:
                value = kind(value)
            except ValueError:
                raise ConfigError(f"{key} from {where}: expected {kind.__name__}, "
                                  f"got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 \
                or (kind is int and not isinstance(value, int)):
            raise ConfigError(f"{key} from {where}: expected {kind.__name__} > 0, "
                              f"got {value!r}")
        return kind(value)
    return check


# Scouting score (issue 6, docs/scouting.md): one weight per factor; each factor is 0..1.
SCOUT_WEIGHTS = {
    "relevance": (6.0, "text relevance: bm25 over weighted fields relative to the best match, "
                       "share of the query's words matched, phrases; or likeness of content"),
    "maturity": (1.0, "stage: idea 0, pilot 0.25, proven 0.5, scaling 0.75, established 1; "
                      "0.5 when unknown"),
    "impact": (1.0, "evidence of impact: a measured result or an impact-measurement method 1, "
                    "a substantial impact text 0.6, a sentence 0.3"),
    "transfer": (0.5, "transfer readiness: a transferPotential text, the longer the better"),
    "partners": (1.0, "seeks partners in the target country (1) or at all (0.5)"),
    "replications": (0.5, "replications/adaptations already done elsewhere (3 or more = 1)"),
    "recency": (0.5, "how recent the case's own dates are (end, start, else the origin's "
                     "modified; halves every two years)"),
}


SETTINGS: tuple[Setting, ...] = (
    Setting("node.country", str, None,
            "ISO 3166 alpha-2 code of the NCC's country, e.g. DE; EU for an EU-level node."),
    Setting("node.name", str, None, "The node's display name (English)."),
    Setting("node.base_url", str, None, "Public base URL; record ids are minted under it."),
    Setting("node.data_dir", str, ".", "Database and key folder, relative to the config file."),
    Setting("node.database", str, "node.db",
            "SQLite database file, relative to data_dir, or a PostgreSQL server's "
            "postgresql://user@host/dbname URL (libpq's form; ?options=-csearch_path%3Dname "
            "picks a schema)."),
    Setting("node.key_dir", str, "keys", "Folder of the node's PEM keys, relative to data_dir."),
    Setting("node.key_passphrase_env", str, "NCC_KEY_PASSPHRASE",
            "Environment variable holding the key passphrase (unset: keys are unencrypted)."),
    Setting("node.cryptosuite", str, "eddsa-jcs-2022",
            "Cryptosuite the node signs its records and descriptor with (verifiers take both).",
            _check_suite),
    Setting("server.host", str, "127.0.0.1", "Interface `ncc serve` binds to."),
    Setting("server.port", int, 8000, "Port `ncc serve` listens on."),
    Setting("server.threads", int, 8, "Worker threads of waitress (engine = waitress)."),
    Setting("server.workers", int, 2,
            "granian worker processes (engine = granian), one Python thread each."),
    Setting("server.stop_grace_s", int, 10,
            "Seconds a granian worker gets to stop after SIGTERM before it is killed."),
    Setting("server.engine", str, "granian",
            "HTTP server of `ncc serve`: granian (Rust, the faster) or waitress (pure Python).",
            _check_engine),
    Setting("server.compression", bool, True,
            "Compress responses of 1 KiB or more (zstd, else gzip) for clients that accept it."),
    Setting("limits.max_body_bytes", int, 2 * 1024 * 1024, "Largest accepted request body."),
    Setting("limits.max_json_depth", int, 32, "Deepest accepted JSON nesting in a request."),
    Setting("limits.feed_page_max", int, 1000, "Largest `limit` a feed page may ask for."),
    Setting("limits.list_page_max", int, 200, "Largest `limit` a record list may ask for."),
    Setting("limits.import_max_rows", int, 1_000_000, "Largest number of rows one import takes."),
    Setting("proofs.max_future_skew_s", int, 300,
            "How far in the future a proof's `created` may be, in seconds."),
    Setting("sync.interval_s", float, 60.0, "Seconds between two sync rounds of the daemon."),
    Setting("sync.jitter_s", float, 10.0,
            "Random extra wait (0 to this many seconds) added to each interval."),
    Setting("sync.page_size", int, 500, "Feed items asked for per request."),
    Setting("sync.connect_timeout_s", float, 5.0, "Seconds to wait for a peer to accept."),
    Setting("sync.read_timeout_s", float, 30.0,
            "Seconds a peer may stay silent, and the most a response body may take."),
    Setting("sync.max_response_bytes", int, 16 * 1024 * 1024,
            "Largest response read from a peer; a larger one is cut off while streaming."),
    Setting("sync.max_record_bytes", int, 256 * 1024,
            "Largest feed item accepted; a larger one is quarantined."),
    Setting("sync.retries", int, 3,
            "Extra attempts after a connection error or a 5xx, with backoff and jitter."),
    Setting("sync.backoff_s", float, 0.5, "First retry delay; doubles on each further attempt."),
    Setting("sync.trust_introduced", bool, True,
            "Accept origins a `scope=all` peer relays when their self-signed descriptor "
            "verifies (false: only direct peers' origins)."),
    Setting("sync.confirm_introduced", bool, True,
            "Trust an origin a relay introduces only once its own <base>/node serves a matching "
            "descriptor (or a key is pinned for it in [[origins]], or the roster lists it)."),
    Setting("sync.one_node_per_country", bool, True,
            "Refuse an introduced origin for a country another held node already serves."),
    Setting("sync.in_serve", bool, False, "Run the sync daemon inside `ncc serve`."),
    Setting("sync.check_workers", int, 0,
            "Processes that check proofs and shapes of large pages (0: one per CPU; 1: none)."),
    Setting("sync.check_min_items", int, 32,
            "Pages with fewer records are checked in the worker's own process."),
    Setting("sync.request_deadline_s", float, 60.0,
            "Most seconds one request may take in all (headers and body), however it trickles."),
    Setting("sync.page_deadline_s", float, 120.0,
            "Most seconds one feed page may take, its retries and backoff included."),
    Setting("sync.peer_budget_s", float, 600.0,
            "Most seconds one round may spend on one peer; the rest waits for the next round."),
    Setting("sync.peer_concurrency", int, 4,
            "Peers synced at the same time in a round (each on its own connection)."),
    Setting("sync.max_pages_per_round", int, 2000,
            "Most feed pages read from one peer in a round; past it the feed is cut."),
    Setting("sync.max_bytes_per_round", int, 1024 * 1024 * 1024,
            "Most response bytes read from one peer in a round; past it the feed is cut."),
    Setting("sync.quarantine_max_per_peer", int, 5000,
            "Most quarantined items kept per peer; the oldest go first (counts are kept)."),
    Setting("sync.quarantine_max", int, 50000,
            "Most quarantined items kept in all; the oldest go first (counts are kept)."),
    Setting("sync.retry_limit", int, 8,
            "Times an item received damaged or unverifiable is asked for again before it "
            "stays quarantined."),
    Setting("sync.retry_backoff_s", float, 60.0,
            "First wait before asking again for such an item; doubles on each attempt."),
    Setting("sync.anti_entropy_every", int, 10,
            "Compare digests with each peer every this many rounds (0: never)."),
    Setting("push.enabled", bool, True,
            "The sync daemon subscribes to its peers' feeds and notifies its own subscribers "
            "(false: pull only)."),
    Setting("push.lease_s", int, 900,
            "Seconds a push subscription lasts: asked for as a subscriber, the most granted "
            "as a publisher; renewed at half time."),
    Setting("push.min_gap_s", float, 0.25,
            "Least time between two pulls of one peer that its notifications trigger."),
    Setting("push.rate_per_s", float, 5.0,
            "Notifications accepted per publisher per second (more: HTTP 429)."),
    Setting("push.rate_burst", int, 20,
            "Notifications one publisher may send at once before the rate applies."),
    Setting("sparql.timeout_seconds", float, 10.0,
            "Longest a SPARQL query may run before it is stopped with a 503."),
    Setting("sparql.max_results", int, 10_000,
            "Most solutions (or triples) a SPARQL query may return; more is a 422."),
    Setting("sparql.workers", int, 1,
            "Query processes of the host (`ncc serve`: one view process for all its workers); "
            "each holds its own copy of the RDF view."),
    Setting("sparql.queue", int, 4,
            "Queries that may wait for a busy query process; beyond that, 503 + Retry-After."),
    Setting("sparql.memory_mb", int, 448,
            "Address-space limit of a query process (RLIMIT_AS, MiB; view included); a query "
            "that needs more is stopped with a 503. 0: no limit."),
    Setting("sparql.start_timeout_seconds", float, 120.0,
            "Longest a query process may take to build or catch up its view before a query."),
    Setting("peers", list, [],
            "Peers to sync from: `[[peers]]` tables of base_url, scope (own|all) and keys "
            "(pinned z6Mk… keys; empty = trust on first use). The variable holds JSON.",
            check=_peer_tables),
    Setting("origins", list, [],
            "Origins the operator vouches for one by one: `[[origins]]` tables of node (its "
            "IRI) and keys (pinned z6Mk… keys); their descriptors are taken from any relay "
            "when signed by a pinned key. The variable holds JSON.",
            check=_origin_tables),
    Setting("roster.keys", list, [],
            "Roster keys you pin (z6Mk…): a federation roster signed by them vouches for the "
            "node IRIs, countries and keys it lists. Empty: no roster. The variable holds JSON.",
            check=_check_roster_keys),
    Setting("roster.threshold", int, 1,
            "How many distinct pinned roster keys must sign a roster.", _check_threshold),
    Setting("roster.file", str, "roster.json",
            "The roster this node holds and serves at /roster, relative to data_dir."),
    Setting("roster.only", bool, False,
            "Take an introduced origin only if a valid held roster lists it."),
    *(Setting(f"scout.weight_{name}", float, default, f"Scouting weight of {text}.",
              _check_weight) for name, (default, text) in SCOUT_WEIGHTS.items()),
    Setting("scout.pool", int, 200,
            "Records scored per scouting query (the best text matches, else the newest per "
            "stage)."),
    Setting("scout.limit_max", int, 100, "Largest `limit` a scouting query may ask for."),
    Setting("web.session_idle_minutes", float, 60.0,
            "Minutes without a request after which an editor's session ends.",
            check=_positive("web.session_idle_minutes", float)),
    Setting("web.session_max_hours", float, 12.0,
            "Hours after signing in at which a session ends however active it is.",
            check=_positive("web.session_max_hours", float)),
    Setting("web.sign_in_attempts", int, 5,
            "Failed sign-ins per account within the window before further tries wait.",
            check=_positive("web.sign_in_attempts", int)),
    Setting("web.sign_in_attempts_per_address", int, 20,
            "Failed sign-ins per client address within the window before further tries wait.",
            check=_positive("web.sign_in_attempts_per_address", int)),
    Setting("web.sign_in_window_s", int, 900,
            "Seconds over which failed sign-ins are counted.",
            check=_positive("web.sign_in_window_s", int)),
    Setting("web.oidc_issuer", str, None,
            "OpenID Connect issuer URL of the operator's identity provider; set it to offer "
            "single sign-on (its discovery document is read from there)."),
    Setting("web.oidc_client_id", str, None, "The node's client id at the identity provider."),
    Setting("web.oidc_client_secret_env", str, "NCC_OIDC_CLIENT_SECRET",
            "Environment variable holding the node's client secret at the identity provider."),
    Setting("web.oidc_label", str, "your organisation's account",
            "What the sign-in page's single sign-on button names."),
    Setting("web.import_mappings", str, "mappings",
            "Folder of the mappings (`*.toml`) the import page offers, relative to data_dir."),
    Setting("web.import_max_bytes", int, 50 * 1024 * 1024,
            "Largest file the import page accepts."),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def section_values(settings: Mapping[str, Any], section: str, fields: Any) -> dict[str, Any]:
    """The ``[section]`` settings named like the fields of the dataclass ``fields``, each in
    the type of the field's default; settings that are unset (None) are left out."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(fields):
        value = settings.get(f"{section}.{field.name}")
        if value is None:
            continue
        default = field.default
        values[field.name] = (type(default)(value) if isinstance(default, bool | int | float)
                              else value)
    return values


class Settings(Mapping[str, Any]):
    """The resolved settings of one node: a read-only mapping from key to typed value."""

    def __init__(self, values: Mapping[str, Any], base_dir: Path) -> None:
        self._values = dict(values)
        self.base_dir = base_dir

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def path(self, key: str) -> Path:
        """Resolve a file setting: ``data_dir`` against the config's folder, others in data_dir."""
        data_dir = Path(self["node.data_dir"])
        if not data_dir.is_absolute():
            data_dir = self.base_dir / data_dir
        if key == "node.data_dir":
            return data_dir
        value = Path(self[key])
        return value if value.is_absolute() else data_dir / value

    def database(self) -> str | Path:
        """Where the store is: a PostgreSQL URL as given, else the SQLite file's path."""
        value = self["node.database"]
        if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
            return value
        return self.path("node.database")

    def database_label(self) -> str:
        """The store's location for messages (a URL without its password)."""
        value = self.database()
        if isinstance(value, Path):
            return str(value)
        from .store.postgres import redacted

        return redacted(value)

    def require(self, *keys: str) -> None:
        """Fail with one message naming every required setting that is not set."""
        missing = [k for k in keys if self._values.get(k) in (None, "")]
        if missing:
            names = ", ".join(f"{k} (env {_BY_KEY[k].env})" for k in missing)
            raise ConfigError(f"missing required setting(s): {names}")


_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _coerce_text(setting: Setting, value: str, source: str) -> Any:
    """Turn an environment variable's text into the setting's type."""
    try:
        if setting.type is bool:
            return _BOOLEANS[value.strip().lower()]
        if setting.type is float:
            return float(value)
        if setting.type is list:
            return json.loads(value)
    except (KeyError, ValueError):
        raise ConfigError(f"{setting.key} from {source}: expected {setting.type.__name__}, "
                          f"got {value!r}") from None
    return value


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and setting.type in (bool, float, list):
        value = _coerce_text(setting, value, source)
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if setting.check is not None:
        return setting.check(value, source)
    if setting.type is int:
        if isinstance(value, bool):
            raise ConfigError(f"{setting.key} from {source}: expected an integer, got {value!r}")
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise ConfigError(
                    f"{setting.key} from {source}: expected an integer, got {value!r}"
                ) from None
    if not isinstance(value, setting.type):
        raise ConfigError(
            f"{setting.key} from {source}: expected {setting.type.__name__}, got {value!r}"
        )
    return value


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and key not in _BY_KEY:
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def _apply(values: dict[str, Any], layer: Mapping[str, Any], source: str) -> None:
    for key, value in layer.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ConfigError(f"unknown setting {key!r} in {source}")
        values[key] = _coerce(setting, value, source)


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file into flat ``section.key`` settings."""
    try:
        with path.open("rb") as handle:
            return _flatten(tomllib.load(handle))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve the settings through every layer; raise ConfigError on unknown keys or types."""
    env = os.environ if environ is None else environ
    values = {s.key: s.default for s in SETTINGS}
    base_dir = Path.cwd()
    config_file = (overrides or {}).get("config_file") or env.get("NCC_CONFIG")
    if config_file:
        path = Path(config_file).resolve()
        _apply(values, read_toml(path), str(path))
        base_dir = path.parent
    for setting in SETTINGS:
        if setting.env in env:
            _apply(values, {setting.key: env[setting.env]}, f"environment {setting.env}")
    rest = {k: v for k, v in (overrides or {}).items() if k != "config_file"}
    _apply(values, rest, "the mapping passed to create_app")
    return Settings(values, base_dir)
