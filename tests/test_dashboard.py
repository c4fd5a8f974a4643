"""The trend dashboard at "/": due or done, headline, alerts, rising, tenure, range and charts.

The figures are read back from the page, where they wait as JSON in
<script type="application/json" id="fig-…"> for static/js/dashboard.js to draw.
"""

import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import plotly.offline
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.dashboard import HEATMAP_TRIGGERS, PAIR_TRIGGERS
from assessments.metrics import Period, period_start
from assessments.models import (
    FIRST_MONTH,
    CheckIn,
    Job,
    Rating,
    UserSettings,
    add_months,
    this_month,
)

from .factories import make_checkin, make_trigger
from .helpers import HTMX, Headers, ago, fill_to_the_ceilings, visible_text

pytestmark = pytest.mark.django_db

FIGURES = ["together", "heatmap", "cooccurrence", "wellbeing"]
PLOTLY = "plotly-custom.min.js"
NUDGE = "consider a light job search to check you are still learning and growing"


def iso(month: date) -> str:
    return month.isoformat()


def figure(response, name: str) -> dict:
    """The figure handed to the page as json_script, parsed."""
    found = re.search(
        rf'<script[^>]*\bid="fig-{name}"[^>]*type="application/json"[^>]*>(.*?)</script>',
        response.text,
        re.S,
    )
    assert found, f"no fig-{name} in the page"
    return json.loads(found.group(1))


def trace(fig: dict, name: str) -> dict:
    (found,) = [t for t in fig["data"] if t.get("name") == name]
    return found


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
    return [make_trigger(owner, title) for title in ("Alpha", "Bravo", "Charlie", "Delta")]


# Who sees it -----------------------------------------------------------------------


def test_dashboard_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


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
    assert [t for t in trace(figure(page, "wellbeing"), "Wellbeing")["y"] if t is not None] == [4]


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
    for name in ("together", "wellbeing"):
        for series in figure(response, name)["data"]:
            assert series["x"][0] == iso(first)
            assert series["x"][-1] == iso(this_month())
    assert len(figure(response, "heatmap")["data"][0]["x"]) == months


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
    assert len(figure(response, "together")["data"][0]["x"]) == 36
    assert all(f'id="fig-{name}"' in response.text for name in ("together", "heatmap", "wellbeing"))


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
    assert PLOTLY in response.text


def test_dashboard_range_starts_at_the_first_check_in_when_that_is_later(owner_client, owner, four):
    make_checkin(owner, ago(2), {four[0]: 1})
    response = dashboard(owner_client, "3y")
    assert starts(response) == [ago(2), ago(1), this_month()]


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


def test_together_chart_stacks_the_levels_that_turn_up_with_gaps_for_missed_months(
    owner_client, three_months
):
    fig = figure(dashboard(owner_client), "together")
    assert [t["name"] for t in fig["data"]] == ["Clear", "Strong"]
    assert all(t["type"] == "bar" for t in fig["data"])
    assert fig["layout"]["barmode"] == "stack"
    assert trace(fig, "Clear")["x"] == [iso(ago(2)), iso(ago(1)), iso(this_month())]
    assert trace(fig, "Clear")["y"] == [1, None, 3]
    assert trace(fig, "Strong")["y"] == [1, None, 1]


def test_together_chart_stacks_from_the_users_turn_up_level(owner_client, owner, three_months):
    UserSettings.objects.filter(user=owner).update(turn_up_level=1)
    fig = figure(dashboard(owner_client), "together")
    assert [t["name"] for t in fig["data"]] == ["Faint", "Clear", "Strong"]
    assert trace(fig, "Faint")["y"] == [1, None, 0]


def test_together_chart_draws_the_together_line_at_the_users_count(owner_client, owner, three_months):
    UserSettings.objects.filter(user=owner).update(together_count=4)
    fig = figure(dashboard(owner_client), "together")
    (line,) = [s for s in fig["layout"]["shapes"] if s.get("xref") == "paper"]
    assert (line["y0"], line["y1"]) == (4, 4)
    assert any(a["text"] == "together: 4" for a in fig["layout"]["annotations"])


