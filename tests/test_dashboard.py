"""The trend dashboard at "/": due or done, headline, alerts, rising, tenure, range and charts.

The charts are read back from the dashboard the view built (their layout, in points and
percentages) and from the page.
"""

import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.charts import Chart, Column
from assessments.dashboard import HEATMAP_TRIGGERS, PAIR_TRIGGERS, Dashboard
from assessments.metrics import Period, period_start
from assessments.models import (
    FIRST_MONTH,
    CheckIn,
    ChecklistChange,
    Job,
    Level,
    Rating,
    UserSettings,
    add_months,
    this_month,
)

from .factories import make_checkin, make_trigger
from .helpers import HTMX, Headers, ago, fill_to_the_ceilings, visible_text

pytestmark = pytest.mark.django_db

NUDGE = "consider a light job search to check you are still learning and growing"


def iso(month: date) -> str:
    return month.isoformat()


def board(response) -> Dashboard:
    return response.context["dashboard"]


def together_chart(response) -> Chart:
    chart = board(response).together_chart
    assert chart is not None
    return chart


def wellbeing_chart(response) -> Chart:
    chart = board(response).wellbeing_chart
    assert chart is not None
    return chart


def column(chart: Chart, month: date) -> Column:
    (found,) = [c for c in chart.columns if c.period.start == month]
    return found


def stacked(chart: Chart, month: date) -> list[tuple[str, float]]:
    """The bars over `month`'s column, from the foot up, as (class, value on the axis)."""
    here = column(chart, month)
    unit = chart.height / int(chart.ticks[-1].label)
    bars = sorted((b for b in chart.bars if here.left <= b.left < here.left + here.width), key=lambda b: -b.y)
    return [(b.css, round(b.height / unit, 2)) for b in bars if b.css != "hours"]


def scores(chart: Chart, name: str) -> list[float | None]:
    """The line `name` read back from the chart: each column's score, None where it has no point."""
    (points,) = [points for series, _, points in chart.series if series == name]
    at = {point.x: point.y for point in points}
    return [
        None if c.middle not in at else round(5.5 - (at[c.middle] - chart.top) * 5 / chart.height, 2)
        for c in chart.columns
    ]


def hours(chart: Chart) -> list[float | None]:
    """The weekly hours' bars read back from the chart, against its right axis."""
    unit = chart.height / int(chart.right_ticks[-1].label) if chart.right_ticks else 1
    bars = [b for b in chart.bars if b.css == "hours"]
    found = [[b for b in bars if c.left <= b.left < c.left + c.width] for c in chart.columns]
    return [round(here[0].height / unit, 2) if here else None for here in found]


