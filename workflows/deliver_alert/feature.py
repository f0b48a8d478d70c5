"""What the worker registers for DeliverAlert (workflows/feature.py)."""

from activities.alerts import AlertActivities
from workflows.deliver_alert.workflow import DeliverAlert
from workflows.feature import Feature

FEATURE = Feature(
    workflows=(DeliverAlert,),
    activities=(AlertActivities.attempt_delivery, AlertActivities.exhaust_delivery),
)
