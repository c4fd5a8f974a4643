import pytest

from assessments import exports, sharing
from assessments.models import Job, UserSettings, this_month

from .factories import make_checkin, make_trigger, make_user


@pytest.fixture
def default_checklist() -> bool:
    """Whether `owner` and `other` start with the default checklist, as sign-up gives.
    A test module whose triggers are all its own overrides this fixture to say False."""
    return True


@pytest.fixture
def owner(db, default_checklist):
    return make_user("owner", default_checklist=default_checklist)


@pytest.fixture
def other(db, default_checklist):
    return make_user("other", default_checklist=default_checklist)


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
    choices = exports.saved_choices(owner, [trigger])
    link, _ = sharing.create(user=owner, export=exports.build(owner, choices), days=7)
    return {"owner": owner, "other": other, "trigger": trigger, "job": job, "token": token, "link": link}