def section(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    return found.group(0) if found else ""


def alert(html: str) -> str:
    return section(html, r'<div class="alert" role="alert">.*?</div>')


def starts(response) -> list[date]:
    """The first day of each column (month, quarter or year) the dashboard's charts show."""
    return [period.start for period in response.context["dashboard"].series]


def dashboard(client, range_key: str | None = None, **headers):
    response = client.get(reverse("dashboard"), {} if range_key is None else {"range": range_key}, **headers)
    assert response.status_code == 200
    return response


@pytest.fixture
def four(owner):
    """Four triggers on the checklist since long before any check-in: it hasn't changed since."""
    since = datetime(2000, 1, 1, tzinfo=UTC)
    triggers = [make_trigger(owner, title, created=since) for title in ("Alpha", "Bravo", "Charlie", "Delta")]
    ChecklistChange.objects.filter(user=owner).delete()
    return triggers


# Who sees it -----------------------------------------------------------------------


def test_charts_asked_for_after_the_session_ended_send_the_visitor_to_log_in(client):
    # The page itself is the landing page for a visitor (tests/test_landing.py).
    response = client.get(reverse("dashboard"), {"range": "3y"}, **HTMX)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/%3Frange%3D3y"


def test_dashboard_never_shows_another_users_triggers_notes_or_jobs(owner_client, owner, other):
    mine = make_trigger(owner, "My own trigger")
    make_checkin(owner, ago(1), {mine: 3}, wellbeing=4)
    theirs = [make_trigger(other, f"Their secret trigger {n}") for n in range(3)]
    for n in range(14):
        checkin = make_checkin(
            other, ago(n), dict.fromkeys(theirs, 3), wellbeing=1, notes="Their private note"
        )
        checkin.ratings.update(note="Their rating note")
    Job.objects.create(user=other, employer="Their employer", start=ago(30).replace(day=3))
    Job.objects.create(user=other, employer="Their new employer", start=ago(2))
    for range_key in ("12m", "3y", "all"):
        for headers in (Headers(), HTMX):
            page = dashboard(owner_client, range_key, **headers).text
            assert "Their" not in page
            assert "My own trigger" in page
    page = dashboard(owner_client)
    # Their check-in this month does not make the owner's done, nor their counts the owner's.
    assert "This month’s check-in is due" in page.text
    assert visible_text(section(page.text, r'<p class="headline".*?</p>')) == "1 trigger turning up together"
    assert [score for score in scores(wellbeing_chart(page), "wellbeing") if score] == [4]


# Empty state, due and done ---------------------------------------------------------


def test_dashboard_for_a_new_user_is_a_friendly_empty_state_leading_to_the_first_check_in(owner_client):
    response = dashboard(owner_client)
    page = response.text
    assert "Your first check-in" in page
    assert f'href="{reverse("checkin", args=[this_month()])}"' in page
    assert "Start your first check-in" in page
    assert 'type="application/json"' not in page
    assert "data-figure" not in page
    assert "plotly" not in page.lower()
    assert "dashboard.js" not in page
    assert "figures" not in response.context


def test_dashboard_says_this_months_check_in_is_due(owner_client, owner, four):
    make_checkin(owner, ago(1), {four[0]: 2})
    page = dashboard(owner_client).text
    assert "This month’s check-in is due" in page
    assert "This month’s check-in is done" not in page
    assert f'href="{reverse("checkin", args=[this_month()])}"' in page
    assert "Your first check-in" not in page


def test_dashboard_says_this_months_check_in_is_done(owner_client, owner, four):
    make_checkin(owner, this_month(), {four[0]: 2})
    page = dashboard(owner_client).text
    assert "This month’s check-in is done" in page
    assert "This month’s check-in is due" not in page
    assert f'href="{reverse("checkin", args=[this_month()])}"' in page


# Headline, alerts and rising -------------------------------------------------------


def test_dashboard_headline_compares_with_three_months_ago(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, ago(3), {a: 2, b: 1})
    make_checkin(owner, this_month(), {a: 3, b: 2, c: 2, d: 1})
    page = dashboard(owner_client).text
    headline = visible_text(section(page, r'<p class="headline".*?</p>'))
    assert headline == "3 triggers turning up together — up from 1 three months ago"


def test_dashboard_together_alert_names_the_triggers_turning_up(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, this_month(), {a: 2, b: 3, c: 2, d: 1})
    box = alert(dashboard(owner_client).text)
    assert "3 triggers are turning up together." in visible_text(box)
    assert "Sustained" not in box
    for trigger in (a, b, c):
        assert f"<li>{trigger.title}</li>" in box
    assert d.title not in box


def test_dashboard_has_no_together_alert_below_the_together_count(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, ago(1), {a: 3, b: 3, c: 3})
    make_checkin(owner, this_month(), {a: 3, b: 2, c: 1, d: 1})
    page = dashboard(owner_client).text
    assert alert(page) == ""
    assert 'role="alert"' not in page


def test_dashboard_together_alert_follows_the_users_together_count(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, this_month(), {a: 3, b: 2})
    assert alert(dashboard(owner_client).text) == ""
    UserSettings.objects.filter(user=owner).update(together_count=2)
    assert "2 triggers are turning up together." in visible_text(alert(dashboard(owner_client).text))


def test_dashboard_sustained_alert_after_consecutive_months_together(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, ago(2), {a: 1})
    make_checkin(owner, ago(1), {a: 2, b: 2, c: 2})
    make_checkin(owner, this_month(), {a: 3, b: 3, c: 2})
    box = visible_text(alert(dashboard(owner_client).text))
    assert "Sustained: 3 triggers turning up together for 2 months in a row." in box
    assert all(title in box for title in ("Alpha", "Bravo", "Charlie"))


def test_dashboard_a_missed_month_breaks_the_sustained_alert(owner_client, owner, four):
    a, b, c, d = four
    make_checkin(owner, ago(2), {a: 2, b: 2, c: 2})
    make_checkin(owner, this_month(), {a: 3, b: 3, c: 2})
    box = visible_text(alert(dashboard(owner_client).text))
    assert "3 triggers are turning up together." in box
    assert "Sustained" not in box


def test_dashboard_lists_rising_triggers_with_their_levels_before_and_after(owner_client, owner, four):
    a, b, c, d = four
    for n in range(14, 2, -1):  # twelve earlier check-ins
        make_checkin(owner, ago(n), {a: 1, b: 0, c: 1})
    for n in range(2, -1, -1):  # the last three
        make_checkin(owner, ago(n), {a: 2, b: 0, c: 1, d: 2})
    page = dashboard(owner_client).text
    rising = visible_text(section(page, r'<ul class="rising">.*?</ul>'))
    assert "Alpha : 1.0 → 2.0 newly turning up" in rising
    assert "Delta : new, now 2.0 newly turning up" in rising
    assert "Bravo" not in rising
    assert "Charlie" not in rising


def test_dashboard_lists_no_rising_triggers_without_earlier_check_ins(owner_client, owner, four):
    make_checkin(owner, ago(1), {four[0]: 3})
    make_checkin(owner, this_month(), {four[0]: 3})
    page = dashboard(owner_client).text
    assert '<ul class="rising">' not in page
    assert "<h2>Rising</h2>" not in page


# Tenure ----------------------------------------------------------------------------


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - timedelta(days=days)


def test_dashboard_nudges_after_the_tenure_setting_in_one_job(owner_client, owner):
    Job.objects.create(user=owner, employer="Duo", role="Engineer", start=years_ago(5, days=40))
    page = visible_text(dashboard(owner_client).text)
    assert "Engineer at Duo since" in page
    assert "5 years 1 month" in page
    assert f"5 years at Duo — {NUDGE}." in page


def test_dashboard_shows_tenure_without_a_nudge_before_the_tenure_setting(owner_client, owner):
    Job.objects.create(user=owner, employer="Duo", start=years_ago(2, days=40))
    page = visible_text(dashboard(owner_client).text)
    assert "Duo since" in page
    assert "2 years 1 month" in page
    assert NUDGE not in page


def test_dashboard_tenure_nudge_follows_the_users_setting(owner_client, owner):
    Job.objects.create(user=owner, employer="Duo", start=years_ago(5, days=40))
    UserSettings.objects.filter(user=owner).update(tenure_years=6)
    assert NUDGE not in dashboard(owner_client).text
    UserSettings.objects.filter(user=owner).update(tenure_years=5)
    assert f"5 years at Duo — {NUDGE}." in visible_text(dashboard(owner_client).text)


def test_dashboard_shows_no_tenure_for_a_job_that_has_ended(owner_client, owner):
    Job.objects.create(user=owner, employer="Old place", start=years_ago(9), end=years_ago(4))
    page = dashboard(owner_client).text
    assert "Old place" not in page
    assert NUDGE not in page
    assert 'id="tenure-heading"' not in page


# Range -----------------------------------------------------------------------------


@pytest.fixture
def long_history(owner, four):
    """Check-ins every month of the last four years but one, starting 47 months ago."""
    a = four[0]
    for n in range(47, -1, -1):
        if n != 5:
            make_checkin(owner, ago(n), {a: n % 4}, wellbeing=3)


@pytest.mark.parametrize(
    ("range_key", "months"), [("12m", 12), ("3y", 36), ("all", 48), (None, 12), ("bogus", 12), ("", 12)]
)
def test_dashboard_range_chooses_the_months_of_the_charts(owner_client, long_history, range_key, months):
    response = dashboard(owner_client, range_key)
    first = ago(months - 1)
    assert starts(response) == [add_months(first, n) for n in range(months)]
    for chart in (together_chart(response), wellbeing_chart(response)):
        assert [c.period.start for c in chart.columns] == starts(response)
    heat_header = section(response.text, r'<table class="heatmap.*?</thead>')
    assert heat_header.count('<th scope="col"') == months + 1  # and the triggers' column


@pytest.mark.parametrize(
    ("range_key", "current"), [("12m", "12m"), ("3y", "3y"), ("all", "all"), ("x", "12m")]
)
def test_dashboard_range_links_mark_the_current_one(owner_client, long_history, range_key, current):
    page = dashboard(owner_client, range_key).text
    links = re.findall(r'<a href="\?range=(\w+)"[^>]*?(aria-current="true")?>', page)
    assert [key for key, _ in links] == ["12m", "3y", "all"]
    assert [key for key, marked in links if marked] == [current]


def test_dashboard_range_links_swap_the_charts_with_htmx_and_keep_the_url(owner_client, long_history):
    page = dashboard(owner_client).text
    ranges = section(page, r'<nav class="ranges".*?</nav>')
    # Every link in the list inherits where its answer goes and that it changes the address.
    inherited = section(ranges, r"<nav[^>]*>")
    assert 'hx-target="#charts"' in inherited
    assert 'hx-swap="outerHTML"' in inherited
    assert 'hx-push-url="true"' in inherited
    for key in ("12m", "3y", "all"):
        link = section(ranges, rf'<a href="\?range={key}"[^>]*>')
        assert f'hx-get="?range={key}"' in link


def test_dashboard_range_with_htmx_is_only_the_charts_fragment(owner_client, long_history):
    response = dashboard(owner_client, "3y", **HTMX)
    assert response.text.lstrip().startswith('<div id="charts"')
    assert "<html" not in response.text
    assert "<h1>" not in response.text
    together = section(response.text, r'<svg class="plot".*?</svg>')
    assert together.count("<title>") == 36  # a column a month, each saying what it holds
    assert response.text.count('<svg class="plot"') == 2
    assert '<table class="heatmap' in response.text


def test_dashboard_tells_caches_that_htmx_requests_get_a_different_answer(owner_client, long_history):
    # The same URL (?range=…) answers htmx with the fragment and a browser with the page: without
    # "Vary: HX-Request" the browser's cache may show the bare fragment on Back (see the e2e test).
    for headers in (Headers(), HTMX):
        vary = dashboard(owner_client, "all", **headers).get("Vary", "")
        assert "hx-request" in [v.strip().lower() for v in vary.split(",")], vary


def test_dashboard_without_htmx_is_the_whole_page_for_any_range(owner_client, long_history):
    response = dashboard(owner_client, "all")
    assert "<html" in response.text
    assert "<h1>Dashboard</h1>" in response.text
    assert response.text.count('<svg class="plot"') == 2


@pytest.mark.parametrize("range_key", ["12m", "3y", "all"])
def test_every_range_shows_a_whole_year_however_recent_the_first_check_in(
    owner_client, owner, four, range_key
):
    make_checkin(owner, ago(2), {four[0]: 1})
    response = dashboard(owner_client, range_key)
    assert starts(response) == [ago(n) for n in range(11, -1, -1)]
    assert [p.gap for p in board(response).series] == ["before"] * 9 + ["", "missed", "open"]


def test_a_longer_range_starts_at_the_first_check_in_when_that_is_later(owner_client, owner, four):
    make_checkin(owner, ago(19), {four[0]: 1})
    assert starts(dashboard(owner_client, "3y")) == [ago(n) for n in range(19, -1, -1)]
    assert starts(dashboard(owner_client, "all")) == [ago(n) for n in range(19, -1, -1)]
    assert len(starts(dashboard(owner_client, "12m"))) == 12


# Charts after the first check-ins ----------------------------------------------------


def test_after_a_first_check_in_the_bar_chart_has_a_whole_year_with_one_bar_a_month_wide(
    owner_client, owner, four
):
    make_checkin(owner, this_month(), {four[0]: 3, four[1]: 2})
    response = dashboard(owner_client)
    chart = together_chart(response)
    assert len(chart.columns) == 12
    assert all(c.width == round(100 / 12, 3) for c in chart.columns)
    assert stacked(chart, this_month()) == [("l2", 1), ("l3", 1)]
    (bar, _) = [b for b in chart.bars if b.css in ("l2", "l3")]
    assert bar.width > 5  # % of the plot: most of a month's column
    assert [b for b in chart.bars if b.left < chart.columns[-1].left] == []  # the months before are empty
    assert chart.missed == []  # and not missed: they came before the first check-in
    labels = re.findall(r'<text class="x[^"]*"[^>]*>([^<]*)</text>', response.text)
    assert labels[:12] == [f"{ago(n):%b %Y}" for n in range(11, -1, -1)]


def test_after_a_second_check_in_both_months_have_their_bars_and_labels(owner_client, owner, four):
    make_checkin(owner, ago(1), {four[0]: 2})
    make_checkin(owner, this_month(), {four[0]: 3, four[1]: 3})
    chart = together_chart(dashboard(owner_client))
    assert stacked(chart, ago(1)) == [("l2", 1)]
    assert stacked(chart, this_month()) == [("l3", 2)]
    assert [c.period.label for c in chart.columns][-2:] == [f"{ago(1):%b %Y}", f"{this_month():%b %Y}"]
    assert "wide" in column(chart, ago(1)).layouts  # every month is labelled on a wide screen


def on(moment: datetime, tenure: str):
    """The test's parameters, run at `moment`."""
    return pytest.param(moment, tenure, marks=pytest.mark.time_machine(moment), id=f"{moment:%Y-%m-%d %H:%M}")


@pytest.mark.parametrize(
    ("now", "tenure"),  # in a job that started on 31 January three years before
    [
        on(datetime(2024, 2, 29, 12, tzinfo=UTC), "3 years"),  # a leap day
        on(datetime(2025, 3, 31, 12, tzinfo=UTC), "3 years 2 months"),  # the 31st after a short month
        on(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), "3 years 11 months"),  # the year's last minute
        on(datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "2 years 11 months"),  # and its first
    ],
)
def test_dashboard_counts_months_and_years_right_on_any_day(owner_client, owner, long_history, now, tenure):
    assert this_month() == now.date().replace(day=1)
    Job.objects.create(user=owner, employer="Duo", start=date(now.year - 3, 1, 31))
    for range_key, months in (("12m", 12), ("3y", 36), ("all", 48)):
        response = dashboard(owner_client, range_key)
        assert starts(response) == [ago(n) for n in range(months - 1, -1, -1)]
    page = visible_text(response.text)
    assert f"Duo since January {now.year - 3}: {tenure}." in page
    assert "This month’s check-in is done" in page


