"""The one place where errors become HTTP answers.

Domain errors carry Vietnamese messages written for people, so they pass through as `detail`;
anything unexpected becomes a generic Vietnamese 500 with a request id, and the stack trace goes
to the log only. No handler ever echoes a traceback or internal path to a client.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.jobs import JobConflict, QueueFull
from matcher.errors import CatalogError, IndexError_, InputError, ModelError, RulesError, TechmatchError

log = logging.getLogger("techmatch.api")
REQUEST_ID_HEADER = "X-Request-ID"
GENERIC_500 = (
    "Lỗi máy chủ ngoài dự kiến. Vui lòng thử lại sau; nếu lỗi lặp lại, hãy gửi mã yêu cầu cho quản trị viên."
)


class NotFoundError(TechmatchError):
    """A requested object (technology, job, index version) does not exist."""


class TooLargeError(TechmatchError):
    """A request body or upload is over the configured limit."""


class NotReadyError(TechmatchError):
    """The model or the index is not loaded (yet)."""


class UnusableVersionError(TechmatchError):
    """An admin asked to serve an index version that cannot be loaded; the live one stays."""


# Most specific first: the first matching class decides the status.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (JobConflict, 409),
    (UnusableVersionError, 409),
    (TooLargeError, 413),
    (QueueFull, 429),
    (NotReadyError, 503),
    (InputError, 422),
    (CatalogError, 422),
    (IndexError_, 503),
    (ModelError, 503),
    (RulesError, 503),
)


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or "-"


def error_response(request: Request, status: int, detail: str, **extra: Any) -> JSONResponse:
    rid = request_id(request)
    body: dict[str, Any] = {"detail": detail, "request_id": rid}
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {REQUEST_ID_HEADER: rid}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 429:  # a full job queue drains in minutes
        headers["Retry-After"] = "60"
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "(nội dung yêu cầu)"


_VI_MESSAGES = {
    "extra_forbidden": "trường không được hỗ trợ",
    "missing": "thiếu trường bắt buộc",
    "json_invalid": "JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "string_type": "phải là chuỗi văn bản",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "too_short": "quá ngắn",
    "too_long": "quá dài",
    "string_too_long": "chuỗi quá dài",
    "string_too_short": "chuỗi quá ngắn",
    "literal_error": "giá trị không hợp lệ",
    "enum": "giá trị không hợp lệ",
    "string_unicode": "chứa ký tự Unicode không hợp lệ (nửa cặp surrogate): hãy gửi văn bản UTF-8",
    "string_pattern_mismatch": "không được để trống (cần ít nhất một chữ)",
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input echoed back (it may be huge or private)."""
    out = []
    for err in exc.errors():
        kind = str(err.get("type", ""))
        ctx = err.get("ctx") or {}
        limit = next((ctx[k] for k in ("ge", "le", "max_length", "min_length", "expected") if k in ctx), None)
        if kind == "value_error" and "error" in ctx:
            message = str(ctx["error"])  # our own validators raise Vietnamese messages
        else:
            message = _VI_MESSAGES.get(kind, str(err.get("msg", "")))
        if limit is not None:
            message = f"{message} (giới hạn: {limit})"
        out.append({"field": _field(err.get("loc", ())), "type": kind, "message": message})
    return out


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return error_response(request, 422, f"Yêu cầu không hợp lệ: {summary}.", errors=errors)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 400:
        # Only the framework answers 400 (a body it cannot decode, broken multipart data); to a
        # client that is invalid input like any other: same status (422), a Vietnamese sentence.
        return error_response(
            request,
            422,
            "Không đọc được nội dung yêu cầu: hãy gửi JSON mã hoá UTF-8, hoặc biểu mẫu multipart hợp lệ.",
        )
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"Không có đường dẫn {request.url.path}."
    elif exc.status_code == 405:
        detail = f"Phương thức {request.method} không được hỗ trợ cho {request.url.path}."
    response = error_response(request, exc.status_code, detail)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _domain_handler(request: Request, exc: Exception) -> JSONResponse:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            if status >= 500:
                log.warning("request %s: %s: %s", request_id(request), type(exc).__name__, exc)
            return error_response(request, status, str(exc))
    return await _unexpected_handler(request, exc)


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("request %s failed: %s %s", request_id(request), request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, GENERIC_500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(TechmatchError, _domain_handler)
    app.add_exception_handler(Exception, _unexpected_handler)


class RequestIdMiddleware:
    """Give every request an id (or keep a sane one the client sent) and return it in a header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        rid = sent if sent and len(sent) <= 64 and sent.replace("-", "").isalnum() else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                if not any(k.lower() == REQUEST_ID_HEADER.lower().encode() for k, _ in headers):
                    headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` before they are read into memory (413).

    Checks Content-Length up front and counts the bytes of chunked bodies as they arrive, so a
    client cannot exhaust memory by leaving the length out.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        mib = self.max_bytes / (1024 * 1024)
        return f"Nội dung gửi lên vượt giới hạn {self.max_bytes} byte ({mib:.1f} MiB)."

    async def _reject(self, scope: Scope, send: Send) -> None:
        rid = (scope.get("state") or {}).get("request_id", "-")
        response = JSONResponse({"detail": self._message(), "request_id": rid}, status_code=413)
        await response(scope, _empty_receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._reject(scope, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise TooLargeError(self._message())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLargeError:
            if not started:
                await self._reject(scope, send)


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
