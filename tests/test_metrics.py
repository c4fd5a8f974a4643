"""Each metric of assessments/metrics.py, pinned on small hand-made histories.

The months are fixed and in the past (from January 2024), so nothing here depends on today.
"""

from datetime import date

import pytest

from assessments import metrics
from assessments.metrics import (
    CountedCheckIn,
    Period,
    Rising,
    co_occurrence,
    headline,
    period_kind,
    period_start,
    periods,
    rising,
    sustained_run,
    turning_up,
    with_counts,
)
from assessments.models import CheckIn, Rating, add_months

from .factories import make_checkin, make_trigger, make_user

pytestmark = pytest.mark.django_db

JAN_2024 = date(2024, 1, 1)


def month(n: int) -> date:
    """The n-th month after January 2024 (0 is January 2024)."""
    return add_months(JAN_2024, n)


def counted(user, turn_up_level: int = 2) -> list[CountedCheckIn]:
    """The user's check-ins with their counts, oldest first, as the dashboard reads them."""
    return list(with_counts(CheckIn.objects.filter(user=user), turn_up_level).order_by("month"))


def triggers(user, count: int) -> list:
    return [make_trigger(user, f"Trigger {n}") for n in range(count)]


def with_turning_up(user, months_and_counts: dict[int, int]) -> list[CountedCheckIn]:
    """One check-in per month offset, with the given number of triggers at Clear (the rest Faint)."""
    checklist = triggers(user, 6)
    for offset, count in months_and_counts.items():
        make_checkin(user, month(offset), {t: 2 if n < count else 1 for n, t in enumerate(checklist)})
    return counted(user)


# with_counts -----------------------------------------------------------------------


def test_with_counts_counts_rated_turning_up_strong_and_each_level(owner):
    a, b, c, d, e = triggers(owner, 5)
    make_checkin(owner, month(0), {a: 0, b: 1, c: 2, d: 3, e: 3})
    (checkin,) = counted(owner)
    assert (checkin.rated, checkin.turning_up, checkin.strong) == (5, 3, 2)
    assert [getattr(checkin, f"at_level_{n}") for n in range(4)] == [1, 1, 1, 2]


@pytest.mark.parametrize(("turn_up_level", "expected"), [(1, 4), (2, 3), (3, 2)])
def test_with_counts_turning_up_follows_the_turn_up_level(owner, turn_up_level, expected):
    a, b, c, d, e = triggers(owner, 5)
    make_checkin(owner, month(0), {a: 0, b: 1, c: 2, d: 3, e: 3})
    (checkin,) = counted(owner, turn_up_level)
    assert checkin.turning_up == expected
    assert checkin.strong == 2  # strong is always level 3, whatever the turn-up level


def test_with_counts_never_counts_a_trigger_that_was_not_rated_as_not_present(owner):
    # The owner has 11 default triggers; rating two of them leaves nine not rated.
    a, b = list(owner.triggers.all()[:2])
    make_checkin(owner, month(0), {a: 0, b: 2})
    (checkin,) = counted(owner)
    assert checkin.rated == 2
    assert checkin.at_level_0 == 1


def test_with_counts_of_a_check_in_without_ratings_is_all_zeros(owner):
    make_checkin(owner, month(0), wellbeing=3)
    (checkin,) = counted(owner)
    assert (checkin.rated, checkin.turning_up, checkin.strong, checkin.at_level_3) == (0, 0, 0, 0)


def test_with_counts_keeps_each_check_in_apart(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, month(0), {a: 3, b: 3, c: 3})
    make_checkin(owner, month(1), {a: 1})
    first, second = counted(owner)
    assert (first.rated, first.turning_up, first.strong) == (3, 3, 3)
    assert (second.rated, second.turning_up, second.strong) == (1, 0, 0)


@pytest.mark.parametrize(("turn_up_level", "expected"), [(1, 3), (2, 2), (3, 1)])
def test_turning_up_of_one_check_in_follows_the_turn_up_level(owner, turn_up_level, expected):
    a, b, c, d = triggers(owner, 4)
    checkin = make_checkin(owner, month(0), {a: 0, b: 1, c: 2, d: 3})
    assert turning_up(checkin, turn_up_level) == expected


