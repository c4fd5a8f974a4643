"""The history page: every month since the first check-in, newest first, with its counts;
a missed month says so and leads to filling it in."""

import re

import pytest
from django.urls import reverse

from assessments.models import CheckIn, UserSettings, add_months, months_in, previous_month, this_month

from .factories import make_checkin, make_trigger
from .helpers import visible_text

pytestmark = pytest.mark.django_db

COLUMNS = [
    "Month",
    "Turning up",
    "Strong",
    "Rated",
    "Wellbeing",
    "Job satisfaction",
    "Energy",
    "Weekly hours",
]


def rows(html: str) -> list[dict[str, str]]:
    """The history table's body as {column: cell text}; a missed month as {"Month", "Missed"}."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body, "no history table"
    table = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = [visible_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        columns = ["Month", "Missed"] if len(cells) == 2 else COLUMNS
        table.append(dict(zip(columns, cells, strict=True)))
    return table


def months(html: str) -> list[str]:
    return [row["Month"] for row in rows(html)]


def test_history_lists_check_ins_newest_first_with_their_counts(owner_client, owner):
    a, b, c, d = list(owner.triggers.all()[:4])
    months = [this_month(), previous_month(this_month()), add_months(this_month(), -4)]
    # Created out of order: the page orders them, not the database.
    make_checkin(owner, months[2], {a: 3, b: 3, c: 2, d: 1}, wellbeing=2, satisfaction=1, energy=3, hours=0)
    make_checkin(owner, months[0], {a: 1}, wellbeing=5, satisfaction=4, hours=38)
    make_checkin(owner, months[1], {a: 2, b: 0}, satisfaction=3, energy=2)
    response = owner_client.get(reverse("history"))
    assert response.status_code == 200
    checked_in = [row for row in rows(response.text) if "Missed" not in row]
    assert checked_in == [
        {
            "Month": f"{months[0]:%B %Y}",
            "Turning up": "0",
            "Strong": "0",
            "Rated": "1",
            "Wellbeing": "5",
            "Job satisfaction": "4",
            "Energy": "–",
            "Weekly hours": "38",
        },
        {
            "Month": f"{months[1]:%B %Y} Backfilled",
            "Turning up": "1",
            "Strong": "0",
            "Rated": "2",
            "Wellbeing": "–",
            "Job satisfaction": "3",
            "Energy": "2",
            "Weekly hours": "–",
        },
        {
            "Month": f"{months[2]:%B %Y} Backfilled",
            "Turning up": "3",
            "Strong": "2",
            "Rated": "4",
            "Wellbeing": "2",
            "Job satisfaction": "1",
            "Energy": "3",
            "Weekly hours": "0",
        },
    ]


def test_history_counts_turning_up_at_the_users_own_turn_up_level(owner_client, owner):
    a, b, c = list(owner.triggers.all()[:3])
    UserSettings.objects.update_or_create(user=owner, defaults={"turn_up_level": 3})
    make_checkin(owner, this_month(), {a: 3, b: 2, c: 2})
    [row] = rows(owner_client.get(reverse("history")).text)
    assert row["Turning up"] == "1"


def test_each_check_in_links_to_its_page(owner_client, owner):
    months = [this_month(), add_months(this_month(), -13)]
    for month in months:
        make_checkin(owner, month)
    text = owner_client.get(reverse("history")).text
    for month in months:
        link = reverse("checkin", args=[month])
        assert f'<a href="{link}">{month:%B %Y}</a>' in text
        assert owner_client.get(link).status_code == 200


def test_a_retired_triggers_ratings_still_count_in_history(owner_client, owner):
    trigger = owner.triggers.first()
    make_checkin(owner, previous_month(this_month()), {trigger: 3})
    trigger.retire()
    [row] = [row for row in rows(owner_client.get(reverse("history")).text) if "Missed" not in row]
    assert (row["Turning up"], row["Strong"], row["Rated"]) == ("1", "1", "1")


def test_other_users_check_ins_are_not_in_history(owner_client, owner, other):
    theirs = make_trigger(other, "Their trigger")
    make_checkin(other, add_months(this_month(), -7), {theirs: 3}, wellbeing=1)
    make_checkin(other, this_month(), {theirs: 3})
    make_checkin(owner, this_month(), wellbeing=4)
    text = owner_client.get(reverse("history")).text
    assert months(text) == [f"{this_month():%B %Y}"]
    assert f"{add_months(this_month(), -7):%B %Y}" not in text


def test_a_missed_month_is_a_no_check_in_row_that_leads_to_filling_it_in(owner_client, owner):
    make_checkin(owner, add_months(this_month(), -3), wellbeing=3)
    make_checkin(owner, previous_month(this_month()), wellbeing=4)
    text = owner_client.get(reverse("history")).text
    missed = [add_months(this_month(), -2)]
    table = rows(text)
    assert table[2] == {"Month": f"{missed[0]:%B %Y}", "Missed": f"No check-in · Fill in {missed[0]:%B}"}
    assert f'<a href="{reverse("checkin", args=[missed[0]])}">Fill in {missed[0]:%B}</a>' in text


def test_history_runs_from_the_first_check_in_to_this_month_newest_first(owner_client, owner):
    first = add_months(this_month(), -14)
    make_checkin(owner, first)
    make_checkin(owner, add_months(this_month(), -5))
    table = rows(owner_client.get(reverse("history")).text)
    assert [row["Month"].removesuffix(" Backfilled") for row in table] == [
        f"{add_months(this_month(), -n):%B %Y}" for n in range(15)
    ]
    checked_in = [n for n, row in enumerate(table) if "Missed" not in row]
    assert checked_in == [5, 14]
    # This month, not done yet, is the first row, offered like any other missed month.
    assert table[0]["Missed"] == f"No check-in · Fill in {this_month():%B}"


@pytest.mark.parametrize("years", [1, 20])
def test_history_takes_the_same_queries_for_one_year_or_twenty(
    owner_client, owner, years, django_assert_num_queries
):
    trigger = owner.triggers.first()
    for n in range(0, years * 12, 2):  # every other month missed
        make_checkin(owner, add_months(this_month(), -n), {trigger: 2})
    # Session, user, settings, the check-ins' count, the page's check-ins, the next newer one.
    with django_assert_num_queries(6):
        response = owner_client.get(reverse("history"))
    assert len(rows(response.text)) == min(years * 12 - 1, 119)


def test_every_missed_month_is_on_exactly_one_page(owner_client, owner):
    checked_in = [add_months(this_month(), -n) for n in (2, *range(10, 250, 3))]  # 81 check-ins
    for month in checked_in:
        make_checkin(owner, month)
    seen = []
    for number in (1, 2):
        seen += months(owner_client.get(reverse("history"), {"page": number}).text)
    first = min(checked_in)
    expected = [f"{add_months(this_month(), -n):%B %Y}" for n in range(months_in(first, this_month()))]
    assert [month.removesuffix(" Backfilled") for month in seen] == expected


def test_history_without_check_ins_invites_the_first(owner_client, other):
    make_checkin(other, this_month())
    response = owner_client.get(reverse("history"))
    assert response.status_code == 200
    assert "No check-ins yet." in response.text
    assert reverse("checkin_current") in response.text
    assert "<tbody>" not in response.text


def test_history_is_read_only(owner_client):
    assert owner_client.post(reverse("history")).status_code == 405


def test_anonymous_visitor_is_sent_to_log_in_from_history(client):
    response = client.get(reverse("history"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('history')}"


def test_history_shows_five_years_a_page_newest_first_with_links_to_the_others(owner_client, owner):
    CheckIn.objects.bulk_create(CheckIn(user=owner, month=add_months(this_month(), -n)) for n in range(61))
    first = owner_client.get(reverse("history"))
    months = [row["Month"] for row in rows(first.text)]
    assert len(months) == 60
    assert months[0].startswith(f"{this_month():%B %Y}")
    assert "Check-ins 1–60 of 61" in first.text
    assert '<a href="?page=2" rel="next">Older check-ins →</a>' in first.text
    assert 'rel="prev"' not in first.text
    second = owner_client.get(reverse("history"), {"page": 2})
    assert [row["Month"] for row in rows(second.text)] == [f"{add_months(this_month(), -60):%B %Y}"]
    assert '<a href="?page=1" rel="prev">← Newer check-ins</a>' in second.text
    assert owner_client.get(reverse("history"), {"page": "nonsense"}).status_code == 200


def test_history_of_a_few_years_has_no_page_links(owner_client, owner):
    make_checkin(owner, this_month())
    assert "Older check-ins" not in owner_client.get(reverse("history")).text
