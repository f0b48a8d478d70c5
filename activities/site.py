"""Browser activities: read a business's Members pages or Partners page, and connect a monitor
account. They run on the browser task queue, a few at a time per worker."""

from __future__ import annotations

import asyncio

import structlog
from temporalio import activity

from activities.browsing import BrowsingOptions, browsing, refuse_if_rejected
from models.reading import ReadingStore
from models.seen import SeenPartner, SeenPerson
from models.statuses import TaskStatus
from pinterest_reader.browser_host import BrowserHost
from pinterest_reader.client import MembersPage
from pinterest_reader.errors import SiteFault
from pinterest_reader.members_pass import MembersPass, PassProgress
from temporal_common import metrics
from temporal_common.faults import handed_over
from temporal_common.heartbeat import Heartbeater
from workflows.check_for_updates.payloads import PartnersRead, ReadCursor, ReadResult, TaskRef
from workflows.onboard_partner.payloads import ConnectInput, ConnectOutcome

log = structlog.get_logger(__name__)


async def _unless_worker_stops(read, task_id: str, cursor: ReadCursor):
    """A Members read hands its check over as soon as its worker begins to stop, instead of reading on
    through the grace period: every page it stored stays, the next attempt starts at once on another
    worker and reads only the rest. A page being read meanwhile is read again there."""
    reading = asyncio.ensure_future(read)
    stopping = asyncio.ensure_future(activity.wait_for_worker_shutdown())
    try:
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the attempt itself was cancelled: so is its read
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        raise
    finally:
        stopping.cancel()
    if reading.done():
        return reading.result()
    reading.cancel()
    await asyncio.gather(reading, return_exceptions=True)
    # The Heartbeater has already sent the latest pages when the shutdown began.
    log.info("read.handed_over", task_id=task_id, pages_done=len(cursor.pages_done), pages_total=cursor.pages_total)
    raise handed_over()


