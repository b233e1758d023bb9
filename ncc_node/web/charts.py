"""Bar charts as server-rendered SVG geometry: no JavaScript, no inline styles (the pages' CSP
allows none), readable as a table too."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 260
BAR_WIDTH = 360
VALUE_WIDTH = 60
# What fits LABEL_WIDTH: one line of the 13px label font, or two of the 11px one.
ONE_LINE_CHARS = 30
TWO_LINE_CHARS = 36


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value and geometry."""

    label: str
    value: int
    y: int
    width: int

    @property
    def lines(self) -> list[str]:
        """The label on one line, or wrapped on two (the full label is the bar's tooltip)."""
        if len(self.label) <= ONE_LINE_CHARS:
            return [self.label]
        lines = textwrap.wrap(self.label, min(TWO_LINE_CHARS, len(self.label) // 2 + 8))
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), TWO_LINE_CHARS,
                                                placeholder=" …")]
        return lines


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
