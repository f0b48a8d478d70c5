"""The invitation a partner's admin gets by email (and each reminder): who invites them, for which
partner, until when, and a single-use link to accept it in the console."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from alerting.senders import new_message


def invitation_message(*, to: str, sender: str, company: str, partner: str, link: str, expires_at: datetime | None,
                       reminder: bool, message_id: str) -> EmailMessage:
    until = f" It expires on {expires_at:%Y-%m-%d at %H:%M} UTC." if expires_at else ""
    subject = (f"Reminder: {company} invites you to connect {partner} on partnerwatch" if reminder
               else f"{company} invites you to connect {partner} on partnerwatch")
    text = f"""Hello,

{company} shares ad assets with {partner} on Pinterest Business and uses partnerwatch to see who can reach them.
As {partner}'s admin, you are invited to join {company}'s workspace as a guest user.

Accept the invitation and choose your password:
{link}

Then share the monitor account you created for {company} (a Manager of {partner}'s Business Manager,
ideally with a managed email, a strong password and TOTP) through the form you will find there. Its
credentials go straight into partnerwatch's vault: never send them by email.

The link works once.{until} If you did not expect this, ignore this message.
"""
    return new_message(subject, sender, [to], text, message_id)
