"""What the browser activities need from the store, each call its own short transaction (they run
in a thread while pages load): which account reads a task's business, its sealed secrets and saved
session, and the task's snapshot as pages arrive."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.engine import Engine

from models import credentials, locks, onboarding, partners, people, tasks, workspaces
from models.credentials import Credentials
from models.db import session_scope
from models.results import Fault
from models.seen import SeenPerson
from models.statuses import TaskStatus
from models.vault import Vault


class ReadingAccount(BaseModel):
    """The account that reads a business: the integration's for the company's own, else the
    partner's selected monitor account."""

    business_id: str
    credential_id: str
    monitor_account_id: str | None = None
    rejected_code: str | None = None


class ReadProgress(BaseModel):
    pages_read: int
    complete: bool
    listed: int
    pages_total: int | None = None
    pages_done: list[int] = []


class ReadingStore:
    def __init__(self, engine: Engine, vault: Vault) -> None:
        self.engine = engine
        self.vault = vault

    # --- accounts and their secrets --------------------------------------------------------------

    def account_for_task(self, task_id: str) -> ReadingAccount:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            if task.partner_id is None:
                integration = workspaces.integration_of(session, task.workspace_id)
                return ReadingAccount(business_id=integration.business_id, credential_id=integration.credential_id)
            partner = partners.get(session, task.partner_id)
            return self._monitor_account(session, partner.business_id, partner.selected_monitor_id)

    def account_for_connect(self, partner_id: str, monitor_account_id: str) -> ReadingAccount:
        with session_scope(self.engine) as session:
            return self._monitor_account(session, partners.get(session, partner_id).business_id, monitor_account_id)

    @staticmethod
    def _monitor_account(session, business_id: str, monitor_account_id: str) -> ReadingAccount:
        account = onboarding.monitor(session, monitor_account_id)
        return ReadingAccount(business_id=business_id, credential_id=account.credential_id,
                              monitor_account_id=account.id, rejected_code=account.rejected_code)

    def credentials(self, credential_id: str) -> Credentials:
        with session_scope(self.engine) as session:
            return credentials.load(session, self.vault, credential_id)

    def mark_rejected(self, monitor_account_id: str, code: str) -> None:
        with session_scope(self.engine) as session:
            onboarding.mark_rejected(session, onboarding.monitor(session, monitor_account_id), code)

    def saved_session(self, credential_id: str) -> dict | None:
        with session_scope(self.engine) as session:
            return credentials.load_session(session, self.vault, credential_id)

    def keep_session(self, credential_id: str, state: dict) -> None:
        with session_scope(self.engine) as session:
            credentials.save_session(session, self.vault, credential_id, state)

    def forget_session(self, credential_id: str) -> None:
        with session_scope(self.engine) as session:
            credentials.forget_session(session, credential_id)

    # --- the task and its snapshot ---------------------------------------------------------------

    def progress(self, task_id: str) -> ReadProgress:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            return ReadProgress(pages_read=task.pages_read, complete=task.snapshot_complete,
                                listed=task.listed_total or 0, pages_total=task.pages_total,
                                pages_done=task.pages_done or [])

    def set_status(self, task_id: str, status: TaskStatus) -> None:
        with session_scope(self.engine) as session:
            tasks.set_status(session, tasks.get(session, task_id), status)

    def note_retry(self, task_id: str, fault: Fault) -> None:
        with session_scope(self.engine) as session:
            tasks.mark_retrying(session, task_id, fault)

    def note_artifacts(self, task_id: str, folder: str) -> None:
        with session_scope(self.engine) as session:
            task = tasks.get(session, task_id)
            task.artifacts_path = folder
            session.add(task)

    def save_page(self, task_id: str, page_no: int, pages_total: int, rows: list[SeenPerson]) -> None:
        with session_scope(self.engine) as session:
            locks.task(session, task_id)  # other tabs of this read store their pages at the same time
            task = tasks.get(session, task_id)
            people.save_snapshot_page(session, task, page_no, pages_total, rows)
            if task.status in (TaskStatus.RETRYING, TaskStatus.QUEUED):  # a page got through: no longer retrying
                tasks.set_status(session, task, TaskStatus.RUNNING)

    def page_emails(self, task_id: str, page_no: int) -> list[str]:
        with session_scope(self.engine) as session:
            return people.page_emails(session, task_id, page_no)

    def absent_people(self, task_id: str, pages_total: int) -> dict[str, list[int]]:
        with session_scope(self.engine) as session:
            return people.absent_people(session, tasks.get(session, task_id), pages_total)

    def save_found_again(self, task_id: str, found: list[tuple[int, SeenPerson]], rereads: int) -> None:
        with session_scope(self.engine) as session:
            locks.task(session, task_id)
            people.save_found_again(session, tasks.get(session, task_id), found, rereads)

    def begin_pass(self, task_id: str) -> None:
        with session_scope(self.engine) as session:
            locks.task(session, task_id)
            people.begin_pass(session, tasks.get(session, task_id))

    def complete(self, task_id: str) -> int:
        with session_scope(self.engine) as session:
            return people.complete_snapshot(session, tasks.get(session, task_id))
