"""What goes with your satisfaction: each trigger's mean scores in months it turned up and
months it did not, pinned on small hand-made histories. The months are fixed and in the
past (from January 2024), so nothing here depends on today."""

import re
from datetime import date
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments import insights
from assessments.insights import LATER, SAME, Side
from assessments.models import CheckIn, UserSettings, add_months

from .factories import fill_years, make_checkin, make_trigger
from .helpers import search

JAN_2024 = date(2024, 1, 1)


@pytest.fixture
def default_checklist() -> bool:
    return False  # every trigger here is the test's own


def month(n: int) -> date:
    return add_months(JAN_2024, n)


def text(response) -> str:
    """The page's visible text, tags removed and whitespace squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def found(trigger, measure: str = "satisfaction", when: str = SAME):
    """The finding for `trigger` and `measure`, shown or not, straight from the database."""
    findings = insights.build(trigger.user).findings
    return next(f for f in findings if (f.trigger, f.measure, f.when) == (trigger, measure, when))


@pytest.fixture
def growth(owner):
    """ "No growth" at Clear or Strong in Jan, Feb, Mar and Jul 2024, Not present or Faint in
    Apr, May and Jun; no check-in in August; September's check-in didn't rate it.

    Job satisfaction by month: 2, 1, 3, 4, 5, 3, 2, –, 1 (September's 1 counts nowhere).
    """
    trigger = make_trigger(owner, "No growth")
    levels = {0: 2, 1: 3, 2: 2, 3: 0, 4: 1, 5: 0, 6: 3}
    satisfaction = {0: 2, 1: 1, 2: 3, 3: 4, 4: 5, 5: 3, 6: 2, 8: 1}
    wellbeing = {0: 3, 1: 3, 2: 3, 3: 5, 4: 5, 5: 5, 6: 3, 8: 1}
    other = make_trigger(owner, "Rated only in September")
    for n, score in satisfaction.items():
        ratings = {trigger: levels[n]} if n in levels else {other: 3}
        make_checkin(owner, month(n), ratings, satisfaction=score, wellbeing=wellbeing[n])
    return trigger


# The numbers -----------------------------------------------------------------------


def test_the_same_months_means_and_months_on_each_side(growth):
    finding = found(growth)
    # Turned up: Jan, Feb, Mar, Jul (2 + 1 + 3 + 2) / 4; did not: Apr, May, Jun (4 + 5 + 3) / 3.
    assert (finding.up, finding.down) == (Side(2.0, 4), Side(4.0, 3))
    assert finding.difference == -2.0
    wellbeing = found(growth, "wellbeing")
    assert (wellbeing.up, wellbeing.down, wellbeing.difference) == (Side(3.0, 4), Side(5.0, 3), -2.0)


def test_a_month_that_did_not_rate_the_trigger_counts_on_neither_side(growth):
    # September's satisfaction of 1 would pull either side's mean down.
    finding = found(growth)
    assert finding.up.months + finding.down.months == 7
    assert CheckIn.objects.filter(user=growth.user).count() == 8


def test_not_present_counts_as_did_not_turn_up_and_faint_too(growth):
    # April and June are Not present, May is Faint: all three are "did not".
    assert found(growth).down.months == 3


def test_a_month_later_pairs_each_rating_with_the_next_calendar_months_scores(growth):
    finding = found(growth, when=LATER)
    # Turned up in Jan, Feb, Mar: the satisfaction of Feb, Mar, Apr (1 + 3 + 4) / 3. July's
    # next month, August, has no check-in: it counts nowhere. Did not in Apr, May, Jun: the
    # satisfaction of May, Jun, Jul (5 + 3 + 2) / 3.
    assert (finding.up.months, finding.down.months) == (3, 3)
    assert finding.up.mean == pytest.approx(8 / 3)
    assert finding.down.mean == pytest.approx(10 / 3)
    # Shown to one decimal, and the difference is the one between the numbers shown.
    assert (finding.up_mean, finding.down_mean, finding.difference) == (2.7, 3.3, -0.6)


def test_a_month_later_skips_a_month_without_a_check_in_rather_than_taking_a_later_one(owner):
    trigger = make_trigger(owner, "Reorg")
    for n in range(3):  # Jan–Mar: turned up
        make_checkin(owner, month(n), {trigger: 3}, satisfaction=2)
    # Apr, then Jul–Sep: did not turn up. No check-in in May and June.
    for n, score in {3: 1, 6: 1, 7: 5, 8: 5}.items():
        make_checkin(owner, month(n), {trigger: 0}, satisfaction=score)
    finding = found(trigger, when=LATER)
    # Turned up: Feb 2, Mar 2, Apr 1. Did not: Jul → Aug 5, Aug → Sep 5; April's next month
    # has no check-in (July's 1 is not taken instead), nor has September's.
    assert (finding.up.months, finding.up.mean) == (3, pytest.approx(5 / 3))
    assert (finding.down.months, finding.down.mean) == (2, 5.0)
    assert not finding.shown  # two months on that side are too few
    assert insights.build(owner).later == []


def test_a_month_without_a_score_counts_only_for_the_score_it_has(owner):
    trigger = make_trigger(owner, "Hours")
    for n in range(4):
        make_checkin(owner, month(n), {trigger: 2}, satisfaction=2, wellbeing=None if n == 0 else 3)
    for n in range(4, 8):
        make_checkin(owner, month(n), {trigger: 0}, satisfaction=4, wellbeing=4)
    assert found(trigger).up == Side(2.0, 4)
    assert found(trigger, "wellbeing").up == Side(3.0, 3)


def test_the_turn_up_level_decides_which_side_clear_is_on(growth):
    UserSettings.objects.filter(user=growth.user).update(turn_up_level=3)
    finding = found(growth)
    # Only February and July are Strong: (1 + 2) / 2 turned up, the rest (2+3+4+5+3) / 5.
    assert (finding.up, finding.down) == (Side(1.5, 2), Side(3.4, 5))
    assert not finding.shown


def test_a_difference_needs_three_months_on_each_side(owner):
    trigger = make_trigger(owner, "Blame")
    for n in range(3):
        make_checkin(owner, month(n), {trigger: 2}, satisfaction=2)
    for n in range(3, 5):
        make_checkin(owner, month(n), {trigger: 0}, satisfaction=4)
    result = insights.build(owner)
    assert result.same == []
    assert result.too_few == [(trigger, 3, 2)]

    make_checkin(owner, month(5), {trigger: 0}, satisfaction=4)
    result = insights.build(owner)
    assert [(f.trigger, f.measure, f.up, f.down) for f in result.same] == [
        (trigger, "satisfaction", Side(2.0, 3), Side(4.0, 3))
    ]
    assert result.too_few == []


def test_findings_come_largest_difference_first_whatever_their_direction(owner):
    small, large, higher = (make_trigger(owner, title) for title in ("Small", "Large", "Higher"))
    scores = [1, 2, 3, 4, 5, 3]
    for n, score in enumerate(scores):
        up = n < 3
        make_checkin(
            owner,
            month(n),
            {small: 2 if n in (0, 4, 5) else 0, large: 2 if up else 0, higher: 0 if up else 2},
            satisfaction=score,
        )
    same = [(f.trigger.title, f.difference) for f in insights.build(owner).same]
    # Large: 2.0 vs 4.0; Higher: the mirror image, +2.0, after Large in checklist order;
    # Small: (1 + 5 + 3) / 3 = 3.0 vs (2 + 3 + 4) / 3 = 3.0.
    assert same == [("Large", -2.0), ("Higher", 2.0), ("Small", 0.0)]


def test_another_users_check_ins_never_enter_the_numbers(growth, other):
    theirs = make_trigger(other, "No growth")
    for n in range(8):
        make_checkin(other, month(n), {theirs: 3}, satisfaction=5)
    finding = found(growth)
    assert (finding.up, finding.down) == (Side(2.0, 4), Side(4.0, 3))
    assert {f.trigger.user for f in insights.build(growth.user).same} == {growth.user}


# The page --------------------------------------------------------------------------


def test_the_page_says_each_difference_in_words_of_association(owner_client, growth):
    page = text(owner_client.get(reverse("insights")))
    assert (
        "In months when No growth turned up, your job satisfaction was 2.0 lower on average "
        "(2.0 vs 4.0; 4 and 3 months)." in page
    )
    assert (
        "In months when No growth turned up, your wellbeing was 2.0 lower on average "
        "(3.0 vs 5.0; 4 and 3 months)." in page
    )
    assert "This shows what went together, not what caused what." in page
    assert "A month in which you didn’t rate it counts on neither side" in page
    assert "Not enough months to compare" in page
    assert "Rated only in September: turned up in 1 month, never rated lower." in page


def test_the_page_has_the_same_numbers_as_a_table(owner_client, growth):
    html = owner_client.get(reverse("insights")).content.decode()
    same = search(r'<section aria-labelledby="same-heading">.*?</section>', html, re.S).group(0)
    rows = [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in re.findall(r"<tr>.*?</tr>", same)
    ]
    assert rows == [
        "Trigger and score Turned up Did not Difference",
        "No growth Job satisfaction 2.0 (4) 4.0 (3) 2.0 lower",
        "No growth Wellbeing 3.0 (4) 5.0 (3) 2.0 lower",
    ]


def test_the_month_later_section_speaks_of_the_month_after(owner_client, growth):
    # August now has a check-in, so July's rating counts a month later.
    make_checkin(growth.user, month(7), {}, satisfaction=2, wellbeing=1)
    page = text(owner_client.get(reverse("insights")))
    # Turned up: Feb, Mar, Apr, Aug → (1 + 3 + 4 + 2) / 4; did not: May, Jun, Jul (5 + 3 + 2) / 3.
    assert (
        "A month after No growth turned up, your job satisfaction was 0.8 lower on average "
        "(2.5 vs 3.3; 4 and 3 months)." in page
    )


def test_a_higher_score_and_an_equal_one_are_said_as_such(owner_client, owner):
    higher, same = make_trigger(owner, "Sales pushes"), make_trigger(owner, "Meetings")
    for n, score in enumerate([4, 4, 4, 2, 2, 2]):
        make_checkin(
            owner, month(n), {higher: 2 if n < 3 else 0, same: 2 if n % 2 else 0}, satisfaction=score
        )
    page = text(owner_client.get(reverse("insights")))
    assert "your job satisfaction was 2.0 higher on average (4.0 vs 2.0; 3 and 3 months)" in page
    # Meetings: Feb, Apr, Jun (4 + 2 + 2) / 3 against Jan, Mar, May (4 + 4 + 2) / 3.
    assert "Meetings turned up, your job satisfaction was 0.6 lower on average (2.7 vs 3.3" in page


def test_private_triggers_are_on_the_owners_own_page(owner_client, owner):
    private = make_trigger(owner, "Lack of trust in my manager", private=True)
    for n in range(6):
        make_checkin(owner, month(n), {private: 3 if n < 3 else 0}, satisfaction=2 if n < 3 else 4)
    assert "In months when Lack of trust in my manager turned up" in text(
        owner_client.get(reverse("insights"))
    )


def test_without_ratings_the_page_says_what_it_will_show(owner_client):
    response = owner_client.get(reverse("insights"))
    assert response.status_code == 200
    assert "Nothing rated yet." in text(response)


def test_another_users_triggers_never_appear_on_the_page(other_client, growth):
    page = text(other_client.get(reverse("insights")))
    assert "No growth" not in page
    assert "Nothing rated yet." in page


def test_the_dashboard_links_to_the_page(owner_client, growth):
    html = owner_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("insights")}"' in html


# Cost ------------------------------------------------------------------------------


# The session, its user, the settings, the triggers, the same month's means, the next month's.
QUERIES = 6


@pytest.mark.parametrize("years", [1, 20])
def test_the_page_runs_as_many_queries_for_twenty_years_as_for_one(
    owner_client, owner, years, django_assert_num_queries
):
    UserSettings.of(owner)
    triggers = [make_trigger(owner, f"Trigger {n}") for n in range(11)]
    fill_years(owner, triggers, date(2000, 1, 1), years)
    with django_assert_num_queries(QUERIES):
        response = owner_client.get(reverse("insights"))
    assert len(response.context["insights"].same) == 22  # every trigger, both scores
    assert response.context["insights"].same[0].up.months + response.context["insights"].same[
        0
    ].down.months == (12 * years)


# The demo --------------------------------------------------------------------------


def demo_findings() -> dict:
    call_command("seed_demo", stdout=StringIO())
    demo = get_user_model().objects.get(username="demo")
    return {(f.trigger.position, f.measure, f.when): f for f in insights.build(demo).findings}


def test_the_demo_shows_lower_satisfaction_in_months_growth_stalled_and_lower_wellbeing_with_distrust(db):
    findings = demo_findings()
    growth = findings[8, "satisfaction", SAME]  # No room to grow
    assert growth.shown and growth.up.months >= 10 and growth.down.months >= 10
    assert growth.difference <= -2.0
    # Of the findings about job satisfaction with ten months or more on each side (the trigger
    # added in the bad year has fewer), it is the clearest, the same month and a month later.
    for when in (SAME, LATER):
        satisfaction = [
            f
            for f in findings.values()
            if f.measure == "satisfaction" and f.when == when and min(f.up.months, f.down.months) >= 10
        ]
        assert max(satisfaction, key=lambda f: f.size).trigger.position == 8
    trust = findings[4, "wellbeing", SAME]  # Lack of trust in the managerial relationship (private)
    assert trust.shown and trust.difference <= -2.0


def test_the_demo_is_the_same_every_time_it_is_made(db):
    first = {key: (f.up, f.down) for key, f in demo_findings().items()}
    assert {key: (f.up, f.down) for key, f in demo_findings().items()} == first
