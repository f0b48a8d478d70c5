"""What the worker registers for CheckForUpdates (workflows/feature.py)."""

from activities.site import SiteActivities
from activities.store import StoreActivities
from workflows.check_for_updates.workflow import CheckForUpdates
from workflows.feature import Feature

FEATURE = Feature(
    workflows=(CheckForUpdates,),
    activities=(StoreActivities.begin_check, StoreActivities.import_snapshot, StoreActivities.block_task,
                StoreActivities.import_partners, StoreActivities.finish_task),
    browser_activities=(SiteActivities.read_members_snapshot, SiteActivities.read_partners),
)
