"""The simulated site's HTTP application: contract pages, sign-in, faults and the /__sim/ control API."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from pinterest_sim import pages, totp
from pinterest_sim.faults import FaultConfig, FaultInjector, Stats
from pinterest_sim.world import MEMBER_ORDERS, Member, MemberOrder, World, WorldState

SESSION_COOKIE = "sim_session"
PENDING_COOKIE = "sim_pending"
LOCK_SECONDS = 15 * 60


MSG_INCORRECT = "The email or password you entered is incorrect."
MSG_LOCKED = "This account is locked after too many failed attempts. Try again later."
MSG_VERIFICATION = "That verification code is wrong or has expired."
MSG_PERMISSION = "You don't have permission to view this page. Ask a Manager of this business."


@dataclass
class Session:
    email: str
    views: int = 0


@dataclass
class Pending:
    email: str
    next_path: str


@dataclass
class Site:
    world_path: Path
    member_order: MemberOrder = "folded"  # the order this site started with; reset restores it
    state: WorldState = field(init=False)
    faults: FaultInjector = field(default_factory=FaultInjector)
    stats: Stats = field(default_factory=Stats)
    sessions: dict[str, Session] = field(default_factory=dict)
    # Sessions the site ended (session_max_views, or /__sim/sessions/expire): every later request that
    # still carries one is refused by that fault, and counted as a fault injected.
    ended: set[str] = field(default_factory=set)
    pending: dict[str, Pending] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, float] = field(default_factory=dict)
    # Not the fault generator: drawing render delays must not shift seeded fault draws.
    render_rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.state = WorldState(World.load(self.world_path), self.member_order)
        self.faults.configure(FaultConfig())
        self.sessions.clear()
        self.ended.clear()
        self.pending.clear()
        self.failures.clear()
        self.locked_until.clear()

    def end_session(self, token: str) -> None:
        self.sessions.pop(token, None)
        self.ended.add(token)

    def session_for(self, request: Request) -> tuple[str | None, Session | None]:
        """The request's session; a request refused because the site ended its session is a fault."""
        token = request.cookies.get(SESSION_COOKIE)
        session = self.sessions.get(token) if token else None
        if session is None and token in self.ended:
            self.stats.faults += 1
        return token, session

    def is_locked(self, email: str) -> bool:
        return self.locked_until.get(email.lower(), 0) > time.monotonic()

    def record_failure(self, email: str) -> bool:
        """Count a failed sign-in step; True when this failure locks the account."""
        key = email.lower()
        self.failures[key] = self.failures.get(key, 0) + 1
        if self.failures[key] >= self.faults.config.lock_after_failures:
            self.locked_until[key] = time.monotonic() + LOCK_SECONDS
            self.failures[key] = 0
            return True
        return False

    def start_session(self, email: str) -> str:
        self.failures.pop(email.lower(), None)
        token = secrets.token_urlsafe(24)
        self.sessions[token] = Session(email=email)
        return token


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/business/"


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _counted(handler, *, data: bool):
    """Counts the answer and, per the fault settings, delays it or answers with a fault instead. A
    page's script fetching its data (`data`) gets the same faults; it is counted apart from pages."""

    async def wrapped(request: Request) -> Response:
        site: Site = request.app.state.site
        if data:
            site.stats.data_requests += 1
        key = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        site.stats.by_path[key] += 1
        delay = site.faults.latency_s(data=data)
        if delay:
            await asyncio.sleep(delay)
        fault = site.faults.draw()
        if fault:
            status, headers = fault
            site.stats.faults += 1
            if data:
                return JSONResponse({"error": "Please try again in a moment."}, status_code=status, headers=headers)
            response = _html(pages.error(status, "Please try again in a moment."), status, headers)
        else:
            response = await handler(request, site)
        # A page is a document served; a redirect (the session's end, a form post) serves none.
        if 300 <= response.status_code < 400:
            site.stats.redirects += 1
        elif not data:
            site.stats.pages += 1
        return response

    return wrapped


def page(handler):
    return _counted(handler, data=False)


def data_request(handler):
    return _counted(handler, data=True)


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _signed_in(request: Request, site: Site) -> Session | None:
    token, session = site.session_for(request)
    if session is None:
        return None
    session.views += 1
    limit = site.faults.config.session_max_views
    if limit is not None and session.views > limit:
        site.end_session(token)
        site.stats.faults += 1
        return None
    return session


def _still_signed_in(request: Request, site: Site) -> Session | None:
    """A page script's data request. A session whose last page view was its last ends here, after
    that page answered 200: the script, not the server, then sends the browser to sign in."""
    token, session = site.session_for(request)
    if session is None:
        return None
    limit = site.faults.config.session_max_views
    if limit is not None and session.views >= limit:
        site.end_session(token)
        site.stats.faults += 1
        return None
    return session


@page
async def login_form(request: Request, site: Site) -> Response:
    return _html(pages.login(_safe_next(request.query_params.get("next"))))


