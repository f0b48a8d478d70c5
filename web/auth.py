"""Who is asking: the session cookie (Secure, HttpOnly, SameSite=Strict) names a console user, and
every request that changes something carries the session's CSRF token (the `X-CSRF-Token` header
for the API, a hidden form field for pages). Viewers only read."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Depends, Request, Response

from models import console_users
from models.statuses import ConsoleRole
from web.problems import Problem, forbidden, unauthorized
from web.state import state

SESSION_COOKIE = "partnerwatch_session"
SIGNIN_COOKIE = "partnerwatch_signin"  # the sign-in form's own CSRF token, before any session exists
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Principal:
    user_id: str
    workspace_id: str
    email: str
    role: ConsoleRole
    csrf_token: str
    partner_id: str | None = None  # a guest's partner

    @property
    def is_guest(self) -> bool:
        return self.role == ConsoleRole.GUEST

    @property
    def is_admin(self) -> bool:
        return self.role == ConsoleRole.ADMIN

    @property
    def actor(self) -> str:
        """Who the audit log names."""
        return f"console:{self.email}"


class SignInRequired(Exception):
    """A page asked for without a session: the console sends the browser to the sign-in page."""


class GuestElsewhere(Exception):
    """A guest asked for a company user's page: the console sends them to their own partner's page."""

    def __init__(self, partner_id: str | None) -> None:
        super().__init__(partner_id)
        self.partner_id = partner_id


def _principal(request: Request) -> Principal | None:
    with state(request).store() as session:
        found = console_users.session_of(session, request.cookies.get(SESSION_COOKIE))
        if not found:
            return None
        live, user = found
        return Principal(user_id=user.id, workspace_id=user.workspace_id, email=user.email,
                         role=ConsoleRole(user.role), csrf_token=live.csrf_token, partner_id=user.partner_id)


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(given.encode(), expected.encode())


GUESTS_SEE_LESS = "a guest sees only their own partner's onboarding"


def api_anyone(request: Request) -> Principal:
    """Any signed-in person, guests included: the route itself limits a guest to their partner."""
    principal = _principal(request)
    if principal is None:
        raise unauthorized()
    if request.method not in SAFE_METHODS and not same_token(request.headers.get(CSRF_HEADER), principal.csrf_token):
        raise Problem(403, "csrf", f"the {CSRF_HEADER} header is missing or wrong (GET /api/v1/session gives it)")
    return principal


def api_user(principal: Principal = Depends(api_anyone)) -> Principal:
    """A company user (admin or viewer)."""
    if principal.is_guest:
        raise forbidden(GUESTS_SEE_LESS)
    return principal


def api_admin(principal: Principal = Depends(api_user)) -> Principal:
    if not principal.is_admin:
        raise forbidden("this needs the admin role; viewers only read")
    return principal


def page_anyone(request: Request) -> Principal:
    principal = _principal(request)
    if principal is None:
        raise SignInRequired()
    return principal


def page_user(principal: Principal = Depends(page_anyone)) -> Principal:
    """A company user's page; a guest is sent to their own partner's onboarding page instead."""
    if principal.is_guest:
        raise GuestElsewhere(principal.partner_id)
    return principal


def check_form(principal: Principal, csrf_token: str | None, *, admin: bool = True) -> None:
    """A page's form that changes something: the session's token, and (by default) the admin role."""
    if not same_token(csrf_token, principal.csrf_token):
        raise Problem(403, "csrf", "this form has expired; reload the page and try again")
    if admin and not principal.is_admin:
        raise forbidden("this needs the admin role; viewers only read")


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(console_users.SESSION_MAX.total_seconds()),
                        path="/", secure=True, httponly=True, samesite="strict")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
