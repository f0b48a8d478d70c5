"""CheckForUpdates, every branch, with its activities replaced by doubles (tests/workflows/doubles.py)
on a real dev server: the orchestration alone. The end-to-end tests (tests/end_to_end/) run the
same workflow against the store, the browser and the site."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import CancelledError

from models.results import Fault, ImportResult
from models.statuses import TaskStatus
from tests.workflows.doubles import BUSINESS, Doubles, lasting
from workflows.check_for_updates.payloads import CheckInput, ReviewDecision
from workflows.check_for_updates.workflow import CheckForUpdates

PARTNER_CHECK = CheckInput(workspace_id="ws_1", partner_id="pt_1")
BLOCKED = ImportResult(removed=9, listed=1, blocked=Fault(code="RemovalSafeguard", message="9 of 10", lasting=True))


@pytest.fixture
def doubles() -> Doubles:
    return Doubles()


async def start(env, doubles, task_queue, check: CheckInput = PARTNER_CHECK):
    return await env.client.start_workflow(CheckForUpdates.run, check, id=f"check-{uuid.uuid4().hex[:8]}",
                                           task_queue=task_queue)


async def status_becomes(handle, status: TaskStatus, timeout: float = 20) -> None:
    for _ in range(int(timeout * 20)):
        if (await handle.query(CheckForUpdates.status)).status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the check never became {status}")


def test_doubles_stand_in_for_every_activity(doubles):
    """The doubles answer to exactly the names the worker registers for these two workflows (their
    feature.py files, which worker.py registers)."""
    from workflows.check_for_updates.feature import FEATURE as CHECK
    from workflows.onboard_partner.feature import FEATURE as ONBOARD

    real = {a.__temporal_activity_definition.name
            for feature in (CHECK, ONBOARD) for a in (*feature.activities, *feature.browser_activities)}
    doubled = {a.__temporal_activity_definition.name for a in doubles.activities(True) + doubles.activities(False)}
    assert doubled == real and len(real) >= 15


async def test_a_partner_check_reads_imports_and_completes(temporal_env, doubles, task_queue):
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue)).result()
    assert result.status == TaskStatus.COMPLETED and result.counts.added == 2 and result.task_id == "task_1"
    assert doubles.names() == ["begin_check", "read_members_snapshot", "import_snapshot", "finish_task"]
    [finish] = doubles.of("finish_task")
    assert (finish.status, finish.counts.changed, finish.fault) == (TaskStatus.COMPLETED, 1, None)
    assert doubles.of("import_snapshot")[0].approved_by is None  # the safeguard applies


async def test_a_second_check_of_a_running_business_joins_it(temporal_env, doubles, task_queue):
    doubles.begin = doubles.begin.model_copy(update={"joined": True})
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue)).result()
    assert (result.status, result.joined) == (TaskStatus.JOINED, True)
    assert doubles.names() == ["begin_check"]


async def test_a_refused_check_reads_nothing(temporal_env, doubles, task_queue):
    refusal = Fault(code="BadCredentials", message="rejected before", lasting=True)
    doubles.begin = doubles.begin.model_copy(update={"refused": refusal})
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue)).result()
    assert (result.status, result.fault) == (TaskStatus.NOT_COMPLETED, refusal)
    assert doubles.names() == ["begin_check"]  # begin_check finished the task itself


async def test_a_lasting_fault_ends_the_task_with_its_code_and_no_retry(temporal_env, doubles, task_queue):
    doubles.read_error = lasting("UnderpermissionedAccount", "The monitor account is not a Manager.")
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue)).result()
    assert result.status == TaskStatus.NOT_COMPLETED
    assert result.fault == Fault(code="UnderpermissionedAccount", message="The monitor account is not a Manager.",
                                 lasting=True)
    assert doubles.names() == ["begin_check", "read_members_snapshot", "finish_task"]  # tried once, never imported
    assert doubles.of("finish_task")[0].fault.lasting


async def test_a_failure_of_no_lasting_kind_leaves_the_partner_alone(temporal_env, doubles, task_queue):
    doubles.read_error = lasting("SomethingElse", "odd")
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue)).result()
    assert (result.fault.code, result.fault.lasting) == ("SomethingElse", False)  # the partner needs nobody for it


async def test_a_blocked_check_applies_only_once_approved(temporal_env, doubles, task_queue):
    doubles.imports = [BLOCKED, ImportResult(removed=9, listed=1)]
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, doubles, task_queue)
        await status_becomes(handle, TaskStatus.BLOCKED)
        assert doubles.names()[-1] == "block_task" and doubles.of("block_task")[0].counts.removed == 9
        final = await handle.execute_update(CheckForUpdates.review, ReviewDecision(approve=True, actor="cli:ana"))
        result = await handle.result()
    assert final == TaskStatus.COMPLETED and result.counts.removed == 9
    first, second = doubles.of("import_snapshot")
    assert (first.approved_by, second.approved_by) == (None, "cli:ana")


async def test_a_rejected_block_applies_nothing(temporal_env, doubles, task_queue):
    doubles.imports = [BLOCKED]
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, doubles, task_queue)
        await status_becomes(handle, TaskStatus.BLOCKED)
        final = await handle.execute_update(CheckForUpdates.review, ReviewDecision(approve=False, actor="cli:ana"))
        result = await handle.result()
    assert final == TaskStatus.NOT_COMPLETED and result.fault.code == "RemovalRejected"
    assert len(doubles.of("import_snapshot")) == 1  # never applied
    assert "cli:ana" in result.fault.message and not result.fault.lasting


async def test_a_block_nobody_reviews_for_a_week_is_rejected(temporal_env, doubles, task_queue):
    doubles.imports = [BLOCKED]
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, doubles, task_queue)
        await status_becomes(handle, TaskStatus.BLOCKED)
        await temporal_env.fast_forward(handle, timedelta(days=7, minutes=1))
        result = await handle.result()
    assert result.fault.code == "ReviewTimedOut" and len(doubles.of("import_snapshot")) == 1


async def test_a_review_of_a_check_that_is_not_blocked_is_refused(temporal_env, doubles, task_queue):
    doubles.read_blocks = True
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, doubles, task_queue)
        await status_becomes(handle, TaskStatus.RUNNING)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(CheckForUpdates.review, ReviewDecision(approve=True))
        assert "not waiting for a review" in str(refused.value.cause)
        await handle.terminate()


async def test_discovery_reads_the_partners_page_and_imports_it(temporal_env, doubles, task_queue):
    async with doubles.workers(temporal_env.client, task_queue):
        result = await (await start(temporal_env, doubles, task_queue, CheckInput(workspace_id="ws_1"))).result()
    assert result.status == TaskStatus.COMPLETED and result.counts.added == 1
    assert doubles.names() == ["begin_check", "read_partners", "import_partners", "finish_task"]
    assert [row.business_id for row in doubles.of("import_partners")[0].rows] == [BUSINESS]


async def test_a_cancelled_check_finishes_its_task_before_it_ends(temporal_env, doubles, task_queue):
    doubles.read_blocks = True
    async with doubles.workers(temporal_env.client, task_queue):
        handle = await start(temporal_env, doubles, task_queue)
        await status_becomes(handle, TaskStatus.RUNNING)
        for _ in range(100):
            if doubles.of("read_members_snapshot"):
                break
            await asyncio.sleep(0.05)
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    assert isinstance(failure.value.cause, CancelledError)
    [finish] = doubles.of("finish_task")
    assert (finish.status, finish.fault.code) == (TaskStatus.NOT_COMPLETED, "Cancelled")