# Chart numbers ---------------------------------------------------------------------


@pytest.fixture
def three_months(owner, four):
    """Two months ago and this month checked in, last month missed."""
    a, b, c, d = four
    make_checkin(owner, ago(2), {a: 3, b: 2, c: 1}, wellbeing=2, satisfaction=3, energy=4, hours=45)
    make_checkin(owner, this_month(), {a: 2, b: 2, c: 2, d: 3}, wellbeing=4, satisfaction=5, energy=1)
    return four


def test_together_chart_stacks_the_levels_that_turn_up_and_marks_the_missed_month(owner_client, three_months):
    chart = together_chart(dashboard(owner_client))
    assert chart.levels == [Level.CLEAR, Level.STRONG]
    assert stacked(chart, ago(2)) == [("l2", 1), ("l3", 1)]
    assert stacked(chart, ago(1)) == []
    assert stacked(chart, this_month()) == [("l2", 3), ("l3", 1)]
    assert [c.period.start for c in chart.missed] == [ago(1)]
    assert column(chart, ago(1)).title == f"{ago(1):%b %Y}: no check-in"
    assert column(chart, this_month()).title == f"{this_month():%b %Y}: 4 turning up: 1 Strong, 3 Clear"


def test_together_chart_stacks_from_the_users_turn_up_level(owner_client, owner, three_months):
    UserSettings.objects.filter(user=owner).update(turn_up_level=1)
    chart = together_chart(dashboard(owner_client))
    assert chart.levels == [Level.FAINT, Level.CLEAR, Level.STRONG]
    assert stacked(chart, ago(2)) == [("l1", 1), ("l2", 1), ("l3", 1)]


