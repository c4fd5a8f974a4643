"""The owner's own browser gets in while someone on the same address has locked the username."""

from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from assessments import throttle

from ..factories import PASSWORD, make_user


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_browser_that_logged_in_before_gets_in_while_someone_on_its_address_locked_the_name(
    page, browser, live_server
):
    make_user("owner")
    log_in(page, "owner", PASSWORD)
    expect(page).to_have_url(live_server.url + reverse("dashboard"))
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_server.url + reverse("login"))
    assert [c for c in page.context.cookies() if c["name"] == throttle.DEVICE_COOKIE]

    # Someone else on the browser's own address guesses until the username is locked.
    attacker = Client()
    for _ in range(throttle.LIMIT):
        data = {"username": "owner", "password": "a-guess"}
        assert attacker.post(reverse("login"), data, REMOTE_ADDR="127.0.0.1").status_code == 400

    stranger = browser.new_context(base_url=live_server.url)
    other_page = stranger.new_page()
    log_in(other_page, "owner", PASSWORD)
    expect(other_page.get_by_role("alert")).to_have_text("Too many failed attempts. Try again in 15 minutes.")
    stranger.close()

    log_in(page, "owner", PASSWORD)
    expect(page).to_have_url(live_server.url + reverse("dashboard"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
