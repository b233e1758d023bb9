"""The commented ``ncc.toml`` that ``ncc init`` writes, and the settings table of the docs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ncc_node.settings import SETTINGS, Setting

HEADER = """\
# NCC Exchange node configuration, written by `ncc init`.
# Every setting the node knows is listed; commented lines show the default.
# Precedence, later wins: this file -> NCC_* environment variables (named after each setting).
# Relative paths: data_dir is relative to this file, the other files are relative to data_dir.
"""


PEERS_EXAMPLE = """\
# [[peers]]
# base_url = "https://ncc-ee.example.org"
# scope = "all"      # own: the peer's own records; all: also what it relays
# keys = []          # pinned public keys (z6Mk...); empty = trust on first use
"""


def toml_value(value: Any) -> str:
    """Render a str, int, float, bool or list as a TOML value (JSON escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _section(setting: Setting) -> str:
    return setting.key.partition(".")[0]


def render_config(values: Mapping[str, Any]) -> str:
    """Return a TOML file setting ``values`` and listing every other setting commented out."""
    lines = [HEADER]
    sections: dict[str, list[Setting]] = {}
    tables: list[Setting] = []
    for setting in SETTINGS:  # one table per section even if SETTINGS interleaves them
        if "." not in setting.key:  # an array of tables, e.g. [[peers]]: shown as an example
            tables.append(setting)
            continue
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
    for setting in tables:
        lines.append(f"# {setting.help} (env {setting.env})")
        lines.append(PEERS_EXAMPLE if setting.key == "peers" else f"# [[{setting.key}]]\n")
    return "\n".join(lines)


def settings_reference() -> str:
    """Return the Markdown table of every setting (kept in docs/operations.md by a test)."""
    rows = ["| Setting | Environment variable | Type | Default | Meaning |",
            "|---|---|---|---|---|"]
    for setting in SETTINGS:
        default = "required" if setting.default is None else f"`{toml_value(setting.default)}`"
        section, _, name = setting.key.partition(".")
        where = f"[{section}] {name}" if name else f"[[{section}]]"
        rows.append(f"| `{where}` | `{setting.env}` | {setting.type.__name__} | "
                    f"{default} | {setting.help} |")
    return "\n".join(rows)
