"""Monthly reminders: the due day, the secret calendar feed, the reminder email and the
dashboard's "due" state.

The reminders' rules depend on the day of the month: the tests that do too say which
day they run on.
"""

import io
import re
from datetime import UTC, date, datetime

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from assessments.models import CheckIn, Rating, Trigger, UserSettings, previous_month, this_month
from assessments.reminders import ReminderFailures, send_reminders

from .factories import make_checkin, make_trigger, make_user
from .helpers import BROKEN_MAIL_SERVER, HTMX, client_for, htmx_headers, search, visible_text

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

# Distinctive words that must never leave the app through a feed or an email.
SECRETS = {
    "trigger": "Quarrelsome reorganisation",
    "description": "Zanzibar budget freeze",
    "rating note": "Vexing standup marathon",
    "check-in notes": "Thinking of Pemberton Widgets",
    "talking points": "Ask about Xylophone promotion",
}


class PickyEmailBackend(BaseEmailBackend):
    """A mail server that refuses one address and delivers the rest to the outbox."""

    def send_messages(self, email_messages):
        from django.core import mail

        for message in email_messages:
            if "refused@" in message.to[0]:
                raise ConnectionRefusedError("Recipient address rejected")
            mail.outbox.append(message)
        return len(email_messages)


def day(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment to run a test at, in the site's time zone (UTC in the tests)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def user_settings_of(user) -> UserSettings:
    return UserSettings.objects.get(user=user)


def set_user_settings(user, **fields) -> None:
    UserSettings.objects.filter(user=user).update(**fields)


def add_private_data(user) -> None:
    """Triggers, ratings, notes and talking points, this month and last."""
    trigger = make_trigger(user, SECRETS["trigger"], description=SECRETS["description"])
    checkin = make_checkin(
        user,
        previous_month(this_month()),
        {trigger: 3},
        notes=SECRETS["check-in notes"],
        talking_points=SECRETS["talking points"],
        wellbeing=2,
    )
    rating = checkin.ratings.get(trigger=trigger)
    rating.note = SECRETS["rating note"]
    rating.save()


def private_words(user) -> dict[str, str]:
    """Everything the person wrote: their checklist (the defaults too), ratings and notes."""
    words = {f"the {what}": secret for what, secret in SECRETS.items()}
    for trigger in Trigger.objects.filter(user=user):
        words[f"trigger {trigger.pk}"] = trigger.title
        if trigger.description:
            words[f"description of trigger {trigger.pk}"] = trigger.description
    for checkin in CheckIn.objects.filter(user=user):
        for field in ("notes", "talking_points"):
            if getattr(checkin, field):
                words[f"{field} of {checkin}"] = getattr(checkin, field)
    for note in Rating.objects.filter(checkin__user=user).exclude(note="").values_list("note", flat=True):
        words[f"rating note {note}"] = note
    return words


def assert_holds_nothing_private(text: str, user, *, identity: bool = True) -> None:
    # Folded iCalendar lines continue after CRLF + space; join them so no word hides in a fold.
    text = text.replace("\r\n ", "").lower()
    words = private_words(user)
    if identity:
        words.update({"username": user.username, "email address": user.email})
    assert len(words) > len(SECRETS) + 10, "the person has their default checklist too"
    for what, secret in words.items():
        assert secret.lower() not in text, f"{what} leaked"


# The calendar feed ------------------------------------------------------------------------


@pytest.fixture
def person(db):
    """Someone with an unmistakable name and address, and things to keep private."""
    user = make_user("zebediah-quince", email="zebediah.quince@example.org")
    add_private_data(user)
    return user


@pytest.fixture
def person_client(person):
    return client_for(person)


def make_token(client) -> str:
    """Ask for a (new) calendar address as the logged-in user, as the settings page does."""
    response = client.post(reverse("calendar_token"))
    assert response.status_code == 302
    assert response.url == reverse("settings")
    token = user_settings_of(response.wsgi_request.user).calendar_token
    assert token
    return token


def feed(token: str, client: Client | None = None):
    return (client or Client()).get(reverse("calendar", args=[token]))


def events(response) -> list:
    calendar = Calendar.from_ical(response.content)
    return [component for component in calendar.walk() if component.name == "VEVENT"]


def test_the_feed_answers_without_login_as_icalendar_with_one_monthly_check_in_event(person, person_client):
    set_user_settings(person, due_day=17)
    response = feed(make_token(person_client))  # a fresh client: nobody logged in
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "text/calendar"
    calendar = Calendar.from_ical(response.content)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    [event] = events(response)
    assert [component.name for component in calendar.subcomponents] == ["VEVENT"]
    assert str(event["SUMMARY"]) == "Career check-in"
    assert event["RRULE"]["FREQ"] == ["MONTHLY"]
    assert event["RRULE"]["BYMONTHDAY"] == [17]
    start = event.decoded("DTSTART")
    assert type(start) is date, "an all-day event starts on a date, not a moment"
    assert start.day == 17
    assert start == this_month().replace(day=17)
    assert "UID" in event and "DTSTAMP" in event


def test_the_feed_event_links_to_the_check_in_page(person, person_client):
    [event] = events(feed(make_token(person_client)))
    assert str(event["URL"]) == "http://testserver" + reverse("checkin_current")
    assert "/check-in/" in str(event["URL"])
    assert "/check-in/" in str(event["DESCRIPTION"])


def test_the_feed_has_crlf_line_endings_and_no_line_longer_than_75_octets(person, person_client):
    body = feed(make_token(person_client)).content
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, f"a bare line break in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
    assert any(line.startswith(b" ") for line in lines), "the long description is folded"


def test_long_lines_fold_within_75_octets_and_unfold_to_the_same_address(person, person_client, settings):
    host = "check-ins." + ".".join(["a-rather-long-subdomain-name"] * 5) + ".example.org"
    settings.ALLOWED_HOSTS = [host, "testserver"]
    response = person_client.get(reverse("calendar", args=[make_token(person_client)]), HTTP_HOST=host)
    lines = response.content.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) == 75, "long lines are cut at 75 octets"
    assert all(len(line) <= 75 for line in lines)
    assert sum(line.startswith(b" ") for line in lines) >= 4
    [event] = events(response)
    address = f"http://{host}/check-in/"
    assert str(event["URL"]) == address
    assert address in str(event["DESCRIPTION"])