def test_turning_up_of_no_check_in_is_zero():
    assert turning_up(None, 2) == 0


# periods ---------------------------------------------------------------------------


def series(
    user, since: date, until: date, kind: str = "month", together_count: int = 3, first: date | None = None
) -> list[Period]:
    first = first or since
    return periods(user, since, until, kind, first=first, turn_up_level=2, together_count=together_count)


def test_periods_by_month_leave_missed_months_as_gaps_not_zeros(owner):
    make_checkin(owner, month(0))
    make_checkin(owner, month(2))
    found = series(owner, month(-1), month(3))
    assert [p.start for p in found] == [month(-1), month(0), month(1), month(2), month(3)]
    assert [p.checkins for p in found] == [0, 1, 0, 1, 0]
    gap = found[0]
    assert (gap.turning_up, gap.strong, gap.wellbeing, gap.at_level) == (None, None, None, ())


def test_an_empty_period_is_before_the_first_check_in_missed_or_still_open(owner):
    make_checkin(owner, month(2))
    make_checkin(owner, month(4))
    found = series(owner, month(0), month(5), first=month(2))
    assert [p.gap for p in found] == ["before", "before", "", "missed", "", "open"]
    assert [p.missed for p in found] == [False, False, False, True, False, False]


def test_a_quarter_without_check_ins_after_the_first_is_missed_and_the_current_one_open(owner):
    make_checkin(owner, date(2024, 2, 1))
    found = series(owner, date(2023, 10, 1), date(2024, 12, 1), "quarter", first=date(2024, 2, 1))
    assert [(p.label, p.gap) for p in found] == [
        ("Q4 2023", "before"),
        ("Q1 2024", ""),
        ("Q2 2024", "missed"),
        ("Q3 2024", "missed"),
        ("Q4 2024", "open"),
    ]


def test_periods_by_month_run_across_the_turn_of_the_year(owner):
    make_checkin(owner, date(2024, 12, 1))
    found = series(owner, date(2024, 11, 1), date(2025, 2, 1))
    assert [p.start for p in found] == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]
    assert [p.checkins for p in found] == [0, 1, 0, 0]


def test_periods_leave_out_check_ins_outside_the_range(owner):
    make_checkin(owner, month(0))
    make_checkin(owner, month(5))
    found = series(owner, month(1), month(4))
    assert len(found) == 4
    assert all(p.checkins == 0 for p in found)


def test_a_month_holds_its_check_ins_own_counts_and_scores(owner):
    a, b, c, d = triggers(owner, 4)
    make_checkin(owner, month(0), {a: 3, b: 3, c: 2, d: 0}, wellbeing=2, satisfaction=5, hours=0)
    (found,) = series(owner, month(0), month(0))
    assert (found.checkins, found.turning_up, found.strong, found.together) == (1, 3, 2, 1)
    assert found.at_level == (1, 0, 1, 2)
    assert (found.wellbeing, found.satisfaction, found.energy, found.hours) == (2, 5, None, 0)


def test_a_quarter_holds_the_means_of_its_check_ins_and_how_many_were_together(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, date(2024, 1, 1), {a: 3, b: 2, c: 1}, wellbeing=2, hours=40)
    make_checkin(owner, date(2024, 3, 1), {a: 2}, wellbeing=5)
    make_checkin(owner, date(2024, 4, 1), {a: 3, b: 3}, wellbeing=1)
    first, second = series(owner, date(2024, 2, 1), date(2024, 6, 1), "quarter", together_count=2)
    # The range's first quarter is whole: January counts although the range starts in February.
    assert (first.start, first.checkins, first.together) == (date(2024, 1, 1), 2, 1)
    assert (first.turning_up, first.strong, first.at_level) == (1.5, 0.5, (0, 0.5, 1, 0.5))
    assert (first.wellbeing, first.hours) == (3.5, 40)  # a missing score is left out, not a zero
    assert (second.start, second.checkins, second.together, second.turning_up) == (date(2024, 4, 1), 1, 1, 2)


