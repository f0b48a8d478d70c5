"""What the worker registers for OnboardPartner (workflows/feature.py)."""

from activities.invitations import InvitationActivities
from activities.schedules import ScheduleActivities
from activities.site import SiteActivities
from activities.store import StoreActivities
from workflows.feature import Feature
from workflows.onboard_partner.workflow import OnboardPartner

FEATURE = Feature(
    workflows=(OnboardPartner,),
    activities=(StoreActivities.check_shared_assets, StoreActivities.invite_guest, StoreActivities.record_guest_accepted,
                StoreActivities.record_reminder, StoreActivities.close_invite, StoreActivities.set_partner_status,
                StoreActivities.partner_business_id, ScheduleActivities.ensure_check_schedule,
                InvitationActivities.mail_invitation),
    browser_activities=(SiteActivities.connect_monitor,),
)
