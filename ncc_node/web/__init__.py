"""The node's web pages (issue 6): scouting, records, statistics and the operator's view.

Server-rendered Jinja templates in English and German; no JavaScript and no build step. A plain
Flask blueprint, kept out of the OpenAPI document (it is not part of the exchange protocol).
"""

from __future__ import annotations

from flask import Flask

from .views import bp


def register_web(app: Flask) -> None:
    """Register the web pages on ``app``."""
    app.register_blueprint(bp)


__all__ = ["bp", "register_web"]