def test_a_quarter_without_check_ins_is_a_gap(owner):
    make_checkin(owner, date(2024, 1, 1))
    make_checkin(owner, date(2024, 12, 1))
    found = series(owner, date(2024, 1, 1), date(2024, 12, 1), "quarter")
    assert [p.start.month for p in found] == [1, 4, 7, 10]
    assert [p.checkins for p in found] == [1, 0, 0, 1]
    assert [p.turning_up for p in found] == [0, None, None, 0]


def test_periods_by_year_start_in_january(owner):
    a = make_trigger(owner, "A")
    make_checkin(owner, date(2021, 7, 1), {a: 3})
    make_checkin(owner, date(2023, 2, 1), {a: 1})
    found = series(owner, date(2021, 7, 1), date(2024, 3, 1), "year", together_count=1)
    assert [p.start for p in found] == [date(year, 1, 1) for year in (2021, 2022, 2023, 2024)]
    assert [(p.checkins, p.together, p.strong) for p in found] == [
        (1, 1, 1),
        (0, 0, None),
        (1, 0, 0),
        (0, 0, None),
    ]


def test_periods_never_count_another_users_check_ins(owner):
    someone = make_user("someone")
    make_checkin(someone, month(0), {make_trigger(someone, "Theirs"): 3})
    assert [p.checkins for p in series(owner, month(0), month(2), "quarter")] == [0]


@pytest.mark.parametrize(
    ("months", "kind"),
    [(1, "month"), (60, "month"), (61, "quarter"), (180, "quarter"), (181, "year"), (683, "year")],
)
def test_a_period_is_a_month_up_to_five_years_a_quarter_up_to_fifteen_then_a_year(months, kind):
    assert period_kind(months) == kind


@pytest.mark.parametrize(
    ("kind", "label", "short"),
    [("month", "Aug 2024", "Aug"), ("quarter", "Q3 2024", "Q3"), ("year", "2024", "2024")],
)
def test_a_period_is_named_by_its_month_quarter_or_year(kind, label, short):
    period = Period(period_start(date(2024, 8, 1), kind), kind)
    assert (period.label, period.short) == (label, short)


@pytest.mark.parametrize(
    ("start", "label"), [(1, "Q1 2025"), (4, "Q2 2025"), (7, "Q3 2025"), (10, "Q4 2025")]
)
def test_each_quarter_is_named_by_its_number(start, label):
    assert Period(date(2025, start, 1), "quarter").label == label


# sustained_run ---------------------------------------------------------------------


def test_sustained_run_counts_consecutive_months_together(owner):
    checkins = with_turning_up(owner, {0: 3, 1: 4, 2: 3})
    assert sustained_run(checkins, 3) == 3


def test_sustained_run_is_broken_by_a_missed_month(owner):
    # Together in January, February, April and May; March was missed.
    checkins = with_turning_up(owner, {0: 3, 1: 3, 3: 3, 4: 3})
    assert sustained_run(checkins, 3) == 2


def test_sustained_run_is_broken_by_a_month_below_the_together_count(owner):
    checkins = with_turning_up(owner, {0: 3, 1: 3, 2: 2, 3: 3})
    assert sustained_run(checkins, 3) == 1


def test_sustained_run_is_zero_when_the_latest_check_in_is_not_together(owner):
    checkins = with_turning_up(owner, {0: 5, 1: 5, 2: 5, 3: 1})
    assert sustained_run(checkins, 3) == 0


def test_sustained_run_follows_the_together_count(owner):
    checkins = with_turning_up(owner, {0: 2, 1: 3, 2: 2})
    assert sustained_run(checkins, 3) == 0
    assert sustained_run(checkins, 2) == 3


def test_sustained_run_does_not_depend_on_the_order_it_is_given(owner):
    checkins = with_turning_up(owner, {0: 1, 1: 3, 2: 3})
    assert sustained_run(list(reversed(checkins)), 3) == 2


def test_sustained_run_of_no_check_ins_is_zero():
    assert sustained_run([], 3) == 0


# headline --------------------------------------------------------------------------