def test_missed_months_are_null_in_every_series_never_zero(owner_client, three_months):
    response = dashboard(owner_client)
    for name in ("together", "wellbeing"):
        for series in figure(response, name)["data"]:
            assert series["y"][1] is None, (name, series["name"])
    for row in figure(response, "heatmap")["data"][0]["z"]:
        assert row[1] is None
    # And in the text alternatives: "No check-in", not zeros.
    together_table = section(response.text, r'<tbody><tr><th scope="row">.*?</tbody>')
    assert f'<th scope="row">{ago(1):%b %Y}</th><td colspan="3">No check-in</td>' in together_table


def test_wellbeing_chart_carries_the_scores_and_hours(owner_client, three_months):
    fig = figure(dashboard(owner_client), "wellbeing")
    assert trace(fig, "Wellbeing")["y"] == [2, None, 4]
    assert trace(fig, "Job satisfaction")["y"] == [3, None, 5]
    assert trace(fig, "Energy")["y"] == [4, None, 1]
    hours = trace(fig, "Weekly hours")
    assert hours["y"] == [45, None, None]
    assert hours["yaxis"] == "y2"
    assert all(trace(fig, n)["connectgaps"] is False for n in ("Wellbeing", "Job satisfaction", "Energy"))


def test_heatmap_has_a_row_per_rated_trigger_with_blank_cells_where_not_rated(owner_client, three_months):
    a, b, c, d = three_months
    response = dashboard(owner_client)
    (heat,) = figure(response, "heatmap")["data"]
    assert heat["x"] == [iso(ago(2)), iso(ago(1)), iso(this_month())]
    assert heat["z"] == [[3, None, 2], [2, None, 2], [1, None, 2], [None, None, 3]]
    assert figure(response, "heatmap")["layout"]["yaxis"]["ticktext"] == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
    ]
    assert "not rated" in heat["text"][3][0]


def test_heatmap_leaves_out_triggers_never_rated_in_the_range(owner_client, owner, three_months):
    make_checkin(owner, ago(20), {make_trigger(owner, "Only long ago"): 3})
    assert "Only long ago" not in json.dumps(figure(dashboard(owner_client), "heatmap"))
    assert "Only long ago" in json.dumps(figure(dashboard(owner_client, "all"), "heatmap"))


def test_heatmap_shows_the_rating_note_on_hover(owner_client, owner, three_months):
    CheckIn.objects.get(user=owner, month=this_month()).ratings.filter(trigger=three_months[3]).update(
        note="Reorg announced"
    )
    (heat,) = figure(dashboard(owner_client), "heatmap")["data"]
    assert "Reorg announced" in heat["text"][3][2]
    assert "Strong" in heat["text"][3][2]


