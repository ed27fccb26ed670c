"""Dependencies shared by the routes: the service, the live Matcher, the admin guard."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.service import Service
from matcher.matcher import Matcher

_bearer = HTTPBearer(auto_error=False, description="Mã quản trị (TECHMATCH_ADMIN_TOKEN).")


def get_service(request: Request) -> Service:
    return request.app.state.service


def get_matcher(service: Annotated[Service, Depends(get_service)]) -> Matcher:
    """The live Matcher, taken once: a catalog swap during this request does not affect it."""
    return service.current()


def require_admin(
    service: Annotated[Service, Depends(get_service)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Admin routes need the configured bearer token; with no token configured they are off."""
    token = service.settings.admin_token
    if not token:
        raise HTTPException(
            403,
            "Chức năng quản trị đang tắt: chưa cấu hình mã quản trị (biến môi trường TECHMATCH_ADMIN_TOKEN).",
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "Thiếu mã quản trị: gửi tiêu đề 'Authorization: Bearer <mã>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials.encode(), token.encode()):
        raise HTTPException(401, "Mã quản trị không đúng.", headers={"WWW-Authenticate": "Bearer"})


ServiceDep = Annotated[Service, Depends(get_service)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
AdminDep = Depends(require_admin)
