"""Browser steps: sign in as an account and read pages. Secrets are loaded here, used for the
sign-in, and never returned, logged or put in heartbeats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import structlog
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio import activity

from activities.artifacts import FailureRecorder
from activities.browser_host import BrowserHost
from activities.faults import to_application_error
from activities.heartbeat import Heartbeater
from models import credentials, onboarding, partners, people, tasks, workspaces
from models.db import session_scope
from models.errors import NotFound
from models.payloads import ConnectInput, ConnectOutcome, Fault, ReadResult, TaskRef
from pinterest_reader.client import Credentials, MembersPage, PinterestClient
from pinterest_reader.members_pass import MembersPass, PassProgress, SessionKeeper
from pinterest_reader.errors import (
    AccountLocked, BadCredentials, PassingFault, SessionExpired, SiteFault, VerificationFailed,
)
from pinterest_reader.rows import PartnerRow

T = TypeVar("T")
log = structlog.get_logger(__name__)
SIGN_IN_REJECTIONS = (BadCredentials, AccountLocked, VerificationFailed)
MAX_SIGN_INS_PER_ATTEMPT = 20


class ReadCursor(BaseModel):
    """Heartbeat details of a members read: how far the attempt got (the store holds the pages)."""

    task_id: str
    pages_done: list[int] = []
    pages_total: int | None = None


class _Progress(BaseModel):
    pages_read: int
    complete: bool
    listed: int
    pages_total: int | None = None
    pages_done: list[int] = []


class PartnersRead(BaseModel):
    rows: list[PartnerRow]


class _Account(BaseModel):
    business_id: str
    credential_id: str
    monitor_account_id: str | None = None
    rejected_code: str | None = None


class _Browsing:
    """One account's signed-in context for one activity: the client, its session keeper, and
    whether the sign-in was skipped thanks to a saved session."""

    def __init__(self, site: SiteActivities, client: PinterestClient, account: _Account, reused: bool,
                 recorder: FailureRecorder) -> None:
        self.site, self.client, self.account, self.reused, self.recorder = site, client, account, reused, recorder
        self.keeper = SessionKeeper(lambda tab: site._sign_in(tab or client, account), MAX_SIGN_INS_PER_ATTEMPT)

    async def signed_in(self, step: Callable[[PinterestClient], Awaitable[T]]) -> T:
        """Runs a step on the main tab, signing in again each time the session turns out expired."""
        while True:
            generation = self.keeper.generation
            try:
                return await step(self.client)
            except SessionExpired:
                await self.keeper.renew(generation, self.client)

    async def keep_session(self) -> None:
        """Saves the signed-in session, sealed, for the account's next check."""
        if not self.site.reuse_sessions:
            return
        state = await self.client.context.storage_state()
        await asyncio.to_thread(self.site._keep_session, self.account.credential_id, state)
        del state