def test_the_feed_holds_nothing_but_the_event(person, person_client):
    response = feed(make_token(person_client))
    assert_holds_nothing_private(response.content.decode(), person)
    [event] = events(response)
    assert_holds_nothing_private(event.to_ical().decode(), person)


def test_a_made_up_token_is_not_found(person, person_client):
    make_token(person_client)
    assert feed("x" * 43).status_code == 404
    assert feed("None").status_code == 404  # nobody else has a token yet
    assert Client().get("/calendar/.ics").status_code == 404


def test_a_regenerated_token_kills_the_old_address_and_the_new_one_works(person, person_client):
    old = make_token(person_client)
    assert feed(old).status_code == 200
    new = make_token(person_client)
    assert new != old
    assert feed(old).status_code == 404
    assert feed(new).status_code == 200
    assert len(events(feed(new))) == 1


def test_another_users_token_shows_only_that_users_event(person, person_client, other, other_client):
    set_user_settings(person, due_day=3)
    set_user_settings(other, due_day=21)
    mine, theirs = make_token(person_client), make_token(other_client)
    assert mine != theirs
    [event] = events(feed(theirs))
    assert event["RRULE"]["BYMONTHDAY"] == [21]
    assert event.decoded("DTSTART").day == 21
    [own] = events(feed(mine))
    assert own["RRULE"]["BYMONTHDAY"] == [3]
    assert str(own["UID"]) != str(event["UID"])
    assert_holds_nothing_private(feed(theirs).content.decode(), person)


def test_the_feed_follows_a_changed_due_day(person, person_client):
    token = make_token(person_client)
    person_client.post(reverse("reminders"), {"due_day": 9, "reminders": "on"})
    [event] = events(feed(token))
    assert event["RRULE"]["BYMONTHDAY"] == [9]
    assert event.decoded("DTSTART") == this_month().replace(day=9)


def test_the_token_is_long_random_and_new_each_time(person, person_client, other_client):
    tokens = [make_token(person_client), make_token(person_client), make_token(other_client)]
    assert all(len(token) >= 32 for token in tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)
    assert len(set(tokens)) == 3


def test_a_new_user_has_no_calendar_address_until_they_ask_for_one(person, person_client):
    assert user_settings_of(person).calendar_token is None
    assert 'id="calendar-url"' not in person_client.get(reverse("settings")).text


