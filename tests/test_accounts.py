"""Sign-up, log in, log out, change password, and who may see what without logging in."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.defaults import DEFAULT_TRIGGERS, THEMES
from assessments.models import Trigger, UserSettings, previous_month, this_month
from assessments.services import create_account

from .factories import PASSWORD, make_trigger
from .helpers import HTMX, as_user, patterns, url_for

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "another-long-test-password"


def signup_data(**changes) -> dict:
    return {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


def is_logged_in(client) -> bool:
    return client.get(reverse("history")).status_code == 200


# Sign-up ----------------------------------------------------------------------


def test_signup_page_is_open_to_anonymous_visitors(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    assert 'name="password1"' in response.text


def test_signing_up_creates_an_account_logs_in_and_goes_to_the_checkin(client):
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("checkin_current")
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.com"
    assert user.check_password(PASSWORD)
    assert is_logged_in(client)


def test_signing_up_gives_the_default_checklist_in_order(client):
    client.post(reverse("signup"), signup_data())
    triggers = list(Trigger.objects.filter(user__username="newcomer"))
    assert len(triggers) == 11
    assert [(t.title, t.short_name, t.description, t.theme, t.private) for t in triggers] == [
        (d.title, d.short_name, d.description, d.theme, d.private) for d in DEFAULT_TRIGGERS
    ]
    assert [t.position for t in triggers] == list(range(11))
    assert all(t.retired is None for t in triggers)


def test_only_lack_of_trust_in_the_manager_starts_private(client):
    client.post(reverse("signup"), signup_data())
    private = Trigger.objects.filter(user__username="newcomer", private=True)
    assert list(private.values_list("title", flat=True)) == ["Lack of trust in the managerial relationship"]


def test_each_account_gets_its_own_copy_of_the_checklist(client, owner):
    client.post(reverse("signup"), signup_data())
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.triggers.count() == owner.triggers.count() == 11
    assert not set(newcomer.triggers.values_list("pk", flat=True)) & set(
        owner.triggers.values_list("pk", flat=True)
    )


def test_the_default_checklist_uses_only_the_themes_offered_for_new_triggers():
    assert {default.theme for default in DEFAULT_TRIGGERS} <= set(THEMES)


def test_signing_up_makes_the_accounts_settings_with_their_defaults(client):
    client.post(reverse("signup"), signup_data())
    user_settings = UserSettings.objects.get(user__username="newcomer")
    assert (user_settings.turn_up_level, user_settings.together_count, user_settings.due_day) == (2, 3, 1)


def test_an_account_can_be_made_with_an_empty_checklist(db):
    user = create_account(username="blank", password=PASSWORD, default_checklist=False)
    assert not user.triggers.exists()
    assert UserSettings.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "not-the-same-password"}, "The two password fields didn’t match."),
        ({"username": ""}, "This field is required."),
        ({"username": "owner"}, "A user with that username already exists."),
        ({"username": "bad name!"}, "Enter a valid username."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "x7#", "password2": "x7#"}, "This password is too short."),
        ({"password1": "", "password2": ""}, "This field is required."),
    ],
)
def test_signing_up_with_bad_data_shows_errors_and_creates_nothing(client, owner, changes, message):
    users, triggers = User.objects.count(), Trigger.objects.count()
    response = client.post(reverse("signup"), signup_data(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert User.objects.count() == users
    assert Trigger.objects.count() == triggers
    assert not is_logged_in(client)


def test_closed_signup_is_403_and_creates_nobody(client, settings):
    settings.SIGNUP_OPEN = False
    assert client.get(reverse("signup")).status_code == 403
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 403
    assert "Sign-up is closed" in response.text
    assert not User.objects.exists()
    assert not Trigger.objects.exists()


def test_closed_signup_is_not_offered_on_the_login_page(client, settings):
    settings.SIGNUP_OPEN = False
    assert reverse("signup") not in client.get(reverse("login")).text
    settings.SIGNUP_OPEN = True
    assert reverse("signup") in client.get(reverse("login")).text


def test_a_logged_in_user_visiting_signup_goes_to_the_dashboard(owner_client):
    users = User.objects.count()
    response = owner_client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert User.objects.count() == users


# Log in, log out, change password ---------------------------------------------


def test_logging_in_goes_to_the_dashboard(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert is_logged_in(client)


def test_logging_in_follows_next(client, owner):
    response = client.post(
        reverse("login"), {"username": "owner", "password": PASSWORD, "next": reverse("history")}
    )
    assert response.url == reverse("history")


def test_logging_in_with_a_wrong_password_is_refused(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": "wrong-password"})
    assert response.status_code == 400
    assert "Please enter a correct username and password." in response.text
    assert not is_logged_in(client)


def test_logging_out_by_post_ends_the_session(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not is_logged_in(owner_client)


def test_logging_out_by_get_is_not_allowed(owner_client):
    assert owner_client.get(reverse("logout")).status_code == 405
    assert is_logged_in(owner_client)


def test_every_page_has_a_log_out_button(owner_client):
    response = owner_client.get(reverse("history"))
    assert f'action="{reverse("logout")}"' in response.text
    assert "Log out</button>" in response.text


def test_changing_password_takes_the_new_one(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    # The session survives its own password change.
    assert is_logged_in(owner_client)


def test_changing_password_with_a_wrong_old_one_changes_nothing(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": "wrong-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "Your old password was entered incorrectly." in response.text
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_settings_links_to_change_password(owner_client):
    assert reverse("password_change") in owner_client.get(reverse("settings")).text


# Anonymous visitors -------------------------------------------------------------


def login_required_urls(trigger_pk: int) -> list[tuple[str, str]]:
    month = previous_month(this_month())
    return [
        ("get", reverse("checkin_current")),
        ("get", reverse("checkin", args=[this_month()])),
        ("post", reverse("checkin", args=[month])),
        ("get", reverse("history")),
        ("get", reverse("checklist")),
        ("post", reverse("trigger_add")),
        ("get", reverse("trigger_edit", args=[trigger_pk])),
        ("post", reverse("trigger_edit", args=[trigger_pk])),
        *(
            ("post", reverse("trigger_action", args=[trigger_pk, action]))
            for action in ("up", "down", "private", "retire", "restore", "delete")
        ),
        ("get", reverse("settings")),
        ("get", reverse("password_change")),
        ("get", reverse("password_change_done")),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page_everywhere(client, owner):
    trigger = make_trigger(owner)
    before = list(Trigger.objects.values())
    for method, url in login_required_urls(trigger.pk):
        data = {"title": "Sneaky", "wellbeing": "1"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('login')}?next={url}", url
    assert list(Trigger.objects.values()) == before
    assert not owner.checkins.exists()


def test_anonymous_htmx_requests_are_not_served_either(client, owner):
    response = client.post(reverse("checkin", args=[this_month()]), {"wellbeing": "3"}, **HTMX)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not owner.checkins.exists()


def test_healthz_is_open_to_anyone(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_page_is_open_to_anyone(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text


# Accounts made on the command line ---------------------------------------------


@pytest.fixture
def operator(db, monkeypatch):
    """An account made with `createsuperuser`, as the README suggests for the admin."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser",
        interactive=False,
        username="operator",
        email="op@example.org",
        stdout=io.StringIO(),
    )
    return User.objects.get(username="operator")


