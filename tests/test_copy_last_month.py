"""“Copy last month's answers”: the unanswered scores and levels of a check-in filled from the
latest one before it, in one request and one transaction. Notes never travel, and no answer
already given changes."""

import json
from datetime import date

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from assessments.models import CheckIn, Rating, Trigger, add_months, previous_month, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, Response, as_user, client_for, htmx_headers, in_parallel, search, snapshot

pytestmark = pytest.mark.django_db

BUTTON = "Copy last month's answers"


def copy(client: Client, month: date | None = None, *, htmx: bool = False) -> Response:
    return client.post(reverse("checkin_copy", args=[month or this_month()]), **htmx_headers(htmx))


def levels(user, month: date) -> dict[int, int]:
    return dict(
        Rating.objects.filter(checkin__user=user, checkin__month=month).values_list("trigger_id", "level")
    )


@pytest.fixture
def triggers(owner) -> list[Trigger]:
    return list(owner.triggers.filter(retired__isnull=True))


@pytest.fixture
def last_month(owner, triggers) -> CheckIn:
    """Last month, every question answered, with notes everywhere."""
    checkin = make_checkin(
        owner,
        previous_month(this_month()),
        {t: n % 4 for n, t in enumerate(triggers)},
        wellbeing=2,
        satisfaction=3,
        energy=4,
        hours=50,
        notes="Last month's private note",
        talking_points="Last month's talking point",
    )
    checkin.ratings.update(note="What happened last month")
    return checkin


def test_copying_fills_every_score_and_level_from_last_month_without_its_notes(
    owner_client, owner, triggers, last_month
):
    response = copy(owner_client)
    assert response.status_code == 302
    assert response["Location"] == reverse("checkin", args=[this_month()]) + "#done"
    checkin = CheckIn.objects.get(user=owner, month=this_month())
    assert (checkin.wellbeing, checkin.satisfaction, checkin.energy) == (2, 3, 4)
    assert (checkin.hours, checkin.notes, checkin.talking_points) == (None, "", "")
    assert levels(owner, this_month()) == levels(owner, last_month.month)
    assert set(checkin.ratings.values_list("note", flat=True)) == {""}
    page = owner_client.get(response["Location"]).text
    assert f"Copied 14 answers from {last_month.month:%B %Y}." in page
    assert "14 of 14 answered" in page
    assert f"Check-in for {this_month():%B} done" in page


def test_answers_already_given_are_kept_and_only_the_rest_is_copied(
    owner_client, owner, triggers, last_month
):
    first, second = triggers[:2]
    make_checkin(owner, this_month(), {first: 3}, energy=1, notes="This month's note")
    Rating.objects.filter(checkin__month=this_month(), trigger=first).update(note="Mine")
    copy(owner_client)
    checkin = CheckIn.objects.get(user=owner, month=this_month())
    assert (checkin.wellbeing, checkin.satisfaction, checkin.energy) == (2, 3, 1)
    assert checkin.notes == "This month's note"
    assert Rating.objects.get(checkin=checkin, trigger=first).level == 3
    assert Rating.objects.get(checkin=checkin, trigger=first).note == "Mine"
    assert levels(owner, this_month())[second.pk] == last_month.ratings.get(trigger=second).level


def test_a_trigger_retired_since_is_not_copied_and_one_added_since_stays_unanswered(
    owner_client, owner, triggers, last_month
):
    retired = triggers[0]
    retired.retire()
    added = make_trigger(owner, "Too many meetings")
    copy(owner_client)
    copied = levels(owner, this_month())
    assert retired.pk not in copied
    assert added.pk not in copied
    assert len(copied) == len(triggers) - 1
    assert "13 of 14 answered" in owner_client.get(reverse("checkin", args=[this_month()])).text


def test_a_missed_month_is_skipped_to_the_latest_check_in_before(owner_client, owner, triggers):
    make_checkin(owner, add_months(this_month(), -5), {triggers[0]: 1}, wellbeing=5)
    make_checkin(owner, add_months(this_month(), -3), {triggers[0]: 3}, wellbeing=1)
    response = copy(owner_client, htmx=True)
    assert "Copied 2 answers from" in response.text
    assert levels(owner, this_month()) == {triggers[0].pk: 3}
    assert CheckIn.objects.get(user=owner, month=this_month()).wellbeing == 1


def test_a_past_month_copies_from_the_one_before_it_not_from_later_ones(owner_client, owner, triggers):
    make_checkin(owner, add_months(this_month(), -4), {triggers[0]: 1})
    make_checkin(owner, this_month(), {triggers[0]: 3})
    copy(owner_client, add_months(this_month(), -2))
    assert levels(owner, add_months(this_month(), -2)) == {triggers[0].pk: 1}


def test_with_javascript_the_answer_names_what_was_filled_in_and_where_the_check_in_stands(
    owner_client, owner, triggers, last_month
):
    make_checkin(owner, this_month(), {triggers[0]: 0}, wellbeing=5)
    response = copy(owner_client, htmx=True)
    assert response.status_code == 200
    copied = json.loads(
        search(r'<script id="copied" type="application/json">(.*?)</script>', response.text).group(1)
    )
    expected = {f"level_{t.pk}": n % 4 for n, t in enumerate(triggers) if t != triggers[0]}
    assert copied == {"satisfaction": 3, "energy": 4, **expected}
    assert f"Copied 12 answers from {last_month.month:%B %Y}." in response.text
    assert '<p id="progress" class="progress complete">14 of 14 answered</p>' in response.text
    assert 'id="summary"' in response.text and f"Check-in for {this_month():%B} done" in response.text


