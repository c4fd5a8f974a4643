"""Email addresses: verified before anything is sent to them, managed in Settings, and
used for password resets.

A link's age is set by signing it with the clock moved back, and the sending limit by
moving the record of earlier emails back in time.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse

from assessments import backup, mail
from assessments.models import SentEmail, UserSettings, this_month
from assessments.reminders import send_reminders
from assessments.views import VERIFY_TOKEN

from .factories import PASSWORD, make_checkin, make_trigger, make_user
from .helpers import BROKEN_MAIL_SERVER, HTMX, client_for, htmx_headers, search, visible_text

pytestmark = pytest.mark.django_db

User = get_user_model()


def verified_email(user) -> str | None:
    return UserSettings.objects.get(user=user).verified_email


def link_in(message) -> str:
    """The path of the only link in an email."""
    [link] = re.findall(r"https?://\S+", message.body)
    return urlsplit(link).path


def signed_long_ago(user, address: str, age: timedelta, time_machine) -> str:
    """A verification token as the app makes it, but signed `age` ago."""
    time_machine.shift(-age)
    try:
        return mail.make_token(user, address)
    finally:
        time_machine.shift(age)


def verify_path(user, address: str | None = None) -> str:
    return reverse("verify_email", args=[mail.make_token(user, address or user.email)])


def age_sent_emails(by: timedelta) -> None:
    SentEmail.objects.update(at=F("at") - by)


def email_section(html: str) -> str:
    return search(r'<section id="email".*?</section>', html, re.S).group(0)


def reminders_section(html: str) -> str:
    return search(r'<section id="reminders".*?</section>', html, re.S).group(0)


@pytest.fixture
def unverified(db):
    return make_user("unverified", email="robin@example.org")


@pytest.fixture
def unverified_client(unverified):
    return client_for(unverified)


# Sign-up ------------------------------------------------------------------------------


def signup(client, **changes):
    data = {"username": "newcomer", "email": "", "password1": PASSWORD, "password2": PASSWORD, **changes}
    return client.post(reverse("signup"), data)


def test_signing_up_with_an_address_sends_a_link_to_verify_it_and_nothing_else(client, mailoutbox):
    response = signup(client, email="newcomer@EXAMPLE.org")
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.org", "the domain is lower-cased"
    assert verified_email(user) is None
    [message] = mailoutbox
    assert message.to == ["newcomer@example.org"]
    assert message.subject == "Verify your email address for careerapp"
    assert link_in(message).startswith("/email/verify/")
    page = client.get(response.url, follow=True).text
    assert "We sent a link to newcomer@example.org" in visible_text(page)
    assert send_reminders() == 0, "no reminder before the address is verified"


def test_signing_up_without_an_address_sends_nothing(client, mailoutbox):
    assert signup(client).status_code == 302
    assert User.objects.get(username="newcomer").email == ""
    assert mailoutbox == []


def test_signing_up_works_while_the_mail_server_is_down(client, settings, mailoutbox):
    settings.EMAIL_BACKEND = BROKEN_MAIL_SERVER
    response = signup(client, email="newcomer@example.org")
    assert response.status_code == 302
    assert User.objects.get(username="newcomer").email == "newcomer@example.org"
    assert "The email couldn’t be sent just now" in client.get(response.url, follow=True).text
    assert not SentEmail.objects.exists(), "a failed send doesn't count against the limit"


def test_the_verification_email_says_why_and_holds_nothing_of_the_person(unverified, mailoutbox):
    trigger = make_trigger(unverified, "Quarrelsome reorganisation")
    make_checkin(unverified, this_month(), {trigger: 3}, notes="Thinking of Pemberton Widgets")
    client_for(unverified).post(reverse("email_resend"))
    [message] = mailoutbox
    assert "robin@example.org" in message.body
    assert "If it wasn’t you, ignore this email" in message.body
    assert not getattr(message, "alternatives", None), "plain text only"
    for private in [
        "Quarrelsome",
        "Pemberton",
        unverified.username,
        *unverified.triggers.values_list("title", flat=True),
    ]:
        assert private.lower() not in (message.subject + message.body).lower()


# The link -----------------------------------------------------------------------------


def press_verify(client, path: str):
    """Open an emailed link and press its button, as a person does."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    assert opened.url == reverse("verify_email_confirm")
    return client.post(opened.url)


