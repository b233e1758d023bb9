"""Index entries cross process boundaries (the sync's checking processes send them)."""

from __future__ import annotations

import pickle

from ncc_node import index_entries


def test_index_entries_survive_pickling_whole() -> None:
    record = {
        "type": "Initiative",
        "origin": "https://ncc.example.org/node",
        "name": {"en": "Artificial intelligence for long-term unemployed people"},
        "description": {"de": "Ältere Menschen lernen digitale Werkzeuge kennen.",
                        "en": "Older people learn to use digital tools in libraries."},
        "problem": {"en": "Unemployment among older people in rural areas."},
        "themes": ["theme:education"],
        "countries": ["country:DEU"],
    }
    entries = index_entries(record)
    # every part is filled, so a field the pickling forgot would show
    assert entries.facets and entries.text.inferred and entries.text.eurovoc
    assert all(entries.text.__dict__.values())
    assert pickle.loads(pickle.dumps(entries)) == entries
