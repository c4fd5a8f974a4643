"""The monthly check-in: the page, autosave, the plain form, and bad input."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from assessments.forms import CheckInForm
from assessments.models import (
    ANSWER_FIELDS,
    CheckIn,
    Rating,
    Trigger,
    UserSettings,
    add_months,
    next_month,
    previous_month,
    this_month,
)

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, client_for, snapshot

pytestmark = pytest.mark.django_db

LEVEL_LABELS = ["Not present", "Faint", "Clear", "Strong"]


def url(month: date) -> str:
    return reverse("checkin", args=[month])


def autosave(client, month: date, data: dict):
    return client.post(url(month), data, **HTMX)


def fieldset(html: str, trigger: Trigger) -> str:
    """The trigger's fieldset on the check-in page ('' when it is not there)."""
    found = re.search(rf'<fieldset class="trigger" id="trigger-{trigger.pk}">.*?</fieldset>', html, re.S)
    return found.group(0) if found else ""


def checked_level(html: str, trigger: Trigger) -> str | None:
    found = re.search(rf'name="level_{trigger.pk}" value="(\d)" checked', html)
    return found.group(1) if found else None


def first_triggers(user, count: int) -> list[Trigger]:
    return list(user.triggers.filter(retired__isnull=True)[:count])


@pytest.fixture
def trigger(owner) -> Trigger:
    return owner.triggers.first()


# The page ---------------------------------------------------------------------


def test_checkin_without_a_month_goes_to_this_month(owner_client):
    response = owner_client.get(reverse("checkin_current"))
    assert response.status_code == 302
    assert response.url == url(this_month())


def test_owner_sees_every_active_trigger_with_four_levels(owner_client, owner):
    response = owner_client.get(url(this_month()))
    assert response.status_code == 200
    for trigger in owner.triggers.all():
        html = fieldset(response.text, trigger)
        assert f"<legend>{trigger.title}</legend>" in html
        labels = re.findall(rf'name="level_{trigger.pk}" value="\d"> ([^<]+)</label>', html)
        assert labels == LEVEL_LABELS


def test_the_page_asks_about_wellbeing_satisfaction_and_energy_first(owner_client, owner):
    text = owner_client.get(url(this_month())).text
    positions = [
        text.index(f"<legend>{label}</legend>") for label in ("Wellbeing", "Job satisfaction", "Energy")
    ]
    assert positions == sorted(positions)
    assert positions[-1] < text.index(f"<legend>{owner.triggers.first().title}</legend>")
    for name in ("wellbeing", "satisfaction", "energy"):
        assert re.findall(rf'name="{name}" value="(\d)"', text) == ["1", "2", "3", "4", "5"]


def test_the_page_shows_saved_answers(owner_client, owner, trigger):
    checkin = make_checkin(owner, this_month(), {trigger: 2}, wellbeing=4, hours=38, notes="Quiet month")
    Rating.objects.filter(checkin=checkin).update(note="Reorg rumours")
    text = owner_client.get(url(this_month())).text
    assert 'name="wellbeing" value="4" checked' in text
    assert checked_level(text, trigger) == "2"
    assert "Reorg rumours</textarea>" in text
    assert 'value="38"' in text
    assert "Quiet month</textarea>" in text
    assert "1 trigger turning up together" in text


def test_the_page_saves_answers_through_its_own_script_with_one_status_per_answer(owner_client, owner):
    text = owner_client.get(url(this_month())).text
    assert re.search(r'<script src="/static/js/checkin\.js" defer></script>', text)
    assert "hx-post" not in text and "hx-trigger" not in text  # one mechanism: the script's queue
    # Every answer (three scores, each trigger, hours, notes, talking points) has its status.
    answers = 3 + owner.triggers.filter(retired__isnull=True).count() + 3
    assert text.count('<span class="status" role="status">') == answers
    assert text.count('<p id="summary" class="summary" role="status" aria-live="polite">') == 1


def test_the_check_in_asks_for_every_answer_a_check_in_stores():
    assert list(CheckInForm.base_fields) == list(ANSWER_FIELDS)