def with_link_kept(client, token: str) -> Client:
    """A browser that opened `token`'s link a while ago: the token waits in its session."""
    session = client.session
    session[VERIFY_TOKEN] = token
    session.save()
    return client


def test_opening_the_link_asks_and_the_button_verifies(unverified, unverified_client):
    opened = unverified_client.get(verify_path(unverified))
    assert opened.status_code == 302
    assert opened.url == reverse("verify_email_confirm"), "the token leaves the address bar"
    page = unverified_client.get(opened.url)
    assert page.status_code == 200
    assert "Is robin@example.org yours?" in visible_text(page.text)
    assert 'type="submit">Verify address<' in page.text
    assert verified_email(unverified) is None, "opening the link alone verifies nothing"

    response = unverified_client.post(opened.url)
    assert response.status_code == 302
    assert response.url == reverse("settings") + "#email"
    assert verified_email(unverified) == "robin@example.org"
    settings_page = unverified_client.get(response.url).text
    assert "robin@example.org is verified." in settings_page
    assert ">Verified<" in email_section(settings_page)
    assert VERIFY_TOKEN not in unverified_client.session


def test_the_link_works_logged_out_and_then_asks_to_log_in(unverified, client):
    response = press_verify(client, verify_path(unverified))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert verified_email(unverified) == "robin@example.org"
    assert "robin@example.org is verified." in client.get(response.url).text


def test_opening_the_link_again_says_the_address_is_verified(unverified, client):
    path = verify_path(unverified)
    press_verify(client, path)
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert "robin@example.org is verified." in visible_text(page.text)
    assert "Verify address" not in page.text


def test_the_link_names_no_page_and_the_button_page_keeps_the_csp(unverified, client):
    opened = client.get(verify_path(unverified))
    assert opened["Referrer-Policy"] == "no-referrer"
    # The page with the button has no token in its address, and a POST from a
    # no-referrer page would carry "Origin: null", which the CSRF check refuses.
    page = client.get(opened.url)
    assert page["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "style=" not in page.text
    refused = client.get(reverse("verify_email", args=["not-a-token"]))
    assert refused["Referrer-Policy"] == "no-referrer"


def test_the_button_page_without_an_opened_link_verifies_nothing(unverified, client):
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("verify_email_confirm"))
        assert response.status_code == 400
        assert "This link is broken" in response.text
    assert verified_email(unverified) is None


def test_a_link_older_than_three_days_has_expired(unverified, client, time_machine):
    fresh_enough = signed_long_ago(unverified, unverified.email, timedelta(days=3, minutes=-1), time_machine)
    expired = signed_long_ago(unverified, unverified.email, timedelta(days=3, minutes=1), time_machine)
    response = client.get(reverse("verify_email", args=[expired]))
    assert response.status_code == 400
    assert "This link has expired" in response.text
    # Opened in time, pressed too late: the button checks again.
    response = with_link_kept(Client(), expired).post(reverse("verify_email_confirm"))
    assert response.status_code == 400
    assert "This link has expired" in response.text
    assert verified_email(unverified) is None
    assert press_verify(client, reverse("verify_email", args=[fresh_enough])).status_code == 302
    assert verified_email(unverified) == unverified.email


@pytest.mark.parametrize(
    "forge",
    [
        lambda user: signing.dumps([user.pk, user.email], salt=mail.SALT, key="not-the-servers-secret"),
        lambda user: signing.dumps([user.pk, user.email], salt="another-purpose"),
        lambda user: mail.make_token(user, "someone@example.org").replace(
            signing.b64_encode(b'[%d,"someone@example.org"]' % user.pk).decode(),
            signing.b64_encode(b'[%d,"robin@example.org"]' % user.pk).decode(),
        ),
        lambda user: mail.make_token(user, user.email)[:-3],
        lambda user: "not-a-token",
    ],
    ids=["other key", "other purpose", "payload swapped", "cut short", "made up"],
)
def test_a_forged_link_is_refused_and_changes_nothing(unverified, client, forge):
    token = forge(unverified)
    response = client.get(reverse("verify_email", args=[token]))
    assert response.status_code == 400
    assert "This link is broken" in response.text
    assert VERIFY_TOKEN not in client.session
    assert with_link_kept(client, token).post(reverse("verify_email_confirm")).status_code == 400
    assert verified_email(unverified) is None


