"""The FastAPI application: built by `create_app`, the Matcher loaded once in the lifespan.

    uvicorn --factory api.app:create_app       (or: matcher serve)

Tests pass an already warmed-up Matcher so the model loads once per test session.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.errors import BodyLimitMiddleware, RequestIdMiddleware, install_error_handlers
from api.openapi import install_openapi
from api.routes import admin, feedback, health, match, rules, surveys, technologies, web
from api.service import Service
from matcher.embed.base import Embedder
from matcher.matcher import Matcher
from matcher.settings import Settings, get_settings

log = logging.getLogger("techmatch.api")
API_VERSION = "1.0.0"
DESCRIPTION = """\
Matches the technology needs of Hai Phong businesses to a catalog of technologies ready for
transfer, applying the rules of plan 16/KH-UBND (restricted technologies, priority sectors,
replacement roadmap). Field names are English; messages for people are Vietnamese.
"""


def create_app(
    settings: Settings | None = None,
    *,
    index_name: str | None = None,
    matcher: Matcher | None = None,
    embedder: Embedder | None = None,
) -> FastAPI:
    """Build the app. Nothing heavy happens here: the model and index load in the lifespan."""
    settings = settings or (matcher.settings if matcher else get_settings())
    service = Service(settings, index_name=index_name, embedder=embedder, matcher=matcher)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(service.load)
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="techmatch API",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "match", "description": "Rank catalog technologies for needs"},
            {"name": "catalog", "description": "Browse the catalog"},
            {"name": "rules", "description": "Plan 16/KH-UBND rules"},
            {"name": "feedback", "description": "Relevance judgements from people"},
            {"name": "surveys", "description": "Batch matching of survey files"},
            {"name": "admin", "description": "Catalog upload, index versions, roll-back (bearer token)"},
            {"name": "health", "description": "Liveness and readiness"},
        ],
    )
    app.state.service = service
    install_error_handlers(app)
    install_openapi(app, settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer, even a 413, carries the id
    for module in (health, match, technologies, rules, feedback, surveys, admin, web):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(web.WEB_DIR / "static")), name="static")
    return app
