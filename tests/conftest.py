import pytest

from assessments.models import Job, UserSettings, this_month

from .factories import make_checkin, make_trigger, make_user


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def other(db):
    return make_user("other")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other):
    from django.test import Client

    client = Client()
    client.force_login(other)
    return client


@pytest.fixture
def world(db):
    """The owner, with a secret in every field (test_authorization.SECRETS), and another user."""
    owner, other = make_user("owner"), make_user("other")
    trigger = make_trigger(owner, "Owner secret trigger", theme="Secret theme")
    checkin = make_checkin(
        owner, this_month(), {trigger: 3}, notes="Owner secret note", talking_points="Owner talking point"
    )
    checkin.ratings.update(note="Owner secret note")
    job = Job.objects.create(user=owner, employer="Owner secret employer", start=this_month())
    token = UserSettings.of(owner).new_calendar_token()
    return {"owner": owner, "other": other, "trigger": trigger, "job": job, "token": token}
