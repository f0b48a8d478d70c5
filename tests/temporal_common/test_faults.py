"""fault_of on failures a real dev server made: the cause chain walked by type, and the step that ran
out of time named (the check's read, the connection, the mail), never "the check" for all of them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from models.results import Fault, Reason
    from temporal_common.faults import FaultInterceptor, fault_of
    from pinterest_reader.errors import BadCredentials


@activity.defn(name="connect_monitor")
async def slow_connect(_: str) -> None:
    await asyncio.sleep(5)


@activity.defn(name="mail_invitation")
async def silent_mail(_: str) -> None:
    await asyncio.sleep(5)  # never heartbeats


@activity.defn(name="read_members_snapshot")
async def refused_read(_: str) -> None:
    raise BadCredentials("The site says the email or password is incorrect.")


@workflow.defn(sandboxed=False)
class FailOnce:
    @workflow.run
    async def run(self, activity_name: str) -> Fault:
        try:
            await workflow.execute_activity(
                activity_name, "x", start_to_close_timeout=timedelta(seconds=1 if activity_name != "mail_invitation" else 10),
                heartbeat_timeout=timedelta(seconds=1) if activity_name == "mail_invitation" else None,
                retry_policy=RetryPolicy(maximum_attempts=1))
        except Exception as error:  # noqa: BLE001 - what the workflows do with any activity failure
            return fault_of(error)
        raise AssertionError("the activity was meant to fail")


async def fault_for(env, task_queue: str, activity_name: str) -> Fault:
    async with Worker(env.client, task_queue=task_queue, workflows=[FailOnce],
                      activities=[slow_connect, silent_mail, refused_read], interceptors=[FaultInterceptor()]):
        return await env.client.execute_workflow(FailOnce.run, activity_name, id=f"faults-{uuid.uuid4().hex[:8]}",
                                                 task_queue=task_queue, result_type=Fault)


async def test_a_timeout_names_the_step_that_ran_out_of_time(temporal_env, task_queue):
    connect = await fault_for(temporal_env, task_queue, "connect_monitor")
    assert (connect.code, connect.lasting) == (Reason.TIMEOUT, False)
    assert connect.message == "Connecting the monitor account (sign-in and role check) ran out of time before it could finish."
    mail = await fault_for(temporal_env, task_queue, "mail_invitation")
    assert mail.code == Reason.TIMEOUT and mail.message.startswith("Mailing the invitation stopped reporting progress")
    assert "check" not in mail.message and "site" not in mail.message


async def test_a_site_fault_keeps_its_code_and_words(temporal_env, task_queue):
    fault = await fault_for(temporal_env, task_queue, "read_members_snapshot")
    assert (fault.code, fault.lasting) == ("BadCredentials", True)
    assert fault.message == "The site says the email or password is incorrect."
