"""What a visitor who is not logged in finds at `/`: what the app is, how private it is, and
the way in. Someone logged in finds their dashboard there."""

import re

import pytest
from django.urls import reverse

from assessments.management.commands.seed_demo import PASSWORD as DEMO_PASSWORD
from assessments.models import this_month

from .factories import make_checkin, make_user
from .helpers import visible_text

pytestmark = pytest.mark.django_db


def links(html: str) -> dict[str, str]:
    """{link text: href} of the page's main content."""
    main = html[html.index("<main") :]
    return {
        visible_text(text): href
        for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', main, re.S)
    }


def test_a_visitor_finds_what_the_app_is_and_links_to_sign_up_and_log_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "landing.html"
    text = response.text
    assert "No single trigger is a reason to leave" in text
    assert "wellbeing" in text and "mental health" in text
    assert "no tracking" in text
    assert "Your manager sees only what you choose" in text
    assert links(text) == {"Sign up": reverse("signup"), "Log in": reverse("login")}


def test_the_landing_page_has_each_way_in_once_not_again_in_the_header(client):
    text = client.get(reverse("dashboard")).text
    assert text.count(f'href="{reverse("signup")}"') == 1
    assert text.count(f'href="{reverse("login")}"') == 1


def test_with_sign_up_closed_the_landing_page_offers_only_log_in(client, settings):
    settings.SIGNUP_OPEN = False
    text = client.get(reverse("dashboard")).text
    assert links(text) == {"Log in": reverse("login")}


def test_a_logged_in_person_finds_their_dashboard_at_the_same_address(owner_client, owner):
    make_checkin(owner, this_month(), {owner.triggers.first(): 2})
    response = owner_client.get(reverse("dashboard"))
    assert [t.name for t in response.templates][0] == "dashboard.html"
    assert "Sign up" not in response.text
    assert "Notice early" not in response.text


def test_the_landing_page_shows_nothing_of_anyone(client, world):
    text = client.get(reverse("dashboard")).text
    for secret in ("Owner secret trigger", "Owner secret note", "Owner secret employer", "owner"):
        assert secret not in text


def test_the_demo_log_in_is_offered_when_the_demo_is_on_and_its_account_exists(client, settings):
    settings.DEMO = True
    make_user("demo")
    text = client.get(reverse("dashboard")).text
    assert "Look around the demo" in text
    assert DEMO_PASSWORD in text


@pytest.mark.parametrize(
    ("demo_setting", "account"),
    [(False, True), (True, False)],
    ids=["demo off, account there", "demo on, no account"],
)
def test_the_demo_is_not_mentioned_otherwise(client, settings, demo_setting, account):
    settings.DEMO = demo_setting
    if account:
        make_user("demo")
    text = client.get(reverse("dashboard")).text
    assert "demo" not in text.lower()
    assert DEMO_PASSWORD not in text


def test_a_deactivated_demo_account_is_not_offered(client, settings):
    settings.DEMO = True
    demo = make_user("demo")
    demo.is_active = False
    demo.save()
    assert DEMO_PASSWORD not in client.get(reverse("dashboard")).text


def test_the_landing_page_loads_no_script(client):
    # Nothing to run: and htmx, loaded only for someone logged in, would write to the tab's storage.
    assert "<script" not in client.get(reverse("dashboard")).text


def test_the_landing_page_only_answers_get(client):
    assert client.post(reverse("dashboard")).status_code == 405