class SiteActivities:
    def __init__(self, store: ReadingStore, browsers: BrowserHost, options: BrowsingOptions, parallel_pages: int = 4,
                 max_parallel_pages: int | None = None) -> None:
        self.store = store
        self.browsers = browsers
        self.options = options
        self.parallel_pages = parallel_pages
        self.max_parallel_pages = max(parallel_pages, max_parallel_pages or parallel_pages)
        # A hard cap on one page, retries included: nothing may hold a worker slot for ever.
        self.page_deadline_s = options.page_timeout_s * 10 + 300

    @activity.defn(name="read_members_snapshot")
    async def read_members_snapshot(self, input: TaskRef) -> ReadResult:
        """Reads every Members page into the task's snapshot, several at a time, resuming with the
        pages already stored; see pinterest_reader/members_pass.py for the snapshot rules."""
        store, task_id = self.store, input.task_id
        stored = await asyncio.to_thread(store.progress, task_id)
        if stored.complete:  # a retry after the reply was lost: the snapshot is already whole
            return ReadResult(pages=stored.pages_read, listed=stored.listed)
        if activity.info().attempt > 1:
            await asyncio.to_thread(store.set_status, task_id, TaskStatus.RETRYING)
        account = await asyncio.to_thread(store.account_for_task, task_id)
        log.info("read.start", task_id=task_id, business_id=account.business_id,
                 pages_done=len(stored.pages_done), parallel=self.parallel_pages, max_parallel=self.max_parallel_pages)
        refuse_if_rejected(account)
        # The store, not the heartbeat, is the resume point: pages are stored as they are read, and a killed
        # worker's last heartbeats can lag behind. The heartbeat shows progress in the UI.
        cursor = ReadCursor(task_id=task_id, pages_done=stored.pages_done, pages_total=stored.pages_total)
        try:
            async with Heartbeater() as heartbeat, browsing(store, self.browsers, self.options, task_id, task_id,
                                                            account) as session:
                heartbeat.set(cursor.model_dump())

                async def save_page(page: MembersPage) -> None:
                    await session.recorder.settle()
                    rows = [SeenPerson.model_validate(row.model_dump()) for row in page.rows]
                    await asyncio.to_thread(store.save_page, task_id, page.page, page.pages, rows)
                    metrics.count(metrics.PAGES_READ)
                    cursor.pages_done = sorted({*cursor.pages_done, page.page})
                    cursor.pages_total = cursor.pages_total or page.pages
                    heartbeat.set(cursor.model_dump())

                async def restart() -> None:
                    log.info("read.list_changed", task_id=task_id)
                    await asyncio.to_thread(store.begin_pass, task_id)
                    cursor.pages_done, cursor.pages_total = [], None

                async def keep_found(found: list, rereads: int) -> None:
                    rows = [(page_no, SeenPerson.model_validate(row.model_dump())) for page_no, row in found]
                    await asyncio.to_thread(store.save_found_again, task_id, rows, rereads)

                members = MembersPass(
                    session.client, account.business_id, session.keeper, parallel=self.parallel_pages,
                    max_parallel=self.max_parallel_pages,
                    save_page=save_page, restart=restart, page_deadline_s=self.page_deadline_s,
                    stored_emails=lambda n: asyncio.to_thread(store.page_emails, task_id, n),
                    absent=lambda pages: asyncio.to_thread(store.absent_people, task_id, pages), keep_found=keep_found)
                outcome = await _unless_worker_stops(members.run(PassProgress(
                    pages_total=stored.pages_total, pages_done=set(stored.pages_done))), task_id, cursor)
                listed = await asyncio.to_thread(store.complete, task_id)
                await session.keep_session()
                log.info("read.done", task_id=task_id, pages=outcome.pages, passes=outcome.passes,
                         reads=outcome.reads, sign_ins=outcome.sign_ins, session_reused=session.reused,
                         lowest_parallel=outcome.lowest_limit, peak_parallel=outcome.peak_parallel,
                         removal_rereads=outcome.removal_rereads, found_again=outcome.found_again)
                return ReadResult(pages=outcome.pages, listed=listed, sign_ins=outcome.sign_ins,
                                  session_reused=session.reused, passes=outcome.passes,
                                  peak_parallel=outcome.peak_parallel, removal_rereads=outcome.removal_rereads)
        except SiteFault as fault:
            log.warning("read.fault", task_id=task_id, code=fault.code, lasting=fault.lasting)
            raise

    @activity.defn(name="read_partners")
    async def read_partners(self, input: TaskRef) -> PartnersRead:
        account = await asyncio.to_thread(self.store.account_for_task, input.task_id)
        refuse_if_rejected(account)
        async with Heartbeater(), browsing(self.store, self.browsers, self.options, input.task_id, input.task_id,
                                           account) as session:
            rows = await session.signed_in(lambda client: client.read_partners(account.business_id))
            await session.keep_session()
            return PartnersRead(rows=[SeenPartner.model_validate(row.model_dump()) for row in rows])

    @activity.defn(name="connect_monitor")
    async def connect_monitor(self, input: ConnectInput) -> ConnectOutcome:
        """Signs in as the selected account and checks it is a Manager of the partner's business.
        Always a real sign-in, never a saved session: connecting proves the shared password works."""
        account = await asyncio.to_thread(self.store.account_for_connect, input.partner_id, input.monitor_account_id)
        refuse_if_rejected(account)
        try:
            async with Heartbeater(), browsing(self.store, self.browsers, self.options, f"connect-{input.partner_id}",
                                               None, account, reuse_session=False) as session:
                await session.signed_in(lambda client: client.verify_manager(account.business_id))
                await session.keep_session()
        except SiteFault as fault:
            log.warning("connect.fault", partner_id=input.partner_id, code=fault.code, lasting=fault.lasting)
            raise
        log.info("connect.ok", partner_id=input.partner_id, monitor_account_id=input.monitor_account_id)
        return ConnectOutcome(monitor_account_id=input.monitor_account_id, connected=True)
