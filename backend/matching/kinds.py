"""What matching sends: an offer to a volunteer, "who is coming" to the resident's side, and the
alert to the grid's workers when nobody took a request (or it goes to them by hand).

Lock screens (push, SMS) show the category and the time only: never a name or an address."""
from dataclasses import replace
from datetime import timedelta

from backend.alerts.kinds import AlertKind
from backend.alerts.kinds import register as register_alert
from backend.help_requests.kinds import CATEGORY_AND_TIME, REQUEST_SCREEN
from backend.notifications.kinds import Kind, SmsTemplate, register

OFFER = register(Kind(
    code="help_request_offer",
    texts={"zh-CN": ("新的求助：{category}", "{category}，{when}。打开邻里看看您能不能去。"),
           "en": ("New request: {category_en}", "{category_en}, {when_en}. Open Linli to see if you can go.")},
    params=CATEGORY_AND_TIME,
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push", "sms"),
    ttl=timedelta(hours=12),
    topic="offer-{help_request_id}",
    url="/offers",
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_OFFER_ZH", "en": "LINLI_OFFER_EN"},
        texts={"zh-CN": "邻里：有一项{category}的求助（{when}），请打开邻里查看。",
               "en": "Linli: a request for {category_en} ({when_en}). Please open Linli to see it."},
        params=CATEGORY_AND_TIME,
    ),
))

# An urgent request cannot wait for the morning: its offers go at once, day or night. A volunteer is
# only offered a request when their own availability covers its time (backend/algorithms/matching.py),
# so the one woken at 23:00 said they could help at 23:00. Normal requests' offers wait for quiet
# hours, and their waves do not count that time (services/dispatch.py, docs/matching.md).
URGENT_OFFER = register(replace(
    OFFER,  # the same params, channels, push topic and screen
    code="help_request_offer_urgent",
    texts={"zh-CN": ("紧急求助：{category}", "{category}，{when}。打开邻里看看您现在能不能去。"),
           "en": ("Urgent request: {category_en}", "{category_en}, {when_en}. Open Linli to see if you can go now.")},
    urgency="high",
    quiet_hours="ignore",
    ttl=timedelta(hours=2),  # the waves have escalated it to the workers long before
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_OFFER_URGENT_ZH", "en": "LINLI_OFFER_URGENT_EN"},
        texts={"zh-CN": "邻里：有一项{category}的紧急求助（{when}），请打开邻里查看。",
               "en": "Linli: an urgent request for {category_en} ({when_en}). Please open Linli to see it."},
        params=CATEGORY_AND_TIME,
    ),
))


def offer_kind(urgency: str) -> Kind:
    """The kind an offer of a request of this urgency goes as."""
    return URGENT_OFFER if urgency == "urgent" else OFFER


# A provider's staff get the same offer, opening the provider home (its incoming requests) rather
# than the volunteer's offers screen (docs/providers.md, "Requests to providers").
PROVIDER_OFFER = register(replace(OFFER, code="help_request_offer_provider", url="/"))
URGENT_PROVIDER_OFFER = register(replace(URGENT_OFFER, code="help_request_offer_provider_urgent", url="/"))


def provider_offer_kind(urgency: str) -> Kind:
    return URGENT_PROVIDER_OFFER if urgency == "urgent" else PROVIDER_OFFER


VOLUNTEER_COMING = register(Kind(
    code="help_request_volunteer_coming",
    texts={"zh-CN": ("志愿者已接单", "{volunteer_name}接了您的{category}求助（{when}）。"),
           "en": ("A volunteer is coming", "{volunteer_name} took the request for {category_en} ({when_en}).")},
    params=("volunteer_name", *CATEGORY_AND_TIME),
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push", "sms"),
    ttl=timedelta(days=1),
    topic="coming-{help_request_id}",
    url=REQUEST_SCREEN,
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_VOLUNTEER_COMING_ZH", "en": "LINLI_VOLUNTEER_COMING_EN"},
        texts={"zh-CN": "邻里：您的{category}求助已有志愿者接单（{when}），请打开邻里查看。",
               "en": "Linli: a volunteer took your request for {category_en} ({when_en}). Open Linli to see who."},
        params=CATEGORY_AND_TIME,
    ),
))

PROVIDER_COMING = register(Kind(
    code="help_request_provider_coming",
    texts={"zh-CN": ("服务机构已接单", "{provider_name}接了您的{category}求助（{when}）。"),
           "en": ("A neighbourhood service took it", "{provider_name} took the request for {category_en} ({when_en}).")},
    params=("provider_name", *CATEGORY_AND_TIME),
    push_params=CATEGORY_AND_TIME,
    channels=("inapp", "push", "sms"),
    ttl=timedelta(days=1),
    topic="coming-{help_request_id}",
    url=REQUEST_SCREEN,
    sms=SmsTemplate(
        template_ids={"zh-CN": "LINLI_PROVIDER_COMING_ZH", "en": "LINLI_PROVIDER_COMING_EN"},
        texts={"zh-CN": "邻里：您的{category}求助已有服务机构接单（{when}），请打开邻里查看。",
               "en": "Linli: a neighbourhood service took your request for {category_en} ({when_en}). Open Linli to see it."},
        params=CATEGORY_AND_TIME,
    ),
))

UNMATCHED = register_alert(AlertKind(
    code="help_request_unmatched",
    labels={"zh-CN": "求助需要人工安排", "en": "Help request needs a worker"},
    ack_window=timedelta(minutes=15),
))
