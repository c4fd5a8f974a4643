"""What the check-in page tells a person as they go: its introduction, the summary before
anything is rated, "N of M answered", the done state and the month before to fill in."""

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from assessments.models import CheckIn, Trigger, UserSettings, add_months, previous_month, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, Response, client_for, search, visible_text

pytestmark = pytest.mark.django_db


def page(client: Client, month: date | None = None) -> str:
    response = client.get(reverse("checkin", args=[month or this_month()]))
    assert response.status_code == 200
    return response.text


def autosave(client: Client, data: dict[str, str], month: date | None = None) -> Response:
    return client.post(reverse("checkin", args=[month or this_month()]), data, **HTMX)


def text_of(html: str, element_id: str) -> str:
    return visible_text(search(rf'<(\w+) id="{element_id}"[^>]*>(.*?)</\1>', html, re.S).group(2))


def summary(html: str) -> str:
    return text_of(html, "summary")


def progress(html: str) -> str:
    return text_of(html, "progress")


def done(html: str) -> str:
    return text_of(html, "done")


def answer_everything(user, month: date, **fields) -> CheckIn:
    triggers = Trigger.objects.filter(user=user, retired__isnull=True)
    return make_checkin(
        user, month, dict.fromkeys(triggers, 1), wellbeing=3, satisfaction=3, energy=3, **fields
    )


# The introduction ---------------------------------------------------------------------


def intro(html: str) -> str:
    return search(r'<details class="intro card" id="intro"[^>]*>.*?</details>', html, re.S).group(0)


def intro_is_open(html: str) -> bool:
    return bool(re.match(r'<details class="intro card" id="intro" open>', intro(html)))


def test_a_new_account_finds_the_check_in_explained_with_the_levels_and_where_triggers_turn_up(
    owner_client,
):
    html = page(owner_client)
    assert intro_is_open(html)
    words = visible_text(intro(html))
    assert "leave triggers" in words
    assert "No single trigger is a reason to leave" in words
    for level, meaning in [
        ("Not present", "not there this month"),
        ("Faint", "there in the background"),
        ("Clear", "plainly there"),
        ("Strong", "hard to ignore"),
    ]:
        assert f"{level} {meaning}" in words
    assert "A trigger turns up when it is Clear or stronger" in words


def test_the_introduction_says_the_persons_own_turn_up_level(owner_client, owner):
    UserSettings.objects.filter(user=owner).update(turn_up_level=3)
    assert "turns up</strong> when it is Strong or stronger" in intro(page(owner_client))


def test_hiding_the_introduction_keeps_it_closed_but_still_there(owner_client, owner):
    response = owner_client.post(reverse("checkin_intro", args=[this_month()]), {"open": "0"})
    assert response.status_code == 302
    assert response.url == reverse("checkin", args=[this_month()])
    html = page(owner_client)
    assert not intro_is_open(html)
    assert "<summary>How the check-in works</summary>" in intro(html)
    # On every month's page.
    assert not intro_is_open(page(owner_client, previous_month(this_month())))


def test_opening_the_introduction_again_keeps_it_open(owner_client, owner):
    UserSettings.objects.filter(user=owner).update(checkin_intro=False)
    response = owner_client.post(reverse("checkin_intro", args=[this_month()]), {"open": "1"}, **HTMX)
    assert response.status_code == 204
    assert intro_is_open(page(owner_client))


def test_the_introduction_is_each_persons_own(owner_client, other_client, owner, other):
    owner_client.post(reverse("checkin_intro", args=[this_month()]), {"open": "0"})
    assert UserSettings.objects.get(user=other).checkin_intro is True
    assert intro_is_open(page(other_client))


@pytest.mark.parametrize("value", ["", "yes", "2", None])
def test_an_unclear_open_or_closed_is_refused_and_changes_nothing(owner_client, owner, value):
    data = {} if value is None else {"open": value}
    response = owner_client.post(reverse("checkin_intro", args=[this_month()]), data)
    assert response.status_code == 400
    assert UserSettings.objects.get(user=owner).checkin_intro is True


