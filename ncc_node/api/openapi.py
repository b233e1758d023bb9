"""flask-smorest wiring: the Api (OpenAPI at /openapi.json), the Blueprint class, the docs page.

The interactive docs at ``/docs`` are flask-smorest's Swagger UI page with Swagger UI's files
served by the node itself from the ``swagger-ui-bundle`` package, so nothing is fetched from a
CDN (architecture §9: no network at run time).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

import flask_smorest
import swagger_ui_bundle
from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from .error_shape import handle_http_exception
from .schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
API_DESCRIPTION = (
    "The HTTP interface of an NCC Exchange node: signed JSON-LD records (initiatives, methods), "
    "the node's signed descriptor, the change feed peers sync from, and the vocabulary. "
    "Writes need `Authorization: Bearer <token>`. Every 4xx/5xx has the body "
    '`{"error": {"status", "code", "message", "details"}}`. See docs/protocol.md.'
)


class ParameterParser(FlaskParser):
    """webargs parser answering 400 (not 422) for a bad query or path parameter."""

    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint: 400 for bad parameters, and documented request headers."""

    ARGUMENTS_PARSER = ParameterParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_header_doc)

    @staticmethod
    def header(name: str, description: str, *, required: bool = False) -> Callable[[F], F]:
        """Document a request header the view reads itself (beside ``arguments``' parameters)."""
        parameter = {"in": "header", "name": name, "required": required,
                     "description": description, "schema": {"type": "string"}}

        def decorate(func: F) -> F:
            apidoc = deepcopy(getattr(func, "_apidoc", {}))
            apidoc.setdefault("header_parameters", []).append(parameter)
            setattr(func, "_apidoc", apidoc)  # noqa: B010 - flask-smorest's doc attribute
            return func

        return decorate

    @staticmethod
    def _prepare_header_doc(doc: dict[str, Any], doc_info: dict[str, Any],
                            **kwargs: Any) -> dict[str, Any]:
        doc.setdefault("parameters", []).extend(doc_info.get("header_parameters", []))
        return doc


class NodeApi(flask_smorest.Api):
    """flask-smorest Api documenting and producing the node's one error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Answer werkzeug and webargs errors in the one error shape."""
        return handle_http_exception(error)


def openapi_config(version: str) -> dict[str, Any]:
    """The app config keys flask-smorest reads."""
    return {
        "API_TITLE": "NCC Exchange node",
        "API_VERSION": version,
        # 3.0: the bundled Swagger UI (4.x) does not render 3.1 documents
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        # relative to /docs, so a node mounted under a path prefix still finds its files
        "OPENAPI_SWAGGER_UI_URL": "docs/static/",
        "OPENAPI_SWAGGER_UI_CONFIG": {"deepLinking": True},
        "API_SPEC_OPTIONS": {"info": {"description": API_DESCRIPTION}},
    }


def swagger_static() -> FlaskBlueprint:
    """A blueprint serving Swagger UI's JavaScript and CSS from the installed package."""
    return FlaskBlueprint("swagger_ui_static", __name__,
                          static_folder=swagger_ui_bundle.swagger_ui_path,
                          static_url_path="/docs/static")


def create_api(app: Flask, version: str) -> NodeApi:
    """Configure flask-smorest on ``app`` and declare the bearer-token security scheme."""
    app.config.update(openapi_config(version))
    api = NodeApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "An operator token made with `ncc token create`."})
    app.register_blueprint(swagger_static())
    return api