def test_together_chart_draws_the_together_line_at_the_users_count(owner_client, owner, three_months):
    UserSettings.objects.filter(user=owner).update(together_count=5)
    response = dashboard(owner_client)
    chart = together_chart(response)
    assert [t.label for t in chart.ticks] == ["0", "1", "2", "3", "4", "5"]
    assert chart.together is not None and chart.together.y == chart.ticks[-1].y
    assert ">together: 5</text>" in response.text


def test_a_month_with_nothing_turning_up_is_a_zero_distinct_from_a_missed_month(owner_client, owner, four):
    make_checkin(owner, ago(2), {four[0]: 1})
    make_checkin(owner, this_month(), {four[0]: 3})
    response = dashboard(owner_client)
    chart = together_chart(response)
    assert [css for css, _ in stacked(chart, ago(2))] == ["zero"]  # a mark on the axis
    assert column(chart, ago(2)).title == f"{ago(2):%b %Y}: none turning up"
    assert [c.period.start for c in chart.missed] == [ago(1)]
    assert response.text.count('<rect class="missed"') == 2  # in the bar chart and the lines' chart


def test_missed_months_are_marked_in_every_chart_and_table_never_as_zeros(owner_client, three_months):
    response = dashboard(owner_client)
    wellbeing = wellbeing_chart(response)
    assert [c.period.start for c in wellbeing.missed] == [ago(1)]
    for name in ("wellbeing", "satisfaction", "energy"):
        assert scores(wellbeing, name)[-2] is None, name
        (pieces,) = [pieces for series, pieces, _ in wellbeing.series if series == name]
        assert pieces == []  # no line across the missed month
    assert hours(wellbeing)[-2] is None
    for _trigger, cells in board(response).heat_rows:
        assert (cells[-2].css, cells[-2].word) == ("missed", "No check-in")
    # And in the text alternatives: "No check-in", not zeros.
    together_table = section(response.text, r'<tbody><tr><th scope="row">.*?</tbody>')
    assert f'<th scope="row">{ago(1):%b %Y}</th><td colspan="3">No check-in</td>' in together_table
    heat = section(response.text, r'<table class="heatmap.*?</table>')
    assert heat.count('<td class="missed"><span>No check-in</span></td>') == 4


