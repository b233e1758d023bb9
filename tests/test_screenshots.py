"""docs/web.md shows every screenshot docs/screenshots.py takes, and only those (issue 19).

The script regenerates the whole folder; a file it no longer takes would go stale unseen, and a
reference to a file that does not exist is a broken image in the docs.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"\(screenshots/([^)\s]+)\)")


def _taken() -> set[str]:
    """The file names docs/screenshots.py writes: each shot at each of its sizes."""
    script = runpy.run_path(str(ROOT / "docs" / "screenshots.py"))  # not as __main__: no run
    return {f"{shot.name}{'-phone' if size == script['PHONE'] else ''}.png"
            for shot in script["SHOTS"] for size in shot.sizes}


def test_web_md_references_exactly_the_screenshots_that_exist() -> None:
    referenced = set(REFERENCE.findall((ROOT / "docs" / "web.md").read_text(encoding="utf-8")))
    existing = {path.name for path in (ROOT / "docs" / "screenshots").iterdir()}
    assert referenced == existing


def test_the_script_takes_every_screenshot_in_the_folder() -> None:
    existing = {path.name for path in (ROOT / "docs" / "screenshots").iterdir()}
    assert _taken() == existing