def test_an_empty_checklist_says_so(client):
    client.force_login(make_user("empty", default_checklist=False))
    response = client.get(url(this_month()))
    assert "Your checklist is empty." in response.text


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(url(this_month()))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_another_users_checkin_never_shows_on_the_owners_page(owner_client, other, owner):
    theirs = make_trigger(other, "Their secret trigger")
    checkin = make_checkin(other, this_month(), {theirs: 3}, wellbeing=1, notes="Their private notes")
    Rating.objects.filter(checkin=checkin).update(note="Their rating note")
    make_checkin(other, previous_month(this_month()), {theirs: 3}, talking_points="Their talking points")
    text = owner_client.get(url(this_month())).text
    for secret in ("Their secret trigger", "Their private notes", "Their rating note", "Last time"):
        assert secret not in text
    assert "checked" not in text
    assert "Nothing rated yet" in text


def test_the_owners_checkin_never_shows_to_another_user(other_client, owner, trigger):
    make_checkin(owner, this_month(), {trigger: 3}, wellbeing=2, notes="Owner private notes")
    text = other_client.get(url(this_month())).text
    assert "Owner private notes" not in text
    assert "checked" not in text
    assert "Nothing rated yet" in text


def test_another_users_autosave_does_not_touch_the_owners_checkin(other_client, owner, other, trigger):
    make_checkin(owner, this_month(), {trigger: 3}, wellbeing=2)
    before = list(owner.checkins.values()), list(Rating.objects.filter(checkin__user=owner).values())
    response = autosave(other_client, this_month(), {"wellbeing": "5"})
    assert response.status_code == 200
    assert (
        list(owner.checkins.values()),
        list(Rating.objects.filter(checkin__user=owner).values()),
    ) == before
    assert other.checkins.get().wellbeing == 5


def test_another_user_cannot_rate_the_owners_trigger(other_client, owner, trigger):
    before = snapshot()
    response = autosave(other_client, this_month(), {f"level_{trigger.pk}": "3"})
    assert response.status_code == 422
    assert snapshot() == before


def test_an_invalid_month_is_404(owner_client):
    for bad in ("2026-13", "2026-00"):
        assert owner_client.get(f"/check-in/{bad}/").status_code == 404
    assert owner_client.post("/check-in/2026-13/", {"wellbeing": "3"}).status_code == 404
    assert not CheckIn.objects.exists()


# Future months ------------------------------------------------------------------


@pytest.mark.parametrize("ahead", [1, 25])
def test_a_future_month_is_refused_with_a_clear_message(owner_client, ahead):
    month = add_months(this_month(), ahead)
    response = owner_client.get(url(month))
    assert response.status_code == 400
    assert f"{month:%B %Y} hasn’t started yet." in response.text


def test_posting_to_a_future_month_writes_nothing(owner_client, trigger):
    month = next_month(this_month())
    response = owner_client.post(url(month), {"wellbeing": "3", f"level_{trigger.pk}": "2"})
    assert response.status_code == 400
    assert "hasn’t started yet" in response.text
    response = autosave(owner_client, month, {"wellbeing": "3"})
    assert response.status_code == 422
    assert "hasn’t started yet" in response.text
    assert not CheckIn.objects.exists()
    assert not Rating.objects.exists()


def test_the_current_month_has_no_link_to_the_next(owner_client):
    text = owner_client.get(url(this_month())).text
    assert url(next_month(this_month())) not in text
    assert url(previous_month(this_month())) in text


# Autosave -----------------------------------------------------------------------


def test_autosaving_a_level_stores_it_and_answers_saved(owner_client, owner, trigger):
    response = autosave(owner_client, this_month(), {f"level_{trigger.pk}": "2"})
    assert response.status_code == 200
    assert "Saved" in response.text
    assert "<html" not in response.text
    assert Rating.objects.get(checkin__user=owner, trigger=trigger).level == 2


@pytest.mark.parametrize(
    ("levels", "summary"),
    [
        ([2], "1 trigger turning up together"),
        ([3, 2], "2 triggers turning up together"),
        ([3, 3, 2, 1, 0], "3 triggers turning up together"),
        ([1, 0], "No triggers turning up"),
    ],
)
def test_autosave_answers_with_the_new_live_summary(owner_client, owner, levels, summary):
    for trigger, level in zip(first_triggers(owner, len(levels)), levels, strict=True):
        response = autosave(owner_client, this_month(), {f"level_{trigger.pk}": str(level)})
    # The page copies this text into its own live region, which stays in place.
    assert f'<p id="summary" class="summary" role="status" aria-live="polite">{summary}</p>' in response.text
    assert "hx-swap-oob" not in response.text