def test_wellbeing_chart_carries_the_scores_and_hours(owner_client, three_months):
    chart = wellbeing_chart(dashboard(owner_client))
    assert scores(chart, "wellbeing")[-3:] == [2, None, 4]
    assert scores(chart, "satisfaction")[-3:] == [3, None, 5]
    assert scores(chart, "energy")[-3:] == [4, None, 1]
    assert hours(chart)[-3:] == [45, None, None]
    assert [t.label for t in chart.right_ticks] == ["0", "20", "40", "60"]
    assert chart.names == [
        ("wellbeing", "Wellbeing"),
        ("satisfaction", "Job satisfaction"),
        ("energy", "Energy"),
    ]


def test_heatmap_has_a_row_per_rated_trigger_with_each_level_not_rated_and_missed_apart(
    owner_client, three_months
):
    response = dashboard(owner_client)
    rows = {t.title: [(c.css, c.word) for c in cells[-3:]] for t, cells in board(response).heat_rows}
    assert list(rows) == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert rows["Alpha"] == [("l3", "Strong"), ("missed", "No check-in"), ("l2", "Clear")]
    assert rows["Charlie"] == [("l1", "Faint"), ("missed", "No check-in"), ("l2", "Clear")]
    assert rows["Delta"] == [("none", "Not rated"), ("missed", "No check-in"), ("l3", "Strong")]
    row = section(response.text, r'<tr><th scope="row"><span title="Delta">Delta</span></th>.*?</tr>')
    assert '<td class="none"><span>Not rated</span></td><td class="missed">' in row
    assert row.endswith('<td class="l3"><span>Strong</span></td></tr>')


def test_heatmap_reads_not_present_as_a_level_of_its_own(owner_client, owner, four):
    make_checkin(owner, this_month(), {four[0]: 0, four[1]: 3})
    (_, alpha), _ = board(dashboard(owner_client)).heat_rows
    assert (alpha[-1].css, alpha[-1].word) == ("l0", "Not present")


def test_heatmap_leaves_out_triggers_never_rated_in_the_range(owner_client, owner, three_months):
    make_checkin(owner, ago(20), {make_trigger(owner, "Only long ago"): 3})
    assert "Only long ago" not in section(dashboard(owner_client).text, r'<table class="heatmap.*?</table>')
    assert "Only long ago" in section(
        dashboard(owner_client, "all").text, r'<table class="heatmap.*?</table>'
    )


def test_heatmap_shows_the_rating_note_on_hover_and_to_a_screen_reader(owner_client, owner, three_months):
    CheckIn.objects.get(user=owner, month=this_month()).ratings.filter(trigger=three_months[3]).update(
        note="Reorg announced"
    )
    page = dashboard(owner_client).text
    assert '<td class="l3" title="Reorg announced"><span>Strong: Reorg announced</span></td>' in page


def test_the_heatmap_is_its_own_table_with_a_column_per_month_and_a_row_per_trigger(
    owner_client, three_months
):
    page = dashboard(owner_client).text
    assert "As a table" not in section(
        page, r'<section aria-labelledby="chart-heatmap-heading">.*?</section>'
    )
    header = section(page, r'<table class="heatmap.*?</thead>')
    months = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', header)[1:]
    assert [visible_text(m) for m in months] == [f"{ago(n):%b %Y}" for n in range(11, -1, -1)]
    # A frame that scrolls sideways by keyboard too, named by the chart's heading.
    assert (
        '<div class="heat-wrap" tabindex="0" role="region" aria-label="Table of levels, month by month">'
        in page
    )


def test_pairs_are_a_ranked_list_each_pair_once_with_bars_from_zero(owner_client, owner, four):
    a, b, c, d = four
    for n in range(10):  # a and b turn up together ten times; c with them six; d with a once
        make_checkin(owner, ago(n), {a: 3, b: 3, **({c: 2} if n < 6 else {}), **({d: 2} if n == 9 else {})})
    response = dashboard(owner_client)
    pairs = [(x.title, y.title, n, share) for x, y, n, share in board(response).pairs]
    assert pairs == [
        ("Alpha", "Bravo", 10, 100),
        ("Alpha", "Charlie", 6, 60),
        ("Bravo", "Charlie", 6, 60),
        ("Alpha", "Delta", 1, 10),
        ("Bravo", "Delta", 1, 10),
    ]
    listed = section(response.text, r'<ol class="pairs">.*?</ol>')
    assert visible_text(listed).split(" months")[0] == "Alpha + Bravo: 10"
    assert "Alpha + Charlie: 6 months" in visible_text(listed)
    assert "Charlie + Alpha" not in visible_text(listed)  # once each
    assert "Charlie + Delta" not in visible_text(listed)  # never together: not a pair at all
    assert '<rect width="60.0%" height="8"/>' in listed  # six of ten: drawn from zero, never as zero