def test_an_account_made_on_the_command_line_starts_empty_and_gets_settings_when_needed(client, operator):
    assert not operator.triggers.exists()
    assert not UserSettings.objects.filter(user=operator).exists()
    client.force_login(operator)
    assert "Your first check-in" in client.get(reverse("dashboard")).text
    assert UserSettings.objects.get(user=operator).turn_up_level == 2


def test_an_account_made_on_the_command_line_checks_in_and_saves_its_settings(client, operator):
    client.force_login(operator)
    page = client.get(reverse("checkin", args=[this_month()])).text
    assert "Your checklist is empty." in page
    trigger = make_trigger(operator, "Too many meetings")
    response = client.post(reverse("checkin", args=[this_month()]), {f"level_{trigger.pk}": "2"}, **HTMX)
    assert response.status_code == 200
    assert "1 trigger turning up together" in response.text
    response = client.post(reverse("reminders"), {"due_day": "9", "reminders": "on"})
    assert response.status_code == 302
    assert UserSettings.objects.get(user=operator).due_day == 9
    assert "1 trigger turning up together" in client.get(reverse("dashboard")).text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", patterns())
def test_an_account_made_on_the_command_line_never_meets_a_server_error(world, operator, pattern, method):
    response = getattr(as_user(operator), method)(url_for(pattern, world))
    assert response.status_code < 500, (pattern.name, response.status_code)
