"""The alerts and notifications household visits send, registered at import time
(backend/alerts/kinds.py, backend/notifications/kinds.py)."""
from datetime import timedelta

from backend.alerts.kinds import AlertKind
from backend.alerts.kinds import register as register_alert
from backend.notifications.kinds import Kind, register

# A serious concern at a visit (no food, an unsafe home, signs of abuse or neglect): the grid's
# workers and the community's admins, acknowledged and re-escalated like every safety alert.
SERIOUS_CONCERN = register_alert(AlertKind(
    code="visit_serious_concern",
    labels={"zh-CN": "走访发现严重问题", "en": "Serious concern at a visit"},
    ack_window=timedelta(minutes=30),
))

# Nobody at home at two visits in a row: someone should call the emergency contact.
NOT_HOME_TWICE = register_alert(AlertKind(
    code="visit_not_home_twice",
    labels={"zh-CN": "两次上门都不在家，请联系紧急联系人", "en": "Not at home twice: call the emergency contact"},
    ack_window=timedelta(hours=4),
))

# The visit's plain summary, to each proxy with view_visit_summaries. The lock screen shows the
# title only; the summary (which may say how the resident is) appears in the app, and a tap opens
# the family's summaries screen for that resident.
VISIT_SUMMARY = register(Kind(
    code="visit_summary",
    texts={"zh-CN": ("{address_as}的走访小结", "{summary}"),
           "en": ("Visit summary: {address_as}", "{summary}")},
    params=("address_as", "summary"),
    channels=("inapp", "push"),
    ttl=timedelta(days=7),
    topic="visit-summary-{resident_id}",
    url="/for/{resident_id}/visits",
))

# A worker hands a household visit to a volunteer. The lock screen shows the building and the
# date; who lives there appears in the app.
VISIT_DELEGATED = register(Kind(
    code="visit_delegated",
    texts={"zh-CN": ("请您上门探访", "{building_label}，{due_on} 之前。打开邻里查看住户和要留意的事。"),
           "en": ("A home visit for you", "{building_label}, by {due_on}. Open Linli for who lives there and what to look at.")},
    params=("building_label", "due_on"),
    push_params=("building_label", "due_on"),
    channels=("inapp", "push"),
    ttl=timedelta(days=3),
    topic="visit-delegation-{delegation_id}",
))