def test_a_link_for_the_previous_address_cannot_verify_the_new_one(unverified, unverified_client):
    old_link = verify_path(unverified)
    kept = with_link_kept(Client(), old_link.split("/")[-2])  # opened before the change
    unverified_client.post(reverse("email"), {"email": "robin@new.example.org"})
    for client in (unverified_client, Client()):
        response = client.get(old_link)
        assert response.status_code == 400
        assert "no longer on the account" in response.text
    assert "robin@new.example.org" not in response.text, "a visitor learns nothing of the new address"
    response = kept.post(reverse("verify_email_confirm"))
    assert response.status_code == 400
    assert "no longer on the account" in response.text
    assert verified_email(unverified) is None


def test_another_account_cannot_use_the_link(unverified, other_client):
    path = verify_path(unverified)
    response = other_client.get(path)
    assert response.status_code == 403
    assert "another account" in response.text
    assert "robin@example.org" not in response.text
    response = with_link_kept(other_client, path.split("/")[-2]).post(reverse("verify_email_confirm"))
    assert response.status_code == 403
    assert verified_email(unverified) is None
    assert not UserSettings.objects.exclude(verified_email=None).exists()


def test_an_address_verified_on_one_account_cannot_be_verified_on_a_second(client):
    first = make_user("first", email="shared@example.org", verified=True)
    second = make_user("second", email="Shared@Example.org")
    second_client = client_for(second)
    path = verify_path(second)
    response = second_client.get(path)
    assert response.status_code == 409
    assert "already verified on another account" in response.text
    assert "first" not in visible_text(response.text), "the other account is not named"
    response = with_link_kept(second_client, path.split("/")[-2]).post(reverse("verify_email_confirm"))
    assert response.status_code == 409
    assert verified_email(first) == "shared@example.org"
    assert verified_email(second) is None


