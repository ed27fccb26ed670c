"""The published OpenAPI spec, corrected to say what the service really answers.

FastAPI documents every 422 as its own `HTTPValidationError` (a list of pydantic errors), but
techmatch answers every error with `ErrorBody` (a Vietnamese sentence, the request id, and the
field errors when there are some). Limits that come from settings (text length, batch size) are
written into the request schemas at start-up, so a client and a fuzzer both see the real
bounds instead of discovering them by a 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.schemas import ErrorBody
from matcher.settings import Settings

_ERROR_REF = "#/components/schemas/ErrorBody"
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Replace `app.openapi` with a generator that applies the corrections once and caches."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            use_error_body(schema)
            write_limits(schema, settings)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def use_error_body(schema: dict[str, Any]) -> None:
    """Every documented error response points at ErrorBody; FastAPI's own error models go."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith(("4", "5")):
                    continue
                content = response.setdefault("content", {}).setdefault("application/json", {})
                content["schema"] = {"$ref": _ERROR_REF}
    for name in _FASTAPI_ERRORS:
        components.pop(name, None)


def write_limits(schema: dict[str, Any], settings: Settings) -> None:
    """Text and batch limits from settings, on the request models that carry them."""
    models = schema.get("components", {}).get("schemas", {})
    for model in ("MatchRequest", "RuleCheckRequest"):
        if model in models:
            models[model]["properties"]["text"]["maxLength"] = settings.max_text_chars
    for model in ("BatchMatchRequest", "ExportRequest"):
        if model in models:
            texts = models[model]["properties"]["texts"]
            texts["maxItems"] = settings.max_batch
            texts.setdefault("items", {})["maxLength"] = settings.max_text_chars