def test_co_occurrence_chart_counts_pairs_and_each_trigger_alone(owner_client, three_months):
    response = dashboard(owner_client)
    fig = figure(response, "cooccurrence")
    assert fig["layout"]["xaxis"]["ticktext"] == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert fig["data"][0]["z"] == [
        [2, 2, 1, 1],
        [2, 2, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
    ]
    pairs = visible_text(section(response.text, r"<summary>As a list</summary>.*?</ul>"))
    assert "Alpha & Bravo: 2 check-ins" in pairs
    assert "Charlie & Delta: 1 check-in" in pairs


def test_co_occurrence_is_replaced_by_a_sentence_when_no_two_triggers_turned_up_together(
    owner_client, owner, four
):
    make_checkin(owner, this_month(), {four[0]: 3, four[1]: 1})
    page = dashboard(owner_client).text
    assert "No two triggers have turned up in the same check-in in this period." in page
    assert 'id="fig-cooccurrence"' not in page


def test_a_retired_trigger_still_appears_in_the_charts_for_months_it_was_rated(owner_client, three_months):
    three_months[3].retire()
    response = dashboard(owner_client)
    assert figure(response, "heatmap")["layout"]["yaxis"]["ticktext"][3] == "Delta"
    assert figure(response, "heatmap")["data"][0]["z"][3] == [None, None, 3]
    assert trace(figure(response, "together"), "Strong")["y"] == [1, None, 1]


def test_together_chart_marks_job_changes_in_the_range(owner_client, owner, long_history):
    Job.objects.create(user=owner, employer="Old place", start=ago(40), end=ago(5) - timedelta(days=1))
    Job.objects.create(user=owner, employer="Duo", start=ago(5))
    for range_key, marked in (("12m", ["→ Duo"]), ("all", ["→ Old place", "→ Duo"])):
        layout = figure(dashboard(owner_client, range_key), "together")["layout"]
        starts = [s["x0"] for s in layout["shapes"] if s.get("yref") == "paper"]
        assert sorted(starts) == sorted([iso(ago(5))] + ([iso(ago(40))] if range_key == "all" else []))
        assert sorted(a["text"] for a in layout["annotations"] if a.get("yref") == "paper") == sorted(marked)


# Mid-month: a job starting today starts after the month's first day, where the chart's bar is.
@pytest.mark.time_machine(datetime(2025, 6, 17, 10, tzinfo=UTC))
def test_together_chart_marks_a_job_that_started_this_month(owner_client, owner, long_history):
    start = timezone.localdate()
    assert start != this_month()
    Job.objects.create(user=owner, employer="Brand new", start=start)
    layout = figure(dashboard(owner_client), "together")["layout"]
    assert [s["x0"] for s in layout["shapes"] if s.get("yref") == "paper"] == [iso(start)]
    assert "→ Brand new" in [a["text"] for a in layout["annotations"]]


def test_trigger_titles_in_the_charts_are_escaped_so_plotly_shows_them_as_written(owner_client, owner):
    # Plotly reads a little HTML in labels and hover text; users' words must not be read as HTML.
    tricky = make_trigger(owner, "Pay <b>cut</b>")
    plain = make_trigger(owner, "Plain")
    make_checkin(owner, ago(1), {plain: 3})  # `tricky` was not rated last month
    make_checkin(owner, this_month(), {tricky: 3, plain: 3})
    response = dashboard(owner_client)
    (heat,) = figure(response, "heatmap")["data"]
    assert heat["text"][0][1].startswith("Pay &lt;b&gt;cut&lt;/b&gt;<br>")  # rated
    assert heat["text"][0][0].startswith("Pay &lt;b&gt;cut&lt;/b&gt;<br>")  # not rated
    for name in FIGURES:
        assert "<b>cut</b>" not in json.dumps(figure(response, name)), name


def test_employers_marked_on_the_chart_are_escaped_so_plotly_shows_them_as_written(owner_client, owner):
    make_checkin(owner, this_month(), {make_trigger(owner, "Plain"): 3})
    Job.objects.create(user=owner, employer="<i>Duo</i>", start=this_month())
    layout = figure(dashboard(owner_client), "together")["layout"]
    assert [a["text"] for a in layout["annotations"] if a.get("yref") == "paper"] == [
        "→ &lt;i&gt;Duo&lt;/i&gt;"
    ]


def test_the_tables_beside_the_charts_have_the_same_numbers(owner_client, three_months):
    page = dashboard(owner_client).text
    table = visible_text(
        section(page, r"<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Turning up.*?</tbody>")
    )
    assert f"{this_month():%b %Y} 4 1 Yes" in table
    assert f"{ago(2):%b %Y} 2 1 No" in table


def test_the_heatmap_table_has_each_level_in_words_and_a_dash_where_not_rated(owner_client, three_months):
    page = dashboard(owner_client).text
    table = section(page, r'<table class="heat">.*?</table>')
    assert '<th scope="row">Alpha</th><td>Strong</td><td>–</td><td>Clear</td>' in table
    assert '<th scope="row">Delta</th><td>–</td><td>–</td><td>Strong</td>' in table


def test_the_tables_escape_trigger_titles(owner_client, owner):
    make_checkin(owner, this_month(), {make_trigger(owner, "Pay <b>cut</b>"): 3})
    page = dashboard(owner_client).text
    assert "Pay &lt;b&gt;cut&lt;/b&gt;" in section(page, r'<table class="heat">.*?</table>')
    assert "<b>cut</b>" not in page


# Plotly.js -------------------------------------------------------------------------


def test_dashboard_with_check_ins_loads_the_vendored_plotly_bundle_and_every_figure(
    owner_client, three_months
):
    page = dashboard(owner_client).text
    assert f'src="/static/vendor/plotly/{PLOTLY}"' in page
    assert 'src="/static/js/dashboard.js"' in page
    for name in FIGURES:
        assert f'data-figure="fig-{name}"' in page
        assert re.search(rf'<script[^>]*id="fig-{name}"', page)


def test_vendored_plotly_bundle_is_the_version_the_plotly_package_bundles():
    bundle = Path(settings.BASE_DIR, "static", "vendor", "plotly", PLOTLY)
    header = bundle.read_text(encoding="utf-8")[:500]
    # `make plotly` builds it with the trace types the charts draw, and writes them here.
    found = re.search(r"plotly\.js \(bar, heatmap, scatter - minified\) v(\d+\.\d+\.\d+)", header)
    assert found, header
    assert found.group(1) == plotly.offline.get_plotlyjs_version()


def test_figures_carry_only_the_little_of_a_template_that_shows(owner_client, three_months):
    # plotly's default template is 7 KB in each figure for plotly.js to apply to every trace
    # and axis; what shows of it here is a few axis settings.
    response = dashboard(owner_client)
    for name in FIGURES:
        template = figure(response, name)["layout"].get("template", {})
        assert len(json.dumps(template)) < 300, name
        assert "data" not in template, name  # no defaults for each kind of trace


@pytest.mark.parametrize(
    "page", ["history", "this month's check-in", "last month's check-in", "checklist", "settings"]
)
def test_pages_without_charts_do_not_load_plotly(owner_client, three_months, page):
    url = {
        "this month's check-in": reverse("checkin", args=[this_month()]),
        "last month's check-in": reverse("checkin", args=[ago(1)]),
    }.get(page) or reverse(page)
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "plotly" not in response.text.lower()
    assert "dashboard.js" not in response.text


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
# heatmap's cells, pairs, the latest ratings, rising and the jobs to mark: none of them
# grows with the years.
MAX_QUERIES = 14


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


# plotly.js draws these tags in labels and hover text as <tspan style="…">, which the CSP
# (style-src 'self', no 'unsafe-inline') refuses: the chart's own text must not use them.
STYLED_TAGS = re.compile(r"<(b|i|em|s|u|sup|sub|span|a)\b", re.I)


def chart_texts(value) -> list[str]:
    """Every string in a figure that plotly.js reads as text."""
    if isinstance(value, dict):
        return [s for key, item in value.items() if key != "template" for s in chart_texts(item)]
    if isinstance(value, list):
        return [s for item in value for s in chart_texts(item)]
    return [value] if isinstance(value, str) else []


def test_chart_text_uses_no_tags_that_plotly_draws_with_a_style_attribute(owner_client, owner, three_months):
    CheckIn.objects.get(user=owner, month=this_month()).ratings.update(note="Reorg announced")
    Job.objects.create(user=owner, employer="Duo", start=ago(1))
    response = dashboard(owner_client)
    for name in FIGURES:
        styled = [s for s in chart_texts(figure(response, name)) if STYLED_TAGS.search(s)]
        assert styled == [], name


# Long histories: by the quarter or the year ------------------------------------------


def table_rows(page: str, first_column: str) -> list[str]:
    """The rows, as text, of the table whose first column is `first_column`."""
    found = section(
        page, rf'<thead><tr><th scope="col">{first_column}</th><th scope="col">Turning up.*?</tbody>'
    )
    return [visible_text(row) for row in re.findall(r"<tr>.*?</tr>", found, re.S)[1:]]


def test_a_history_from_1970_is_shown_by_the_year_with_a_missed_year_as_a_gap(owner_client, owner, four):
    a, b, c, _ = four
    make_checkin(owner, FIRST_MONTH, {a: 3, b: 2, c: 2}, wellbeing=2, hours=40)
    make_checkin(owner, date(1970, 6, 1), {a: 1}, wellbeing=5)
    make_checkin(owner, date(1972, 3, 1), {a: 2, b: 2, c: 2})  # 1971 missed
    make_checkin(owner, this_month(), {a: 3})
    response = dashboard(owner_client, "all")
    years = list(range(1970, this_month().year + 1))
    assert starts(response) == [date(year, 1, 1) for year in years]
    assert len(years) <= 60
    for name in ("together", "wellbeing"):
        for series in figure(response, name)["data"]:
            assert len(series["x"]) == len(years)
            assert series["y"][1] is None, (name, series["name"])  # 1971: a gap, never a zero
    strong = trace(figure(response, "together"), "Strong")
    assert strong["y"][:3] == [0.5, None, 0]  # a mean per check-in: one Strong in two check-ins
    assert strong["customdata"][0] == "1970 (mean of 2 check-ins)"
    assert trace(figure(response, "wellbeing"), "Wellbeing")["y"][0] == 3.5
    rows = table_rows(response.text, "Year")
    assert rows[-1] == "1970 1.5 0.5 In 1 of 2 check-ins"  # the tables say what the charts show
    assert rows[-2] == "1971 No check-in"
    assert rows[-3] == "1972 3 0 In 1 of 1 check-in"
    assert "one year at a time: its numbers are the means of its check-ins, its levels the strongest" in (
        response.text
    )


def test_the_heatmap_by_the_year_shows_each_triggers_strongest_level_and_what_it_is_taken_from(
    owner_client, owner, four
):
    a = four[0]
    make_checkin(owner, FIRST_MONTH, {a: 1})
    make_checkin(owner, date(1970, 7, 1), {a: 3})
    make_checkin(owner, this_month(), {a: 2})
    response = dashboard(owner_client, "all")
    heat = figure(response, "heatmap")["data"][0]
    assert heat["z"][0][0] == 3
    assert heat["z"][0][1] is None
    assert "1970: Strong<br>the strongest of 2 ratings that year" in heat["text"][0][0]
    table = section(response.text, r'<table class="heat">.*?</table>')
    assert '<th scope="row">Alpha</th><td>Strong</td><td>–</td>' in table
    assert "Each trigger, year by year" in response.text


def test_nine_years_are_shown_by_the_quarter_with_a_missed_quarter_as_a_gap(owner_client, owner, four):
    first = period_start(ago(12 * 9), "quarter")
    make_checkin(owner, first, {four[0]: 3})
    make_checkin(owner, add_months(first, 6), {four[0]: 2})  # the quarter between them missed
    make_checkin(owner, this_month(), {four[0]: 1})
    response = dashboard(owner_client, "all")
    quarters = starts(response)
    assert quarters[:3] == [first, add_months(first, 3), add_months(first, 6)]
    assert quarters[-1] == period_start(this_month(), "quarter")
    assert all(later == add_months(earlier, 3) for earlier, later in itertools.pairwise(quarters))
    assert trace(figure(response, "together"), "Strong")["y"][:3] == [1, None, 0]
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
    pairs = figure(response, "cooccurrence")
    assert len(pairs["data"][0]["z"]) == PAIR_TRIGGERS
    assert len(response.context["dashboard"].pairs) <= PAIR_TRIGGERS * (PAIR_TRIGGERS - 1) // 2
    heat = figure(response, "heatmap")["data"][0]
    assert len(heat["z"]) == HEATMAP_TRIGGERS
    assert len(response.context["dashboard"].heat_rows) == HEATMAP_TRIGGERS
    rated = response.context["dashboard"].heat_more + HEATMAP_TRIGGERS
    assert f"{rated - HEATMAP_TRIGGERS} more were rated." in response.text
    assert f"{rated - PAIR_TRIGGERS} more turned up too." in response.text


def test_the_pair_chart_shows_the_triggers_turning_up_most_often_and_says_how_many_more_did(
    owner_client, owner
):
    triggers = [make_trigger(owner, f"T{n:02}") for n in range(PAIR_TRIGGERS + 2)]
    often, rarely = triggers[2:], triggers[:2]  # the first two turn up once, the rest twice
    make_checkin(owner, ago(1), dict.fromkeys(triggers, 3))
    make_checkin(owner, this_month(), dict.fromkeys(often, 2))
    response = dashboard(owner_client)
    fig = figure(response, "cooccurrence")
    assert fig["layout"]["xaxis"]["ticktext"] == [t.title for t in often]
    assert fig["data"][0]["z"][0][:2] == [2, 2]
    assert "The 12 triggers that turned up most often in this period; 2 more turned up too." in response.text
    pairs = visible_text(section(response.text, r"<summary>As a list</summary>.*?</ul>"))
    assert pairs.count("check-in") == PAIR_TRIGGERS * (PAIR_TRIGGERS - 1) // 2
    assert all(t.title not in pairs for t in rarely)
    # The heatmap still has every trigger: there is room for them.
    assert len(figure(response, "heatmap")["data"][0]["z"]) == len(triggers)
    assert "more were rated" not in response.text