def test_the_database_allows_one_account_per_verified_address_whatever_the_case(db):
    make_user("first", email="shared@example.org", verified=True)
    second = make_user("second", email="SHARED@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserSettings.objects.filter(user=second).update(verified_email="SHARED@example.org")
    # Accounts without a verified address are many.
    make_user("third"), make_user("fourth", email="x@example.org")
    assert UserSettings.objects.filter(verified_email=None).count() == 3


def test_the_link_of_a_deactivated_account_verifies_nothing(unverified, client):
    path = verify_path(unverified)
    unverified.is_active = False
    unverified.save()
    assert press_verify(client, path).status_code == 400
    assert verified_email(unverified) is None


def test_reminders_go_once_the_address_is_verified(unverified, client, mailoutbox):
    assert send_reminders() == 0
    press_verify(client, verify_path(unverified))
    assert send_reminders() == 1
    assert mailoutbox[-1].to == ["robin@example.org"]
    body = mailoutbox[-1].body
    assert "You get this email because reminders are on" in body
    assert "http://127.0.0.1:8000/settings/" in body, "how to stop them"


# Settings → Email ---------------------------------------------------------------------


def post_email(client, htmx: bool, address: str, url: str = "email"):
    return client.post(reverse(url), {"email": address}, **htmx_headers(htmx))


def shown(client, response, htmx: bool) -> str:
    """The page the person sees after a post."""
    if htmx:
        return response.text
    assert response.status_code == 302
    assert response.url == reverse("settings") + "#email"
    return client.get(response.url).text


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_adding_an_address_saves_it_unverified_and_sends_a_link(owner, owner_client, mailoutbox, htmx):
    before = owner_client.get(reverse("settings")).text
    assert "No email address yet" in email_section(before)
    assert 'href="#email">Add an email address</a>' in reminders_section(before)

    response = post_email(owner_client, htmx, "owner@example.org")
    page = shown(owner_client, response, htmx)
    if htmx:
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="email"')
        assert "<html" not in response.text
        # The reminders section's hint follows the address, swapped in out of band.
        assert 'id="reminders" class="card" aria-labelledby="reminders-heading" hx-swap-oob="true"' in page
    section = email_section(page)
    assert "We sent a link to owner@example.org" in page
    assert ">Not verified<" in section
    assert "Send the link again" in section
    assert 'value="owner@example.org"' in section
    assert 'href="#email">Verify your address to get reminders</a>' in reminders_section(page)
    owner.refresh_from_db()
    assert owner.email == "owner@example.org"
    assert verified_email(owner) is None
    [message] = mailoutbox
    assert message.to == ["owner@example.org"]


def test_the_verified_state_shows_no_reminder_hint_and_no_resend(owner_client, owner):
    owner.email = "owner@example.org"
    owner.save()
    UserSettings.objects.filter(user=owner).update(verified_email="owner@example.org")
    page = owner_client.get(reverse("settings")).text
    assert ">Verified<" in email_section(page)
    assert "Send the link again" not in page
    assert "Remove address" in email_section(page)
    reminders = visible_text(reminders_section(page))
    assert "Add an email address" not in reminders
    assert "Verify your address" not in reminders


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_changing_a_verified_address_unverifies_it_and_frees_the_old_one(mailoutbox, htmx):
    user = make_user("mover", email="old@example.org", verified=True)
    client = client_for(user)
    page = shown(client, post_email(client, htmx, "new@example.org"), htmx)
    assert ">Not verified<" in email_section(page)
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert verified_email(user) is None
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert send_reminders() == 0, "reminders go nowhere until the new address is verified"
    # The old address is free for another account.
    newcomer = make_user("newcomer", email="old@example.org")
    assert press_verify(client_for(newcomer), verify_path(newcomer)).status_code == 302


def test_changing_only_the_case_keeps_the_address_verified(mailoutbox):
    user = make_user("caser", email="robin@example.org", verified=True)
    client_for(user).post(reverse("email"), {"email": "Robin@example.org"})
    assert verified_email(user) == "Robin@example.org"
    assert mailoutbox == []


def test_saving_the_same_address_sends_nothing(unverified, unverified_client, mailoutbox):
    response = unverified_client.post(reverse("email"), {"email": "robin@example.org"}, **HTMX)
    assert "Saved." in response.text
    assert mailoutbox == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_removing_the_address(htmx, mailoutbox):
    user = make_user("leaver", email="leaver@example.org", verified=True)
    client = client_for(user)
    page = shown(client, client.post(reverse("email"), {"remove": "1"}, **htmx_headers(htmx)), htmx)
    assert "Your email address is removed" in page
    assert "No email address yet" in email_section(page)
    user.refresh_from_db()
    assert (user.email, verified_email(user)) == ("", None)
    assert mailoutbox == []


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b@example.org", "x" * 250 + "@example.org"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_bad_address_is_refused_with_a_message_and_changes_nothing(
    unverified, unverified_client, mailoutbox, address, htmx
):
    response = post_email(unverified_client, htmx, address)
    assert response.status_code == (422 if htmx else 400)
    assert ("<html" in response.text) is not htmx
    assert re.search(
        r"Enter a valid email address|at most 254|This field is required", visible_text(response.text)
    )
    unverified.refresh_from_db()
    assert unverified.email == "robin@example.org"
    assert mailoutbox == []


def test_changing_the_address_needs_the_csrf_token(unverified):
    client = Client(enforce_csrf_checks=True)
    client.force_login(unverified)
    assert client.post(reverse("email"), {"email": "x@example.org"}).status_code == 403
    assert client.post(reverse("email_resend")).status_code == 403
    unverified.refresh_from_db()
    assert unverified.email == "robin@example.org"


def test_the_section_says_so_when_the_server_sends_no_email(unverified_client, settings):
    settings.EMAIL_HOST = ""
    assert "no mail server set up" in unverified_client.get(reverse("settings")).text
    settings.EMAIL_HOST = "smtp.example.org"
    assert "no mail server set up" not in unverified_client.get(reverse("settings")).text


