"""Every URL of the project, as anonymous visitor, owner and another user.

The URLs come from the resolver, so a new view can't be forgotten here.
"""

import pytest
from django.urls import reverse

from assessments.models import Job, Trigger

from .helpers import SECRETS, as_user, named_patterns, patterns, url_for

# Open without logging in; the links emailed to people and the links made for a manager
# work logged out too. The dashboard's address is the landing page for a visitor
# (tests/test_landing.py).
PUBLIC = {
    "dashboard",
    "healthz",
    "signup",
    "login",
    "calendar",
    "verify_email",
    "verify_email_confirm",
    "shared",
} | {f"password_reset{step}" for step in ("", "_done", "_confirm", "_complete")}


def test_the_walk_finds_every_view():
    names = {p.name for p in named_patterns()}
    assert {"dashboard", "checkin", "checklist", "trigger_action", "export", "job_edit", "calendar"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", patterns(leave_out=PUBLIC))
def test_anonymous_visitors_are_sent_to_log_in(world, pattern, method):
    response = getattr(as_user(None), method)(url_for(pattern, world))
    assert response.status_code == 302, response.status_code
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", patterns())
def test_another_user_never_reaches_the_owners_data(world, pattern, method):
    before = (Trigger.objects.get(pk=world["trigger"].pk), Job.objects.get(pk=world["job"].pk))
    response = getattr(as_user(world["other"]), method)(url_for(pattern, world), follow=False)
    assert response.status_code != 500
    if "pk" in pattern.pattern.converters:
        assert response.status_code in (404, 405), response.status_code
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, (pattern.name, secret)
    after = (Trigger.objects.get(pk=world["trigger"].pk), Job.objects.get(pk=world["job"].pk))
    assert [vars(o) | {"_state": None} for o in before] == [vars(o) | {"_state": None} for o in after]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", patterns())
def test_the_owner_never_meets_a_server_error(world, pattern, method):
    response = getattr(as_user(world["owner"]), method)(url_for(pattern, world))
    assert response.status_code < 500, (pattern.name, response.status_code)
