"""The year in review, pinned on a small hand-made year (2024, in the past, so nothing here
depends on today): what it counts, what it compares, and what it never shows."""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from assessments import exports, year_review
from assessments.models import CheckIn, Job, Rating, Trigger, UserSettings, add_months, this_month

from .factories import fill_years, make_checkin, make_trigger
from .helpers import visible_text

YEAR = 2024


@pytest.fixture
def default_checklist() -> bool:
    return False  # every trigger here is the test's own


def text(response) -> str:
    """The page's visible text, tags removed and whitespace squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def page(client, year: int = YEAR, /, **choices):
    return client.get(reverse("year", args=[year]), choices)


def review(user, **visibility):
    """The year's review with the export's remembered (here: default) choices, or these."""
    triggers = list(Trigger.objects.filter(user=user))
    saved = exports.saved_choices(user, triggers)["visibility"]
    chosen = saved | {str(t.pk): visibility[t.title] for t in triggers if t.title in visibility}
    return year_review.build(user, YEAR, triggers=triggers, visibility=chosen)


# Levels by month of 2024 (1 = January). March and December have no check-in.
LEVELS = {
    #        Jan Feb Apr May Jun | Jul Aug Sep Oct Nov
    "Values": [2, 2, 3, 2, 2, 1, 1, 0, 0, 0],  # resolved
    "Growth": [0, 1, 0, 1, 0, 2, 3, 3, 2, 3],  # new
    "Blame": [2, 2, 2, 2, 2, 3, 3, 3, 3, 3],  # worse: 2.0 → 3.0
    "Hours": [3, 3, 3, 3, 3, 2, 2, 2, 2, 2],  # better: 3.0 → 2.0
    "Trust": [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],  # private
    "Meetings": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
}
MONTHS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
WELLBEING = [4, 4, 3, 4, 5, 3, 2, 2, 3, 1]
SATISFACTION = [5, 4, 4, 3, 4, 2, 2, 1, 2, 2]
TALKING = {2: "Ask about the promotion.", 9: "The reorg: who decides?\nTraining budget."}


@pytest.fixture
def year(owner):
    """2024 for `owner`: ten check-ins, one private trigger, private notes and notes on
    ratings in every month, two jobs changing in June; 2023 and 2025 around it."""
    triggers = {
        title: make_trigger(
            owner, title, private=title == "Trust", theme="Leadership" if title == "Values" else ""
        )
        for title in LEVELS
    }
    for n, number in enumerate(MONTHS):
        checkin = make_checkin(
            owner,
            date(YEAR, number, 1),
            {triggers[title]: levels[n] for title, levels in LEVELS.items()},
            wellbeing=WELLBEING[n],
            satisfaction=SATISFACTION[n],
            notes="Updating my CV, privately.",
            talking_points=TALKING.get(number, ""),
        )
        checkin.ratings.update(note="Note on a rating: the all-hands.")
    make_checkin(owner, date(2023, 12, 1), {triggers["Meetings"]: 3}, talking_points="Old year.")
    make_checkin(owner, date(2025, 1, 1), {triggers["Meetings"]: 3}, talking_points="New year.")
    Job.objects.create(
        user=owner, employer="Signal & Co", role="Analyst", start=date(2019, 3, 1), end=date(2024, 5, 31)
    )
    Job.objects.create(user=owner, employer="Duo", role="Engineer", start=date(2024, 6, 1))
    Job.objects.create(user=owner, employer="Side project", start=date(2015, 1, 1))  # no change in 2024
    return triggers


# What it counts --------------------------------------------------------------------


def test_months_checked_in_and_missed(year, owner):
    result = review(owner)
    assert [m.month.month for m in result.checked_in] == MONTHS
    assert result.missed == [date(YEAR, 3, 1), date(YEAR, 12, 1)]
    assert len(result.months) == 12 and not result.so_far


def test_the_triggers_that_turned_up_most_with_their_counts(year, owner):
    result = review(owner)
    # Blame 10 times of 10, Values 5 (Jan–Jun), Hours 10, Growth 5: most first, then the
    # most often rated, then the first added. Trust is private: hidden. Meetings never turned up.
    assert [(t.title, up, rated) for t, up, rated in result.top] == [
        ("Blame", 10, 10),
        ("Hours", 10, 10),
        ("Values", 5, 10),
        ("Growth", 5, 10),
    ]
    assert result.more == 0


def test_only_the_ten_that_turned_up_most_are_listed_and_the_rest_counted(owner):
    triggers = [make_trigger(owner, f"Trigger {n}") for n in range(12)]
    for number in range(1, 13):
        # Trigger n turns up in the first 12 - n months.
        make_checkin(
            owner, date(YEAR, number, 1), {t: 2 if number <= 12 - n else 0 for n, t in enumerate(triggers)}
        )
    result = review(owner)
    assert [(t.title, up) for t, up, _ in result.top] == [(f"Trigger {n}", 12 - n) for n in range(10)]
    assert result.more == 2  # Trigger 10 turned up twice, Trigger 11 once


def test_the_pairs_that_came_together_most_top_five_from_the_database(year, owner):
    result = review(owner)
    # Turning up together (Trust hidden): Blame & Hours 10; Values with Blame and with Hours
    # 5 (Jan–Jun); Growth with Blame and with Hours 5 (Jul–Nov); Values & Growth never.
    assert [(a.title, b.title, n) for a, b, n in result.pairs] == [
        ("Blame", "Hours", 10),
        ("Values", "Blame", 5),
        ("Values", "Hours", 5),
        ("Growth", "Blame", 5),
        ("Growth", "Hours", 5),
    ]


def test_only_the_five_pairs_that_came_together_most_are_listed(year, owner):
    pairs = review(owner, Trust="show").pairs
    # Blame, Hours and Trust together every month; then Values with Blame and Hours.
    assert [(a.title, b.title, n) for a, b, n in pairs] == [
        ("Blame", "Hours", 10),
        ("Blame", "Trust", 10),
        ("Hours", "Trust", 10),
        ("Values", "Blame", 5),
        ("Values", "Hours", 5),
    ]


def test_what_rose_and_what_resolved_compares_the_first_five_check_ins_with_the_last_five(year, owner):
    halves = review(owner).halves
    assert halves.before == [date(YEAR, n, 1) for n in (1, 2, 4, 5, 6)]
    assert halves.after == [date(YEAR, n, 1) for n in (7, 8, 9, 10, 11)]
    assert halves.changes == {
        "new": ["Growth"],
        "worse": ["Blame"],
        "better": ["Hours"],
        "resolved": ["Values"],
    }
    assert halves.wellbeing == (4.0, 2.2)
    assert halves.satisfaction == (4.0, 1.8)


def test_an_odd_number_of_check_ins_leaves_the_middle_one_out_of_the_halves(year, owner):
    CheckIn.objects.filter(user=owner, month=date(YEAR, 11, 1)).delete()
    halves = review(owner).halves
    assert halves.before == [date(YEAR, n, 1) for n in (1, 2, 4, 5)]
    assert halves.after == [date(YEAR, n, 1) for n in (7, 8, 9, 10)]  # June in neither


def test_fewer_than_four_check_ins_are_not_split_in_halves(owner):
    trigger = make_trigger(owner, "Growth")
    for number in (1, 5, 9):
        make_checkin(owner, date(YEAR, number, 1), {trigger: 3})
    assert review(owner).halves is None


def test_the_trend_has_each_months_scores_and_the_years_means(year, owner):
    result = review(owner)
    checked_in = result.checked_in
    assert [m.wellbeing for m in checked_in] == WELLBEING
    assert [m.satisfaction for m in checked_in] == SATISFACTION
    # Triggers on the page turning up each month (the private one hidden): Jan Values, Blame,
    # Hours; Jul Growth, Blame, Hours...
    assert [m.turning_up for m in checked_in] == [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    assert result.wellbeing == pytest.approx(31 / 10)
    assert result.satisfaction == pytest.approx(29 / 10)


def test_job_changes_in_the_year_in_order(year, owner):
    changes = [(c.day, c.started, c.job.employer) for c in review(owner).jobs]
    assert changes == [(date(YEAR, 5, 31), False, "Signal & Co"), (date(YEAR, 6, 1), True, "Duo")]


def test_the_talking_points_of_the_year_in_order(year, owner):
    assert review(owner).talking == [
        (date(YEAR, 2, 1), "Ask about the promotion."),
        (date(YEAR, 9, 1), "The reorg: who decides?\nTraining budget."),
    ]


def test_this_year_counts_its_months_so_far(owner):
    trigger = make_trigger(owner, "Growth")
    make_checkin(owner, this_month(), {trigger: 2})
    triggers = list(owner.triggers.all())
    result = year_review.build(owner, this_month().year, triggers=triggers, visibility={})
    assert len(result.months) == this_month().month
    assert result.so_far == (this_month().month < 12)


def test_this_month_is_not_missed_before_its_check_in(owner, client):
    trigger = make_trigger(owner, "Growth")
    last = add_months(this_month(), -1)
    make_checkin(owner, last, {trigger: 2})
    result = year_review.build(owner, this_month().year, triggers=list(owner.triggers.all()), visibility={})
    assert this_month() not in result.missed
    assert last not in result.missed and result.months[-1].month == this_month()
    client.force_login(owner)
    page = visible_text(client.get(f"/year/{this_month().year}/").content.decode())
    assert f"{this_month():%B} Not checked in yet" in page


# Private triggers and themes -------------------------------------------------------


def test_private_triggers_are_hidden_by_default(year, owner):
    result = review(owner)
    titles = {t.title for t, _, _ in result.top} | {t.title for pair in result.pairs for t in pair[:2]}
    assert "Trust" not in titles
    assert (result.shown, result.themed, result.hidden) == (5, 0, 1)


def test_a_private_trigger_chosen_to_be_shown_is_counted(year, owner):
    result = review(owner, Trust="show")
    assert ("Trust", 10, 10) in [(t.title, up, n) for t, up, n in result.top]
    assert [m.turning_up for m in result.checked_in] == [4] * 10


def test_theme_only_triggers_appear_only_as_their_themes_counts(year, owner):
    Trigger.objects.filter(user=owner, title__in=["Growth", "Values"]).update(theme="Role")
    result = review(owner, Growth="theme", Values="theme")
    assert [t.title for t, _, _ in result.top] == ["Blame", "Hours"]
    assert all("Growth" not in (a.title, b.title) for a, b, _ in result.pairs)
    # Values turned up Jan–Jun, Growth Jul–Nov: one of them in every check-in.
    assert result.themes == [("Role", 10, 10)]
    assert result.halves.changes["new"] == []
    assert (result.shown, result.themed, result.hidden) == (3, 2, 1)


def test_theme_only_on_a_trigger_alone_in_its_theme_is_refused_as_in_the_export(year, owner):
    with pytest.raises(exports.Refused) as refused:
        review(owner, Values="theme")
    assert "only one “Leadership” trigger is on Theme only" in refused.value.messages[0]


def test_a_month_rating_only_one_of_a_themes_triggers_is_refused_as_in_the_export(year, owner):
    Trigger.objects.filter(user=owner, title__in=["Growth", "Values"]).update(theme="Role")
    Rating.objects.filter(trigger__title="Growth", checkin__month=date(YEAR, 4, 1)).delete()
    with pytest.raises(exports.Refused) as refused:
        review(owner, Growth="theme", Values="theme")
    assert "in April 2024 only one “Role” trigger on Theme only was rated" in refused.value.messages[0]


# The page --------------------------------------------------------------------------


def test_the_page_shows_the_year(owner_client, year):
    shown = text(page(owner_client))
    assert "2024 in review" in shown
    assert "Checked in 10 of 12 months. No check-in in March, December." in shown
    assert "Blame: 10 of 10 check-ins" in shown
    assert "Blame and Hours: 10 check-ins" in shown
    assert "New: Growth" in shown and "Resolved: Values" in shown
    assert "Wellbeing 4.0 → 2.2; job satisfaction 4.0 → 1.8 on average." in shown
    assert "31 May: left Signal & Co" in shown
    assert "1 June: started as Engineer at Duo" in shown
    assert "February Ask about the promotion. September The reorg: who decides? Training budget." in shown
    assert "Side project" not in shown


def test_the_page_never_shows_private_notes_or_the_notes_on_ratings(owner_client, year):
    everything = {f"t_{trigger.pk}": "show" for trigger in year.values()}
    for response in (page(owner_client), page(owner_client, **everything)):
        html = response.content.decode()
        assert "Updating my CV" not in html
        assert "Note on a rating" not in html


def test_the_page_hides_private_triggers_unless_chosen(owner_client, year):
    review_part = text(page(owner_client)).split("Show the year with these choices")[1]
    assert "Checked in 10 of 12 months" in review_part
    assert "Trust" not in review_part
    chosen = text(page(owner_client, **{f"t_{year['Trust'].pk}": "show"}))
    assert "Trust: 10 of 10 check-ins" in chosen


def test_the_page_starts_from_the_exports_remembered_choices(owner_client, owner, year):
    exports.remember(owner, {"visibility": {str(year["Blame"].pk): "hide"}})
    shown = text(page(owner_client))
    assert "Blame: 10 of 10" not in shown
    assert "Triggers on this page: 4 shown, 0 theme only, 2 hidden" in shown


def test_the_page_shows_theme_only_counts(owner_client, owner, year):
    Trigger.objects.filter(user=owner, title__in=["Growth", "Values"]).update(theme="Role")
    shown = text(page(owner_client, **{f"t_{year['Growth'].pk}": "theme", f"t_{year['Values'].pk}": "theme"}))
    assert "Role (theme only): one or more of its triggers turned up in 10 of 10 check-ins" in shown
    assert "Growth: 5" not in shown


def test_a_refused_theme_only_choice_is_400_with_the_reason_and_no_review(owner_client, year):
    response = page(owner_client, **{f"t_{year['Values'].pk}": "theme"})
    assert response.status_code == 400
    shown = text(response)
    assert "only one “Leadership” trigger is on Theme only" in shown
    assert "Turned up most" not in shown


def test_a_choice_that_is_not_one_is_400_with_a_message(owner_client, year):
    response = page(owner_client, **{f"t_{year['Values'].pk}": "everything"})
    assert response.status_code == 400
    assert "Choose Show, Theme only or Hide for each trigger." in text(response)


def test_links_go_to_the_other_years_with_check_ins_keeping_the_choices(owner_client, year):
    html = page(owner_client, **{f"t_{year['Trust'].pk}": "show"}).content.decode()
    for other in (2023, 2025):
        assert f'href="/year/{other}/?t_{year["Trust"].pk}=show"' in html
    assert 'href="/year/2022/' not in html


def test_a_year_without_check_ins_says_so(owner_client, year):
    response = page(owner_client, 2010)
    assert response.status_code == 200
    assert "No check-ins in 2010." in text(response)


@pytest.mark.parametrize("year_in_url", ["1969", "0999", "9999", "next"])
def test_years_before_1970_or_after_this_one_have_no_page(owner_client, year_in_url):
    if year_in_url == "next":
        year_in_url = str(this_month().year + 1)
    assert owner_client.get(f"/year/{year_in_url}/").status_code == 404


def test_the_latest_year_opens_from_its_own_address(owner_client, year):
    response = owner_client.get(reverse("year_latest"))
    assert response.status_code == 302 and response.url == reverse("year", args=[2025])


def test_without_check_ins_the_latest_year_is_this_one(owner_client):
    assert owner_client.get(reverse("year_latest")).url == reverse("year", args=[this_month().year])


def test_another_users_year_never_appears(other_client, year):
    shown = text(page(other_client))
    assert "No check-ins in 2024." in shown
    for secret in ("Blame", "Ask about the promotion", "Signal & Co", "Updating my CV"):
        assert secret not in shown


def test_the_dashboard_and_the_export_page_link_to_the_year(owner_client, owner):
    make_checkin(owner, this_month(), {make_trigger(owner, "Growth"): 2})
    assert (
        f'href="{reverse("year", args=[this_month().year])}"'
        in owner_client.get(reverse("dashboard")).content.decode()
    )
    assert f'href="{reverse("year_latest")}"' in owner_client.get(reverse("export")).content.decode()


# Cost ------------------------------------------------------------------------------


# The session and its user; the triggers; the remembered choices (settings, the default
# period); the settings; the year's ratings; its check-ins; the top triggers and how many
# turned up; the theme counts; the pairs; the job changes; the years with check-ins.
QUERIES = 14


@pytest.mark.parametrize("years", [1, 20])
def test_the_page_runs_as_many_queries_for_twenty_years_as_for_one(
    owner_client, owner, years, django_assert_num_queries
):
    UserSettings.of(owner)
    triggers = [make_trigger(owner, f"Trigger {n}", theme="Team" if n < 2 else "") for n in range(11)]
    fill_years(owner, triggers, date(YEAR - years + 1, 1, 1), years, talking_points="Hi")
    choices = {f"t_{triggers[0].pk}": "theme", f"t_{triggers[1].pk}": "theme"}
    with django_assert_num_queries(QUERIES):
        response = page(owner_client, **choices)
    assert response.status_code == 200
    assert len(response.context["review"].checked_in) == 12
    assert response.context["years"] == list(range(YEAR - years + 1, YEAR + 1))
