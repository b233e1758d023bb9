"""The commented ``ncc.toml`` that ``ncc init`` writes, and the settings table of the docs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..settings import SETTINGS, Setting

HEADER = """\
# NCC Exchange node configuration, written by `ncc init`.
# Every setting the node knows is listed; commented lines show the default.
# Precedence, later wins: this file -> NCC_* environment variables (named after each setting).
# Relative paths: data_dir is relative to this file, the other files are relative to data_dir.
"""


def toml_value(value: Any) -> str:
    """Render a str, int or bool as a TOML value (JSON string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _section(setting: Setting) -> str:
    return setting.key.partition(".")[0]


def render_config(values: Mapping[str, Any]) -> str:
    """Return a TOML file setting ``values`` and listing every other setting commented out."""
    lines = [HEADER]
    sections: dict[str, list[Setting]] = {}
    for setting in SETTINGS:  # one table per section even if SETTINGS interleaves them
        sections.setdefault(_section(setting), []).append(setting)
    for section, members in sections.items():
        lines.append(f"[{section}]")
        for setting in members:
            name = setting.key.partition(".")[2]
            lines.append(f"# {setting.help} (env {setting.env})")
            if setting.key in values:
                lines.append(f"{name} = {toml_value(values[setting.key])}")
            elif setting.default is None:
                lines.append(f"# {name} = (required, no default)")
            else:
                lines.append(f"# {name} = {toml_value(setting.default)}")
        lines.append("")
    return "\n".join(lines)


def settings_reference() -> str:
    """Return the Markdown table of every setting (kept in docs/operations.md by a test)."""
    rows = ["| Setting | Environment variable | Type | Default | Meaning |",
            "|---|---|---|---|---|"]
    for setting in SETTINGS:
        default = "required" if setting.default is None else f"`{toml_value(setting.default)}`"
        section, _, name = setting.key.partition(".")
        rows.append(f"| `[{section}] {name}` | `{setting.env}` | {setting.type.__name__} | "
                    f"{default} | {setting.help} |")
    return "\n".join(rows)