def test_headline_says_up_from_three_months_ago(owner):
    checkins = with_turning_up(owner, {0: 1, 1: 2, 3: 3})
    assert headline(checkins) == "3 triggers turning up together — up from 1 three months ago"


def test_headline_says_down_from_three_months_ago(owner):
    checkins = with_turning_up(owner, {0: 4, 3: 1})
    assert headline(checkins) == "1 trigger turning up together — down from 4 three months ago"


def test_headline_says_the_same_as_three_months_ago(owner):
    checkins = with_turning_up(owner, {0: 2, 3: 2})
    assert headline(checkins) == "2 triggers turning up together — the same as three months ago"


def test_headline_makes_no_comparison_when_that_month_was_missed(owner):
    # Check-ins two and four months before the latest, but none exactly three before.
    checkins = with_turning_up(owner, {0: 1, 2: 1, 4: 3})
    assert headline(checkins) == "3 triggers turning up together"


def test_headline_of_a_single_check_in_has_no_comparison(owner):
    checkins = with_turning_up(owner, {0: 1})
    assert headline(checkins) == "1 trigger turning up together"


def test_headline_with_nothing_turning_up(owner):
    checkins = with_turning_up(owner, {0: 0})
    assert headline(checkins) == "No triggers turning up"


def test_headline_with_nothing_turning_up_still_compares(owner):
    checkins = with_turning_up(owner, {0: 2, 3: 0})
    assert headline(checkins) == "No triggers turning up — down from 2 three months ago"


def test_headline_reads_the_latest_month_whatever_the_order(owner):
    checkins = with_turning_up(owner, {0: 1, 3: 3})
    assert headline(list(reversed(checkins))) == "3 triggers turning up together — up from 1 three months ago"


def test_headline_follows_the_turn_up_level(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, month(0), {a: 3, b: 2, c: 2})
    assert headline(counted(owner, 2)) == "3 triggers turning up together"
    assert headline(counted(owner, 3)) == "1 trigger turning up together"


def test_headline_of_no_check_ins_is_empty():
    assert headline([]) == ""


# rising ----------------------------------------------------------------------------


def history(user, levels: dict, start: int = 0) -> list[CountedCheckIn]:
    """One check-in a month from `start`; `levels` is {trigger: [level or None per check-in]}."""
    length = max(len(row) for row in levels.values())
    for n in range(length):
        ratings = {t: row[n] for t, row in levels.items() if n < len(row) and row[n] is not None}
        make_checkin(user, month(start + n), ratings)
    return counted(user)


def test_rising_finds_a_trigger_one_level_higher_over_the_last_three_check_ins(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [0] * 12 + [1, 1, 1]})
    assert rising(checkins, 2) == [Rising(a.pk, before=0.0, after=1.0, newly=False)]


def test_rising_ignores_a_rise_of_less_than_one_level(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [0] * 12 + [1, 1, 0]})
    assert rising(checkins, 2) == []


def test_rising_finds_a_rise_of_exactly_one_level_between_uneven_means(owner):
    # Before: 2, 2, 1 four times (mean 5/3); lately: 3, 3, 2 (mean 8/3) — exactly 1.0 higher.
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [2, 2, 1] * 4 + [3, 3, 2]})
    found = rising(checkins, 2)
    assert [r.trigger_id for r in found] == [a.pk]
    assert found[0].before == pytest.approx(5 / 3)
    assert found[0].after == pytest.approx(8 / 3)


def test_rising_finds_a_trigger_that_was_always_there_growing_stronger(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [2] * 12 + [3, 3, 3]})
    assert rising(checkins, 2) == [Rising(a.pk, before=2.0, after=3.0, newly=False)]


def test_rising_finds_a_trigger_newly_turning_up_even_with_a_small_rise(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [1] * 12 + [1, 1, 2]})
    (found,) = rising(checkins, 2)
    assert (found.trigger_id, found.newly) == (a.pk, True)
    assert found.before == 1.0
    assert found.after == pytest.approx(4 / 3)


def test_rising_does_not_call_newly_what_turned_up_before(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [2] + [1] * 11 + [2, 1, 1]})
    assert rising(checkins, 2) == []