def test_the_live_summary_counts_at_the_users_own_turn_up_level(owner_client, owner):
    strong, clear = first_triggers(owner, 2)
    UserSettings.objects.update_or_create(user=owner, defaults={"turn_up_level": 3})
    make_checkin(owner, this_month(), {strong: 3})
    response = autosave(owner_client, this_month(), {f"level_{clear.pk}": "2"})
    assert ">1 trigger turning up together</p>" in response.text
    assert ">1 trigger turning up together</p>" in owner_client.get(url(this_month())).text


def test_autosave_changes_an_existing_rating_without_adding_another(owner_client, owner, trigger):
    make_checkin(owner, this_month(), {trigger: 3})
    response = autosave(owner_client, this_month(), {f"level_{trigger.pk}": "0"})
    assert response.status_code == 200
    assert list(Rating.objects.values_list("level", flat=True)) == [0]
    assert "No triggers turning up" in response.text


def test_autosaving_a_note_keeps_its_level(owner_client, owner, trigger):
    make_checkin(owner, this_month(), {trigger: 2})
    response = autosave(owner_client, this_month(), {f"note_{trigger.pk}": "Skipped the all-hands"})
    assert response.status_code == 200
    rating = Rating.objects.get()
    assert (rating.level, rating.note) == (2, "Skipped the all-hands")


def test_autosaving_level_and_note_together_saves_both(owner_client, owner, trigger):
    response = autosave(
        owner_client, this_month(), {f"level_{trigger.pk}": "3", f"note_{trigger.pk}": "Again"}
    )
    assert response.status_code == 200
    rating = Rating.objects.get()
    assert (rating.trigger, rating.level, rating.note) == (trigger, 3, "Again")


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        ({"wellbeing": "4"}, "wellbeing", 4),
        ({"satisfaction": "1"}, "satisfaction", 1),
        ({"energy": "5"}, "energy", 5),
        ({"hours": "45"}, "hours", 45),
        ({"hours": "0"}, "hours", 0),
        ({"hours": ""}, "hours", None),
        ({"notes": "Slept badly"}, "notes", "Slept badly"),
        ({"talking_points": "Ask about the roadmap"}, "talking_points", "Ask about the roadmap"),
    ],
)
def test_autosaving_one_answer_leaves_the_others_alone(owner_client, owner, data, field, value):
    kept_trigger, rated = first_triggers(owner, 2)
    existing = {
        "wellbeing": 2,
        "satisfaction": 3,
        "energy": 2,
        "hours": 50,
        "notes": "Old notes",
        "talking_points": "Old points",
    }
    make_checkin(owner, this_month(), {rated: 3}, **existing)
    response = autosave(owner_client, this_month(), data)
    assert response.status_code == 200
    assert "Saved" in response.text
    checkin = CheckIn.objects.get()
    assert {name: getattr(checkin, name) for name in existing} == {**existing, field: value}
    assert list(Rating.objects.values_list("trigger", "level", "note")) == [(rated.pk, 3, "")]
    assert "1 trigger turning up together" in response.text


def test_the_first_autosave_of_a_month_creates_its_checkin(owner_client, owner):
    autosave(owner_client, this_month(), {"wellbeing": "3"})
    checkin = CheckIn.objects.get()
    assert (checkin.user, checkin.month, checkin.wellbeing, checkin.backfilled) == (
        owner,
        this_month(),
        3,
        False,
    )
    assert not checkin.ratings.exists()


def test_a_past_month_can_be_backfilled(owner_client, owner, trigger):
    month = add_months(this_month(), -5)
    response = autosave(owner_client, month, {f"level_{trigger.pk}": "3"})
    assert response.status_code == 200
    checkin = owner.checkins.get()
    assert (checkin.month, checkin.backfilled) == (month, True)
    assert checkin.ratings.get().level == 3
    page = owner_client.get(url(month)).text
    assert "Backfilled" in page
    assert "You are filling in a past month." in page


