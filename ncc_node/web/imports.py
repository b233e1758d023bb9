"""Import in the browser: upload a CSV or JSON file (with a mapping), see the dry run, commit.

The readers, mappings and content checks live in the CLI, the composition root (``ncc
import``); the pages reach them through an :class:`ImportRunner` it registers on the app
(``ncc_cli.webapp``), so the same code imports a file from the shell and from the browser.
A run goes on in a thread of the process that took the upload, its state in a file beside
the upload (any worker process can show it), and its page refreshes itself (``<meta
http-equiv="refresh">``, no script) until it is done: rows read so far, then the outcome —
rows accepted, every error by row and column, fields filled, records held for review.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from flask import current_app, redirect, request
from flask_babel import gettext
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as BaseResponse

from ..context import node
from .auth import actor, editor_required
from .i18n import finding_said
from .pages import bp, page

EXTENSION = "ncc_import_runner"
RUNNING = "ncc_import_threads"  # the app's import threads still at work
UPLOADS = "uploads"  # under data_dir: files kept between the dry run and the commit
FORMATS = (".csv", ".json", ".jsonl", ".ndjson", ".jsonld")
KEEP_S = 24 * 3600  # finished runs are forgotten after a day


#: one error of a run: (row, column, English message, template, the template's values); the
#: validator's findings carry their template (vocab.Violation), so the page says them in the
#: reader's language; the file's own errors have none and are said in English
RowError = tuple[int, str, str, str, tuple[tuple[str, str], ...]]


@dataclass
class ImportOutcome:
    """What a run did (or, dry, would do)."""

    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # created / updated / unchanged
    errors: list[RowError] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)  # "name: 12 of 14 rows"
    held: int = 0
    problem: str = ""  # the file could not be read at all

    @property
    def accepted(self) -> int:
        """Rows created, updated or unchanged."""
        return sum(self.counts.values())


class ImportRunner(Protocol):
    """Runs an import for the pages (implemented by the CLI: ``ncc_cli.webapp``)."""

    def mappings(self) -> list[str]:
        """The mapping names offered (files in ``web.import_mappings``)."""

    def run(self, path: Path, mapping: str | None, *, dry_run: bool, actor: str,
            progress: Callable[[int], None]) -> ImportOutcome:
        """Import (or check) the file; ``progress(rows)`` is called as rows are read."""


@dataclass
class ImportJob:
    """One upload: its file, the runs on it, and how far the current one is.

    Kept as a JSON file next to the upload (``<data_dir>/uploads/<id>.json``), not in memory:
    ``ncc serve`` runs several worker processes, and the page asking how a run is going may
    reach another one than the run's.
    """

    id: str
    filename: str
    mapping: str | None
    owner: str
    dry_run: bool = True
    rows_read: int = 0
    running: bool = False
    dry: ImportOutcome | None = None
    done: ImportOutcome | None = None
    started: float = field(default_factory=time.time)
    # the process running it (its pid and start time): a run whose process is gone was cut
    # off by a restart of the server and is marked interrupted when next looked at
    pid: int = 0
    pid_started: str | None = None
    interrupted: bool = False

    @staticmethod
    def folder() -> Path:
        """Where uploads and their runs are kept."""
        folder: Path = node().settings.path("node.data_dir") / UPLOADS
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    @property
    def path(self) -> Path:
        """The uploaded file."""
        return self.folder() / f"{self.id}-{self.filename}"

    def save(self, folder: Path | None = None) -> None:
        """Write the run's state (atomically: a reader never sees half a file)."""
        where = (folder or self.folder()) / f"{self.id}.json"
        data = asdict(self)
        temporary = where.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(where)

    @classmethod
    def load(cls, job_id: str) -> ImportJob | None:
        """A run's state, or None (unknown, or older than a day: then its files go)."""
        if not _JOB_ID.fullmatch(job_id):
            return None
        where = cls.folder() / f"{job_id}.json"
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for name in ("dry", "done"):
            if data.get(name) is not None:
                data[name] = ImportOutcome(**{**data[name], "errors": [
                    (*e, "", ())[:5] for e in data[name]["errors"]]})
        job = cls(**data)
        if job.running and not job.still_running():
            job.running, job.interrupted = False, True
            job.save()
        if not job.running and time.time() - job.started > KEEP_S:
            job.path.unlink(missing_ok=True)
            where.unlink(missing_ok=True)
            return None
        return job


    def still_running(self) -> bool:
        """Whether the run's thread is alive: in this process, its thread; in another, that
        process (the same pid *and* start time, so a reused pid does not count)."""
        if self.pid == os.getpid():
            return any(t.name == f"import-{self.id}" and t.is_alive()
                       for t in threading.enumerate())
        if self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, under another user
            return True
        started = _process_started(self.pid)
        return started is None or self.pid_started is None or started == self.pid_started


def _process_started(pid: int) -> str | None:
    """A process's start time in clock ticks since boot (proc(5), field 22), where the system
    has /proc; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    # fields after the command name (which may hold spaces and parentheses) start at field 3
    return stat.rsplit(")", 1)[1].split()[19]


_JOB_ID = re.compile(r"[A-Za-z0-9_-]{16}")


def register_import_runner(app: Any, runner: ImportRunner) -> None:
    """Offer the import pages on ``app``, run by ``runner``."""
    app.extensions[EXTENSION] = runner


def finish_imports(app: Any, timeout: float = 60.0) -> bool:
    """Wait for the app's running imports (before its store is closed under them); return
    whether they all ended within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for thread in list(app.extensions.get(RUNNING, ())):
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() for t in app.extensions.get(RUNNING, ()))


