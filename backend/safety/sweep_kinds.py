"""The notifications and the alert an emergency sweep sends, registered at import time."""
from datetime import timedelta

from backend.alerts.kinds import AlertKind
from backend.alerts.kinds import register as register_alert
from backend.notifications.kinds import Kind, SmsTemplate, register

# A resident with the app is asked: 我平安 / 我需要帮助. Unanswered by the sweep's answer time, the
# household's check is assigned to a worker or volunteer, so the prompt needs no SMS of its own
# beyond what the resident opted into.
SWEEP_PROMPT = register(Kind(
    code="sweep_prompt",
    texts={"zh-CN": ("社区平安排查", "{sweep_name}：请点“我平安”，或点“我需要帮助”。"),
           "en": ("Community safety check", "{sweep_name}: please tap “I'm safe”, or “I need help”.")},
    params=("sweep_name",),
    push_params=("sweep_name",),
    urgency="high",
    channels=("inapp", "push", "sms"),
    quiet_hours="ignore",
    ttl=timedelta(hours=12),
    topic="sweep-{sweep_id}",
    url="/sweep-prompt/{sweep_id}",  # 社区在确认大家是否平安: 我平安 / 我需要帮助
    sms=SmsTemplate(template_ids={"zh-CN": "LINLI_SWEEP_PROMPT_ZH", "en": "LINLI_SWEEP_PROMPT_EN"},
                    texts={"zh-CN": "邻里：社区正在{sweep_name}，请打开邻里点“我平安”，或回电社区。",
                           "en": "Linli: the community is running a safety check ({sweep_name}). Please open "
                                 "Linli and tap I'm safe, or call the community."},
                    params=("sweep_name",)),
))

# One notification per assignee, however many households they were given (docs/safety.md).
SWEEP_ASSIGNED = register(Kind(
    code="sweep_checks_assigned",
    texts={"zh-CN": ("应急排查任务", "{sweep_name}：请联系 {count} 户居民，确认他们平安。"),
           "en": ("Safety check round", "{sweep_name}: please reach {count} households and make sure they are safe.")},
    params=("sweep_name", "count"),
    push_params=("sweep_name", "count"),
    urgency="high",
    channels=("inapp", "push"),
    quiet_hours="ignore",
    ttl=timedelta(hours=24),
    topic="sweep-{sweep_id}",
    url="/sweep-checks",  # the assignee's households, with tel: buttons and the outcome form
))

# A household given to someone answered in the app before they got to it: they need not call.
SWEEP_CHECK_ANSWERED = register(Kind(
    code="sweep_check_answered",
    texts={"zh-CN": ("这一户已经答复了", "{address_as}在应用里答复了社区的排查，您不用再联系这一户了。"),
           "en": ("Already answered", "{address_as} answered the safety check in the app: you need not contact them.")},
    params=("address_as",),
    urgency="high",
    channels=("inapp", "push"),
    quiet_hours="ignore",
    ttl=timedelta(hours=12),
    topic="sweep-check-{sweep_check_id}",
    url="/sweep-checks",
))

# A household found needing help (the resident's own answer, or the assignee's finding).
SWEEP_NEEDS_HELP = register_alert(AlertKind(
    code="sweep_needs_help",
    labels={"zh-CN": "排查：需要帮助", "en": "Safety check: needs help"},
    ack_window=timedelta(minutes=15),
))
