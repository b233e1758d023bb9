"""The four nodes of ``ncc demo``: settings from config/demo, first-run setup, server processes."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from ncc_node.accounts import add_user
from ncc_node.context import NodeContext, open_node
from ncc_node.identity import init_identity, node_iri_for
from ncc_node.settings import Settings, load_settings
from ncc_node.store import open_store

from .errors import CliError
from .import_readers import Origin, csv_rows, jsonl_rows
from .importer import Importer, ImportReport
from .ports import NoFreePorts, free_port_run, port_free

CODES = ("de", "ee", "nl", "lu")
#: the accounts every demo node has for its web pages (name, role)
DEMO_ACCOUNTS = (("editor", "editor"), ("admin", "admin"))
SAMPLE_SUFFIXES = (".jsonl", ".csv")
Echo = Callable[[str], None]


class DemoError(CliError):
    """The demo federation cannot start, or its nodes do not come to agree."""

    code = "demo"


@dataclass
class DemoNode:
    """One node of the demo: its config file, the overrides ``ncc demo`` applies, its process."""

    code: str
    config: Path
    overrides: dict[str, Any]
    settings: Settings
    process: subprocess.Popen[bytes] | None = None
    context: NodeContext | None = None
    password: str = ""  # of the demo accounts (DEMO_ACCOUNTS), kept in password_file
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.settings.path("node.data_dir") / "serve.log"

    @property
    def password_file(self) -> Path:
        """Where the demo accounts' password is kept (0600) between runs."""
        return self.settings.path("node.data_dir") / "demo-password"

    @property
    def label(self) -> str:
        """The country code in capitals, as the demo prints it."""
        return self.code.upper()

    @property
    def url(self) -> str:
        """The node's base URL."""
        return str(self.settings["node.base_url"])

    def environment(self) -> dict[str, str]:
        """The environment of this node's ``ncc serve``: the overrides as NCC_* variables."""
        env = dict(os.environ)
        env.update({
            "NCC_NODE_DATA_DIR": str(self.overrides["node.data_dir"]),
            "NCC_NODE_BASE_URL": self.url,
            "NCC_SERVER_HOST": "127.0.0.1",
            "NCC_SERVER_PORT": str(self.settings["server.port"]),
            "NCC_PEERS": json.dumps(self.settings["peers"]),
            "NCC_SYNC_IN_SERVE": "false",  # `ncc demo` runs the sync itself, one writer per peer
        })
        return env