def test_rising_newly_follows_the_turn_up_level(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [1] * 12 + [1, 1, 2]})
    assert [r.trigger_id for r in rising(checkins, 2)] == [a.pk]
    assert rising(checkins, 3) == []


def test_rising_compares_with_only_the_twelve_check_ins_before_the_last_three(owner):
    # Two Strong ratings long ago would hide the rise if they were counted.
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [3, 3] + [0] * 12 + [1, 1, 1]})
    assert rising(checkins, 2) == [Rising(a.pk, before=0.0, after=1.0, newly=False)]


def test_rising_counts_check_ins_not_calendar_months(owner):
    # The last three check-ins are spread over a year with gaps between them.
    (a,) = triggers(owner, 1)
    for n in range(12):
        make_checkin(owner, month(n), {a: 0})
    for n in (15, 19, 23):
        make_checkin(owner, month(n), {a: 1})
    assert rising(counted(owner), 2) == [Rising(a.pk, before=0.0, after=1.0, newly=False)]


def test_rising_finds_nothing_without_earlier_check_ins(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [3, 3, 3]})
    assert rising(checkins, 2) == []


def test_rising_compares_with_a_single_earlier_check_in(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [0, 1, 1, 1]})
    assert rising(checkins, 2) == [Rising(a.pk, before=0.0, after=1.0, newly=False)]


def test_rising_never_counts_a_missing_rating_as_not_present(owner):
    # Rated only once lately (Clear): its recent mean is 2.0, not 2/3.
    a, b = triggers(owner, 2)
    checkins = history(owner, {a: [1] * 12 + [None, None, 2], b: [0] * 15})
    (found,) = rising(checkins, 3)
    assert found == Rising(a.pk, before=1.0, after=2.0, newly=False)


def test_rising_a_trigger_never_rated_before_is_new(owner):
    a, b = triggers(owner, 2)
    checkins = history(owner, {a: [None] * 12 + [2, 2, 2], b: [0] * 15})
    assert rising(checkins, 2) == [Rising(a.pk, before=None, after=2.0, newly=True)]


def test_rising_still_counts_a_trigger_that_was_retired_since(owner):
    (a,) = triggers(owner, 1)
    checkins = history(owner, {a: [0] * 12 + [2, 2, 2]})
    a.retire()
    assert a.retired is not None
    assert rising(checkins, 2) == [Rising(a.pk, before=0.0, after=2.0, newly=True)]


def test_rising_lists_the_biggest_rise_first(owner):
    a, b, c = triggers(owner, 3)
    checkins = history(owner, {a: [1] * 12 + [2, 2, 2], b: [0] * 12 + [3, 3, 3], c: [1] * 15})
    assert [r.trigger_id for r in rising(checkins, 2)] == [b.pk, a.pk]


def test_rising_compares_the_last_3_check_ins_with_the_12_before_for_a_rise_of_a_level():
    assert (metrics.RECENT, metrics.BEFORE, metrics.RISE) == (3, 12, 1.0)


# co_occurrence ---------------------------------------------------------------------


def test_co_occurrence_counts_check_ins_where_both_triggers_turn_up(owner):
    a, b, c, d = triggers(owner, 4)
    make_checkin(owner, month(0), {a: 2, b: 3, c: 1, d: 0})
    make_checkin(owner, month(1), {a: 3, b: 2, c: 2})
    make_checkin(owner, month(2), {a: 2, d: 3})
    assert co_occurrence(owner, month(0), 2) == {
        (a.pk, b.pk): 2,
        (a.pk, c.pk): 1,
        (b.pk, c.pk): 1,
        (a.pk, d.pk): 1,
    }


def test_co_occurrence_keys_have_the_smaller_id_first(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, month(0), {c: 3, b: 3, a: 3})
    pairs = co_occurrence(owner, month(0), 2)
    assert sorted(pairs) == [(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)]
    assert all(i < j for i, j in pairs)


