"""How often a household is visited (入户走访), from its residents' tags (docs/visits.md). Pure:
dates in, dates out.

- A **rule** matches a resident who has every one of its tags (a rule without tags matches any
  resident with at least one tag: "any other tag every 30 days") and sets an interval in days. It
  may be **staged**: a first interval for a first period after the resident was registered
  (weekly for the first month), then its interval (fortnightly).
- A resident's interval is the **most frequent** (smallest) of their matching rules' intervals
  on a date; a resident no rule matches has none (they make no household due).
- Only **active** residents count; a household's others still do when one is away, in hospital,
  moved or deceased.
- A household is due by its **most demanding** resident: the earliest of their due dates. A
  resident's due date is their interval after the household's last completed visit, or — if they
  were registered after it, or it was never visited — `NEW_RESIDENT_DAYS` after their
  registration (every newly registered resident gets a first visit, tagged or not; after it, a
  resident no rule matches makes the household due no more).
- A worker may ask, in a visit record, for the next visit sooner: the due date is then the
  earlier of the two (never later than the rules ask).
"""
from dataclasses import dataclass
from datetime import date, timedelta

NEW_RESIDENT_DAYS = 3


@dataclass(frozen=True)
class Rule:
    tags: frozenset[str]
    interval_days: int
    first_interval_days: int | None = None  # staged: this interval …
    first_period_days: int | None = None  # … for this many days after the resident's registration

    def matches(self, tags: frozenset[str]) -> bool:
        return self.tags <= tags if self.tags else bool(tags)

    def interval_on(self, day: date, registered_on: date) -> int:
        staged = self.first_interval_days is not None and self.first_period_days is not None
        if staged and day < registered_on + timedelta(days=self.first_period_days):
            return self.first_interval_days
        return self.interval_days


@dataclass(frozen=True)
class ResidentFacts:
    id: int
    tags: frozenset[str]
    registered_on: date
    active: bool = True


@dataclass(frozen=True)
class Due:
    """A household's next visit: the date, the resident who sets it and their interval (None for
    a new resident's first visit or a worker's asked-for date), and why."""

    on: date
    resident_id: int | None
    interval_days: int | None
    reason: str  # "interval", "new_resident" or "asked"


def interval_for(resident: ResidentFacts, rules: list[Rule], day: date) -> int | None:
    """The resident's interval on that date: the smallest of the matching rules', or None."""
    intervals = [rule.interval_on(day, resident.registered_on) for rule in rules if rule.matches(resident.tags)]
    return min(intervals) if intervals else None


def household_due(residents: list[ResidentFacts], rules: list[Rule], last_visit_on: date | None,
                  asked_on: date | None = None) -> Due | None:
    """The household's next due visit, or None (no active resident any rule asks a visit for, and
    no visit asked for)."""
    candidates: list[Due] = []
    for resident in residents:
        if not resident.active:
            continue
        if last_visit_on is None or resident.registered_on > last_visit_on:
            candidates.append(Due(resident.registered_on + timedelta(days=NEW_RESIDENT_DAYS), resident.id, None,
                                  "new_resident"))
            continue
        interval = interval_for(resident, rules, last_visit_on)
        if interval is not None:
            candidates.append(Due(last_visit_on + timedelta(days=interval), resident.id, interval, "interval"))
    if asked_on is not None and any(resident.active for resident in residents):
        candidates.append(Due(asked_on, None, None, "asked"))
    if not candidates:
        return None
    return min(candidates, key=lambda due: (due.on, due.interval_days is None, due.interval_days or 0))


def most_frequent_interval(residents: list[ResidentFacts], rules: list[Rule], day: date) -> int | None:
    """The household's risk as a number: the smallest interval any active resident has on that
    date (None: no rule matches anyone)."""
    intervals = [interval_for(r, rules, day) for r in residents if r.active]
    intervals = [value for value in intervals if value is not None]
    return min(intervals) if intervals else None