def test_closing_the_introduction_needs_the_csrf_token(owner):
    client = client_for(owner, enforce_csrf_checks=True)
    response = client.post(reverse("checkin_intro", args=[this_month()]), {"open": "0"})
    assert response.status_code == 403
    assert UserSettings.objects.get(user=owner).checkin_intro is True


def test_the_introductions_state_is_not_part_of_a_backup(owner_client, owner):
    UserSettings.objects.filter(user=owner).update(checkin_intro=False)
    assert "checkin_intro" not in owner_client.get(reverse("backup")).json()["settings"]


# The summary and the progress ---------------------------------------------------------


def test_before_the_first_answer_the_summary_says_nothing_is_rated_yet(owner_client):
    html = page(owner_client)
    assert summary(html) == "Nothing rated yet"
    assert progress(html) == "0 of 14 answered"
    assert done(html) == ""


def test_scores_alone_rate_no_trigger_yet_but_count_as_answered(owner_client):
    response = autosave(owner_client, {"wellbeing": "4"})
    assert summary(response.text) == "Nothing rated yet"
    assert progress(response.text) == "1 of 14 answered"
    assert summary(page(owner_client)) == "Nothing rated yet"


def test_once_a_trigger_is_rated_the_summary_counts_what_turns_up(owner_client, owner):
    first, second = owner.triggers.all()[:2]
    response = autosave(owner_client, {f"level_{first.pk}": "0", f"note_{first.pk}": ""})
    assert summary(response.text) == "No triggers turning up"
    response = autosave(owner_client, {f"level_{second.pk}": "3", f"note_{second.pk}": ""})
    assert summary(response.text) == "1 trigger turning up together"
    assert progress(response.text) == "2 of 14 answered"


def test_progress_counts_the_three_scores_and_every_trigger_but_not_hours_or_notes(owner_client, owner):
    first, second = owner.triggers.all()[:2]
    make_checkin(
        owner,
        this_month(),
        {first: 2, second: 0},
        wellbeing=2,
        energy=4,
        hours=45,
        notes="A long week",
        talking_points="Ask about the roadmap",
    )
    assert progress(page(owner_client)) == "4 of 14 answered"
    response = autosave(owner_client, {"hours": "30", "notes": "Better"})
    assert progress(response.text) == "4 of 14 answered"


def test_progress_counts_a_retired_trigger_only_where_it_was_rated(owner_client, owner):
    rated, unrated = owner.triggers.all()[:2]
    make_checkin(owner, previous_month(this_month()), {rated: 2})
    rated.retire()
    unrated.retire()
    assert progress(page(owner_client, previous_month(this_month()))) == "1 of 13 answered"
    assert progress(page(owner_client)) == "0 of 12 answered"


def test_progress_follows_the_checklist_as_it_is_now(owner_client, owner):
    make_trigger(owner, "Too many meetings")
    assert progress(page(owner_client)) == "0 of 15 answered"


def test_an_empty_checklist_has_just_the_three_scores_to_answer(db):
    user = make_user("solo", default_checklist=False)
    response = autosave(client_for(user), {"wellbeing": "3", "satisfaction": "3", "energy": "3"})
    assert progress(response.text) == "3 of 3 answered"
    assert "Check-in for" in done(response.text)


