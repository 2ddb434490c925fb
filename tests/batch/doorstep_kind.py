"""A test-only task kind that workers may take (as the safety domain's welfare checks will): its
tasks live in memory, with the candidates and scores the test gives them, and what sending did
is kept for the test to read. It plugs into the batch planner through the same registry as help
requests (backend/batch/tasks.py)."""
from dataclasses import dataclass, field
from datetime import date, datetime

from backend.batch.tasks import VOLUNTEER, WORKER, Candidate, HeldTask, Sent, Shown


@dataclass
class DoorstepChecks:
    name: str = "test_doorstep"
    workers_allowed: bool = True
    tasks: dict = field(default_factory=dict)  # id → (HeldTask, [Candidate])
    closed: set = field(default_factory=set)
    held_in_hand: dict = field(default_factory=dict)  # (assignee, id) → [(start, end)] already theirs that day
    sent: list = field(default_factory=list)  # (task id, (assignee, id) or None, outcome)

    def add(self, grid_id: int, start: datetime, end: datetime, candidates: list[tuple[str, int, float]]) -> int:
        task_id = len(self.tasks) + 1
        self.tasks[task_id] = (HeldTask(id=task_id, grid_id=grid_id, start=start, end=end, asked_at=start),
                               [Candidate(kind, i, score, None) for kind, i, score in candidates])
        return task_id

    def held(self, community_id: int, day: date, grid_ids: list[int]) -> list[HeldTask]:
        return [task for task, _c in self.tasks.values() if task.grid_id in grid_ids and task.id not in self.closed]

    def candidates(self, task_id: int, moment: datetime) -> list[Candidate]:
        return sorted(self.tasks[task_id][1], key=lambda c: -c.score)

    def in_hand(self, assignee: str, ids: list[int], day: date, community_id: int):
        windows = {i: list(self.held_in_hand.get((assignee, i), ())) for i in ids if (assignee, i) in self.held_in_hand}
        return {i: len(spans) for i, spans in windows.items()}, windows

    def shown(self, task_id: int, language: str) -> Shown:
        task = self.tasks[task_id][0]
        return Shown(category=self.name, category_label="上门看看" if language != "en" else "doorstep check",
                     when=f"{task.start:%H:%M}", window_start=task.start, window_end=task.end,
                     building_label="幸福里3幢", address_as="李爷爷")

    def send(self, task_id: int, chosen: Candidate | None, reasons: list, moment: datetime) -> Sent:
        if task_id in self.closed:
            self.sent.append((task_id, None, "skipped"))
            return Sent("skipped", "closed")
        outcome = {VOLUNTEER: "offered", WORKER: "assigned", None: "waves"}[chosen.assignee if chosen else None]
        self.sent.append((task_id, chosen.key if chosen else None, outcome))
        return Sent(outcome)

    def is_open(self, task_id: int) -> bool:
        return task_id not in self.closed