@page
async def login_submit(request: Request, site: Site) -> Response:
    form = await _form(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_path = _safe_next(form.get("next"))
    site.stats.logins += 1
    site.stats.logins_by_email[email.lower()] += 1
    if site.is_locked(email):
        return _html(pages.login(next_path, MSG_LOCKED, email))
    account = site.state.account(email)
    if account is None or not secrets.compare_digest(account.password, password):
        locked = account is not None and site.record_failure(email)
        return _html(pages.login(next_path, MSG_LOCKED if locked else MSG_INCORRECT, email))
    if account.totp_secret:
        token = secrets.token_urlsafe(24)
        site.pending[token] = Pending(email=account.email, next_path=next_path)
        response = RedirectResponse("/login/verify", status_code=303)
        response.set_cookie(PENDING_COOKIE, token, httponly=True, samesite="lax")
        return response
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, site.start_session(account.email), httponly=True, samesite="lax")
    return response


def _pending(request: Request, site: Site) -> Pending | None:
    token = request.cookies.get(PENDING_COOKIE)
    return site.pending.get(token) if token else None


@page
async def verify_form(request: Request, site: Site) -> Response:
    if _pending(request, site) is None:
        return RedirectResponse("/login", status_code=303)
    return _html(pages.verify())


@page
async def verify_submit(request: Request, site: Site) -> Response:
    pending = _pending(request, site)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    site.stats.verifications += 1
    if site.is_locked(pending.email):
        return _html(pages.verify(MSG_LOCKED))
    account = site.state.account(pending.email)
    code = (await _form(request)).get("code", "").strip()
    if account is None or not account.totp_secret or not totp.verify(account.totp_secret, code, window=1):
        locked = site.record_failure(pending.email)
        return _html(pages.verify(MSG_LOCKED if locked else MSG_VERIFICATION))
    site.pending.pop(request.cookies[PENDING_COOKIE], None)
    response = RedirectResponse(pending.next_path, status_code=303)
    response.delete_cookie(PENDING_COOKIE)
    response.set_cookie(SESSION_COOKIE, site.start_session(account.email), httponly=True, samesite="lax")
    return response


@page
async def hub(request: Request, site: Site) -> Response:
    session = _signed_in(request, site)
    if session is None:
        return _login_redirect(request)
    return _html(pages.hub(site.state.businesses_of(session.email)))


def _business_page(needs_manager: bool):
    def decorate(render):
        @page
        async def handler(request: Request, site: Site) -> Response:
            session = _signed_in(request, site)
            if session is None:
                return _login_redirect(request)
            bid = request.path_params["business_id"]
            role = site.state.role_in(session.email, bid)
            if role is None or bid not in site.state.businesses:
                return _html(pages.error(404, "This business doesn't exist or you aren't a member of it."), 404)
            if needs_manager and role != "Manager":
                return _html(pages.error(403, MSG_PERMISSION), 403)
            return await render(request, site, site.state.businesses[bid])

        return handler

    return decorate


@_business_page(needs_manager=False)
async def business_home(request: Request, site: Site, b) -> Response:
    return _html(pages.business(b))


def _page_number(request: Request) -> int | None:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


@_business_page(needs_manager=True)
async def members(request: Request, site: Site, b) -> Response:
    """The page itself holds no rows: its script fetches them (members_data) and draws them."""
    page_no = _page_number(request)
    if page_no is None:
        return _html(pages.error(400, "The page number must be a whole number from 1."), 400)
    broken = site.faults.breaks_members_page(page_no)
    return _html(pages.members(site.state, b, page_no, delay_ms=site.render_rng.randint(20, 150), broken=broken))


@data_request
async def members_data(request: Request, site: Site) -> Response:
    """The Members page script's data: an implementation detail of this site, not in the contract."""
    session = _still_signed_in(request, site)
    if session is None:
        return JSONResponse({"error": "signed out"}, status_code=401)
    bid = request.path_params["business_id"]
    role = site.state.role_in(session.email, bid)
    if bid not in site.state.businesses or role is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    if role != "Manager":
        return JSONResponse({"error": MSG_PERMISSION}, status_code=403)
    page_no = _page_number(request)
    if page_no is None:
        return JSONResponse({"error": "bad page"}, status_code=400)
    business = site.state.businesses[bid]
    passer = _passer(site, business, page_no)
    if passer is None:
        return JSONResponse(pages.members_data(site.state, business, page_no))
    site.state.upsert_member(passer)
    try:
        return JSONResponse(pages.members_data(site.state, business, page_no))
    finally:
        site.state.remove_member(bid, passer.email)


