"""What a batch plan plans: task kinds. A kind hands the planner the date's held tasks of some grids
(each with a window), every task's eligible candidates with their scores and reasons (volunteers,
and for a kind that allows it, the grid's workers), what to show a worker about a task, and what
sending a task to its assignee (or to nobody) does. Help requests are the kind Linli ships
(`backend/batch/help_request_tasks.py`); the safety domain adds its welfare checks the same way
(docs/batch_plans.md, "Task kinds")."""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from backend.algorithms.matching import Reason

VOLUNTEER = "volunteer"
WORKER = "worker"


@dataclass(frozen=True)
class Candidate:
    """One eligible assignee of a task: a volunteer (volunteers.id) or a worker (users.id)."""

    assignee: str  # VOLUNTEER or WORKER
    id: int
    score: float
    distance_km: float | None
    reasons: tuple[Reason, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return self.assignee, self.id


@dataclass(frozen=True)
class HeldTask:
    """A task waiting for the date's plan: its id within its kind, its grid, its window, and when it
    was asked (first come, first served goes by that)."""

    id: int
    grid_id: int
    start: datetime
    end: datetime
    asked_at: datetime


@dataclass(frozen=True)
class Shown:
    """What a worker sees of a task in a plan: never an address or a phone."""

    category: str
    category_label: str
    when: str
    window_start: datetime
    window_end: datetime
    building_label: str
    address_as: str


@dataclass(frozen=True)
class Sent:
    """What sending did with a task: "offered" (to its volunteer), "assigned" (to its worker),
    "waves" (nobody planned, or the planned one can no longer take it) or "skipped" (the task
    changed since it was planned), with a reason code where there is one."""

    outcome: str
    reason: str | None = None


class TaskKind(Protocol):
    name: str
    workers_allowed: bool  # whether the grid's workers may be assigned tasks of this kind

    def held(self, community_id: int, day: date, grid_ids: list[int]) -> list[HeldTask]:
        """The date's held tasks of these grids, in the order they were asked."""

    def candidates(self, task_id: int, moment: datetime) -> list[Candidate]:
        """The task's eligible candidates now, best first (workers only if workers_allowed)."""

    def in_hand(self, assignee: str, ids: list[int], day: date,
                community_id: int) -> tuple[dict[int, int], dict[int, list[tuple[datetime, datetime]]]]:
        """What these assignees already hold of this kind that counts against their capacity for
        the date ({id: count}), and the windows of it on that date no other task may overlap."""

    def is_open(self, task_id: int) -> bool:
        """Whether the task still waits for a plan (a plan skips it otherwise)."""

    def shown(self, task_id: int, language: str) -> Shown:
        """The task as a plan shows it."""

    def send(self, task_id: int, chosen: Candidate | None, reasons: list, moment: datetime) -> Sent:
        """Stage the task's sending (no commit): to the chosen assignee, or to nobody. The chosen
        one is still a candidate now (the planner checked); the caller holds the plan's lock."""


KINDS: dict[str, TaskKind] = {}


def register(kind: TaskKind) -> TaskKind:
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise ValueError(f"task kind {kind.name} registered twice")
    KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> TaskKind:
    return KINDS[name]
