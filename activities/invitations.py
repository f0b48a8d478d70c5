"""Mailing an invitation (or a reminder) to a partner's admin: a fresh single-use link, stored as a
hash in one transaction, then handed to the SMTP server outside any transaction. Synchronous: it runs
in the worker's thread pool."""

from __future__ import annotations

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from alerting.invitations import invitation_message
from alerting.senders import mail
from config import Settings
from models import invitations
from models.alerts import AttemptOutcome
from models.db import session_scope
from models.statuses import InviteState
from models.tables import GuestUser, Partner, Workspace
from workflows.onboard_partner.payloads import MailInvitation, MailResult

log = structlog.get_logger(__name__)


class InvitationActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @activity.defn(name="mail_invitation")
    def mail_invitation(self, input: MailInvitation) -> MailResult:
        if not self.settings.smtp_url:
            log.warning("invitation.not_mailed", guest_id=input.guest_id, reason="no SMTP server configured")
            return MailResult(sent=False, detail="no SMTP server configured (PARTNERWATCH_SMTP_URL)")
        with session_scope(self.engine) as session:
            guest = session.get(GuestUser, input.guest_id)
            if guest is None or guest.invite_state != InviteState.INVITED:
                return MailResult(sent=False, detail="the invitation is no longer open")
            partner = session.get(Partner, guest.partner_id)
            company = session.get(Workspace, guest.workspace_id).name
            token = invitations.issue(session, guest.id)
            to, expires_at = guest.email, guest.expires_at
        message = invitation_message(
            to=to, sender=self.settings.mail_from, company=company, partner=partner.name,
            link=f"{self.settings.console_url}/invitations/{token}", expires_at=expires_at, reminder=input.reminder,
            message_id=f"<{input.guest_id}.{activity.info().workflow_run_id}.{activity.info().attempt}"
                       f".{'r' if input.reminder else 'i'}@partnerwatch>")
        del token
        sent = mail(self.settings.smtp_url, message)
        log.info("invitation.mail", guest_id=input.guest_id, reminder=input.reminder, outcome=sent.outcome,
                 status_code=sent.status_code, detail=sent.detail)
        if sent.outcome != AttemptOutcome.DELIVERED:
            raise ApplicationError(f"the invitation was not mailed: {sent.detail}", type="MailNotSent")
        return MailResult(sent=True, detail=sent.detail)