def test_a_retired_trigger_rated_on_a_checkin_can_still_be_changed_there(owner_client, owner, trigger):
    month = previous_month(this_month())
    make_checkin(owner, month, {trigger: 1})
    trigger.retire()
    response = autosave(owner_client, month, {f"level_{trigger.pk}": "3"})
    assert response.status_code == 200
    assert Rating.objects.get().level == 3


# The plain form (no JavaScript) ---------------------------------------------------


def test_the_plain_form_saves_every_answer_and_redirects_back(owner_client, owner):
    strong, faint, unrated = first_triggers(owner, 3)
    data = {
        "wellbeing": "4",
        "satisfaction": "3",
        "energy": "2",
        "hours": "42",
        "notes": "Private thoughts",
        "talking_points": "Career path",
        f"level_{strong.pk}": "3",
        f"note_{strong.pk}": "Layoffs announced",
        f"level_{faint.pk}": "1",
        # A browser sends every textarea, rated or not.
        **{f"note_{t.pk}": "" for t in owner.triggers.exclude(pk=strong.pk)},
    }
    response = owner_client.post(url(this_month()), data)
    assert response.status_code == 302
    assert response.url == url(this_month())
    checkin = CheckIn.objects.get()
    assert (checkin.wellbeing, checkin.satisfaction, checkin.energy, checkin.hours) == (4, 3, 2, 42)
    assert (checkin.notes, checkin.talking_points) == ("Private thoughts", "Career path")
    assert set(checkin.ratings.values_list("trigger", "level", "note")) == {
        (strong.pk, 3, "Layoffs announced"),
        (faint.pk, 1, ""),
    }
    assert not unrated.ratings.exists()
    page = owner_client.get(response.url).text
    assert f"Check-in for {this_month():%B %Y} saved." in page
    assert "1 trigger turning up together" in page


def test_the_plain_form_resaved_changes_answers_in_place(owner_client, owner, trigger):
    make_checkin(owner, this_month(), {trigger: 3}, wellbeing=1)
    response = owner_client.post(url(this_month()), {"wellbeing": "5", f"level_{trigger.pk}": "1"})
    assert response.status_code == 302
    assert CheckIn.objects.get().wellbeing == 5
    assert list(Rating.objects.values_list("level", flat=True)) == [1]


# Bad input ------------------------------------------------------------------------

NOT_ON_CHECKIN = "That trigger is not on this check-in"


def bad_inputs(trigger: Trigger, theirs: Trigger, retired: Trigger) -> dict[str, tuple[dict, str]]:
    level, note = f"level_{trigger.pk}", f"note_{trigger.pk}"
    return {
        "level 7": ({level: "7"}, "Select a valid choice. 7 is not one of the available choices."),
        "level -1": ({level: "-1"}, "Select a valid choice. -1 is not one of the available choices."),
        "level x": ({level: "x"}, "Select a valid choice. x is not one of the available choices."),
        "wellbeing 0": ({"wellbeing": "0"}, "Select a valid choice. 0 is not one of the available choices."),
        "wellbeing 6": ({"wellbeing": "6"}, "Select a valid choice. 6 is not one of the available choices."),
        "satisfaction 9": ({"satisfaction": "9"}, "9 is not one of the available choices."),
        "energy abc": ({"energy": "abc"}, "Select a valid choice. abc is not one of the available choices."),
        "hours -3": ({"hours": "-3"}, "Ensure this value is greater than or equal to 0."),
        "hours 101": ({"hours": "101"}, "Ensure this value is less than or equal to 100."),
        "hours lots": ({"hours": "lots"}, "Enter a whole number."),
        "note 2001": (
            {level: "2", note: "n" * 2001},
            "Ensure this value has at most 2000 characters (it has 2001).",
        ),
        "notes 10001": (
            {"notes": "n" * 10001},
            "Ensure this value has at most 10000 characters (it has 10001).",
        ),
        "talking points 10001": (
            {"talking_points": "t" * 10001},
            "Ensure this value has at most 10000 characters (it has 10001).",
        ),
        "another user's trigger": ({f"level_{theirs.pk}": "2"}, NOT_ON_CHECKIN),
        "another user's trigger note": ({f"note_{theirs.pk}": "Hi"}, NOT_ON_CHECKIN),
        "a trigger that does not exist": ({"level_999999": "2"}, NOT_ON_CHECKIN),
        "a retired trigger not rated here": ({f"level_{retired.pk}": "2"}, NOT_ON_CHECKIN),
        "a note without a level": ({note: "Something happened"}, f"Choose a level for “{trigger.title}”"),
        "good answers beside a bad one": (
            {"wellbeing": "4", level: "2", "hours": "lots"},
            "Enter a whole number.",
        ),
    }


