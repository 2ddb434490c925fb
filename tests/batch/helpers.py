"""Builders for the batch plan tests: requests for tomorrow asked through the API, and plans made
and read through it. The test clock starts on 26 November 2026 at 10:00 in Shanghai."""
from itertools import product

from sqlalchemy import select

from backend.extensions import db
from backend.notifications.models import Timer
from tests.matching.helpers import ask

TOMORROW = "2026-11-27"


def tomorrow_at(start: str, end: str) -> dict:
    """A window tomorrow, local times "HH:MM"."""
    return {"asap": False, "window_start": f"{TOMORROW}T{start}:00+08:00", "window_end": f"{TOMORROW}T{end}:00+08:00"}


def ask_tomorrow(phone, start="14:00", end="16:00", **body):
    return ask(phone, {**tomorrow_at(start, end), **body})


def make_plan(phone, body=None, expect=201) -> dict:
    response = phone.post("/api/v1/batch-plans", {"date": TOMORROW, **(body or {})})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def item_for(plan: dict, request_id: int) -> dict:
    [item] = [item for item in plan["items"] if item["help_request_id"] == request_id]
    return item


def timers_of(owner_type: str, owner_id: int, handler: str) -> list[Timer]:
    return list(db.session.scalars(select(Timer).where(
        Timer.owner_type == owner_type, Timer.owner_id == owner_id, Timer.handler == handler,
        Timer.status == "pending").order_by(Timer.id)))


def overlaps(a, b) -> bool:
    return a["window_start"] < b["window_end"] and b["window_start"] < a["window_end"]


def assignee_of(entry: dict):
    """A plan item's or candidate's assignee as (kind, id), or None."""
    if entry.get("volunteer_id") is not None:
        return "volunteer", entry["volunteer_id"]
    if entry.get("worker_id") is not None:
        return "worker", entry["worker_id"]
    return None


def brute_force_best(items: list[dict], capacity: dict) -> tuple[float, int]:
    """The largest total score (and its matched count) over every way of giving each item one of
    its candidates or nobody, within capacities (by assignee_of) and without overlapping windows
    for anyone."""
    best = (0.0, 0)
    choices = [[None] + [(assignee_of(c), c["score"]) for c in item["candidates"]] for item in items]
    for combination in product(*choices):
        given: dict[int, list[dict]] = {}
        feasible = True
        for item, choice in zip(items, combination):
            if choice is None:
                continue
            mine = given.setdefault(choice[0], [])
            if len(mine) >= capacity[choice[0]] or any(overlaps(item, other) for other in mine):
                feasible = False
                break
            mine.append(item)
        if feasible:
            chosen = [choice for choice in combination if choice is not None]
            total = round(sum(score for _vid, score in chosen), 6)
            if total > best[0] + 1e-9:
                best = (total, len(chosen))
    return best
