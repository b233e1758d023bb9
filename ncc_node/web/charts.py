"""Bar charts as server-rendered SVG geometry: no JavaScript, no inline styles (the pages' CSP
allows none), readable as a table too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 260
BAR_WIDTH = 360
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and geometry."""

    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart."""

    title: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH
    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


def bar_chart(title: str, rows: Sequence[tuple[str, int]]) -> Chart:
    """A chart of ``(label, value)`` rows, bars scaled to the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    bars = tuple(Bar(label, value, index * (BAR_HEIGHT + GAP),
                     max(1, round(BAR_WIDTH * value / top)) if value else 0)
                 for index, (label, value) in enumerate(rows))
    return Chart(title, bars, max(BAR_HEIGHT, len(bars) * (BAR_HEIGHT + GAP)))