def test_an_autosave_costs_the_same_queries_however_long_the_checklist(
    owner_client, owner, django_assert_num_queries
):
    first = owner.triggers.first()
    make_checkin(owner, this_month())
    data = {f"level_{first.pk}": "2", f"note_{first.pk}": ""}
    autosave(owner_client, data)  # warm: the session and the like
    with django_assert_num_queries(9) as few:
        autosave(owner_client, data)
    for n in range(30):
        make_trigger(owner, f"Extra trigger {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        autosave(owner_client, data)


# Done -----------------------------------------------------------------------------------


def test_with_every_question_answered_the_check_in_is_done_with_the_way_to_the_dashboard(owner_client, owner):
    answer_everything(owner, previous_month(this_month()))
    answer_everything(owner, this_month())
    html = page(owner_client)
    assert progress(html) == "14 of 14 answered"
    assert done(html).startswith(f"Check-in for {this_month():%B} done")
    assert f'<a class="button" href="{reverse("dashboard")}">See your trends</a>' in html
    assert "Fill in" not in done(html)  # there is an earlier check-in to compare with


def test_the_answer_that_completes_the_check_in_brings_the_done_state(owner_client, owner):
    checkin = answer_everything(owner, this_month())
    checkin.ratings.order_by("pk")[0].delete()
    trigger = Trigger.objects.filter(user=owner).exclude(ratings__checkin=checkin).get()
    html = page(owner_client)
    assert progress(html) == "13 of 14 answered"
    assert done(html) == ""
    response = autosave(owner_client, {f"level_{trigger.pk}": "1", f"note_{trigger.pk}": ""})
    assert progress(response.text) == "14 of 14 answered"
    assert done(response.text).startswith(f"Check-in for {this_month():%B} done")


def test_a_first_check_in_done_offers_the_month_before_it(owner_client, owner):
    answer_everything(owner, this_month())
    last = previous_month(this_month())
    html = page(owner_client)
    assert f"Fill in {last:%B} too , so trends have something to compare." in done(html)
    assert f'<a href="{reverse("checkin", args=[last])}">Fill in {last:%B} too</a>' in html


def test_a_month_in_another_year_is_named_with_its_year(owner_client, owner):
    month = date(this_month().year - 2, 11, 1)
    answer_everything(owner, month)
    assert done(page(owner_client, month)).startswith(f"Check-in for November {month.year} done")


def test_the_dashboard_offers_last_month_while_this_months_is_the_only_check_in(owner_client, owner):
    answer_everything(owner, this_month())
    last = previous_month(this_month())
    html = owner_client.get(reverse("dashboard")).text
    assert f'<a href="{reverse("checkin", args=[last])}">Fill in {last:%B} too</a>' in html
    make_checkin(owner, add_months(this_month(), -3))
    assert "so trends have something to compare" not in owner_client.get(reverse("dashboard")).text


# Save check-in ------------------------------------------------------------------------


def test_the_save_button_is_on_the_page_for_a_browser_without_javascript(owner_client):
    # checkin.js hides it: with JavaScript every answer has saved itself (tests/e2e).
    assert re.search(
        r'<div class="actions">\s*<button type="submit">Save check-in</button>', page(owner_client)
    )


# Short names for the accounts made before them ---------------------------------------


def test_existing_triggers_still_worded_as_their_default_get_its_short_name(db):
    migration = importlib.import_module("assessments.migrations.0013_trigger_short_name_and_checkin_intro")
    user = make_user("earlier", default_checklist=False)
    kept = make_trigger(user, "Lack of career improvement or growth potential")
    reworded = make_trigger(user, "Lack of career growth, and no training budget")
    named = make_trigger(user, "Being unsatisfied at my job", short_name="Unhappy")
    make_checkin(user, this_month())
    newcomer = make_user("newer")

    migration.name_old_defaults(apps, None)

    assert Trigger.objects.get(pk=kept.pk).short_name == "Growth"
    assert Trigger.objects.get(pk=kept.pk).title == "Lack of career improvement or growth potential"
    assert Trigger.objects.get(pk=reworded.pk).short_name == ""
    assert Trigger.objects.get(pk=named.pk).short_name == "Unhappy"
    # Someone who has checked in before knows the check-in; a newcomer gets its introduction.
    assert UserSettings.objects.get(user=user).checkin_intro is False
    assert UserSettings.objects.get(user=newcomer).checkin_intro is True
