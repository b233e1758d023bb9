"""Processes a test starts: each in its own process group, always ended and reaped.

``start()`` is ``subprocess.Popen`` with three guarantees the suite relies on so that it cannot
hang on a child (a server that ignored SIGTERM once blocked a run for 35 minutes):

- the child leads a new session, so ``end()`` reaches everything it started (granian's workers,
  a sync pool) with one ``killpg``;
- on Linux the kernel sends it SIGKILL when the test process dies (``PR_SET_PDEATHSIG``), so even
  a run stopped by pytest-timeout's hard exit leaves nothing behind;
- every started process is registered; the autouse fixture ``no_process_left`` ends whatever a
  test left running (SIGTERM, then SIGKILL after a grace period) and fails the test naming it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

GRACE_S = 10.0  # how long a child gets between SIGTERM and SIGKILL
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

_started: list[subprocess.Popen[Any]] = []
_lock = threading.Lock()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGKILL when the process that started it ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def start(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(args, **kwargs)`` in a new process group, registered for clean-up.

    The death signal is tied to the *thread* that forks; start children from the test's own
    thread (the main thread), as every test here does.
    """
    if sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread():
        kwargs.setdefault("preexec_fn", _die_with_parent)
    process: subprocess.Popen[Any] = subprocess.Popen(
        list(args), start_new_session=True, **kwargs)
    with _lock:
        _started.append(process)
    return process


@dataclass(frozen=True)
class Ended:
    """How a process ended: its exit status, and whether it had to be killed."""

    returncode: int
    killed: bool


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # the group leader's pid is the group id
    except (ProcessLookupError, PermissionError):
        pass  # the whole group is gone already


def end(process: subprocess.Popen[Any], *, grace_s: float = GRACE_S,
        signum: int = signal.SIGTERM) -> Ended:
    """Stop ``process`` and its group: ``signum``, then SIGKILL after ``grace_s``; reap it."""
    killed = False
    if process.poll() is None:
        _signal_group(process, signum)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            killed = True
    # Whatever else of the group is still there (a worker that outlived its parent) goes too.
    _signal_group(process, signal.SIGKILL)
    returncode = process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    with _lock:
        if process in _started:
            _started.remove(process)
    return Ended(returncode, killed)


def wait_or_kill(process: subprocess.Popen[Any], timeout_s: float) -> int:
    """Wait up to ``timeout_s`` for ``process`` to exit; fail (after killing it) if it does not."""
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        end(process, grace_s=0.0, signum=signal.SIGKILL)
        raise AssertionError(f"process {process.pid} ({' '.join(map(str, process.args))}) "
                             f"still ran {timeout_s:g} s later; killed it") from None


def leftovers() -> list[subprocess.Popen[Any]]:
    """Processes started by ``start()`` and not yet ended."""
    with _lock:
        return list(_started)


def end_leftovers(grace_s: float | None = None) -> list[str]:
    """End every registered process; return one line per process that was still running."""
    report = []
    deadline = time.monotonic() + (GRACE_S if grace_s is None else grace_s)
    for process in leftovers():
        running = process.poll() is None
        ended = end(process, grace_s=max(0.0, deadline - time.monotonic()))
        if running:
            how = "killed with SIGKILL" if ended.killed else f"exit {ended.returncode} on SIGTERM"
            report.append(f"pid {process.pid} ({' '.join(map(str, process.args))}) was still "
                          f"running after the test: {how}")
    return report


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """End every process a test started and left running (SIGTERM, SIGKILL after the grace
    period), and fail the test naming each one: a child never outlives its test."""
    yield
    report = end_leftovers()
    if report:
        pytest.fail("\n".join(report), pytrace=False)
