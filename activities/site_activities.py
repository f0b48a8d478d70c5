"""Browser steps: sign in as an account and read pages. Secrets are loaded here, used for the
sign-in, and never returned, logged or put in heartbeats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from pydantic import BaseModel, ValidationError
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
from pinterest_reader.client import Credentials, PinterestClient
from pinterest_reader.errors import (
    AccountLocked, BadCredentials, PassingFault, SessionExpired, SiteFault, SiteUnavailable, VerificationFailed,
)
from pinterest_reader.rows import PartnerRow

log = structlog.get_logger(__name__)
SIGN_IN_REJECTIONS = (BadCredentials, AccountLocked, VerificationFailed)
MAX_SIGN_INS_PER_ATTEMPT = 20


class ReadCursor(BaseModel):
    """Heartbeat details of a members read: where a retried attempt resumes."""

    task_id: str
    next_page: int


class _Progress(BaseModel):
    pages_read: int
    complete: bool
    listed: int


class PartnersRead(BaseModel):
    rows: list[PartnerRow]


class _Account(BaseModel):
    business_id: str
    credential_id: str
    monitor_account_id: str | None = None
    rejected_code: str | None = None


class SiteActivities:
    def __init__(self, engine: Engine, browsers: BrowserHost, base_url: str, page_timeout_s: float = 30,
                 artifacts_dir: Path = Path(".partnerwatch/artifacts"), record_failures: bool = True) -> None:
        self.engine = engine
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
    async def _browsing(self, label: str, task_id: str | None) -> AsyncIterator[PinterestClient]:
        """A fresh context for one account; on a lasting fault, evidence of the failing page."""
        async with self.browsers.context() as context:
            recorder = FailureRecorder(context, self.artifacts_dir / label, self.record_failures)
            await recorder.start()
            client = PinterestClient(context, self.base_url, on_retry=self._retry_hook(task_id),
                                     page_timeout_s=self.page_timeout_s, secret_guard=recorder.typing_secrets)
            try:
                yield client
            except SiteFault as fault:
                if fault.lasting:
                    folder = await recorder.save(client.current_page, fault.code)
                    if folder and task_id:
                        await asyncio.to_thread(self._note_artifacts, task_id, str(folder))
                raise

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
        """Reads every Members page into the task's snapshot, resuming after the last page stored."""
        progress = await asyncio.to_thread(self._progress, input.task_id)
        if progress.complete:  # a retry after the reply was lost: the snapshot is already whole
            return ReadResult(pages=progress.pages_read, listed=progress.listed)
        cursor = ReadCursor(task_id=input.task_id, next_page=1)
        details = activity.info().heartbeat_details
        if details:
            try:
                cursor = ReadCursor.model_validate(details[0])
            except ValidationError:
                log.warning("read.bad_heartbeat_details", task_id=input.task_id)
        # Pages are stored in order, so the store knows the exact resume point even when the last
        # heartbeats died with a killed worker.
        cursor.next_page = max(cursor.next_page, progress.pages_read + 1)
        if activity.info().attempt > 1:
            await asyncio.to_thread(self._set_task_status, input.task_id, "Retrying")
        account = await asyncio.to_thread(self._account_for_task, input.task_id)
        log.info("read.start", task_id=input.task_id, business_id=account.business_id, page=cursor.next_page)
        self._refuse_if_rejected(account)
        try:
            async with Heartbeater() as heartbeat, self._browsing(input.task_id, input.task_id) as client:
                heartbeat.set(cursor.model_dump())
                await self._sign_in(client, account)
                sign_ins = 1
                while True:
                    try:
                        page = await asyncio.wait_for(client.read_members_page(account.business_id, cursor.next_page),
                                                      self.page_deadline_s)
                    except SessionExpired:
                        if sign_ins >= MAX_SIGN_INS_PER_ATTEMPT:
                            raise
                        sign_ins += 1
                        await self._sign_in(client, account)
                        continue
                    except asyncio.TimeoutError:
                        raise SiteUnavailable("A Members page did not finish in time; the attempt is retried.") from None
                    await asyncio.to_thread(self._save_page, input.task_id, page.page, page.rows)
                    cursor = ReadCursor(task_id=input.task_id, next_page=page.page + 1)
                    heartbeat.set(cursor.model_dump())
                    if not page.has_next:
                        break
                listed = await asyncio.to_thread(self._complete, input.task_id)
                return ReadResult(pages=page.page, listed=listed)
        except SiteFault as fault:
            log.warning("read.fault", task_id=input.task_id, code=fault.code, lasting=fault.lasting)
            raise to_application_error(fault) from None

    def _progress(self, task_id: str) -> _Progress:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            return _Progress(pages_read=task.pages_read, complete=task.snapshot_complete, listed=task.listed_total or 0)

    def _set_task_status(self, task_id: str, status: str) -> None:
        with session_scope(self.engine) as session:
            tasks.set_status(session, tasks.get(session, task_id), status)

    def _save_page(self, task_id: str, page_no: int, rows) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            people.save_snapshot_page(session, task, page_no, rows)
            if task.status in ("Retrying", "Queued"):  # a page got through: no longer retrying
                tasks.set_status(session, task, "Running")

    def _complete(self, task_id: str) -> int:
        with session_scope(self.engine) as session:
            return people.complete_snapshot(session, tasks.get(session, task_id))

    @activity.defn(name="read_partners")
    async def read_partners(self, input: TaskRef) -> PartnersRead:
        account = await asyncio.to_thread(self._account_for_task, input.task_id)
        try:
            async with self._browsing(input.task_id, input.task_id) as client:
                await self._sign_in(client, account)
                try:
                    rows = await client.read_partners(account.business_id)
                except SessionExpired:
                    await self._sign_in(client, account)
                    rows = await client.read_partners(account.business_id)
                return PartnersRead(rows=rows)
        except SiteFault as fault:
            raise to_application_error(fault) from None

    @activity.defn(name="connect_monitor")
    async def connect_monitor(self, input: ConnectInput) -> ConnectOutcome:
        """Signs in as the selected account and checks it is a Manager of the partner's business."""
        with session_scope(self.engine) as session:
            partner = partners.get(session, input.partner_id)
            monitor = onboarding.monitor(session, input.monitor_account_id)
            account = _Account(business_id=partner.business_id, credential_id=monitor.credential_id,
                               monitor_account_id=monitor.id, rejected_code=monitor.rejected_code)
        self._refuse_if_rejected(account)
        try:
            async with self._browsing(f"connect-{input.partner_id}", None) as client:
                await self._sign_in(client, account)
                await client.verify_manager(account.business_id)
        except SiteFault as fault:
            log.warning("connect.fault", partner_id=input.partner_id, code=fault.code, lasting=fault.lasting)
            raise to_application_error(fault) from None
        log.info("connect.ok", partner_id=input.partner_id, monitor_account_id=input.monitor_account_id)
        return ConnectOutcome(monitor_account_id=input.monitor_account_id, connected=True)