def _runner() -> ImportRunner | None:
    runner: ImportRunner | None = current_app.extensions.get(EXTENSION)
    return runner


def _start(job: ImportJob, runner: ImportRunner, *, dry_run: bool) -> None:
    job.dry_run, job.rows_read, job.running, job.interrupted = dry_run, 0, True, False
    job.pid, job.pid_started = os.getpid(), _process_started(os.getpid())
    folder, path = job.folder(), job.path
    job.save(folder)
    who = actor()

    def progress(rows: int) -> None:
        job.rows_read = rows
        job.save(folder)

    def work() -> None:
        try:
            outcome = runner.run(path, job.mapping, dry_run=dry_run, actor=who,
                                 progress=progress)
        # the thread has no caller to raise to: any failure becomes the run's outcome
        except Exception as exc:  # noqa: BLE001
            outcome = ImportOutcome(problem=f"{type(exc).__name__}: {exc}")
        if dry_run:
            job.dry = outcome
        else:
            job.done = outcome
        job.running = False
        job.save(folder)

    running: set[threading.Thread] = current_app.extensions.setdefault(RUNNING, set())

    def tracked() -> None:
        try:
            work()
        finally:
            running.discard(thread)

    thread = threading.Thread(target=tracked, name=f"import-{job.id}", daemon=True)
    running.add(thread)
    thread.start()


@bp.before_app_request
def _upload_limit() -> None:
    # an app-level hook runs before the pages' CSRF check, which reads the form: the file's
    # larger limit must be set before anything parses the body
    if request.endpoint == "web.import_upload":
        request.max_content_length = node().settings["web.import_max_bytes"]


@bp.get("/web/import")
@editor_required
def import_form() -> BaseResponse:
    """Upload a file, with a mapping when it is not in the documented layout."""
    runner = _runner()
    return page("web/import.html", title=gettext("Import a file"),
                mappings=runner.mappings() if runner else [], available=runner is not None,
                problem="", jobs=_my_jobs() if runner else [])


@bp.post("/web/import")
@editor_required
def import_upload() -> BaseResponse:
    """Keep the uploaded file and start its dry run."""
    runner = _runner()
    upload = request.files.get("file")
    mapping = request.form.get("mapping") or None
    name = secure_filename(upload.filename or "") if upload else ""
    problem = ""
    if runner is None:
        problem = gettext("Imports are not available on this server.")
    elif not name or not name.lower().endswith(FORMATS):
        problem = gettext("Choose a CSV or JSON file (%(kinds)s).", kinds=", ".join(FORMATS))
    elif mapping is not None and mapping not in runner.mappings():
        problem = gettext("No mapping %(name)s.", name=mapping)
    if problem or upload is None or runner is None:
        return page("web/import.html", 400, title=gettext("Import a file"),
                    mappings=runner.mappings() if runner else [],
                    available=runner is not None, problem=problem, jobs=[])
    job = ImportJob(secrets.token_urlsafe(12), name, mapping, actor())
    upload.save(job.path)
    _start(job, runner, dry_run=True)
    return redirect(f"/web/import/{job.id}", 303)


def _my_jobs() -> list[ImportJob]:
    """The signed-in person's runs of the last day, newest first (loading each marks a run
    whose process is gone as interrupted)."""
    folder, who, found = ImportJob.folder(), actor(), []
    for state in folder.glob("*.json"):
        job = ImportJob.load(state.stem)
        if job is not None and job.owner == who:
            found.append(job)
    return sorted(found, key=lambda job: job.started, reverse=True)


def _job(job_id: str) -> ImportJob | None:
    job = ImportJob.load(job_id)
    return job if job is not None and job.owner == actor() else None


@bp.get("/web/import/<job_id>")
@editor_required
def import_status(job_id: str) -> BaseResponse:
    """A run's progress (refreshing itself), then its dry run or its outcome."""
    job = _job(job_id)
    if job is None:
        return page("web/not_found.html", 404, title=gettext("Not found"),
                    message=gettext("No such import (they are kept for a day)."))
    outcome = job.done or job.dry
    errors = [(row, column, finding_said(template, args, message))
              for row, column, message, template, args in (outcome.errors if outcome else [])]
    response = page("web/import_status.html", title=gettext("Import of %(file)s",
                                                              file=job.filename), job=job,
                    errors=errors)
    if job.running:
        response.headers["Refresh"] = "2"
    return response


@bp.post("/web/import/<job_id>/again")
@editor_required
def import_again(job_id: str) -> BaseResponse:
    """Start an interrupted run's dry run again on the file kept from its upload."""
    job, runner = _job(job_id), _runner()
    if job is None or runner is None:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    if job.interrupted and job.path.exists():
        job.dry = job.done = None
        _start(job, runner, dry_run=True)
    return redirect(f"/web/import/{job_id}", 303)


@bp.post("/web/import/<job_id>/commit")
@editor_required
def import_commit(job_id: str) -> BaseResponse:
    """Import the checked file for real (after its dry run)."""
    job, runner = _job(job_id), _runner()
    if job is None or runner is None:
        return page("web/not_found.html", 404, title=gettext("Not found"))
    if not job.running and job.dry is not None and job.done is None:
        _start(job, runner, dry_run=False)
    return redirect(f"/web/import/{job_id}", 303)