# Send the link again ------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_send_the_link_again_sends_once_a_minute(unverified, unverified_client, mailoutbox, htmx):
    response = unverified_client.post(reverse("email_resend"), **htmx_headers(htmx))
    assert "We sent a link to robin@example.org" in shown(unverified_client, response, htmx)
    assert len(mailoutbox) == 1

    again = unverified_client.post(reverse("email_resend"), **htmx_headers(htmx))
    assert again.status_code == (422 if htmx else 429)
    assert re.search(r"You can send another in \d+ seconds", visible_text(again.text))
    assert len(mailoutbox) == 1

    age_sent_emails(timedelta(minutes=1, seconds=1))
    unverified_client.post(reverse("email_resend"))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["robin@example.org"]


def test_send_the_link_again_sends_at_most_five_a_day(unverified, unverified_client, mailoutbox):
    for _ in range(mail.DAILY):
        assert unverified_client.post(reverse("email_resend")).status_code == 302
        age_sent_emails(timedelta(minutes=2))
    refused = unverified_client.post(reverse("email_resend"))
    assert refused.status_code == 429
    assert re.search(r"You can send another in \d+ hours", visible_text(refused.text))
    assert len(mailoutbox) == mail.DAILY
    age_sent_emails(timedelta(hours=24))
    assert unverified_client.post(reverse("email_resend")).status_code == 302
    assert len(mailoutbox) == mail.DAILY + 1


def test_many_accounts_cannot_flood_one_address(mailoutbox):
    for n in range(mail.DAILY + 2):
        client = client_for(make_user(f"flooder{n}"))
        client.post(reverse("email"), {"email": "stranger@example.org"})
        age_sent_emails(timedelta(minutes=2))
    assert len(mailoutbox) == mail.DAILY
    assert all(m.to == ["stranger@example.org"] for m in mailoutbox)


def test_a_deleted_account_still_counts_against_the_address(mailoutbox):
    user = make_user("gone", email="stranger@example.org")
    client_for(user).post(reverse("email_resend"))
    user.delete()
    assert SentEmail.objects.get().user is None
    client_for(make_user("again")).post(reverse("email"), {"email": "STRANGER@example.org"})
    assert len(mailoutbox) == 1, "within a minute of the last email to that address"


@pytest.mark.parametrize("state", ["verified", "no address"])
def test_send_the_link_again_with_nothing_to_verify_is_refused(state, mailoutbox):
    if state == "verified":
        user = make_user("done", email="done@example.org", verified=True)
    else:
        user = make_user("none")
    response = client_for(user).post(reverse("email_resend"), **HTMX)
    assert response.status_code == 422
    assert "There is no address waiting to be verified." in response.text
    assert mailoutbox == []


def test_without_site_url_the_link_points_at_the_address_the_person_used(unverified, settings, mailoutbox):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["career.example.com"]
    client = client_for(unverified)
    client.post(reverse("email_resend"), HTTP_HOST="career.example.com")
    assert "http://career.example.com/email/verify/" in mailoutbox[0].body


def test_without_site_url_the_reminder_command_says_what_is_missing(settings, mailoutbox):
    make_user("due", email="due@example.org", verified=True)
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="Set SITE_URL"):
        call_command("send_checkin_reminders")
    assert mailoutbox == []


# Backup and restore -------------------------------------------------------------------


def test_a_restore_never_makes_an_address_verified(unverified):
    data = backup.dump(unverified)
    data["settings"]["verified_email"] = "robin@example.org"
    data["email"] = "robin@example.org"
    backup.restore(unverified, data)
    assert verified_email(unverified) is None
    assert "email" not in backup.dump(unverified)["settings"]


def test_a_restore_keeps_the_verified_address_it_found(db):
    user = make_user("kept", email="kept@example.org", verified=True)
    backup.restore(user, backup.dump(user))
    assert verified_email(user) == "kept@example.org"


