"""Cadence (backend/algorithms/cadence.py): tags → interval with the most frequent rule winning,
any-tag rules, staging, new residents, households of several residents, paused residents and the
next visit a worker asked for."""
from datetime import date, timedelta

import pytest

from backend.algorithms.cadence import (
    NEW_RESIDENT_DAYS, ResidentFacts, Rule, household_due, interval_for, most_frequent_interval,
)

RULES = [
    Rule(frozenset({"lives_alone", "aged_80_plus"}), 7),
    Rule(frozenset({"lives_alone"}), 14),
    Rule(frozenset({"left_behind_child"}), 14),
    Rule(frozenset({"disabled"}), 7),
    Rule(frozenset(), 30),
]
LONG_AGO = date(2025, 1, 1)


def person(id_, *tags, registered=LONG_AGO, active=True):
    return ResidentFacts(id=id_, tags=frozenset(tags), registered_on=registered, active=active)


@pytest.mark.parametrize("tags, interval", [
    (("lives_alone", "aged_80_plus"), 7),
    (("lives_alone",), 14),
    (("aged_80_plus",), 30),  # only the any-tag rule
    (("left_behind_child",), 14),
    (("disabled", "lives_alone"), 7),  # the most frequent wins
    (("low_income",), 30),
    ((), None),  # no tag: no rule
])
def test_tags_give_the_most_frequent_matching_interval(tags, interval):
    assert interval_for(person(1, *tags), RULES, date(2026, 11, 26)) == interval


def test_a_staged_rule_is_weekly_for_the_first_month_then_fortnightly():
    rules = [Rule(frozenset({"lives_alone"}), 14, first_interval_days=7, first_period_days=30)]
    registered = date(2026, 11, 1)
    resident = person(1, "lives_alone", registered=registered)
    assert interval_for(resident, rules, registered + timedelta(days=29)) == 7
    assert interval_for(resident, rules, registered + timedelta(days=30)) == 14
    # After a visit on day 10 the next is a week later; after one on day 35, a fortnight.
    assert household_due([resident], rules, registered + timedelta(days=10)).on == registered + timedelta(days=17)
    assert household_due([resident], rules, registered + timedelta(days=35)).on == registered + timedelta(days=49)


def test_a_household_never_visited_is_due_three_days_after_its_resident_registered():
    registered = date(2026, 11, 20)
    due = household_due([person(1, registered=registered)], RULES, None)
    assert due.on == registered + timedelta(days=NEW_RESIDENT_DAYS) and due.reason == "new_resident"


def test_a_resident_registered_after_the_last_visit_brings_the_household_forward():
    visited = date(2026, 11, 1)
    residents = [person(1, "lives_alone"), person(2, registered=date(2026, 11, 5))]
    due = household_due(residents, RULES, visited)
    assert (due.on, due.resident_id, due.reason) == (date(2026, 11, 8), 2, "new_resident")


def test_the_most_demanding_resident_sets_the_household_s_date():
    visited = date(2026, 11, 1)
    residents = [person(1, "low_income"), person(2, "lives_alone", "aged_80_plus"), person(3)]
    due = household_due(residents, RULES, visited)
    assert (due.on, due.resident_id, due.interval_days, due.reason) == (date(2026, 11, 8), 2, 7, "interval")
    assert most_frequent_interval(residents, RULES, visited) == 7


def test_paused_residents_do_not_count_but_the_others_still_do():
    visited = date(2026, 11, 1)
    residents = [person(1, "lives_alone", "aged_80_plus", active=False), person(2, "low_income")]
    due = household_due(residents, RULES, visited)
    assert (due.on, due.resident_id) == (date(2026, 12, 1), 2)
    assert household_due([person(1, "lives_alone", active=False)], RULES, visited) is None
    assert household_due([person(1, "lives_alone", active=False)], RULES, visited, asked_on=date(2026, 11, 3)) is None


def test_a_household_whose_residents_no_rule_matches_is_not_due_after_the_first_visit():
    assert household_due([person(1)], RULES, date(2026, 11, 1)) is None
    assert household_due([], RULES, None) is None


def test_a_worker_may_ask_for_the_next_visit_sooner_but_never_later():
    visited = date(2026, 11, 1)
    residents = [person(1, "lives_alone")]
    sooner = household_due(residents, RULES, visited, asked_on=date(2026, 11, 4))
    assert (sooner.on, sooner.reason) == (date(2026, 11, 4), "asked")
    later = household_due(residents, RULES, visited, asked_on=date(2026, 12, 20))
    assert (later.on, later.reason) == (date(2026, 11, 15), "interval")
    # A household no rule asks for is visited when the worker asked.
    assert household_due([person(1)], RULES, visited, asked_on=date(2026, 11, 9)).on == date(2026, 11, 9)
