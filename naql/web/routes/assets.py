"""The editor's stylesheet and script, served from the package (the CSP allows only 'self')."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from naql.web.deps import HERE

router = APIRouter(prefix="/static", tags=["assets"])


@router.get("/editor.css", name="css")
async def css() -> FileResponse:
    return FileResponse(HERE / "static" / "editor.css", media_type="text/css")


@router.get("/editor.js", name="js")
async def js() -> FileResponse:
    return FileResponse(HERE / "static" / "editor.js", media_type="text/javascript")
