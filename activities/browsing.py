"""The signed-in browser context a browser activity reads through (not an activity module): a fresh
context for one account, signed in with its saved session when it has one, one sign-in for all tabs
when the session expires, and evidence of the failing page when a lasting fault ends the read.

Secrets are loaded here, used for the sign-in, and never returned, logged or put in heartbeats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from models.errors import NotFound
from models.reading import ReadingAccount, ReadingStore
from models.results import Fault
from pinterest_reader.artifacts import FailureRecorder
from pinterest_reader.browser_host import BrowserHost
from pinterest_reader.client import Credentials, PinterestClient
from pinterest_reader.errors import SIGN_IN_REJECTIONS, BadCredentials, PassingFault, SessionExpired, SiteFault
from pinterest_reader.members_pass import SessionKeeper
from temporal_common import metrics

T = TypeVar("T")
MAX_SIGN_INS_PER_ATTEMPT = 20


@dataclass
class BrowsingOptions:
    base_url: str
    page_timeout_s: float
    page_max_backoff_s: float
    artifacts_dir: Path
    record_failures: bool
    reuse_sessions: bool


def refuse_if_rejected(account: ReadingAccount) -> None:
    """Never try a rejected password again: each failure brings the account closer to a lock."""
    if account.rejected_code:
        fault = next(cls for cls in SIGN_IN_REJECTIONS if cls.code == account.rejected_code)
        raise fault("The site rejected this monitor account's sign-in before; it was not tried again. "
                    "Update its credentials (`partnerwatch monitor update`).")


class Browsing:
    """One account's signed-in context for one activity: the client, its session keeper, and
    whether the sign-in was skipped thanks to a saved session."""

    def __init__(self, store: ReadingStore, options: BrowsingOptions, client: PinterestClient,
                 account: ReadingAccount, reused: bool, recorder: FailureRecorder) -> None:
        self.store, self.options, self.client, self.account = store, options, client, account
        self.reused, self.recorder = reused, recorder
        self.keeper = SessionKeeper(lambda tab: self._sign_in(tab or client), MAX_SIGN_INS_PER_ATTEMPT)

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
        if not self.options.reuse_sessions:
            return
        state = await self.client.context.storage_state()
        await asyncio.to_thread(self.store.keep_session, self.account.credential_id, state)
        del state

    async def _sign_in(self, client: PinterestClient) -> None:
        try:
            opened = await asyncio.to_thread(self.store.credentials, self.account.credential_id)
        except NotFound as error:
            raise BadCredentials(str(error)) from None
        try:
            await client.sign_in(Credentials(email=opened.email, password=opened.password, totp_secret=opened.totp_secret))
            metrics.count(metrics.SIGN_INS, outcome="ok")
        except SiteFault as fault:
            metrics.count(metrics.SIGN_INS, outcome=fault.code)
            if self.account.monitor_account_id and isinstance(fault, SIGN_IN_REJECTIONS):
                await asyncio.to_thread(self.store.mark_rejected, self.account.monitor_account_id, fault.code)
            raise
        finally:
            del opened


@asynccontextmanager
async def browsing(store: ReadingStore, browsers: BrowserHost, options: BrowsingOptions, label: str,
                   task_id: str | None, account: ReadingAccount, reuse_session: bool = True) -> AsyncIterator[Browsing]:
    """A fresh context for one account, signed in with its saved session when it has one (the first
    page that finds it expired signs in); on a lasting fault, evidence of the failing page."""
    reuse_session = reuse_session and options.reuse_sessions
    saved = await asyncio.to_thread(store.saved_session, account.credential_id) if reuse_session else None

    async def on_retry(fault: PassingFault, attempt: int) -> None:
        if task_id:
            await asyncio.to_thread(store.note_retry, task_id, Fault(code=fault.code, message=fault.message, lasting=False))

    async with browsers.context(storage_state=saved) as context:
        recorder = FailureRecorder(context, options.artifacts_dir / label, options.record_failures)
        await recorder.start()
        client = PinterestClient(context, options.base_url, on_retry=on_retry, on_lasting=recorder.capture,
                                 page_timeout_s=options.page_timeout_s, max_backoff_s=options.page_max_backoff_s,
                                 secret_guard=recorder.typing_secrets)
        session = Browsing(store, options, client, account, reused=saved is not None, recorder=recorder)
        try:
            if saved is None:
                await session.keeper.renew(session.keeper.generation)
            yield session
        except SiteFault as fault:
            if fault.lasting:
                folder = await recorder.save(client.current_page, fault.code)
                if folder and task_id:
                    await asyncio.to_thread(store.note_artifacts, task_id, str(folder))
            if isinstance(fault, SIGN_IN_REJECTIONS + (SessionExpired,)):
                await asyncio.to_thread(store.forget_session, account.credential_id)
            raise
