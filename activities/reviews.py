"""The access review's steps in the store, and its mail. Synchronous: they run in the worker's thread
pool. Store errors (a decider who may not decide, a closed campaign) come back non-retryable, so the
Update that asked fails with the store's words (temporal_common/faults.py)."""

from __future__ import annotations

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from alerting.render import email_digest
from alerting.senders import mail, new_message
from config import Settings
from models import events, reviews
from models.alerts import AttemptOutcome
from models.db import session_scope
from models.statuses import ReminderStage
from models.tables import Event
from workflows.review_partner_access.payloads import (
    CampaignAt, DecisionResult, Escalated, Notices, OpenCampaign, Opened, RecordDecisions,
)

log = structlog.get_logger(__name__)


def _result(session, campaign_id: str, outcome: reviews.DecisionOutcome) -> DecisionResult:
    return DecisionResult(decided=outcome.decided, refused=outcome.refused, requests=outcome.requests,
                          undecided=reviews.counts(session, campaign_id)["undecided"], notices=outcome.events)


class ReviewActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @activity.defn(name="open_review")
    def open_campaign(self, input: OpenCampaign) -> Opened:
        with session_scope(self.engine) as session:
            campaign = reviews.open_campaign(session, input)
            tally = reviews.counts(session, campaign.id)
            notices = reviews.remind(session, campaign.id, ReminderStage.OPENED, input.opened_at) if campaign.reminders_sent == 0 else []
        log.info("review.open", campaign_id=input.campaign_id, items=tally["items"])
        return Opened(items=tally["items"], undecided=tally["undecided"], notices=notices)

    @activity.defn(name="record_review_decisions")
    def record_decisions(self, input: RecordDecisions) -> DecisionResult:
        with session_scope(self.engine) as session:
            if input.decide:
                d = input.decide
                outcome = reviews.decide(session, input.workspace_id, input.campaign_id, d.item_ids, d.decision,
                                         d.justification, d.decider_id, input.at)
            else:
                r = input.reassign
                outcome = reviews.reassign(session, input.workspace_id, input.campaign_id, r.item_ids, r.to_id, r.note,
                                           r.by_id, input.at)
            result = _result(session, input.campaign_id, outcome)
        log.info("review.decisions", campaign_id=input.campaign_id, kind="decide" if input.decide else "reassign",
                 decided=len(result.decided), refused=len(result.refused), undecided=result.undecided)
        return result

    @activity.defn(name="mark_review_past_due")
    def mark_past_due(self, input: CampaignAt) -> None:
        with session_scope(self.engine) as session:
            reviews.mark_past_due(session, input.campaign_id, input.at)

    @activity.defn(name="remind_reviewers")
    def remind(self, input: CampaignAt) -> Notices:
        with session_scope(self.engine) as session:
            return Notices(event_ids=reviews.remind(session, input.campaign_id, input.stage, input.at))

    @activity.defn(name="apply_review_no_response")
    def apply_no_response(self, input: CampaignAt) -> DecisionResult:
        with session_scope(self.engine) as session:
            if reviews.get_any(session, input.campaign_id).closed_at is not None:  # a retry after the close: nothing left to decide
                return DecisionResult(decided=[], refused={}, requests=[], undecided=0)
            return _result(session, input.campaign_id, reviews.apply_no_response(session, input.campaign_id, input.at))

    @activity.defn(name="close_review")
    def close_campaign(self, input: CampaignAt) -> None:
        with session_scope(self.engine) as session:
            reviews.close(session, input.campaign_id, input.at)
        log.info("review.close", campaign_id=input.campaign_id)

    @activity.defn(name="escalate_removal_requests")
    def escalate_requests(self, input: CampaignAt) -> Escalated:
        with session_scope(self.engine) as session:
            made, next_at = reviews.escalate_due(session, input.campaign_id, input.at)
        return Escalated(notices=made, next_at=next_at)

    @activity.defn(name="mail_review_notices")
    def mail_notices(self, input: Notices) -> None:
        """Mails each event to the people it names (`to`): a reviewer, a partner's admin. The same
        events reach the alert destinations through the outbox; this is the direct line."""
        if not self.settings.smtp_url:
            log.warning("review.not_mailed", events=len(input.event_ids), reason="no SMTP server configured")
            return
        with session_scope(self.engine) as session:
            found = list(session.exec(select(Event).where(Event.id.in_(input.event_ids))))
            envelopes = [events.envelope(e) for e in found]
        failures = []
        for envelope in envelopes:
            to = getattr(envelope.data, "to", [])
            if not to:
                continue
            subject, text = email_digest(envelope)
            if isinstance(envelope.data, events.ReviewReminder):  # a company user's; a partner's admin has no review page
                text += f"\nThe console: {self.settings.console_url}/reviews/{envelope.data.campaign.id}\n"
            sent = mail(self.settings.smtp_url, new_message(subject, self.settings.mail_from, to, text,
                                                            f"<{envelope.id}.review@partnerwatch>"))
            log.info("review.mail", event_id=envelope.id, type=envelope.type, outcome=sent.outcome, detail=sent.detail)
            if sent.outcome != AttemptOutcome.DELIVERED:
                failures.append(f"{envelope.id}: {sent.detail}")
        if failures:
            raise ApplicationError(f"review notices not mailed: {'; '.join(failures)}", type="MailNotSent")

