"""The throttle on every password check and on sign-up, tried as an attacker would.

Addresses: the owner and the attacker share 10.0.0.1 (an office behind one NAT) unless a
test says otherwise.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import throttle
from assessments.models import Attempt

from .factories import PASSWORD, make_user
from .helpers import in_parallel

User = get_user_model()
SHARED = "10.0.0.1"
ELSEWHERE = "192.0.2.44"
NEW_PASSWORD = "another-long-test-password"
# The same account to Django's authentication: fullwidth, mathematical bold, superscripts.
LOOK_ALIKES = ["ｏｗｎｅｒ", "𝐨𝐰𝐧𝐞𝐫", "ᵒʷⁿᵉʳ"]


def log_in(client: Client, username: str, password: str, address: str = SHARED, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def lock(username: str, address: str = SHARED) -> Client:
    """An attacker who used up `username`'s budget from `address`."""
    attacker = Client()
    for _ in range(throttle.LIMIT):
        assert log_in(attacker, username, "wrong", address).status_code == 400
    return attacker


def is_logged_in_as(client: Client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def device_cookie(user) -> str:
    """The device cookie a browser gets by logging in as `user`."""
    client = Client()
    assert log_in(client, user.username, PASSWORD, "198.51.100.200").status_code == 302
    return client.cookies[throttle.DEVICE_COOKIE].value


# One username, one address ---------------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_password_is_a_clear_400(owner):
    response = log_in(Client(), "owner", "wrong")
    assert response.status_code == 400
    assert b"correct username and password" in response.content


@pytest.mark.django_db
def test_repeated_failures_refuse_even_the_right_password_for_a_while(owner):
    client = lock("owner")
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts. Try again in 15 minutes." in response.content
    assert not is_logged_in_as(client, owner)


@pytest.mark.django_db
def test_the_throttle_cools_off_by_itself(owner, time_machine):
    client = lock("owner")
    time_machine.shift(throttle.COOL_OFF + timedelta(seconds=1))
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in_as(client, owner)


@pytest.mark.django_db
def test_a_lock_lifts_when_its_oldest_failure_leaves_the_window(owner):
    client = lock("owner")
    oldest = Attempt.objects.order_by("at")[0]
    oldest.at -= throttle.COOL_OFF - timedelta(minutes=4)
    oldest.save()
    assert b"Try again in 4 minutes." in log_in(client, "owner", PASSWORD).content


@pytest.mark.django_db
def test_guessing_from_another_address_does_not_lock_the_owner_out(owner):
    attacker = lock("owner", address="203.0.113.9")
    assert log_in(attacker, "owner", PASSWORD, address="203.0.113.9").status_code == 429
    assert log_in(Client(), "owner", PASSWORD, address=SHARED).status_code == 302


@pytest.mark.django_db
def test_failures_against_one_username_do_not_block_another(owner, other):
    client = lock("owner")
    assert log_in(client, "other", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_log_in_wipes_the_slate_for_its_username(owner):
    client = Client()
    for _ in range(throttle.LIMIT - 1):
        log_in(client, "owner", "wrong")
    assert log_in(client, "owner", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(throttle.LIMIT):
        assert log_in(Client(), "owner", "wrong").status_code == 400
    assert log_in(Client(), "owner", "wrong").status_code == 429


@pytest.mark.django_db
def test_usernames_are_throttled_whatever_their_case(owner):
    client = lock("OWNER")
    assert log_in(client, "owner", PASSWORD).status_code == 429


# Unicode compatibility forms -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_compatibility_form_of_the_username_is_the_same_account_to_authentication(owner, look_alike):
    client = Client()
    assert log_in(client, look_alike, PASSWORD).status_code == 302
    assert is_logged_in_as(client, owner)


@pytest.mark.django_db
@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_compatibility_form_gets_no_fresh_budget(owner, look_alike):
    client = lock(look_alike)
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in_as(client, owner)


@pytest.mark.django_db
@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_compatibility_form_cannot_log_in_while_the_account_is_locked(owner, look_alike):
    client = lock("owner")
    response = log_in(client, look_alike, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in_as(client, owner)


@pytest.mark.django_db
def test_failures_spread_over_every_form_of_the_username_share_one_budget(owner):
    client = Client()
    forms = ["owner", "OWNER", *LOOK_ALIKES]
    for username in forms[: throttle.LIMIT]:
        assert log_in(client, username, "wrong").status_code == 400
    for username in forms:
        assert log_in(client, username, PASSWORD).status_code == 429
    assert not is_logged_in_as(client, owner)


# In parallel -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_at_once_are_checked_at_most_limit_times(settings):
    # The hasher production uses: its slowness is what a check-then-record throttle races.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    make_user("owner")
    codes = in_parallel(24, lambda n: log_in(Client(), "owner", f"guess-{n}"))
    assert set(codes) <= {400, 429}
    checked = codes.count(400)
    assert checked <= throttle.LIMIT
    # The burst and what follows get LIMIT checks between them.
    for _ in range(throttle.LIMIT - checked):
        assert log_in(Client(), "owner", "wrong").status_code == 400
    assert log_in(Client(), "owner", PASSWORD).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_spraying_many_usernames_at_once_is_checked_at_most_address_limit_times():
    count = throttle.ADDRESS_LIMIT + 10
    codes = in_parallel(count, lambda n: log_in(Client(), f"user{n}", "wrong"))
    assert set(codes) <= {400, 429}
    assert codes.count(400) <= throttle.ADDRESS_LIMIT


# Password spraying -----------------------------------------------------------------


@pytest.mark.django_db
def test_spraying_one_address_over_many_usernames_is_refused():
    users = [make_user(f"user{n}") for n in range(8)]
    client = Client()
    codes = [log_in(client, user.username, f"guess-{n}").status_code for n in range(4) for user in users]
    assert codes == [400] * throttle.ADDRESS_LIMIT + [429] * (32 - throttle.ADDRESS_LIMIT)
    assert log_in(client, "someone-new", "guess").status_code == 429
    assert log_in(client, "user0", PASSWORD).status_code == 429
    assert log_in(Client(), "user0", PASSWORD, address=ELSEWHERE).status_code == 302


@pytest.mark.django_db
def test_one_ipv6_network_counts_as_one_address():
    client = Client()
    for n in range(throttle.ADDRESS_LIMIT):
        assert log_in(client, f"user{n}", "wrong", address=f"2001:db8:1:2::{n + 1:x}").status_code == 400
    assert log_in(client, "someone-new", "wrong", address="2001:db8:1:2:ffff::1").status_code == 429
    assert log_in(client, "someone-new", "wrong", address="2001:db8:1:3::1").status_code == 400


@pytest.mark.django_db
def test_logging_in_successfully_does_not_refill_the_address_budget(owner, other):
    """Else an attacker with an account of their own could spray forever."""
    client = Client()
    for n in range(throttle.ADDRESS_LIMIT):
        assert log_in(client, f"user{n}", "wrong").status_code == 400
        if n % 5 == 0:
            assert log_in(Client(), "other", PASSWORD).status_code == 302
    assert log_in(client, "someone-new", "wrong").status_code == 429


# Device cookies --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_log_in_gives_the_browser_a_long_lived_http_only_device_cookie(owner):
    response = log_in(Client(), "owner", PASSWORD)
    cookie = response.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # tests run over http, as the session cookie does
    assert "owner" not in cookie.value


@pytest.mark.django_db
def test_the_device_cookie_is_secure_where_the_session_cookie_is(owner, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = log_in(Client(), "owner", PASSWORD)
    assert response.cookies[throttle.DEVICE_COOKIE]["secure"] is True


@pytest.mark.django_db
def test_the_device_cookie_outlives_log_out(owner):
    client = Client()
    log_in(client, "owner", PASSWORD)
    value = client.cookies[throttle.DEVICE_COOKIE].value
    response = client.post(reverse("logout"))
    assert "cookies" not in response["Clear-Site-Data"]
    assert throttle.DEVICE_COOKIE not in response.cookies  # neither replaced nor expired
    assert client.cookies[throttle.DEVICE_COOKIE].value == value
    assert not is_logged_in_as(client, owner)


@pytest.mark.django_db
def test_the_owner_logs_in_with_a_device_cookie_while_an_attacker_on_the_same_address_locked_the_name(owner):
    browser = Client()
    assert log_in(browser, "owner", PASSWORD).status_code == 302
    browser.post(reverse("logout"))
    attacker = lock("owner")
    for n in range(throttle.ADDRESS_LIMIT):
        log_in(attacker, f"user{n}", "wrong")  # and the address, for good measure
    assert log_in(Client(), "owner", PASSWORD).status_code == 429  # a browser it doesn't know
    assert log_in(attacker, "owner", PASSWORD).status_code == 429
    assert log_in(browser, "owner", PASSWORD).status_code == 302
    assert is_logged_in_as(browser, owner)


@pytest.mark.django_db
def test_a_device_cookie_is_throttled_on_its_own_failures(owner):
    browser = Client()
    log_in(browser, "owner", PASSWORD)
    browser.post(reverse("logout"))
    for _ in range(throttle.LIMIT):
        assert log_in(browser, "owner", "wrong").status_code == 400
    assert log_in(browser, "owner", PASSWORD).status_code == 429
    # Its failures are its own: other clients on the address still have their budget.
    assert log_in(Client(), "owner", PASSWORD).status_code == 302


def tampered(value: str) -> str:
    device, _, rest = value.partition("-")
    return ("0" if device[0] != "0" else "1") + device[1:] + "-" + rest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda owner, other: "not-a-device-cookie", id="garbage"),
        pytest.param(lambda owner, other: tampered(device_cookie(owner)), id="tampered"),
        pytest.param(lambda owner, other: device_cookie(other), id="another-users"),
        pytest.param(
            lambda owner, other: signing.get_cookie_signer(salt=throttle.DEVICE_COOKIE).sign("abc-def"),
            id="signed-by-something-else",
        ),
    ],
)
def test_a_forged_or_another_users_device_cookie_gives_no_exemption(owner, other, forge):
    cookie = forge(owner, other)
    lock("owner")
    client = Client()
    client.cookies[throttle.DEVICE_COOKIE] = cookie
    assert log_in(client, "owner", PASSWORD).status_code == 429
    assert not is_logged_in_as(client, owner)


@pytest.mark.django_db
def test_a_device_cookie_older_than_a_year_gives_no_exemption(owner, time_machine):
    time_machine.shift(-timedelta(days=366))
    old = device_cookie(owner)
    time_machine.shift(timedelta(days=366))
    lock("owner")
    client = Client()
    client.cookies[throttle.DEVICE_COOKIE] = old
    assert log_in(client, "owner", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_deleting_the_account_takes_its_device_cookie_away(owner_client):
    log_in(owner_client, "owner", PASSWORD)
    response = owner_client.post(reverse("account_delete"), {"confirm": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[throttle.DEVICE_COOKIE]["max-age"] == 0


# The client's address behind a proxy -----------------------------------------------


def through_proxy(client: Client, username: str, password: str, forwarded: str):
    return log_in(client, username, password, address="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_behind_a_proxy_each_client_is_the_address_the_proxy_saw(owner, settings):
    settings.BEHIND_PROXY = True
    attacker = Client()
    for _ in range(throttle.LIMIT):
        assert through_proxy(attacker, "owner", "wrong", "198.51.100.7").status_code == 400
    assert through_proxy(attacker, "owner", PASSWORD, "198.51.100.7").status_code == 429
    assert through_proxy(Client(), "owner", PASSWORD, "192.0.2.1").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_entries_a_client_adds_on_the_left_change_nothing(owner, settings):
    settings.BEHIND_PROXY = True
    attacker = Client()
    for n in range(throttle.LIMIT):
        spoofed = f"192.0.2.{n + 1}, 203.0.113.{n + 1}, 198.51.100.7"
        assert through_proxy(attacker, "owner", "wrong", spoofed).status_code == 400
    assert through_proxy(attacker, "owner", PASSWORD, "192.0.2.1, 198.51.100.7").status_code == 429


@pytest.mark.django_db
def test_with_two_trusted_proxies_the_client_is_second_from_the_right(owner, settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXY_COUNT = True, 2
    attacker = Client()
    for n in range(throttle.LIMIT):
        forwarded = f"192.0.2.{n + 1}, 198.51.100.7, 10.8.8.{n + 1}"  # spoofed, client, first proxy
        assert through_proxy(attacker, "owner", "wrong", forwarded).status_code == 400
    assert through_proxy(attacker, "owner", PASSWORD, "198.51.100.7, 10.8.8.8").status_code == 429
    assert through_proxy(Client(), "owner", PASSWORD, "198.51.100.8, 10.8.8.8").status_code == 302


@pytest.mark.django_db
def test_a_request_that_skipped_the_proxies_counts_as_the_proxy_itself(owner, settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXY_COUNT = True, 2
    for n in range(throttle.LIMIT):
        assert through_proxy(Client(), "owner", "wrong", f"192.0.2.{n + 1}").status_code == 400
    assert through_proxy(Client(), "owner", PASSWORD, "192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_without_a_proxy_x_forwarded_for_is_ignored(owner, settings):
    settings.BEHIND_PROXY = False
    attacker = Client()
    for n in range(throttle.LIMIT):
        assert through_proxy(attacker, "owner", "wrong", f"192.0.2.{n + 1}").status_code == 400
    assert through_proxy(attacker, "owner", PASSWORD, "192.0.2.99").status_code == 429


# Every password check --------------------------------------------------------------


def change_password(client: Client, old: str):
    data = {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=SHARED)


def delete_account(client: Client, password: str):
    data = {"confirm": "owner", "password": password}
    return client.post(reverse("account_delete"), data, REMOTE_ADDR=SHARED)


@pytest.mark.django_db
def test_wrong_old_passwords_are_throttled_like_log_ins(owner_client, owner):
    for _ in range(throttle.LIMIT):
        assert change_password(owner_client, "wrong").status_code == 400
    response = change_password(owner_client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert log_in(Client(), "owner", PASSWORD).status_code == 429  # one budget for both


@pytest.mark.django_db
def test_log_in_failures_count_against_a_password_change(owner_client, owner):
    lock("owner")
    assert change_password(owner_client, PASSWORD).status_code == 429
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_right_old_password_with_mismatched_new_ones_is_no_failure(owner_client):
    for _ in range(throttle.LIMIT + 1):
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "typo"}
        assert owner_client.post(reverse("password_change"), data, REMOTE_ADDR=SHARED).status_code == 400
    assert change_password(owner_client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_deleting_the_account_with_a_wrong_password_deletes_nothing(owner_client, owner):
    response = delete_account(owner_client, "wrong")
    assert response.status_code == 400
    assert "That isn’t your password, so nothing was deleted." in response.text
    assert User.objects.filter(pk=owner.pk).exists()


@pytest.mark.django_db
def test_wrong_passwords_to_delete_the_account_are_throttled_like_log_ins(owner_client, owner):
    for _ in range(throttle.LIMIT):
        assert delete_account(owner_client, "wrong").status_code == 400
    response = delete_account(owner_client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts." in response.text
    assert User.objects.filter(pk=owner.pk).exists()
    assert log_in(Client(), "owner", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_owners_device_cookie_spares_their_own_password_change_from_an_attackers_lock(owner):
    browser = Client()
    log_in(browser, "owner", PASSWORD)
    lock("owner")
    assert change_password(browser, PASSWORD).status_code == 302


# Sign-up ---------------------------------------------------------------------------


def sign_up(username: str, address: str = SHARED, **changes):
    data = {"username": username, "email": "", "password1": PASSWORD, "password2": PASSWORD, **changes}
    return Client().post(reverse("signup"), data, REMOTE_ADDR=address)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["owner", "someone-new"])
def test_sign_up_is_refused_after_the_limit_with_the_same_words_for_a_taken_or_free_name(owner, username):
    for n in range(throttle.SIGNUP_LIMIT):
        assert sign_up(f"newcomer{n}").status_code == 302
    response = sign_up(username)
    assert response.status_code == 429
    assert "Too many sign-ups from your address. Try again in 60 minutes." in response.text
    assert "already exists" not in response.text
    assert not User.objects.filter(username="someone-new").exists()
    assert sign_up("someone-new", address=ELSEWHERE).status_code == 302


@pytest.mark.django_db
def test_a_username_found_taken_counts_against_sign_up(owner):
    for _ in range(throttle.SIGNUP_LIMIT):
        response = sign_up("owner")
        assert response.status_code == 400
        assert "A user with that username already exists." in response.text
    assert sign_up("someone-new").status_code == 429


@pytest.mark.django_db
def test_a_mistyped_password_does_not_count_against_sign_up():
    for _ in range(throttle.SIGNUP_LIMIT + 1):
        assert sign_up("newcomer", password2="not-the-same").status_code == 400
    assert sign_up("newcomer").status_code == 302


@pytest.mark.django_db
def test_an_email_address_already_in_use_is_neither_refused_nor_revealed(owner):
    owner.email = "owner@example.com"
    owner.save()
    response = sign_up("newcomer", email="owner@example.com")
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer", email="owner@example.com").exists()


# The table -------------------------------------------------------------------------


@pytest.mark.django_db
def test_old_attempts_are_deleted_as_new_ones_come(owner, time_machine):
    lock("owner")
    time_machine.shift(throttle.SIGNUP_WINDOW + timedelta(seconds=1))
    log_in(Client(), "other", "wrong")
    assert Attempt.objects.count() == 2  # the new try, on its username and on its address


@pytest.mark.django_db
def test_a_refused_attempt_leaves_no_row(owner):
    attacker = lock("owner")
    rows = Attempt.objects.count()
    for _ in range(10):
        assert log_in(attacker, "owner", "wrong").status_code == 429
    assert Attempt.objects.count() == rows


@pytest.mark.django_db
def test_a_try_costs_the_same_few_queries_however_many_are_stored(owner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert log_in(Client(), "owner", "wrong").status_code == 400
        return len(captured)

    first = queries()
    for n in range(throttle.ADDRESS_LIMIT - 3):
        log_in(Client(), f"user{n}", "wrong", address=f"203.0.113.{n}")
        log_in(Client(), f"user{n}", "wrong")
    assert queries() == first
    assert first == 4  # the throttle's insert, count and clean-up, and the user looked up


@pytest.mark.django_db
def test_the_table_names_neither_users_nor_addresses(owner):
    lock("owner")
    keys = " ".join(Attempt.objects.values_list("key", flat=True))
    assert "owner" not in keys
    assert SHARED not in keys
