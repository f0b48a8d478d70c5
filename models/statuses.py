"""Every status the store keeps, named once: tasks, partners, monitor accounts, invitations and alert deliveries.
String enums, so that a status is stored, shown and sent in payloads as its plain words."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    QUEUED = "Queued"
    RUNNING = "Running"
    RETRYING = "Retrying"
    BLOCKED = "Blocked"  # the removal safeguard holds it for a person's review
    COMPLETED = "Completed"
    NOT_COMPLETED = "Not completed"
    JOINED = "Joined"  # a check that found another running for the same business (a result, never stored)


ACTIVE_TASK = (TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.RETRYING)


class PartnerStatus(StrEnum):
    PENDING = "Pending onboarding"
    ONBOARDED = "Onboarded"
    NEEDS_ATTENTION = "Needs attention"
    DISCONNECTED = "Disconnected"


class MonitorState(StrEnum):
    SHARED = "Shared"
    SELECTED = "Selected"
    CONNECTED = "Connected"
    FAILED = "Failed"  # its last connection failed for a reason other than its credentials
    REJECTED = "Rejected"  # the site refused its sign-in: never tried again until updated
    DESTROYED = "Destroyed"  # disconnected: its secrets are gone


class InviteState(StrEnum):
    INVITED = "Invited"
    ACCEPTED = "Accepted"
    EXPIRED = "Expired"
    CANCELLED = "Cancelled"


class TaskKind(StrEnum):
    CHECK = "Check for updates"
    DISCOVER = "Discover partners"


class Trigger(StrEnum):
    MANUAL = "Manual"
    SCHEDULE = "Schedule"
    ONBOARDING = "Onboarding"


class DeliveryStatus(StrEnum):
    PENDING = "Pending"  # not tried yet, or waiting for its next attempt
    DELIVERED = "Delivered"
    EXHAUSTED = "Exhausted"  # every attempt failed (an `alert.delivery.exhausted` event tells it)
    CANCELLED = "Cancelled"  # its destination was disabled (410, 5 days of failures) or removed


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"  # a 2xx within the time allowed (or the SMTP server took the message)
    FAILED = "failed"  # any other status, or a refusal by the SMTP server
    GONE = "gone"  # 410: the receiver says it will never take another
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # no connection


class ConsoleRole(StrEnum):
    ADMIN = "admin"  # everything
    VIEWER = "viewer"  # reads only
    GUEST = "guest"  # a partner's admin: their own partner's onboarding page, nothing else


class ReviewStatus(StrEnum):
    """An access review campaign (models/reviews.py)."""

    OPEN = "Open"
    PAST_DUE = "Past due"  # the due date passed: the fallback reviewer may decide too
    CLOSED = "Closed"  # every item decided, or the deadline passed: the record cannot change


class Decision(StrEnum):
    KEEP = "Keep"
    REVOKE = "Revoke"  # a removal request to the partner's admin


class RequestStatus(StrEnum):
    OPEN = "Open"
    ESCALATED = "Escalated"  # still open after the campaign's set number of days
    FULFILLED = "Fulfilled"  # a later check showed the person gone, or without the company's assets


class ReminderStage(StrEnum):
    OPENED = "opened"  # the campaign opened: the reviewer is asked
    DUE_SOON = "due soon"  # 7, 3 and 1 days before the due date
    PAST_DUE = "past due"  # daily after the due date
    FALLBACK = "fallback"  # the due date passed: the fallback reviewer is asked too