def _port(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise DemoError(f"demo base URL {url} names no port")
    return port


def plan(configs: Path, state: Path | None, base_port: int | None) -> list[DemoNode]:
    """Read config/demo/<cc>.toml; move the state to ``state/<cc>`` and ports to ``base_port+i``."""
    files = [configs / f"{code}.toml" for code in CODES]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise DemoError(f"demo config(s) not found: {', '.join(missing)} (pass --configs DIR)")
    originals = [load_settings({"config_file": str(path)}) for path in files]
    moved: dict[str, str] = {}
    if base_port is not None:
        moved = {s["node.base_url"]: f"http://127.0.0.1:{base_port + index}"
                 for index, s in enumerate(originals)}
    nodes = []
    for code, path, original in zip(CODES, files, originals, strict=True):
        base_url = moved.get(original["node.base_url"], original["node.base_url"])
        data_dir = (state / code) if state is not None else original.path("node.data_dir")
        overrides: dict[str, Any] = {
            "node.data_dir": str(data_dir.resolve()),
            "node.base_url": base_url,
            "server.port": _port(base_url),
            "peers": [{**peer, "base_url": moved.get(peer["base_url"], peer["base_url"])}
                      for peer in original["peers"]],
        }
        settings = load_settings({"config_file": str(path), **overrides})
        nodes.append(DemoNode(code, path, overrides, settings))
    return nodes


def free_base_port(count: int = len(CODES)) -> int:
    """A port P such that P…P+count-1 are free on 127.0.0.1 now (``--base-port 0``)."""
    try:
        return free_port_run(count)
    except NoFreePorts as exc:
        raise DemoError(f"{exc}; pass --base-port") from exc


def check_ports_free(nodes: Sequence[DemoNode]) -> None:
    """Fail with one clear message if a demo port is taken (e.g. by another ``ncc demo``)."""
    busy = []
    for node in nodes:
        if not port_free(int(node.settings["server.port"])):
            busy.append(f"{node.settings['server.port']} ({node.label})")
    if busy:
        raise DemoError(f"port(s) {', '.join(busy)} on 127.0.0.1 are in use (is another "
                        "`ncc demo` or `ncc serve` running?): stop it, or run the demo on other "
                        "ports with --base-port PORT (e.g. --base-port 9471)")


def _open(node: DemoNode, echo: Echo) -> NodeContext:
    """Open the node's store and identity; create them on the first run."""
    settings = node.settings
    database = settings.database()
    if isinstance(database, Path) and not database.is_file():
        echo(f"{node.label}: first run, creating the signing key and database in "
             f"{settings.path('node.data_dir')}")
        store = open_store(database)
        try:
            init_identity(settings, store)
        finally:
            store.close()
    store = open_store(database)
    try:
        if store.descriptor(node_iri_for(node.url)) is None:
            raise DemoError(f"{settings.path('node.data_dir')} holds a node made for another "
                            f"base URL than {node.url}: pass another --state (or delete it)")
    finally:
        store.close()
    return open_node(settings)


def import_samples(node: DemoNode, context: NodeContext, samples: Path, echo: Echo) -> int:
    """Import ``samples/<cc>.jsonl`` (or ``.csv``) into the node; idempotent. Return the rows."""
    origin = Origin(context.identity.node_iri, context.identity.base_url)
    rows = 0
    for suffix in SAMPLE_SUFFIXES:
        path = samples / f"{node.code}{suffix}"
        if not path.is_file():
            continue
        reader = (csv_rows(path, _no_progress) if suffix == ".csv"
                  else jsonl_rows(path, _no_progress, origin))
        report = Importer(context).run(reader)
        echo(f"{node.label}: {path}: {_counts(report)}")
        if report.rejected:
            for line, reason in report.rejected:
                echo(f"{path}:{line}: {reason}")
            raise DemoError(f"{len(report.rejected)} sample row(s) of {path} were rejected")
        rows += report.rows
    if not rows:
        echo(f"{node.label}: no sample file {node.code}.jsonl or {node.code}.csv in {samples}")
    return rows


def _no_progress(count: int) -> None:
    """Progress callback of the sample import: the demo prints one summary line instead."""


def _counts(report: ImportReport) -> str:
    counts = report.counts
    return (f"{report.rows} row(s): {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged")


def demo_accounts(node: DemoNode, context: NodeContext, echo: Echo) -> str:
    """Create the node's demo accounts on the first run (a random password, kept in
    ``password_file``); return their password."""
    path = node.password_file
    if path.is_file():
        password = path.read_text(encoding="utf-8").strip()
    else:
        password = secrets.token_urlsafe(12)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
    for name, role in DEMO_ACCOUNTS:
        if context.store.user(name=name) is None:
            add_user(context.store, name, role=role, password=password, actor="cli:demo",
                     display_name=f"Demo {role} ({node.label})")
            echo(f"{node.label}: created the {role} account {name!r} for the web pages")
    return password


def prepare(nodes: Sequence[DemoNode], samples: Path, echo: Echo) -> None:
    """Open every node (keys and database on the first run), make its demo accounts and
    import its samples."""
    for node in nodes:
        node.context = _open(node, echo)
        node.password = demo_accounts(node, node.context, echo)
        import_samples(node, node.context, samples, echo)
        offer_mappings(node.context, samples.parent / "mappings")


def offer_mappings(context: NodeContext, mappings: Path) -> None:
    """Copy the repository's mappings (config/mappings) where the import page finds them."""
    folder = context.settings.path("web.import_mappings")
    if not mappings.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for mapping in sorted(mappings.glob("*.toml")):
        target = folder / mapping.name
        if not target.exists():
            shutil.copyfile(mapping, target)


def start_servers(nodes: Sequence[DemoNode]) -> None:
    """Start ``ncc serve`` for every node, output to ``<state>/<cc>/serve.log``."""
    for node in nodes:
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(
                [sys.executable, "-m", "ncc_cli", "serve", "--config", str(node.config)],
                env=node.environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)  # Ctrl-C reaches the demo, which stops them in order


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def exited(nodes: Sequence[DemoNode]) -> list[DemoNode]:
    """The nodes whose server process has ended."""
    return [n for n in nodes if n.process is not None and n.process.poll() is not None]


def wait_until_serving(nodes: Sequence[DemoNode], deadline: float) -> None:
    """Poll every node's ``/node`` until it answers 200; fail at the deadline or on an exit."""
    waiting = list(nodes)
    with requests.Session() as session:
        while waiting:
            for node in exited(waiting):
                raise DemoError(f"{node.label}'s server exited; the end of {node.log}:\n"
                                f"{_tail(node.log)}")
            for node in list(waiting):
                try:
                    if session.get(node.url + "/node", timeout=1).status_code == 200:
                        waiting.remove(node)
                except requests.RequestException:
                    pass
            if waiting and time.monotonic() > deadline:
                names = ", ".join(n.label for n in waiting)
                raise DemoError(f"{names} did not answer within the deadline; see their "
                                "serve.log in the state directory")
            if waiting:
                time.sleep(0.1)


def stop_servers(nodes: Sequence[DemoNode], grace_s: float = 10.0) -> None:
    """SIGTERM every server (they stop gracefully), kill any still running after ``grace_s``."""
    running = [n.process for n in nodes if n.process is not None and n.process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + grace_s
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # its own session (start_new_session): the group holds any worker processes it made
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace_s)


def close_stores(nodes: Sequence[DemoNode]) -> None:
    """Close the stores the demo process opened."""
    for node in nodes:
        if node.context is not None:
            node.context.store.close()
            node.context = None