class SiteActivities:
    def __init__(self, engine: Engine, browsers: BrowserHost, base_url: str, page_timeout_s: float = 30,
                 artifacts_dir: Path = Path(".partnerwatch/artifacts"), record_failures: bool = True,
                 parallel_pages: int = 4, reuse_sessions: bool = True) -> None:
        self.engine = engine
        self.reuse_sessions = reuse_sessions
        self.parallel_pages = parallel_pages
        self.artifacts_dir = artifacts_dir
        self.record_failures = record_failures
        self.browsers = browsers
        self.base_url = base_url
        self.page_timeout_s = page_timeout_s
        # A hard cap on one page, retries included: nothing may hold a worker slot for ever.
        self.page_deadline_s = page_timeout_s * 10 + 300

    # --- helpers ----------------------------------------------------------------------------

    def _account_for_task(self, task_id: str) -> _Account:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            if task.partner_id is None:
                integration = workspaces.integration_of(session, task.workspace_id)
                return _Account(business_id=integration.business_id, credential_id=integration.credential_id)
            partner = partners.get(session, task.partner_id)
            account = onboarding.monitor(session, partner.selected_monitor_id)
            return _Account(business_id=partner.business_id, credential_id=account.credential_id,
                            monitor_account_id=account.id, rejected_code=account.rejected_code)

    def _credentials(self, credential_id: str) -> Credentials:
        with session_scope(self.engine) as session:
            return credentials.load(session, credential_id)

    def _mark_rejected(self, monitor_account_id: str | None, fault: SiteFault) -> None:
        if monitor_account_id and isinstance(fault, SIGN_IN_REJECTIONS):
            with session_scope(self.engine) as session:
                onboarding.mark_rejected(session, onboarding.monitor(session, monitor_account_id), fault.code)

    @staticmethod
    def _refuse_if_rejected(account: _Account) -> None:
        """Never try a rejected password again: each failure brings the account closer to a lock."""
        if account.rejected_code:
            fault = next(cls for cls in SIGN_IN_REJECTIONS if cls.code == account.rejected_code)
            raise to_application_error(fault(
                "The site rejected this monitor account's sign-in before; it was not tried again. "
                "Update its credentials (`partnerwatch monitor update`)."))

    @asynccontextmanager
    async def _browsing(self, label: str, task_id: str | None, account: _Account,
                        reuse_session: bool = True) -> AsyncIterator[_Browsing]:
        """A fresh context for one account, signed in with its saved session when it has one (the
        first page that finds it expired signs in); on a lasting fault, evidence of the failing page."""
        reuse_session = reuse_session and self.reuse_sessions
        saved = await asyncio.to_thread(self._saved_session, account.credential_id) if reuse_session else None
        async with self.browsers.context(storage_state=saved) as context:
            recorder = FailureRecorder(context, self.artifacts_dir / label, self.record_failures)
            await recorder.start()
            client = PinterestClient(context, self.base_url, on_retry=self._retry_hook(task_id),
                                     on_lasting=recorder.capture, page_timeout_s=self.page_timeout_s,
                                     secret_guard=recorder.typing_secrets)
            browsing = _Browsing(self, client, account, reused=saved is not None, recorder=recorder)
            try:
                if saved is None:
                    await browsing.keeper.renew(browsing.keeper.generation)
                yield browsing
            except SiteFault as fault:
                if fault.lasting:
                    folder = await recorder.save(client.current_page, fault.code)
                    if folder and task_id:
                        await asyncio.to_thread(self._note_artifacts, task_id, str(folder))
                if isinstance(fault, SIGN_IN_REJECTIONS + (SessionExpired,)):
                    await asyncio.to_thread(self._forget_session, account.credential_id)
                raise

    def _saved_session(self, credential_id: str) -> dict | None:
        with session_scope(self.engine) as session:
            return credentials.load_session(session, credential_id)

    def _keep_session(self, credential_id: str, state: dict) -> None:
        with session_scope(self.engine) as session:
            credentials.save_session(session, credential_id, state)

    def _forget_session(self, credential_id: str) -> None:
        with session_scope(self.engine) as session:
            credentials.forget_session(session, credential_id)

    def _note_artifacts(self, task_id: str, folder: str) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            task.artifacts_path = folder
            session.add(task)

    async def _sign_in(self, client: PinterestClient, account: _Account) -> None:
        try:
            creds = await asyncio.to_thread(self._credentials, account.credential_id)
        except NotFound as error:
            raise to_application_error(BadCredentials(str(error))) from None
        try:
            await client.sign_in(creds)
        except SiteFault as fault:
            await asyncio.to_thread(self._mark_rejected, account.monitor_account_id, fault)
            raise
        finally:
            del creds

    def _retry_hook(self, task_id: str | None):
        async def on_retry(fault: PassingFault, attempt: int) -> None:
            if task_id:
                await asyncio.to_thread(self._note_retry, task_id, fault)

        return on_retry

    def _note_retry(self, task_id: str, fault: PassingFault) -> None:
        with session_scope(self.engine) as session:
            tasks.mark_retrying(session, task_id, Fault(code=fault.code, message=fault.message, lasting=False))

    # --- activities -------------------------------------------------------------------------

    @activity.defn(name="read_members_snapshot")
    async def read_members_snapshot(self, input: TaskRef) -> ReadResult:
        """Reads every Members page into the task's snapshot, several at a time, resuming with the
        pages already stored; see pinterest_reader/members_pass.py for the snapshot rules."""
        stored = await asyncio.to_thread(self._progress, input.task_id)
        if stored.complete:  # a retry after the reply was lost: the snapshot is already whole
            return ReadResult(pages=stored.pages_read, listed=stored.listed)
        if activity.info().attempt > 1:
            await asyncio.to_thread(self._set_task_status, input.task_id, "Retrying")
        account = await asyncio.to_thread(self._account_for_task, input.task_id)
        log.info("read.start", task_id=input.task_id, business_id=account.business_id,
                 pages_done=len(stored.pages_done), parallel=self.parallel_pages)
        self._refuse_if_rejected(account)
        # The store, not the heartbeat, is the resume point: pages are stored as they are read, and a killed
        # worker's last heartbeats can lag behind. The heartbeat shows progress in the UI.
        cursor = ReadCursor(task_id=input.task_id, pages_done=stored.pages_done, pages_total=stored.pages_total)
        try:
            async with Heartbeater() as heartbeat, self._browsing(input.task_id, input.task_id, account) as browsing:
                heartbeat.set(cursor.model_dump())

                async def save_page(page: MembersPage) -> None:
                    await browsing.recorder.settle()
                    await asyncio.to_thread(self._save_page, input.task_id, page)
                    cursor.pages_done = sorted({*cursor.pages_done, page.page})
                    cursor.pages_total = cursor.pages_total or page.pages
                    heartbeat.set(cursor.model_dump())

                async def restart() -> None:
                    log.info("read.list_changed", task_id=input.task_id)
                    await asyncio.to_thread(self._begin_pass, input.task_id)
                    cursor.pages_done, cursor.pages_total = [], None

                members = MembersPass(
                    browsing.client, account.business_id, browsing.keeper, parallel=self.parallel_pages,
                    save_page=save_page, restart=restart, page_deadline_s=self.page_deadline_s,
                    stored_emails=lambda n: asyncio.to_thread(self._page_emails, input.task_id, n))
                outcome = await members.run(PassProgress(pages_total=stored.pages_total,
                                                         pages_done=set(stored.pages_done)))
                listed = await asyncio.to_thread(self._complete, input.task_id)
                await browsing.keep_session()
                log.info("read.done", task_id=input.task_id, pages=outcome.pages, passes=outcome.passes,
                         reads=outcome.reads, sign_ins=outcome.sign_ins, session_reused=browsing.reused,
                         lowest_parallel=outcome.lowest_limit, peak_parallel=outcome.peak_parallel)
                return ReadResult(pages=outcome.pages, listed=listed, sign_ins=outcome.sign_ins,
                                  session_reused=browsing.reused, passes=outcome.passes)
        except SiteFault as fault:
            log.warning("read.fault", task_id=input.task_id, code=fault.code, lasting=fault.lasting)
            raise to_application_error(fault) from None

    def _progress(self, task_id: str) -> _Progress:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            return _Progress(pages_read=task.pages_read, complete=task.snapshot_complete,
                             listed=task.listed_total or 0, pages_total=task.pages_total,
                             pages_done=task.pages_done or [])

    def _set_task_status(self, task_id: str, status: str) -> None:
        with session_scope(self.engine) as session:
            tasks.set_status(session, tasks.get(session, task_id), status)

    def _save_page(self, task_id: str, page: MembersPage) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            people.save_snapshot_page(session, task, page.page, page.pages, page.rows)
            if task.status in ("Retrying", "Queued"):  # a page got through: no longer retrying
                tasks.set_status(session, task, "Running")

    def _page_emails(self, task_id: str, page_no: int) -> list[str]:
        with session_scope(self.engine) as session:
            return people.page_emails(session, task_id, page_no)

    def _begin_pass(self, task_id: str) -> None:
        with session_scope(self.engine) as session:
            people.begin_pass(session, tasks.get(session, task_id))

    def _complete(self, task_id: str) -> int:
        with session_scope(self.engine) as session:
            return people.complete_snapshot(session, tasks.get(session, task_id))

    @activity.defn(name="read_partners")
    async def read_partners(self, input: TaskRef) -> PartnersRead:
        account = await asyncio.to_thread(self._account_for_task, input.task_id)
        self._refuse_if_rejected(account)
        try:
            async with self._browsing(input.task_id, input.task_id, account) as browsing:
                rows = await browsing.signed_in(lambda client: client.read_partners(account.business_id))
                await browsing.keep_session()
                return PartnersRead(rows=rows)
        except SiteFault as fault:
            raise to_application_error(fault) from None

    @activity.defn(name="connect_monitor")
    async def connect_monitor(self, input: ConnectInput) -> ConnectOutcome:
        """Signs in as the selected account and checks it is a Manager of the partner's business.
        Always a real sign-in, never a saved session: connecting proves the shared password works."""
        with session_scope(self.engine) as session:
            partner = partners.get(session, input.partner_id)
            monitor = onboarding.monitor(session, input.monitor_account_id)
            account = _Account(business_id=partner.business_id, credential_id=monitor.credential_id,
                               monitor_account_id=monitor.id, rejected_code=monitor.rejected_code)
        self._refuse_if_rejected(account)
        try:
            async with self._browsing(f"connect-{input.partner_id}", None, account, reuse_session=False) as browsing:
                await browsing.signed_in(lambda client: client.verify_manager(account.business_id))
                await browsing.keep_session()
        except SiteFault as fault:
            log.warning("connect.fault", partner_id=input.partner_id, code=fault.code, lasting=fault.lasting)
            raise to_application_error(fault) from None
        log.info("connect.ok", partner_id=input.partner_id, monitor_account_id=input.monitor_account_id)
        return ConnectOutcome(monitor_account_id=input.monitor_account_id, connected=True)
