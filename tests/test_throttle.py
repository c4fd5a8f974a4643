from datetime import timedelta

import pytest
from django.test import Client

from assessments import throttle
from assessments.models import LoginFailure

from .factories import PASSWORD


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_a_wrong_password_is_a_clear_400(owner):
    response = log_in(Client(), "owner", "wrong")
    assert response.status_code == 400
    assert b"correct username and password" in response.content


@pytest.mark.django_db
def test_repeated_failures_refuse_even_the_right_password_for_a_while(owner):
    client = Client()
    for _ in range(throttle.LIMIT):
        assert log_in(client, "owner", "wrong").status_code == 400
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts. Try again in 15 minutes." in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_throttle_cools_off_by_itself(owner):
    client = Client()
    for _ in range(throttle.LIMIT):
        log_in(client, "owner", "wrong")
    LoginFailure.objects.update(at=LoginFailure.objects.first().at - throttle.COOL_OFF - timedelta(seconds=1))
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
def test_guessing_from_another_address_does_not_lock_the_owner_out(owner):
    attacker = Client()
    for _ in range(throttle.LIMIT * 2):
        log_in(attacker, "owner", "wrong", address="203.0.113.9")
    assert log_in(attacker, "owner", PASSWORD, address="203.0.113.9").status_code == 429
    assert log_in(Client(), "owner", PASSWORD, address="10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_failures_against_one_username_do_not_block_another(owner, other):
    client = Client()
    for _ in range(throttle.LIMIT):
        log_in(client, "owner", "wrong")
    assert log_in(client, "other", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_log_in_clears_earlier_failures(owner):
    client = Client()
    for _ in range(throttle.LIMIT - 1):
        log_in(client, "owner", "wrong")
    assert log_in(client, "owner", PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0


@pytest.mark.django_db
def test_usernames_are_throttled_whatever_their_case(owner):
    client = Client()
    for _ in range(throttle.LIMIT):
        log_in(client, "OWNER", "wrong")
    assert log_in(client, "owner", PASSWORD).status_code == 429