def _passer(site: Site, business, page_no: int) -> Member | None:
    """The member who joins just before this page is read and leaves just after (the churn fault),
    placed after the page's first row by the site's own order: the page then loses its last row to the
    next page and shares none with the previous one, so no page read before or after shows a thing."""
    if not site.faults.churns(business.business_id, page_no, pages.page_count(site.state, business)):
        return None
    everyone = site.state.members_sorted(business.business_id)
    first = everyone[(page_no - 1) * pages.MEMBERS_PER_PAGE].email
    local, _, domain = first.partition("@")
    for email in (f"{local}z@{domain}", f"{first}z"):  # sorts right after `first` in every order this site has
        passer = Member(business_id=business.business_id, email=email, name="Passing Through", role="Employee",
                        status="Invited")
        site.state.upsert_member(passer)
        at = [m.email for m in site.state.members_sorted(business.business_id)].index(email)
        site.state.remove_member(business.business_id, email)
        if (at // pages.MEMBERS_PER_PAGE) + 1 == page_no and at % pages.MEMBERS_PER_PAGE:
            return passer
    return None


@_business_page(needs_manager=True)
async def partners(request: Request, site: Site, b) -> Response:
    return _html(pages.partners(site.state, b))


@_business_page(needs_manager=False)
async def assets(request: Request, site: Site, b) -> Response:
    return _html(pages.assets(site.state, b))


async def root(request: Request) -> Response:
    return RedirectResponse("/business/", status_code=303)


# --- control API (appendix B) ---------------------------------------------------------------


def _site(request: Request) -> Site:
    return request.app.state.site


async def _json_body(request: Request) -> dict:
    body = await request.body()
    if not body:
        return {}
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def _bad_request(error: Exception) -> JSONResponse:
    detail = error.errors(include_url=False) if isinstance(error, ValidationError) else str(error)
    return JSONResponse({"error": detail}, status_code=422)


async def sim_put_member(request: Request) -> Response:
    site = _site(request)
    try:
        member = Member.model_validate(await _json_body(request))
    except (ValueError, ValidationError) as error:
        return _bad_request(error)
    if member.business_id not in site.state.businesses:
        return JSONResponse({"error": f"unknown business {member.business_id}"}, status_code=404)
    site.state.upsert_member(member)
    return JSONResponse({"ok": True})


async def sim_delete_member(request: Request) -> Response:
    removed = _site(request).state.remove_member(request.path_params["business_id"], request.path_params["email"])
    return JSONResponse({"removed": removed}, status_code=200 if removed else 404)


async def sim_faults(request: Request) -> Response:
    try:
        config = FaultConfig.model_validate(await _json_body(request))
    except (ValueError, ValidationError) as error:
        return _bad_request(error)
    _site(request).faults.configure(config)
    return JSONResponse(config.model_dump())


async def sim_expire_sessions(request: Request) -> Response:
    site = _site(request)
    ended = len(site.sessions)
    for token in list(site.sessions):
        site.end_session(token)
    return JSONResponse({"ended": ended})


async def sim_settings(request: Request) -> Response:
    """Not in the contract (an extension of this site): `member_order`, the collation of Members,
    `folded` (case and punctuation ignored first, as a locale-aware collation does) or `email` (code
    points). It lasts until the next reset, which restores the order the site started with."""
    site = _site(request)
    try:
        order = (await _json_body(request)).get("member_order", site.state.member_order)
    except ValueError as error:
        return _bad_request(error)
    if order not in MEMBER_ORDERS:
        return _bad_request(ValueError(f"member_order is one of {sorted(MEMBER_ORDERS)}, not {order!r}"))
    site.state.member_order = order
    return JSONResponse({"member_order": order})


async def sim_reset(request: Request) -> Response:
    _site(request).reset()
    return JSONResponse({"ok": True})


async def sim_stats(request: Request) -> Response:
    return JSONResponse(_site(request).stats.as_dict())


def create_app(world_path: str | Path, member_order: MemberOrder = "folded") -> Starlette:
    app = Starlette(
        routes=[
            Route("/", root),
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login_submit, methods=["POST"]),
            Route("/login/verify", verify_form, methods=["GET"]),
            Route("/login/verify", verify_submit, methods=["POST"]),
            Route("/business/", hub),
            Route("/business/{business_id}/", business_home),
            Route("/business/{business_id}/members", members),
            Route("/business/{business_id}/api/members", members_data),
            Route("/business/{business_id}/partners", partners),
            Route("/business/{business_id}/assets", assets),
            Route("/__sim/members", sim_put_member, methods=["POST"]),
            Route("/__sim/members/{business_id}/{email}", sim_delete_member, methods=["DELETE"]),
            Route("/__sim/faults", sim_faults, methods=["POST"]),
            Route("/__sim/sessions/expire", sim_expire_sessions, methods=["POST"]),
            Route("/__sim/reset", sim_reset, methods=["POST"]),
            Route("/__sim/settings", sim_settings, methods=["POST"]),
            Route("/__sim/stats", sim_stats, methods=["GET"]),
        ]
    )
    app.state.site = Site(world_path=Path(world_path), member_order=member_order)
    return app
