"""The notifications and alerts help requests send, registered at import time
(backend/notifications/kinds.py, backend/alerts/kinds.py)."""
from datetime import timedelta

from backend.alerts.kinds import AlertKind
from backend.alerts.kinds import register as register_alert
from backend.notifications.kinds import Kind, SmsTemplate, register

# What a lock screen may show of a help request: its category and its time, in both languages
# (lock_screen_params() in backend/matching/services/dispatch.py fills them); never a name or address.
CATEGORY_AND_TIME = ("category", "when", "category_en", "when_en")
REQUEST_SCREEN = "/help-requests/{help_request_id}"

# A rating of 2 or less: the grid's workers call the resident back (回访). The lock screen shows
# the title only; who it is about appears in the app.
CALLBACK_NEEDED = register(Kind(
    code="help_request_callback",
    texts={"zh-CN": ("需要回访", "{subject}对这次帮助的评价是 {rating} 星，请电话回访。"),
           "en": ("Call-back needed", "{subject} rated this help {rating} out of 5. Please call them back.")},
    params=("subject", "rating"),
    push_params=("rating",),
    channels=("inapp", "push"),
    ttl=timedelta(days=7),
    topic="callback-{help_request_id}",
    url=REQUEST_SCREEN,
))

# Reminders before a scheduled task. The lock screen shows the category and the time only; who is
# coming (the volunteer's name as the requester side sees it) appears in the app.
VOLUNTEER_REMINDER = register(Kind(
    code="help_request_volunteer_reminder",
    texts={"zh-CN": ("任务提醒：{category}", "{lead}：{category}，{when}。打开邻里查看地址。"),
           "en": ("Reminder: {category_en}", "{lead_en}: {category_en}, {when_en}. Open Linli for the address.")},
    params=("lead", "lead_en", *CATEGORY_AND_TIME),
    push_params=("lead", "lead_en", *CATEGORY_AND_TIME),
    channels=("inapp", "push"),
    ttl=timedelta(hours=12),
    topic="reminder-{help_request_id}",
    url=REQUEST_SCREEN,
))

RESIDENT_REMINDER = register(Kind(
    code="help_request_resident_reminder",
    texts={"zh-CN": ("明天有人来帮忙", "{volunteer_name}会来帮您{category}（{when}）。"),
           "en": ("Help is coming tomorrow", "{volunteer_name} is coming for {category_en} ({when_en}).")},
    params=("volunteer_name", *CATEGORY_AND_TIME),
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push"),
    ttl=timedelta(hours=24),
    topic="reminder-{help_request_id}",
    url=REQUEST_SCREEN,
))

# The request a volunteer holds was cancelled by the resident's side: they need not come.
CANCELLED_FOR_VOLUNTEER = register(Kind(
    code="help_request_cancelled",
    texts={"zh-CN": ("求助已取消", "{category}（{when}）已取消，您不用去了。"),
           "en": ("Request cancelled", "{category_en} ({when_en}) was cancelled: you need not go.")},
    params=CATEGORY_AND_TIME,
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push"),
    ttl=timedelta(days=1),
    topic="cancelled-{help_request_id}",
    url=REQUEST_SCREEN,
))

# A worker gave the request to this volunteer (assign, or reassign to them): they have a task now.
# SMS too, as for an offer: a task they do not know about is a resident waiting for nobody.
ASSIGNED_TO_VOLUNTEER = register(Kind(
    code="help_request_assigned",
    texts={"zh-CN": ("您有一项新任务：{category}", "社区工作者把{category}（{when}）交给了您。打开邻里查看地址；去不了请尽早告诉我们。"),
           "en": ("A new task: {category_en}", "A community worker gave you {category_en} ({when_en}). Open Linli for the "
                  "address; if you cannot go, say so early.")},
    params=CATEGORY_AND_TIME,
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push", "sms"),
    ttl=timedelta(days=1),
    topic="assigned-{help_request_id}",
    url=REQUEST_SCREEN,
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_ASSIGNED_ZH", "en": "LINLI_ASSIGNED_EN"},
        texts={"zh-CN": "邻里：社区工作者把一项{category}任务（{when}）交给了您，请打开邻里查看。",
               "en": "Linli: a community worker gave you a task, {category_en} ({when_en}). Please open Linli."},
        params=CATEGORY_AND_TIME,
    ),
))

# A worker gave the request this volunteer held to someone else: they need not go.
REASSIGNED_AWAY = register(Kind(
    code="help_request_reassigned_away",
    texts={"zh-CN": ("任务已改派", "{category}（{when}）已改由其他志愿者去，您不用去了。"),
           "en": ("Task given to someone else", "{category_en} ({when_en}) now goes to another volunteer: you need not go.")},
    params=CATEGORY_AND_TIME,
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push"),
    ttl=timedelta(days=1),
    topic="assigned-{help_request_id}",
    url=REQUEST_SCREEN,
))

# A completion nobody confirmed within 72 h: an alert to the grid's workers (acknowledged and
# re-escalated like any alert); the worker confirms through /confirm.
UNCONFIRMED = register_alert(AlertKind(
    code="help_request_unconfirmed",
    labels={"zh-CN": "帮助完成后无人确认", "en": "Completed help not confirmed"},
    ack_window=timedelta(hours=24),
))