# Only the case names, to parametrize by; the real triggers come in the fixture below.
BAD_INPUT_NAMES = list(bad_inputs(*(Trigger(pk=n, title="t") for n in (1, 2, 3))))


@pytest.fixture
def bad_input_case(request, owner, other):
    trigger, retired = first_triggers(owner, 2)
    retired.retire()
    theirs = other.triggers.first()
    return bad_inputs(trigger, theirs, retired)[request.param]


@pytest.fixture(params=["no check-in yet", "existing check-in"])
def month_state(request, owner):
    """The current month empty, or with answers and ratings that must survive."""
    if request.param == "existing check-in":
        rated = owner.triggers.filter(retired__isnull=True).last()
        make_checkin(owner, this_month(), {rated: 3}, wellbeing=2, hours=30, notes="Keep me")
        Rating.objects.update(note="Keep this note")
    return request.param


@pytest.mark.parametrize("bad_input_case", BAD_INPUT_NAMES, indirect=True)
def test_bad_autosave_is_422_with_a_message_and_changes_nothing(owner_client, bad_input_case, month_state):
    data, message = bad_input_case
    before = snapshot()
    response = autosave(owner_client, this_month(), data)
    assert response.status_code == 422
    assert message in response.text
    assert "Saved" not in response.text
    assert snapshot() == before


@pytest.mark.parametrize("bad_input_case", BAD_INPUT_NAMES, indirect=True)
def test_bad_plain_post_is_400_with_a_message_and_changes_nothing(owner_client, bad_input_case, month_state):
    data, message = bad_input_case
    before = snapshot()
    response = owner_client.post(url(this_month()), data)
    assert response.status_code == 400
    assert message in response.text
    assert "<html" in response.text
    assert snapshot() == before


def test_a_refused_plain_post_keeps_what_was_typed(owner_client):
    response = owner_client.post(url(this_month()), {"hours": "lots", "notes": "Typed but not saved"})
    assert response.status_code == 400
    assert "Typed but not saved</textarea>" in response.text
    assert 'value="lots"' in response.text


def test_a_refused_plain_post_shows_what_is_stored_for_the_answers_it_did_not_send(owner_client, owner):
    rated, *others = first_triggers(owner, 4)
    make_checkin(owner, this_month(), {rated: 2}, wellbeing=4, notes="Stored notes")
    response = owner_client.post(url(this_month()), {"hours": "lots", f"level_{others[0].pk}": "9"})
    assert response.status_code == 400
    assert 'name="wellbeing" value="4" checked' in response.text
    assert checked_level(response.text, rated) == "2"
    assert "Stored notes</textarea>" in response.text
    assert 'value="lots"' in response.text
    for trigger in [rated, *others]:
        assert f"<legend>{trigger.title}</legend>" in fieldset(response.text, trigger)


def test_a_refused_post_does_not_show_another_users_trigger(owner_client, other):
    theirs = make_trigger(other, "Their secret trigger")
    response = owner_client.post(url(this_month()), {f"level_{theirs.pk}": "2"})
    assert response.status_code == 400
    assert "Their secret trigger" not in response.text


# "Last time" and retired triggers ------------------------------------------------


def test_last_time_shows_the_previous_checkins_answer_beside_each_trigger(owner_client, owner):
    strong, faint, unrated = first_triggers(owner, 3)
    make_checkin(owner, add_months(this_month(), -3), {unrated: 3})
    # The latest earlier check-in counts, even with a missed month after it.
    make_checkin(owner, add_months(this_month(), -2), {strong: 3, faint: 1})
    text = owner_client.get(url(this_month())).text
    assert "Last time: <strong>Strong</strong>" in fieldset(text, strong)
    assert "Last time: <strong>Faint</strong>" in fieldset(text, faint)
    assert "Last time: not rated" in fieldset(text, unrated)
    assert f"“Last time” is your answer for {add_months(this_month(), -2):%B %Y}." in text


