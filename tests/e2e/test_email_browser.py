"""Settings → Email in a real browser: add an address, open the emailed link, see it
verified; with JavaScript (htmx, no CSP violation) and without."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from assessments.models import UserSettings

from ..factories import make_user
from ..helpers import assert_no_trouble, assert_same_document, log_in, set_marker

ADDRESS = "robin@example.org"


@pytest.fixture
def person(db, settings, live_server):
    settings.SITE_URL = live_server.url  # the emailed link leads to this server
    return make_user("robin")


def emailed_link(outbox) -> str:
    [message] = outbox
    assert message.to == [ADDRESS]
    [link] = re.findall(r"https?://\S+", message.body)
    return link


def add_address(page: Page) -> None:
    reminders = page.get_by_role("region", name="Reminders")
    reminders.get_by_role("link", name="Add an email address").click()
    section = page.get_by_role("region", name="Email")
    section.get_by_label("Email address").fill(ADDRESS)
    section.get_by_role("button", name="Save email address").click()


def verify_from_email(page: Page, live_server, outbox) -> None:
    link = emailed_link(outbox)
    assert urlsplit(link).netloc == urlsplit(live_server.url).netloc
    page.goto(link)
    expect(page.get_by_role("heading", name="Verify your email address")).to_be_visible()
    expect(page.get_by_text(f"Is {ADDRESS} yours?")).to_be_visible()
    page.get_by_role("button", name="Verify address").click()


def assert_verified(page: Page, live_server) -> None:
    expect(page).to_have_url(f"{live_server.url}/settings/#email")
    expect(page.get_by_text(f"{ADDRESS} is verified.")).to_be_visible()
    section = page.get_by_role("region", name="Email")
    expect(section.get_by_text("Verified", exact=True)).to_be_visible()
    expect(section.get_by_role("button", name="Send the link again")).to_have_count(0)
    expect(
        page.get_by_role("region", name="Reminders").get_by_role("link", name=re.compile("email|Verify"))
    ).to_have_count(0)
    assert UserSettings.objects.get(user__username="robin").verified_email == ADDRESS


def test_adding_an_address_and_opening_the_emailed_link_verifies_it(page, live_server, person, mailoutbox):
    log_in(page, live_server, person)
    page.goto("/settings/")
    set_marker(page)
    add_address(page)

    section = page.get_by_role("region", name="Email")
    expect(section.get_by_text(f"We sent a link to {ADDRESS}")).to_be_visible()
    expect(section.get_by_text("Not verified", exact=True)).to_be_visible()
    expect(section.get_by_role("button", name="Send the link again")).to_be_visible()
    reminders = page.get_by_role("region", name="Reminders")
    expect(reminders.get_by_role("link", name="Verify your address to get reminders")).to_be_visible()
    expect(reminders.get_by_role("link", name="Add an email address")).to_have_count(0)
    assert_same_document(page)

    verify_from_email(page, live_server, mailoutbox)
    assert_verified(page, live_server)
    assert_no_trouble(page)


def test_without_javascript_the_same_steps_verify_the_address(js_off_page, live_server, person, mailoutbox):
    page = js_off_page
    log_in(page, live_server, person)
    page.goto("/settings/")
    add_address(page)
    expect(page).to_have_url(f"{live_server.url}/settings/#email")
    expect(page.get_by_text(f"We sent a link to {ADDRESS}")).to_be_visible()
    expect(page.get_by_role("region", name="Email").get_by_text("Not verified", exact=True)).to_be_visible()
    verify_from_email(page, live_server, mailoutbox)
    assert_verified(page, live_server)


def test_forgot_password_sends_a_link_that_sets_a_new_password(page, live_server, settings, mailoutbox):
    settings.SITE_URL, settings.EMAIL_HOST = live_server.url, "smtp.example.org"
    make_user("robin", email=ADDRESS, verified=True)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(ADDRESS)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(emailed_link(mailoutbox))
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    page.get_by_label("New password", exact=True).fill("a-brand-new-long-password")
    page.get_by_label("New password confirmation").fill("a-brand-new-long-password")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Password").fill("a-brand-new-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert_no_trouble(page)
