"""The node's web pages: scouting, records, statistics, sign-in, and the editors' and admins'
pages.

Server-rendered Jinja templates; no JavaScript and no build step. A plain Flask blueprint
(:data:`bp`, in :mod:`.pages`), kept out of the OpenAPI document (it is not part of the
exchange protocol). People sign in with named accounts (:mod:`.auth`); views that change
anything are guarded by :func:`editor_required` or :func:`admin_required`.
"""

from __future__ import annotations

from flask import Flask

from ..context import NodeContext
from . import (  # noqa: F401  (each registers its views on bp)
    account_views,
    admin,
    admin_access,
    editor,
    imports,
    moderation_views,
    oidc,
    views,
)
from .auth import (
    Account,
    actor,
    admin_required,
    current_user,
    editor_required,
    init_auth,
)
from .i18n import init_i18n
from .imports import (
    ImportOutcome,
    ImportRunner,
    RowError,
    finish_imports,
    register_import_runner,
)
from .pages import bp, csrf_field, page


def register_web(app: Flask, context: NodeContext) -> None:
    """Register the web pages and their sign-in on ``app``."""
    init_i18n(app)
    init_auth(app, context)
    oidc.init_oidc(app, context)
    app.register_blueprint(bp)


__all__ = ["Account", "ImportOutcome", "ImportRunner", "RowError", "actor", "admin_required", "bp",
           "csrf_field", "current_user", "editor_required", "finish_imports", "page",
           "register_import_runner", "register_web"]