def test_without_an_earlier_check_in_copying_is_refused_clearly_and_writes_nothing(owner_client, owner):
    before = snapshot()
    response = copy(owner_client)
    assert response.status_code == 400
    assert f"There is no check-in before {this_month():%B %Y} to copy from." in response.text
    assert snapshot() == before
    response = copy(owner_client, htmx=True)
    assert response.status_code == 422
    assert "There is no check-in before" in response.text
    assert snapshot() == before  # not even an empty check-in for the month


def test_with_nothing_left_to_copy_it_is_refused_and_nothing_changes(
    owner_client, owner, triggers, last_month
):
    make_checkin(owner, this_month(), dict.fromkeys(triggers, 3), wellbeing=1, satisfaction=1, energy=1)
    before = snapshot()
    response = copy(owner_client, htmx=True)
    assert response.status_code == 422
    assert "Nothing to copy" in response.text
    assert snapshot() == before


def test_the_copy_is_all_or_nothing(owner_client, owner, last_month, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Rating.objects, "bulk_create", fail)
    before = snapshot()
    assert copy(as_user(owner)).status_code == 500
    assert snapshot() == before  # the scores written before the failure were rolled back


def test_copying_needs_the_csrf_token(owner, last_month):
    client = client_for(owner, enforce_csrf_checks=True)
    before = snapshot()
    assert copy(client).status_code == 403
    assert snapshot() == before
    client.get(reverse("checkin", args=[this_month()]))  # sets the token cookie
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("checkin_copy", args=[this_month()]), HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200


def test_copying_reads_and_writes_only_the_persons_own_check_ins(owner_client, owner, other):
    theirs = other.triggers.first()
    make_checkin(other, previous_month(this_month()), {theirs: 3}, wellbeing=1)
    their_month = make_checkin(other, this_month(), energy=2)
    before = (
        list(CheckIn.objects.filter(user=other).values()),
        list(Rating.objects.filter(checkin__user=other).values()),
    )
    # The owner has no earlier check-in of their own: another person's is not one.
    assert copy(owner_client).status_code == 400
    make_checkin(owner, previous_month(this_month()), {owner.triggers.first(): 2}, wellbeing=4)
    assert copy(owner_client).status_code == 302
    after = (
        list(CheckIn.objects.filter(user=other).values()),
        list(Rating.objects.filter(checkin__user=other).values()),
    )
    assert after == before
    assert CheckIn.objects.get(pk=their_month.pk).wellbeing is None
    assert CheckIn.objects.get(user=owner, month=this_month()).wellbeing == 4


def test_a_future_month_is_refused(owner_client, owner, last_month):
    before = snapshot()
    response = copy(owner_client, add_months(this_month(), 1))
    assert response.status_code == 400
    assert "hasn’t started yet" in response.text
    assert snapshot() == before


def test_copying_must_be_posted(owner_client, last_month):
    assert owner_client.get(reverse("checkin_copy", args=[this_month()])).status_code == 405


@pytest.mark.parametrize("extra", [0, 30])
def test_copying_costs_the_same_queries_however_long_the_checklist(
    owner_client, owner, extra, django_assert_num_queries
):
    added = [make_trigger(owner, f"Extra trigger {n}") for n in range(extra)]
    make_checkin(
        owner, previous_month(this_month()), dict.fromkeys([*owner.triggers.all(), *added], 2), wellbeing=3
    )
    with django_assert_num_queries(14):
        copy(owner_client, htmx=True)
    assert len(levels(owner, this_month())) == 11 + extra


# The button ------------------------------------------------------------------------------


def test_the_button_is_offered_when_last_month_has_something_to_copy(owner_client, last_month):
    assert BUTTON in owner_client.get(reverse("checkin", args=[this_month()])).text


def test_the_button_is_not_offered_without_an_earlier_check_in(owner_client):
    assert BUTTON not in owner_client.get(reverse("checkin", args=[this_month()])).text


def test_the_button_is_not_offered_when_every_answer_it_could_copy_is_given(owner_client, owner, triggers):
    make_checkin(owner, previous_month(this_month()), {triggers[0]: 2}, wellbeing=3)
    make_checkin(owner, this_month(), {triggers[0]: 0}, wellbeing=5)
    assert BUTTON not in owner_client.get(reverse("checkin", args=[this_month()])).text


# At the same time ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_a_copy_sent_with_autosaves_at_once_keeps_every_autosave_and_fills_the_rest(round_):
    user = make_user("racer")
    triggers = list(user.triggers.filter(retired__isnull=True))
    make_checkin(user, previous_month(this_month()), dict.fromkeys(triggers, 1), wellbeing=2)
    clients = [as_user(user) for _ in range(6)]
    url = reverse("checkin", args=[this_month()])

    def send(n: int) -> Response:
        if n == round_:  # the copy goes out first, in the middle or last of the burst
            return copy(clients[n], htmx=True)
        trigger = triggers[n]
        return clients[n].post(url, {f"level_{trigger.pk}": "3", f"note_{trigger.pk}": ""}, **HTMX)

    codes = in_parallel(6, send)
    assert codes == [200] * 6
    autosaved = {t.pk for n, t in enumerate(triggers[:6]) if n != round_}
    stored = levels(user, this_month())
    assert {pk: stored[pk] for pk in autosaved} == dict.fromkeys(autosaved, 3)
    assert {pk: level for pk, level in stored.items() if pk not in autosaved} == {
        t.pk: 1 for t in triggers if t.pk not in autosaved
    }
    assert CheckIn.objects.get(user=user, month=this_month()).wellbeing == 2
