"""Recorded histories of real runs replay against today's workflow code: a change that would break
running workflows (a non-deterministic edit without `workflow.patched`) fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from config import Settings
from temporal_common.codec import data_converter
from temporalio.worker import Replayer

from workflows.check_for_updates.workflow import CheckForUpdates
from workflows.deliver_alert.workflow import DeliverAlert
from workflows.onboard_partner.workflow import OnboardPartner
from workflows.review_partner_access.workflow import ReviewPartnerAccess

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
# Each scenario the histories must cover: happy and fault paths of every workflow.
SCENARIOS = {"onboarded-totp", "check-diff", "onboard-bad-credentials", "onboard-underpermissioned",
             "onboard-invite-expired", "onboard-cancelled", "check-blocked-approved", "check-partial-fault",
             "check-refused-credentials", "alert-exhausted", "alert-recovered", "onboard-by-console", "review-campaign"}


def test_every_scenario_has_recorded_histories_of_every_workflow():
    recorded = {path.name.split("--")[0] for path in HISTORIES}
    assert recorded == SCENARIOS
    kinds = {path.name.split("--")[1] for path in HISTORIES}
    assert kinds == {"OnboardPartner", "CheckForUpdates", "DeliverAlert", "ReviewPartnerAccess"}


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=[CheckForUpdates, OnboardPartner, DeliverAlert, ReviewPartnerAccess], data_converter=data_converter(Settings().codec_keys()))
    await replayer.replay_workflow(history)