def test_more_than_ten_pairs_keep_the_rest_a_click_away(owner_client, owner):
    triggers = [make_trigger(owner, f"T{n}") for n in range(6)]  # 15 pairs
    make_checkin(owner, this_month(), dict.fromkeys(triggers, 3))
    response = dashboard(owner_client)
    assert len(board(response).pairs_shown) == 10
    assert "<summary>5 more pairs</summary>" in response.text
    assert '<ol class="pairs" start="11">' in response.text


def test_co_occurrence_is_replaced_by_a_sentence_when_no_two_triggers_turned_up_together(
    owner_client, owner, four
):
    make_checkin(owner, this_month(), {four[0]: 3, four[1]: 1})
    page = dashboard(owner_client).text
    assert "No two triggers have turned up in the same check-in in this period." in page
    assert '<ol class="pairs"' not in page


def test_the_charts_mark_a_month_the_checklist_changed_and_the_heatmap_starts_a_trigger_when_it_was_added(
    owner_client, owner, three_months
):
    added = make_trigger(owner, "Pay freeze")  # this month, after the check-ins before
    Rating.objects.create(checkin=CheckIn.objects.get(user=owner, month=this_month()), trigger=added, level=2)
    three_months[0].reword("Alpha, reworded")
    response = dashboard(owner_client)
    said = "2 changes: added “Pay freeze”; reworded “Alpha” to “Alpha, reworded”"
    for chart in (together_chart(response), wellbeing_chart(response)):
        assert [(c.period.start, text) for c, text in chart.changes] == [(this_month(), said)]
        assert column(chart, this_month()).title.endswith(f". Checklist: {said}")
        assert not column(chart, ago(2)).title.endswith(said)
    assert f"Checklist changes in this period: {this_month():%b %Y}: {said}." in visible_text(response.text)
    heat = dict(board(response).heat_rows)
    cells = heat[added]
    assert [(c.css, c.word) for c in cells[-3:]] == [
        ("", "Not on the checklist yet"),
        ("", "Not on the checklist yet"),
        ("l2", "Clear"),
    ]
    assert [c.css for c in heat[three_months[3]][-3:]] == ["none", "missed", "l3"]


def test_a_retired_trigger_still_appears_in_the_charts_for_months_it_was_rated(owner_client, three_months):
    three_months[3].retire()
    response = dashboard(owner_client)
    delta, cells = board(response).heat_rows[3]
    assert delta.title == "Delta"
    assert [c.css for c in cells[-3:]] == ["none", "missed", "l3"]
    assert stacked(together_chart(response), this_month()) == [("l2", 3), ("l3", 1)]


def test_together_chart_marks_job_changes_in_the_range_and_labels_the_latest(
    owner_client, owner, long_history
):
    Job.objects.create(user=owner, employer="Old place", start=ago(40), end=ago(5) - timedelta(days=1))
    Job.objects.create(user=owner, employer="Duo", start=ago(5))
    for range_key, marked in (("12m", ["Duo"]), ("all", ["Old place", "Duo"])):
        response = dashboard(owner_client, range_key)
        chart = together_chart(response)
        assert [change.job.employer for change in chart.jobs] == marked
        assert [change.x for change in chart.jobs][-1] == column(chart, ago(5)).left  # on the 1st
        assert [change.labelled for change in chart.jobs] == [False] * (len(marked) - 1) + [True]
        assert re.findall(r'<text class="label"[^>]*>→ ([^<]*)</text>', response.text) == ["Duo"]
        listed = visible_text(section(response.text, r"<p class=\"hint\">Job change.*?</p>"))
        assert listed.endswith(f"Duo from {ago(5):%-d %b %Y}.")


# Mid-month: a job starting today starts after the month's first day, where the chart's bar is.
@pytest.mark.time_machine(datetime(2025, 6, 17, 10, tzinfo=UTC))
def test_together_chart_marks_a_job_that_started_this_month(owner_client, owner, long_history):
    start = timezone.localdate()
    assert start != this_month()
    Job.objects.create(user=owner, employer="Brand new", start=start)
    chart = together_chart(dashboard(owner_client))
    (change,) = chart.jobs
    assert change.job.employer == "Brand new"
    last = chart.columns[-1]
    assert last.left <= change.x < last.left + last.width
    assert change.anchor == "end"  # near the right edge, its label reads to the left of the line


def test_titles_with_quotes_and_tags_read_as_written_in_every_chart(owner_client, owner):
    # Escaped once, by the template: never twice (&amp;quot;), never read as markup.
    tricky = make_trigger(owner, 'Pay "cut" <b>now</b>')
    plain = make_trigger(owner, "Plain")
    make_checkin(owner, ago(1), {tricky: 3, plain: 3})
    make_checkin(owner, this_month(), {tricky: 3, plain: 3})
    Job.objects.create(user=owner, employer='<i>Duo</i> "B"', start=ago(1))
    page = dashboard(owner_client).text
    assert "<b>now</b>" not in page
    assert "<i>Duo</i>" not in page
    assert "&amp;" not in page
    written = "Pay &quot;cut&quot; &lt;b&gt;now&lt;/b&gt;"
    heat = section(page, r'<table class="heatmap.*?</table>')
    assert f'<span title="{written}">{written}</span>' in heat
    assert f"{written} + Plain: <span" in section(page, r'<ol class="pairs">.*?</ol>')
    assert "→ &lt;i&gt;Duo&lt;/i&gt; &quot;B&quot;</text>" in page
    assert visible_text(heat).startswith("Trigger") and 'Pay "cut" <b>now</b>' in visible_text(heat)