def test_last_time_is_absent_on_a_first_checkin(owner_client, owner, trigger):
    make_checkin(owner, this_month(), {trigger: 3})
    assert "Last time" not in owner_client.get(url(this_month())).text


def test_last_time_on_a_past_month_looks_before_that_month(owner_client, owner, trigger):
    make_checkin(owner, add_months(this_month(), -2), {trigger: 0})
    make_checkin(owner, this_month(), {trigger: 3})
    text = owner_client.get(url(previous_month(this_month()))).text
    assert "Last time: <strong>Not present</strong>" in fieldset(text, trigger)


def test_a_retired_trigger_is_not_on_a_new_checkin(owner_client, owner, trigger):
    trigger.retire()
    text = owner_client.get(url(this_month())).text
    assert fieldset(text, trigger) == ""
    assert f"<legend>{trigger.title}</legend>" not in text


def test_a_retired_trigger_stays_on_the_checkin_where_it_was_rated(owner_client, owner, trigger):
    month = previous_month(this_month())
    make_checkin(owner, month, {trigger: 2})
    trigger.retire()
    html = fieldset(owner_client.get(url(month)).text, trigger)
    assert f"<legend>{trigger.title}</legend>" in html
    assert "Retired" in html
    assert checked_level(html, trigger) == "2"


def test_a_retired_trigger_cannot_be_rated_on_a_new_checkin(owner_client, owner, trigger):
    trigger.retire()
    response = autosave(owner_client, this_month(), {f"level_{trigger.pk}": "2"})
    assert response.status_code == 422
    assert not Rating.objects.exists()


# CSRF ---------------------------------------------------------------------------


@pytest.fixture
def csrf_client(owner) -> Client:
    return client_for(owner, enforce_csrf_checks=True)


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_post_without_a_csrf_token_is_403_and_writes_nothing(csrf_client, trigger, headers):
    csrf_client.get(url(this_month()))
    response = csrf_client.post(url(this_month()), {f"level_{trigger.pk}": "2", "wellbeing": "3"}, **headers)
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_post_with_the_csrf_header_is_accepted(csrf_client, owner, trigger, headers):
    csrf_client.get(url(this_month()))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        url(this_month()), {f"level_{trigger.pk}": "2"}, HTTP_X_CSRFTOKEN=token, **headers
    )
    assert response.status_code == (200 if headers else 302)
    assert Rating.objects.get(checkin__user=owner).level == 2


def test_the_page_gives_htmx_the_csrf_token(csrf_client):
    text = csrf_client.get(url(this_month())).text
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'>', text)
    assert 'name="csrfmiddlewaretoken"' in text


# Random input -----------------------------------------------------------------------

KEYS = ["wellbeing", "satisfaction", "energy", "hours", "notes", "talking_points", "level", "note"]
KEYS += ["level_theirs", "note_theirs", "level_retired", "level_random", "junk"]
VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["0", "1", "2", "3", "4", "5", "", " 3 ", "3.0", "١", "\x00"]),
    st.integers(min_value=1995, max_value=2005).map(lambda n: "x" * n),
)


@given(answers=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4), random_id=st.integers())
def test_random_autosaves_never_500_and_refusals_write_nothing(
    owner_client, owner, other, answers, random_id
):
    # Examples share one test's database: pick the same two triggers every time.
    trigger, retired = owner.triggers.all()[:2]
    retired.retire()
    names = {
        "level": f"level_{trigger.pk}",
        "note": f"note_{trigger.pk}",
        "level_theirs": f"level_{other.triggers.first().pk}",
        "note_theirs": f"note_{other.triggers.first().pk}",
        "level_retired": f"level_{retired.pk}",
        "level_random": f"level_{abs(random_id)}",
    }
    data = {names.get(key, key): value for key, value in answers.items()}
    before = snapshot()
    response = autosave(owner_client, previous_month(this_month()), data)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert snapshot() == before
        assert '<span class="error">' in response.text
    else:
        assert "Saved" in response.text
        assert CheckIn.objects.filter(user=owner, month=previous_month(this_month())).exists()
    assert not CheckIn.objects.filter(user=other).exists()
