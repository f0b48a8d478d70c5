"""Errors as RFC 9457 problem details (`application/problem+json`) for the API, and as a page for
the console: the store's own errors keep their one-line message and get their HTTP status here."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from models.console_users import Throttled
from models.errors import Conflict, Invalid, NotFound, StoreError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://partnerwatch.dev/problems/"  # a stable name per kind; documented in docs/CONSOLE.md


class ProblemDetail(BaseModel):
    """RFC 9457: `type` names the kind of problem, `detail` says what happened this time."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict] | None = None  # request validation: each field that is wrong, and why


class Problem(Exception):
    def __init__(self, status: int, kind: str, detail: str, headers: dict[str, str] | None = None,
                 errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.headers, self.errors = status, kind, detail, headers, errors


def unauthorized(detail: str = "sign in first") -> Problem:
    return Problem(401, "unauthorized", detail)


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", detail)


def from_store(error: StoreError) -> Problem:
    if isinstance(error, Throttled):
        return Problem(429, "throttled", str(error), headers={"Retry-After": str(error.retry_after_s)})
    if isinstance(error, NotFound):
        return Problem(404, "not-found", str(error))
    if isinstance(error, Invalid):
        return Problem(422, "invalid", str(error))
    if isinstance(error, Conflict):
        return Problem(409, "conflict", str(error))
    return Problem(400, "refused", str(error))


def from_http(error: HTTPException) -> Problem:
    kind = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return Problem(error.status_code, kind, detail, headers=getattr(error, "headers", None))


def from_validation(error: RequestValidationError) -> Problem:
    errors = [{"where": ".".join(str(part) for part in e.get("loc", ())), "message": e.get("msg", "")}
              for e in error.errors()]
    said = "; ".join(f"{e['where']}: {e['message']}" for e in errors[:3])
    return Problem(422, "invalid-request", f"the request is not valid: {said}", errors=errors)


def response(problem: Problem, request: Request) -> JSONResponse:
    body = ProblemDetail(type=TYPE_BASE + problem.kind, title=HTTPStatus(problem.status).phrase,
                         status=problem.status, detail=problem.detail, instance=request.url.path,
                         errors=problem.errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=problem.status, media_type=PROBLEM_JSON,
                        headers=problem.headers)
