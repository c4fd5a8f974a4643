"""Browser tests: Playwright driving Debian's Chromium headless shell against the live test server."""

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from ..helpers import watch
from ..server import CHROMIUM_ARGS, HEADLESS_SHELL

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to be
# called from such a thread unless told it is safe, which it is in these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(HEADLESS_SHELL) and not os.path.exists(HEADLESS_SHELL):
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {HEADLESS_SHELL} for the browser tests.")
        pytest.skip(f"No Chromium at {HEADLESS_SHELL}: install it (apt-get install chromium-headless-shell).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=HEADLESS_SHELL, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page of a fresh context, watched for trouble (tests.helpers.assert_no_trouble)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    watch(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def js_off_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    watch(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
