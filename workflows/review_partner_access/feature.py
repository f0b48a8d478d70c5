"""What the worker registers for ReviewPartnerAccess (workflows/feature.py)."""

from activities.reviews import ReviewActivities
from workflows.feature import Feature
from workflows.review_partner_access.workflow import ReviewPartnerAccess

FEATURE = Feature(
    workflows=(ReviewPartnerAccess,),
    activities=(ReviewActivities.open_campaign, ReviewActivities.record_decisions, ReviewActivities.mark_past_due,
                ReviewActivities.remind, ReviewActivities.apply_no_response, ReviewActivities.close_campaign,
                ReviewActivities.escalate_requests, ReviewActivities.mail_notices),
)
