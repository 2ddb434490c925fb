"""The help request state machine (DESIGN.md §4) as one table: event → (the statuses it may
leave, the status it enters). Pure: no Flask, no database; the use cases consult it before
every change, so a refused transition is refused the same way everywhere."""
from backend.errors import Conflict

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "created": (frozenset(), "open"),  # the first step of every timeline, from nothing
    "offered": (frozenset({"open"}), "offered"),  # a wave or a batch plan sent offers
    "escalated": (frozenset({"offered"}), "escalated"),  # the last wave closed, nobody accepted
    "accepted": (frozenset({"open", "offered", "escalated"}), "accepted"),  # a volunteer's offer
    "assigned": (frozenset({"open", "offered", "escalated"}), "accepted"),  # a worker assigned someone
    "withdrawn": (frozenset({"accepted"}), "open"),  # the volunteer cannot come after all
    "reassigned": (frozenset({"accepted"}), "open"),  # a worker takes it from them (then assigns)
    "no_show": (frozenset({"accepted"}), "open"),  # nobody came
    "checked_in": (frozenset({"accepted"}), "in_progress"),
    "checked_out": (frozenset({"in_progress"}), "completed"),
    "confirmed": (frozenset({"completed"}), "confirmed"),  # the resident's side rated it
    "cancelled": (frozenset({"open", "offered", "escalated", "accepted"}), "cancelled"),
    "expired": (frozenset({"open", "offered", "escalated"}), "expired"),  # its window passed
}

STATUS_WORDS = {
    "open": ("等待安排", "waiting"), "offered": ("正在联系志愿者", "volunteers asked"),
    "escalated": ("等待网格员安排", "waiting for a worker"), "accepted": ("已有人接单", "accepted"),
    "in_progress": ("正在服务", "in progress"), "completed": ("服务已完成", "completed"),
    "confirmed": ("已确认", "confirmed"), "cancelled": ("已取消", "cancelled"), "expired": ("已过期", "expired"),
}


class InvalidTransition(Conflict):
    reason = "invalid_transition"
    messages = {"zh-CN": "这项求助现在是“{status_zh}”，不能这样操作。请刷新后再看。",
                "en": "This request is {status_en} now, so this cannot be done. Please refresh."}

    def __init__(self, status: str):
        zh, en = STATUS_WORDS.get(status, (status, status))
        super().__init__(status_zh=zh, status_en=en)


def allowed(status: str | None, event: str) -> bool:
    sources, _ = TRANSITIONS[event]
    return status in sources if sources else status is None


def next_status(status: str | None, event: str) -> str:
    """The status `event` leads to from `status`; InvalidTransition (409) when the table has no such row."""
    if event not in TRANSITIONS:
        raise ValueError(f"no help request event {event!r}")
    if not allowed(status, event):
        raise InvalidTransition(status or "")
    return TRANSITIONS[event][1]
