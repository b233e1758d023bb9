"""The suite cannot hang on a child: a hung test is stopped and reported, its children killed.

Each case runs a small suite of its own in a separate pytest process (pytester), with a child
that ignores SIGTERM, and checks from outside that the run ended, said why, and left no child.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEADLINE_S = 60.0

STUBBORN_CHILD = '''
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a child that ignores SIGTERM, like a hung server
open(sys.argv[1], "w").write(str(os.getpid()))
while True:
    time.sleep(1)
'''

INNER_CONFTEST = '''
from tests import processes
from tests.processes import no_process_left  # noqa: F401

processes.GRACE_S = 1.0
'''

INNER_TEST = '''
import sys, time
from pathlib import Path
from tests import processes

def start_stubborn_child():
    pid_file = Path("child.pid")
    child = processes.start([sys.executable, "stubborn.py", str(pid_file)])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return child

def test_hangs_waiting_for_its_child():
    start_stubborn_child().wait()  # never returns

def test_forgets_its_child():
    start_stubborn_child()
'''


def _gone(pid: int) -> bool:
    """True once ``pid`` is no process at all, or only a zombie waiting for its reaper."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not _gone(pid):
        assert time.monotonic() < deadline, f"child {pid} still alive"
        time.sleep(0.05)


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A folder with the inner suite; ``tests.processes`` importable from it."""
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TEST, stubborn=STUBBORN_CHILD)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return pytester


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_hung_test_is_stopped_reported_and_its_child_killed(inner: pytest.Pytester) -> None:
    started = time.monotonic()
    result = inner.runpytest_subprocess(
        "-p", "no:cacheprovider", "--timeout", "3", "-o", "timeout_method=thread",
        "test_inner.py::test_hangs_waiting_for_its_child", timeout=DEADLINE_S)
    assert result.ret != 0
    output = result.stdout.str() + result.stderr.str()
    assert "Timeout" in output and "test_hangs_waiting_for_its_child" in output
    assert "start_stubborn_child().wait()" in output  # the stack shows where it hung
    assert time.monotonic() - started < DEADLINE_S
    pid = int((inner.path / "child.pid").read_text())
    _wait_gone(pid)  # killed by the kernel when the run ended (PR_SET_PDEATHSIG)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_child_left_running_is_killed_and_fails_its_test(inner: pytest.Pytester) -> None:
    result = inner.runpytest_subprocess(
        "-p", "no:cacheprovider", "test_inner.py::test_forgets_its_child", timeout=DEADLINE_S)
    result.assert_outcomes(passed=1, errors=1)
    pid = int((inner.path / "child.pid").read_text())
    result.stdout.fnmatch_lines([f"*pid {pid} (*) was still running after the test: "
                                 "killed with SIGKILL*"])
    _wait_gone(pid)
    assert os.getpid() != pid
