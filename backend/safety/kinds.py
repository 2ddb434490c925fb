"""The notifications and alerts the daily check-in and SOS send, registered at import time."""
from datetime import timedelta

from backend.alerts.kinds import AlertKind
from backend.alerts.kinds import register as register_alert
from backend.notifications.kinds import Kind, SmsTemplate, register

# The deadline passed: the resident is reminded (push; SMS when push does not reach them).
CHECK_IN_REMINDER = register(Kind(
    code="check_in_reminder",
    texts={"zh-CN": ("今天还没报平安", "请点“我很好”报个平安。"),
           "en": ("You have not checked in today", "Please tap “I'm OK” to let us know you are well.")},
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=2),
    topic="check-in-{resident_id}",
    url="/",
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_CHECK_IN_REMINDER_ZH", "en": "LINLI_CHECK_IN_REMINDER_EN"},
                    texts={"zh-CN": "邻里：您今天还没报平安，请打开邻里点“我很好”，或回电社区。",
                           "en": "Linli: you have not checked in today. Please open Linli and tap I'm OK, "
                                 "or call the community."}),
))

# The lock screen shows the titles only (no names); who it is about appears in the app.
# After the grace period: the family (proxies with receive_alerts; emergency contacts by SMS).
CHECK_IN_MISSED_FAMILY = register(Kind(
    code="check_in_missed_family",
    texts={"zh-CN": ("家人今天还没报平安", "{address_as}到{deadline}还没报平安，已请附近的志愿者上门看看。"),
           "en": ("A family member has not checked in", "{address_as} has not checked in since {deadline}; "
                                                    "a neighbour has been asked to look in.")},
    params=("address_as", "deadline"),
    urgency="high",
    safety=True,
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=6),
    topic="check-in-{resident_id}",
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_CHECK_IN_MISSED_ZH", "en": "LINLI_CHECK_IN_MISSED_EN"},
                    texts={"zh-CN": "邻里：{address_as}今天到{deadline}还没报平安，社区已请志愿者上门看看。",
                           "en": "Linli: {address_as} has not checked in since {deadline}. A neighbour has been "
                                 "asked to look in."},
                    params=("address_as", "deadline")),
))

# A check-in after the chain started: everyone told hears that all is well.
CHECK_IN_ALL_WELL = register(Kind(
    code="check_in_all_well",
    texts={"zh-CN": ("已报平安", "{address_as}在{time}报了平安，不用担心了。"),
           "en": ("Checked in", "{address_as} checked in at {time}: all is well.")},
    params=("address_as", "time"),
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=6),
    topic="check-in-{resident_id}",
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_CHECK_IN_WELL_ZH", "en": "LINLI_CHECK_IN_WELL_EN"},
                    texts={"zh-CN": "邻里：{address_as}在{time}报了平安，不用担心了。",
                           "en": "Linli: {address_as} checked in at {time}. All is well."},
                    params=("address_as", "time")),
))

# After the second grace period: a safety alert to the grid's workers.
MISSED_CHECK_IN = register_alert(AlertKind(
    code="missed_check_in",
    labels={"zh-CN": "没有报平安", "en": "Missed check-in"},
    ack_window=timedelta(minutes=30),
))

# SOS (紧急求助): the family — proxies with receive_alerts (in-app, push, SMS) and the emergency
# contacts (SMS) — hear at once; the lock screen shows the title only.
SOS_FAMILY = register(Kind(
    code="sos_family",
    texts={"zh-CN": ("紧急求助", "{address_as}按了紧急求助。社区网格员和附近的志愿者都已收到通知。"),
           "en": ("SOS", "{address_as} pressed SOS. The grid worker and nearby volunteers have been told.")},
    params=("address_as",),
    urgency="high",
    safety=True,
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=6),
    topic="sos-{sos_event_id}",
    url="/for/{resident_id}/sos/{sos_event_id}",  # the relative's status screen for her
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_SOS_FAMILY_ZH", "en": "LINLI_SOS_FAMILY_EN"},
                    texts={"zh-CN": "邻里：{address_as}按了紧急求助，社区网格员和附近志愿者已收到通知。",
                           "en": "Linli: {address_as} pressed SOS. The grid worker and nearby volunteers "
                                 "have been told."},
                    params=("address_as",)),
))

# "我没事了，误按了": everyone told hears it (the same push topic replaces the SOS on a phone).
SOS_CANCELLED = register(Kind(
    code="sos_cancelled",
    texts={"zh-CN": ("紧急求助已取消", "{address_as}说没事了，是误按的。社区网格员会再确认。"),
           "en": ("SOS called off", "{address_as} says all is well: it was pressed by mistake. "
                                    "The grid worker will check.")},
    params=("address_as",),
    urgency="high",
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=6),
    topic="sos-{sos_event_id}",
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_SOS_CANCELLED_ZH", "en": "LINLI_SOS_CANCELLED_EN"},
                    texts={"zh-CN": "邻里：{address_as}说没事了，紧急求助是误按的，社区网格员会再确认。",
                           "en": "Linli: {address_as} says all is well, the SOS was pressed by mistake. "
                                 "The grid worker will check."},
                    params=("address_as",)),
))

# The grid's workers: a safety alert, acknowledged with 我来处理 and re-escalated (docs/alerts.md).
SOS = register_alert(AlertKind(
    code="sos",
    labels={"zh-CN": "紧急求助", "en": "SOS"},
    ack_window=timedelta(minutes=5),
))