def test_a_trigger_with_a_short_name_goes_by_it_in_the_heatmap_and_the_pairs(owner_client, owner):
    long = make_trigger(owner, "Leadership that doesn’t respect the company values", short_name="Values")
    plain = make_trigger(owner, "Plain")
    make_checkin(owner, this_month(), {long: 3, plain: 3})
    page = dashboard(owner_client).text
    heat = section(page, r'<table class="heatmap.*?</table>')
    assert '<span title="Leadership that doesn’t respect the company values">Values</span>' in heat
    assert "Values + Plain: <span" in section(page, r'<ol class="pairs">.*?</ol>')


def test_the_tables_beside_the_charts_have_the_same_numbers(owner_client, three_months):
    page = dashboard(owner_client).text
    table = visible_text(
        section(page, r"<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Turning up.*?</tbody>")
    )
    assert table.startswith(f"Month Turning up Strong Together? {this_month():%b %Y} 4 1 Yes")
    assert f"{ago(1):%b %Y} No check-in {ago(2):%b %Y} 2 1 No" in table
    assert table.endswith("No")  # nothing listed before the first check-in
    wellbeing = visible_text(section(page, r"<th scope=\"col\">Wellbeing</th>.*?</tbody>"))
    assert f"{ago(2):%b %Y} 2 3 4 45" in wellbeing


def test_the_tables_say_when_this_month_is_not_checked_in_yet(owner_client, owner, four):
    make_checkin(owner, ago(1), {four[0]: 3})
    page = dashboard(owner_client).text
    table = visible_text(section(page, r"<th scope=\"col\">Turning up.*?</tbody>"))
    assert f"{this_month():%b %Y} Not checked in yet" in table
    assert "No check-in" not in table


# Drawn by the page -------------------------------------------------------------------


def test_dashboard_draws_its_charts_without_plotly_or_any_script_of_its_own(owner_client, three_months):
    page = dashboard(owner_client).text
    assert "plotly" not in page.lower()
    assert "dashboard.js" not in page
    assert ' style="' not in page  # nothing the CSP would refuse
    assert page.count('<svg class="plot" width="100%"') == 2


# Query count -----------------------------------------------------------------------


def fill_years(user, years: int, *, before: date) -> None:
    """Monthly check-ins for `years` years ending the month before `before`, every trigger rated."""
    triggers = list(user.triggers.all())
    first = add_months(before, -12 * years)
    checkins = CheckIn.objects.bulk_create(
        CheckIn(user=user, month=add_months(first, n), wellbeing=3, satisfaction=3, energy=3, hours=40)
        for n in range(12 * years)
    )
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger=trigger, level=(n + m) % 4, note="x" if m == 0 else "")
        for n, checkin in enumerate(checkins)
        for m, trigger in enumerate(triggers)
    )


# Session, user, settings, check-ins with what turned up, current job, the periods,
# triggers, the triggers that turned up most and how many did, the
# heatmap's cells and when its triggers began, pairs, the latest ratings, rising, the jobs
# and the checklist's changes to mark: none of them grows with the years.
MAX_QUERIES = 16


@pytest.mark.parametrize("range_key", ["12m", "3y", "all"])
def test_dashboard_runs_as_many_queries_for_twenty_years_as_for_one(
    owner_client, owner, range_key, django_assert_max_num_queries
):
    UserSettings.of(owner)
    Job.objects.create(user=owner, employer="Duo", start=ago(15))
    fill_years(owner, 1, before=next_after(this_month()))
    with CaptureQueriesContext(connection) as one_year:
        dashboard(owner_client, range_key)
    fill_years(owner, 19, before=ago(11))
    assert CheckIn.objects.filter(user=owner).count() == 240
    assert Rating.objects.filter(checkin__user=owner).count() == 240 * 11
    with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as twenty_years:
        response = dashboard(owner_client, range_key)
    assert len(twenty_years) == len(one_year)
    years = this_month().year - ago(239).year + 1  # twenty years of months, by the year
    assert len(starts(response)) == {"12m": 12, "3y": 36, "all": years}[range_key]


def next_after(month: date) -> date:
    return add_months(month, 1)


# Long histories: by the quarter or the year ------------------------------------------


def table_rows(page: str, first_column: str) -> list[str]:
    """The rows, as text, of the table whose first column is `first_column`."""
    found = section(
        page, rf'<thead><tr><th scope="col">{first_column}</th><th scope="col">Turning up.*?</tbody>'
    )
    return [visible_text(row) for row in re.findall(r"<tr>.*?</tr>", found, re.S)[1:]]


def test_a_history_from_1970_is_shown_by_the_year_with_a_missed_year_marked(owner_client, owner, four):
    a, b, c, _ = four
    make_checkin(owner, FIRST_MONTH, {a: 3, b: 2, c: 2}, wellbeing=2, hours=40)
    make_checkin(owner, date(1970, 6, 1), {a: 1}, wellbeing=5)
    make_checkin(owner, date(1972, 3, 1), {a: 2, b: 2, c: 2})  # 1971 missed
    make_checkin(owner, this_month(), {a: 3})
    response = dashboard(owner_client, "all")
    years = list(range(1970, this_month().year + 1))
    assert starts(response) == [date(year, 1, 1) for year in years]
    assert len(years) <= 60
    together, wellbeing = together_chart(response), wellbeing_chart(response)
    for chart in (together, wellbeing):
        assert len(chart.columns) == len(years)
        assert date(1971, 1, 1) in [c.period.start for c in chart.missed]  # marked, never a zero
    assert stacked(together, date(1970, 1, 1)) == [("l2", 1), ("l3", 0.5)]  # means per check-in
    assert stacked(together, date(1971, 1, 1)) == []
    assert column(together, date(1970, 1, 1)).title == (
        "1970 (mean of 2 check-ins): 1.5 turning up: 0.5 Strong, 1 Clear"
    )
    assert scores(wellbeing, "wellbeing")[0] == 3.5
    rows = table_rows(response.text, "Year")
    assert rows[-1] == "1970 1.5 0.5 In 1 of 2 check-ins"  # the tables say what the charts show
    assert rows[-2] == "1971 No check-in"
    assert rows[-3] == "1972 3 0 In 1 of 1 check-in"
    assert "one year at a time: its numbers are the means of its check-ins, its levels the strongest" in (
        response.text
    )
    labels = [c.period.label for c in together.columns if "narrow" in c.layouts]
    assert labels and all(label.isdigit() and int(label) % 10 == 0 for label in labels)  # round years