def test_the_settings_page_shows_the_calendar_address_with_a_copy_button(person, person_client):
    token = make_token(person_client)
    page = person_client.get(reverse("settings")).text
    address = "http://testserver" + reverse("calendar", args=[token])
    assert f'value="{address}"' in page
    assert 'data-copy="#calendar-url"' in page


def test_asking_for_a_calendar_address_as_htmx_answers_with_the_reminders_fragment(person, person_client):
    response = person_client.post(reverse("calendar_token"), **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="reminders"')
    assert "<html" not in response.text
    token = user_settings_of(person).calendar_token
    assert token and reverse("calendar", args=[token]) in response.text


def test_asking_for_a_calendar_address_needs_a_login(person):
    response = Client().post(reverse("calendar_token"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not UserSettings.objects.exclude(calendar_token=None).exists()


def test_asking_for_a_calendar_address_with_get_is_not_allowed(person, person_client):
    assert person_client.get(reverse("calendar_token")).status_code == 405
    assert user_settings_of(person).calendar_token is None


def test_asking_for_a_calendar_address_needs_the_csrf_token(person):
    client = client_for(person, enforce_csrf_checks=True)
    assert client.post(reverse("calendar_token")).status_code == 403
    assert user_settings_of(person).calendar_token is None
    # With the token the settings page hands out, the same request goes through.
    page = client.get(reverse("settings")).text
    csrf = search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(reverse("calendar_token"), {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert user_settings_of(person).calendar_token


# Settings: due day and reminders on or off ------------------------------------------------


def test_a_new_user_has_reminders_on_and_the_check_in_due_on_the_1st(db):
    user = make_user("newcomer", email="newcomer@example.org")
    user_settings = UserSettings.objects.get(user=user)  # made at sign-up, not on first use
    assert user_settings.reminders is True
    assert user_settings.due_day == 1
    assert user_settings.reminded_month is None


def test_signing_up_gives_settings_with_reminders_on_and_due_day_1(db):
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": "signer",
            "email": "signer@example.org",
            "password1": "a-long-test-password",
            "password2": "a-long-test-password",
        },
    )
    assert response.status_code == 302, visible_text(response.text)[:500]
    user_settings = UserSettings.objects.get(user__username="signer")
    assert (user_settings.due_day, user_settings.reminders) == (1, True)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_saving_the_due_day_and_turning_reminders_off_and_on(owner, owner_client, htmx):
    headers = htmx_headers(htmx)
    response = owner_client.post(reverse("reminders"), {"due_day": "15"}, **headers)
    if htmx:
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="reminders"')
        assert "<html" not in response.text
        assert "Reminder settings saved." in response.text
    else:
        assert response.status_code == 302
        assert response.url == reverse("settings")
        assert "Reminder settings saved." in owner_client.get(response.url).text
    user_settings = user_settings_of(owner)
    assert (user_settings.due_day, user_settings.reminders) == (15, False)

    owner_client.post(reverse("reminders"), {"due_day": "28", "reminders": "on"}, **headers)
    user_settings = user_settings_of(owner)
    assert (user_settings.due_day, user_settings.reminders) == (28, True)


def test_the_settings_page_shows_the_saved_due_day_and_reminders(owner, owner_client):
    owner_client.post(reverse("reminders"), {"due_day": "12"})
    page = owner_client.get(reverse("settings")).text
    due_day = search(r'<input[^>]*name="due_day"[^>]*>', page).group(0)
    reminders = search(r'<input[^>]*name="reminders"[^>]*>', page).group(0)
    assert 'value="12"' in due_day
    assert "checked" not in reminders


@pytest.mark.parametrize(
    "data, message",
    [
        ({"due_day": "0", "reminders": "on"}, "greater than or equal to 1"),
        ({"due_day": "29", "reminders": "on"}, "less than or equal to 28"),
        ({"due_day": "x", "reminders": "on"}, "Enter a whole number"),
        ({"reminders": "on"}, "This field is required"),
        ({"due_day": "", "reminders": "on"}, "This field is required"),
    ],
    ids=["0", "29", "x", "missing", "empty"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_bad_due_day_is_refused_with_a_message_and_changes_nothing(
    owner, owner_client, data, message, htmx
):
    set_user_settings(owner, due_day=5, reminders=False)
    response = owner_client.post(reverse("reminders"), data, **htmx_headers(htmx))
    assert response.status_code == (422 if htmx else 400)
    assert message in visible_text(response.text)
    assert ("<html" in response.text) is not htmx
    user_settings = user_settings_of(owner)
    assert (user_settings.due_day, user_settings.reminders) == (5, False)


def test_the_reminder_settings_need_a_login(owner):
    response = Client().post(reverse("reminders"), {"due_day": "9"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert user_settings_of(owner).due_day == 1


# The reminder email -----------------------------------------------------------------------


def due_user(username: str = "due", **user_settings):
    """Someone whose reminder is due today: a verified email address, reminders on, due on
    the 1st, not done."""
    user = make_user(username, email=f"{username}@example.org", verified=True)
    set_user_settings(user, **user_settings)
    return user


def run_command() -> str:
    out = io.StringIO()
    call_command("send_checkin_reminders", stdout=out)
    return out.getvalue()


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def test_the_command_emails_a_user_whose_check_in_is_due(mailoutbox):
    user = due_user()
    assert run_command().strip() == "Sent 1 reminder."
    [message] = mailoutbox
    assert message.to == [user.email]
    assert user_settings_of(user).reminded_month == this_month()


def test_running_again_the_same_month_sends_nothing_more(mailoutbox):
    due_user()
    assert run_command().strip() == "Sent 1 reminder."
    assert run_command().strip() == "Sent 0 reminders."
    assert send_reminders() == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "now",
    [day(2025, 6, 1), day(2025, 6, 17), day(2025, 2, 28, 23, 59)],
    ids=["the 1st", "the 17th", "the 28th"],
)
def test_the_reminder_goes_on_the_due_day_itself(mailoutbox, time_machine, now):
    time_machine.move_to(now)
    user = due_user(due_day=now.day)
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]


@pytest.mark.parametrize(
    ("now", "due_day"),
    [(day(2025, 6, 17), 16), (day(2025, 3, 31), 28), (day(2025, 7, 1, 0, 1), 1)],
    ids=["a day late", "after the 28th", "just after midnight"],
)
def test_the_reminder_goes_after_the_due_day_when_it_was_missed(mailoutbox, time_machine, now, due_day):
    time_machine.move_to(now)
    user = due_user(due_day=due_day)
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]


def test_no_reminder_before_the_due_day(mailoutbox, time_machine):
    time_machine.move_to(day(2025, 6, 17, 23, 59))
    early = due_user("early", due_day=18)
    due = due_user("due")
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [due.email]
    assert user_settings_of(early).reminded_month is None


def test_the_due_day_begins_at_midnight_where_the_site_is(mailoutbox, time_machine, settings):
    time_machine.move_to(day(2025, 6, 17, 10, 30))
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: already the 18th there
    user = due_user(due_day=18)
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]
    settings.TIME_ZONE = "Pacific/Pago_Pago"  # UTC-11: still the 16th there
    due_user("later", due_day=17)
    assert send_reminders() == 0


@pytest.mark.parametrize(
    "why",
    [
        "done this month",
        "opted out",
        "no email address",
        "an unverified address",
        "an address changed since it was verified",
        "inactive",
    ],
)
def test_no_reminder_for_a_user_who_is_not_due_one(mailoutbox, why):
    due = due_user("due")
    skipped = due_user("skipped")
    if why == "done this month":
        make_checkin(skipped, this_month())
    elif why == "opted out":
        set_user_settings(skipped, reminders=False)
    elif why == "no email address":
        skipped.email = ""
        skipped.save()
    elif why == "an unverified address":
        set_user_settings(skipped, verified_email=None)
    elif why == "an address changed since it was verified":
        skipped.email = "someone.else@example.org"
        skipped.save()
    else:
        skipped.is_active = False
        skipped.save()
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [due.email]
    assert user_settings_of(skipped).reminded_month is None


def test_last_months_check_in_does_not_count_for_this_month(mailoutbox):
    user = due_user()
    make_checkin(user, previous_month(this_month()))
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]


def test_no_reminder_once_this_months_check_in_is_done_even_if_unclaimed(mailoutbox):
    user = due_user()
    send_reminders()
    make_checkin(user, this_month())
    set_user_settings(user, reminded_month=None)
    assert send_reminders() == 0
    assert len(mailoutbox) == 1


def test_next_month_the_reminder_goes_again(mailoutbox):
    user = due_user()
    send_reminders()
    # Last month's reminder went out; this month's has not.
    set_user_settings(user, reminded_month=previous_month(this_month()))
    assert run_command().strip() == "Sent 1 reminder."
    assert recipients(mailoutbox) == [user.email, user.email]
    assert user_settings_of(user).reminded_month == this_month()


def test_each_due_user_gets_exactly_one_reminder(mailoutbox):
    users = [due_user(f"user{n}") for n in range(3)]
    assert send_reminders() == 3
    assert send_reminders() == 0
    assert recipients(mailoutbox) == sorted(user.email for user in users)


def test_the_email_links_to_the_check_in_page_on_the_site_and_holds_nothing_private(mailoutbox, settings):
    settings.SITE_URL = "https://careers.example.org/"
    user = due_user("zebediah-quince")
    add_private_data(user)
    send_reminders()
    [message] = mailoutbox
    assert "https://careers.example.org/check-in/" in message.body
    assert "example.org//" not in message.body
    everything = "\n".join(
        [message.subject, message.body, *(content for content, _ in getattr(message, "alternatives", []))]
    )
    assert_holds_nothing_private(everything, user, identity=False)
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL


def test_a_failed_send_leaves_the_month_unclaimed_so_a_later_run_sends(mailoutbox, settings):
    user = due_user()
    settings.EMAIL_BACKEND = BROKEN_MAIL_SERVER
    with pytest.raises(CommandError, match="The mail server is down"):
        run_command()
    assert user_settings_of(user).reminded_month is None
    assert mailoutbox == []

    settings.EMAIL_BACKEND = LOCMEM
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]
    assert user_settings_of(user).reminded_month == this_month()


def test_a_failed_send_leaves_an_earlier_months_claim_to_be_retried(mailoutbox, settings):
    user = due_user(reminded_month=previous_month(this_month()))
    settings.EMAIL_BACKEND = BROKEN_MAIL_SERVER
    with pytest.raises(ReminderFailures):
        send_reminders()
    assert user_settings_of(user).reminded_month != this_month()
    settings.EMAIL_BACKEND = LOCMEM
    assert send_reminders() == 1
    assert recipients(mailoutbox) == [user.email]


# The dashboard's due state ----------------------------------------------------------------


ON_THE_17TH = pytest.mark.time_machine(day(2025, 6, 17))


def due_card(client) -> str:
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    card = re.search(r'<section class="card due[^"]*".*?</section>', page.text, re.S)
    assert card, "the dashboard has a due card"
    return card.group(0)


@ON_THE_17TH
@pytest.mark.parametrize("due_day", [1, 17])
def test_the_dashboard_says_due_on_or_after_the_due_day(owner, owner_client, due_day):
    set_user_settings(owner, due_day=due_day)
    card = due_card(owner_client)
    text = visible_text(card)
    assert "This month’s check-in is due" in text
    assert "is due on" not in text
    assert "done" not in text
    assert f'href="{reverse("checkin", args=[this_month()])}"' in card


@ON_THE_17TH
def test_the_dashboard_says_due_on_the_due_day_before_it_comes(owner, owner_client):
    set_user_settings(owner, due_day=18)
    card = due_card(owner_client)
    text = visible_text(card)
    assert "This month’s check-in is due on 18 June" in text
    assert "done" not in text
    assert f'href="{reverse("checkin", args=[this_month()])}"' in card


@ON_THE_17TH
def test_the_dashboard_says_done_once_this_months_check_in_exists(owner, owner_client):
    set_user_settings(owner, due_day=17)
    make_checkin(owner, this_month())
    text = visible_text(due_card(owner_client))
    assert "This month’s check-in is done" in text
    assert "is due" not in text


@ON_THE_17TH
def test_the_dashboard_says_done_even_before_the_due_day(owner, owner_client):
    set_user_settings(owner, due_day=18)
    make_checkin(owner, this_month())
    text = visible_text(due_card(owner_client))
    assert "This month’s check-in is done" in text
    assert "is due" not in text


def test_last_months_check_in_leaves_this_month_due(owner, owner_client):
    make_checkin(owner, previous_month(this_month()))
    text = visible_text(due_card(owner_client))
    assert "This month’s check-in is due" in text
    assert "done" not in text


def test_one_refused_address_does_not_stop_the_others(mailoutbox, settings):
    refused, fine = due_user("refused"), due_user("fine")
    settings.EMAIL_BACKEND = f"{__name__}.PickyEmailBackend"
    with pytest.raises(ReminderFailures) as failure:
        send_reminders()
    assert failure.value.sent == 1
    assert recipients(mailoutbox) == [fine.email]
    assert user_settings_of(fine).reminded_month == this_month()
    assert user_settings_of(refused).reminded_month is None
