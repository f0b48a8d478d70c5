"""The web console: the JSON API (/api/v1, described at /openapi.json) and the pages built on the
same queries and actions. `partnerwatch web` serves it; the store must be at this release's schema."""

from __future__ import annotations

import importlib.resources
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError

from config import Settings
from control.checks import said_by
from models.errors import StoreError
from models.schema import open_store
from web import workspace_settings, alert_pages, api, onboarding_pages, pages, problems, review_api, review_pages
from web.auth import GuestElsewhere, SignInRequired
from web.state import ConsoleState

STATIC = Path(__file__).parent / "static"
SWAGGER_UI = importlib.resources.files("swagger_ui") / "static"  # Swagger UI 5, from the swagger-ui-py package
log = structlog.get_logger(__name__)
INVITATION_PATH = re.compile(r"^(/invitations/)[^/]+")
# Pages never load anything from elsewhere, never run inline scripts, and are never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _answer(request: Request, problem: problems.Problem):
    """A problem document for the API; the error page for a person at a page."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return problems.response(problem, request)
    response = pages.render(request, "error.html", None, status_code=problem.status, problem=problem)
    response.headers.update(problem.headers or {})
    return response


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="partnerwatch", version="1", summary="Partner user visibility for Pinterest Business",
                  docs_url=None, redoc_url=None)
    app.state.console = ConsoleState(settings=settings, engine=open_store(settings.database_url))
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(onboarding_pages.router)
    app.include_router(alert_pages.router)
    app.include_router(workspace_settings.router)
    app.include_router(workspace_settings.api, responses=api.PROBLEMS)
    app.include_router(review_api.router, responses=api.PROBLEMS)
    app.include_router(review_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Swagger UI from its PyPI package (installed with the rest), never from a CDN at run time.
    app.mount("/api/docs/assets", StaticFiles(directory=str(SWAGGER_UI)), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="partnerwatch API",
                                   swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/api/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/api/docs/assets/favicon-32x32.png")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        took_ms = (time.perf_counter() - started) * 1000
        # The server's own time, for browsers' developer tools and bench/console_lists.py.
        response.headers["Server-Timing"] = f"app;dur={took_ms:.1f}"
        # One line per request; an invitation link's token is a credential until it is used: masked.
        log.info("http.request", method=request.method, path=INVITATION_PATH.sub(r"\1***", request.url.path),
                 status=response.status_code, ms=round(took_ms, 1))
        for name, value in SECURITY_HEADERS.items():
            if name == "Content-Security-Policy" and request.url.path == "/api/docs":
                continue  # Swagger UI's page starts itself with an inline script
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(problems.Problem)
    async def on_problem(request: Request, error: problems.Problem):
        return _answer(request, error)

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, error: StoreError):
        return _answer(request, problems.from_store(error))

    @app.exception_handler(HTTPException)
    async def on_http_error(request: Request, error: HTTPException):
        return _answer(request, problems.from_http(error))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError):
        return _answer(request, problems.from_validation(error))

    @app.exception_handler(SignInRequired)
    async def on_sign_in_required(request: Request, error: SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(Exception)
    async def on_bug(request: Request, error: Exception):
        # A bug, not the caller's fault: the log has the traceback, the answer only says where to look.
        log.exception("console.error", path=request.url.path, method=request.method)
        return _answer(request, problems.Problem(500, "internal-error",
                                                 "something went wrong on our side; the console's log says what"))

    @app.exception_handler(GuestElsewhere)
    async def on_guest_elsewhere(request: Request, error: GuestElsewhere):
        return RedirectResponse("/guest", status_code=303)

    @app.exception_handler(RPCError)
    async def on_temporal_refused(request: Request, error: RPCError):
        return _answer(request, problems.Problem(503, "temporal-unavailable", f"Temporal said: {error.message}"))

    @app.exception_handler(WorkflowFailureError)
    async def on_workflow_failed(request: Request, error: WorkflowFailureError):
        return _answer(request, problems.Problem(502, "workflow-failed", f"the workflow failed: {said_by(error)}"))

    return app


def server_config(app: FastAPI, host: str, port: int):
    """How the console is served, by `partnerwatch web` and by the tests alike. Our own request log
    (above) masks invitation links, so uvicorn's access log, which would not, stays off."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False,
                          server_header=False, lifespan="off")