def test_the_heatmap_by_the_year_shows_each_triggers_strongest_level_and_what_it_is_taken_from(
    owner_client, owner, four
):
    a = four[0]
    make_checkin(owner, FIRST_MONTH, {a: 1})
    make_checkin(owner, date(1970, 7, 1), {a: 3})
    make_checkin(owner, this_month(), {a: 2})
    response = dashboard(owner_client, "all")
    (_alpha, cells), *_ = board(response).heat_rows
    assert (cells[0].css, cells[0].note) == ("l3", "the strongest of 2 ratings that year")
    assert cells[1].css == "missed"
    heat = section(response.text, r'<table class="heatmap.*?</table>')
    assert '<td class="l3" title="the strongest of 2 ratings that year"><span>Strong: the strongest' in heat
    assert "Each trigger, year by year" in response.text


def test_nine_years_are_shown_by_the_quarter_with_a_missed_quarter_marked(owner_client, owner, four):
    first = period_start(ago(12 * 9), "quarter")
    make_checkin(owner, first, {four[0]: 3})
    make_checkin(owner, add_months(first, 6), {four[0]: 2})  # the quarter between them missed
    make_checkin(owner, this_month(), {four[0]: 1})
    response = dashboard(owner_client, "all")
    quarters = starts(response)
    assert quarters[:3] == [first, add_months(first, 3), add_months(first, 6)]
    assert quarters[-1] == period_start(this_month(), "quarter")
    assert all(later == add_months(earlier, 3) for earlier, later in itertools.pairwise(quarters))
    chart = together_chart(response)
    assert [stacked(chart, q) for q in quarters[:3]] == [[("l3", 1)], [], [("l2", 1)]]
    assert add_months(first, 3) in [c.period.start for c in chart.missed]
    assert re.fullmatch(r"Q[1-4] \d{4}", chart.columns[0].period.label)
    assert (
        table_rows(response.text, "Quarter")[-2]
        == f"{Period(add_months(first, 3), 'quarter').label} No check-in"
    )


def test_five_years_are_still_shown_by_the_month(owner_client, owner, four):
    make_checkin(owner, ago(59), {four[0]: 3})
    make_checkin(owner, this_month(), {four[0]: 3})
    response = dashboard(owner_client, "all")
    assert len(starts(response)) == 60
    assert "at a time" not in response.text


# At every ceiling the dashboard costs what a small account's does ----------------------


@pytest.mark.parametrize("default_checklist", [False])
@pytest.mark.parametrize("range_key", ["12m", "3y", "all"])
def test_the_dashboard_at_every_ceiling_runs_the_queries_of_a_small_account_and_stays_small(
    owner_client, owner, other, other_client, range_key
):
    just_one = make_trigger(other, "Just one")
    for months in range(5):
        make_checkin(other, ago(months), {just_one: 3})
    with CaptureQueriesContext(connection) as small:
        dashboard(other_client, range_key)
    fill_to_the_ceilings(owner)
    with CaptureQueriesContext(connection) as full:
        response = dashboard(owner_client, range_key)
    assert len(full) == len(small)
    assert len(response.content) < 2 * 2**20
    assert len(starts(response)) <= 60
    assert len(board(response).pairs) == PAIR_TRIGGERS * (PAIR_TRIGGERS - 1) // 2
    assert len(board(response).heat_rows) == HEATMAP_TRIGGERS
    rated = board(response).heat_more + HEATMAP_TRIGGERS
    assert f"{rated - HEATMAP_TRIGGERS} more were rated." in response.text
    assert f"{rated - PAIR_TRIGGERS} more turned up too." in response.text
    # Fifty triggers turning up: the axis counts in round steps, not one tick for each.
    ticks = [int(t.label) for t in together_chart(response).ticks]
    assert ticks == [0, 10, 20, 30, 40, 50]


def test_the_pair_chart_shows_the_triggers_turning_up_most_often_and_says_how_many_more_did(
    owner_client, owner
):
    triggers = [make_trigger(owner, f"T{n:02}") for n in range(PAIR_TRIGGERS + 2)]
    often, rarely = triggers[2:], triggers[:2]  # the first two turn up once, the rest twice
    make_checkin(owner, ago(1), dict.fromkeys(triggers, 3))
    make_checkin(owner, this_month(), dict.fromkeys(often, 2))
    response = dashboard(owner_client)
    pairs = board(response).pairs
    assert len(pairs) == PAIR_TRIGGERS * (PAIR_TRIGGERS - 1) // 2
    assert {n for _, _, n, _ in pairs} == {2}
    assert all(t not in (a, b) for a, b, _, _ in pairs for t in rarely)
    assert "Pairs of the 12 triggers that turned up most often in this period; 2 more turned up too." in (
        response.text
    )
    # The heatmap still has every trigger: there is room for them.
    assert len(board(response).heat_rows) == len(triggers)
    assert "more were rated" not in response.text
