"""The Vietnamese web page: one HTML template plus static CSS/JS, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import ServiceDep

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
router = APIRouter(include_in_schema=False)

EXAMPLES = (
    "xử lý nước thải ao nuôi tôm",
    "tu dong hoa cang container",
    "lò đốt rác sinh hoạt 500 kg/h",
    "sấy nông sản bằng năng lượng mặt trời",
    "giám sát chất lượng không khí khu công nghiệp",
)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, service: ServiceDep) -> HTMLResponse:
    s = service.settings
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "examples": EXAMPLES,
            "max_text_chars": s.max_text_chars,
            "max_upload_mib": s.max_upload_bytes / 1048576,
        },
    )