def test_an_address_changed_in_the_admin_needs_verifying_again(db):
    user = make_user("robin", email="robin@example.org", verified=True)
    operator = client_for(User.objects.create_superuser("operator", password=PASSWORD))
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = operator.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        email="robin@elsewhere.example.org",
        date_joined_0=f"{user.date_joined:%Y-%m-%d}",
        date_joined_1=f"{user.date_joined:%H:%M:%S}",
    )
    data = {k: v for k, v in data.items() if k not in ("date_joined", "last_login", "password")}
    response = operator.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.email == "robin@elsewhere.example.org"
    assert verified_email(user) is None


# Forgot password ----------------------------------------------------------------------


@pytest.fixture
def email_on(settings):
    settings.EMAIL_HOST = "smtp.example.org"


def ask_for_reset(client, address: str):
    response = client.post(reverse("password_reset"), {"email": address})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    return visible_text(client.get(response.url).text)


def test_the_log_in_page_offers_forgot_password_only_when_email_is_set_up(client, settings):
    settings.EMAIL_HOST = ""
    page = client.get(reverse("login")).text
    assert "Forgot password?" not in page
    assert client.get(reverse("password_reset")).status_code == 404
    settings.EMAIL_HOST = "smtp.example.org"
    page = client.get(reverse("login")).text
    assert f'<a href="{reverse("password_reset")}">Forgot password?</a>' in page
    assert client.get(reverse("password_reset")).status_code == 200


def test_in_debug_the_console_shows_the_email_so_forgot_password_is_offered(client, settings):
    settings.EMAIL_HOST, settings.DEBUG = "", True
    assert "Forgot password?" in client.get(reverse("login")).text


def test_a_reset_goes_to_a_verified_address_and_sets_a_new_password(client, email_on, mailoutbox):
    user = make_user("forgetful", email="forgetful@example.org", verified=True)
    ask_for_reset(client, "FORGETFUL@example.org")
    [message] = mailoutbox
    assert message.to == ["forgetful@example.org"]
    assert "Your username is forgetful." in message.body
    assert message.alternatives == [], "plain text only"
    assert "ignore this email" in message.body
    link = link_in(message)

    landing = client.get(link)
    assert landing.status_code == 302
    assert landing["Referrer-Policy"] == "no-referrer"
    assert "set-password" in landing.url, "the token leaves the address bar"
    form = client.get(landing.url)
    assert form.status_code == 200
    assert form["Referrer-Policy"] == "same-origin", "its form must send an Origin for the CSRF check"
    assert "script-src 'self'" in form["Content-Security-Policy"]
    assert "style=" not in form.text
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", form.text))
    new_password = "a-brand-new-long-password"
    mismatch = client.post(landing.url, {"new_password1": new_password, "new_password2": "other"})
    assert mismatch.status_code == 400
    assert "The two password fields didn’t match." in mismatch.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    done = client.post(landing.url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert "Password changed" in client.get(done.url).text
    assert client.get(link, follow=True).context["validlink"] is False, "a link works once"


def test_reset_says_the_same_for_verified_unverified_and_unknown_addresses(email_on, mailoutbox):
    make_user("verified", email="verified@example.org", verified=True)
    make_user("unverified", email="unverified@example.org")
    pages = {
        address: ask_for_reset(Client(), address)
        for address in ("verified@example.org", "unverified@example.org", "nobody@example.org")
    }
    assert len(set(pages.values())) == 1
    assert "If an account here has that address, verified" in pages["nobody@example.org"]
    assert [m.to for m in mailoutbox] == [["verified@example.org"]]


def test_reset_emails_are_limited_like_the_verification_links(client, email_on, mailoutbox):
    make_user("forgetful", email="forgetful@example.org", verified=True)
    ask_for_reset(client, "forgetful@example.org")
    ask_for_reset(client, "forgetful@example.org")
    assert len(mailoutbox) == 1
    age_sent_emails(timedelta(minutes=2))
    ask_for_reset(client, "forgetful@example.org")
    assert len(mailoutbox) == 2


def test_a_bad_reset_address_is_refused_with_a_message(client, email_on, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert mailoutbox == []


def test_a_broken_reset_link_says_so(client, email_on):
    user = make_user("forgetful", email="forgetful@example.org", verified=True)
    path = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"})
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert "This link doesn’t work" in page.text
    assert page.redirect_chain == []
    assert user.check_password(PASSWORD)