def test_co_occurrence_counts_only_since_the_given_month(owner):
    a, b = triggers(owner, 2)
    make_checkin(owner, month(0), {a: 3, b: 3})
    make_checkin(owner, month(1), {a: 3, b: 3})
    make_checkin(owner, month(2), {a: 3, b: 3})
    assert co_occurrence(owner, month(1), 2) == {(a.pk, b.pk): 2}
    assert co_occurrence(owner, month(3), 2) == {}


def test_co_occurrence_follows_the_turn_up_level(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, month(0), {a: 3, b: 3, c: 2})
    assert co_occurrence(owner, month(0), 3) == {(a.pk, b.pk): 1}
    assert len(co_occurrence(owner, month(0), 1)) == 3


def test_co_occurrence_of_a_trigger_turning_up_alone_is_empty(owner):
    a, b = triggers(owner, 2)
    make_checkin(owner, month(0), {a: 3, b: 1})
    assert co_occurrence(owner, month(0), 2) == {}


def test_co_occurrence_never_counts_another_users_check_ins(owner):
    a, b = triggers(owner, 2)
    make_checkin(owner, month(0), {a: 3, b: 3})
    someone = make_user("someone")
    x, y = triggers(someone, 2)
    make_checkin(someone, month(0), {x: 3, y: 3})
    make_checkin(someone, month(1), {x: 3, y: 3})
    assert co_occurrence(owner, month(0), 2) == {(a.pk, b.pk): 1}
    assert co_occurrence(someone, month(0), 2) == {(x.pk, y.pk): 2}


def test_co_occurrence_still_counts_a_trigger_that_was_retired_since(owner):
    a, b = triggers(owner, 2)
    make_checkin(owner, month(0), {a: 3, b: 2})
    a.retire()
    assert co_occurrence(owner, month(0), 2) == {(a.pk, b.pk): 1}


# ranked and strongest: what the dashboard's charts show of a long checklist ----------


def test_ranked_puts_the_triggers_turning_up_most_often_first_and_counts_them_all(owner):
    a, b, c, d = triggers(owner, 4)
    make_checkin(owner, month(0), {a: 1, b: 2, c: 3, d: 0})
    make_checkin(owner, month(1), {a: 1, b: 2, c: 0})
    make_checkin(owner, month(2), {a: 1, c: 2})
    found = metrics.ranked(owner, month(0), 2, limit=3)
    # b and c turned up twice (b was rated less often), a was rated three times but never turned up.
    assert found.top == {c.pk: (2, 3), b.pk: (2, 2), a.pk: (0, 3)}
    assert (found.rated, found.turning_up) == (4, 2)
    assert metrics.ranked(owner, month(2), 2, limit=3).top == {c.pk: (1, 1), a.pk: (0, 1)}


def test_co_occurrence_among_some_triggers_leaves_out_every_pair_with_another(owner):
    a, b, c = triggers(owner, 3)
    make_checkin(owner, month(0), {a: 3, b: 3, c: 3})
    assert co_occurrence(owner, month(0), 2, among=[a.pk, c.pk]) == {(a.pk, c.pk): 1}
    assert len(co_occurrence(owner, month(0), 2)) == 3


def test_strongest_gives_each_triggers_strongest_level_in_each_period(owner):
    a, b = triggers(owner, 2)
    make_checkin(owner, date(2024, 1, 1), {a: 1, b: 2})
    make_checkin(owner, date(2024, 2, 1), {a: 3})
    make_checkin(owner, date(2024, 7, 1), {a: 0})
    Rating.objects.filter(trigger=a, checkin__month=date(2024, 2, 1)).update(note="n" * 200)
    by_quarter = metrics.strongest(owner, date(2024, 1, 1), "quarter", [a.pk])
    assert by_quarter == {(a.pk, date(2024, 1, 1)): (3, 2, ""), (a.pk, date(2024, 7, 1)): (0, 1, "")}
    by_month = metrics.strongest(owner, date(2024, 1, 1), "month", [a.pk, b.pk])
    assert by_month[(a.pk, date(2024, 2, 1))] == (3, 1, "n" * 120)  # the note's start only
    assert by_month[(b.pk, date(2024, 1, 1))] == (2, 1, "")
    assert len(by_month) == 4
