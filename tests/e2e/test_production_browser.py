"""The app as production runs it: gunicorn, DEBUG off, static files from WhiteNoise."""

import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from ..helpers import assert_no_trouble, watch
from ..server import start_demo, stop_server

PAGES = ["/", "/?range=all", "/check-in/", "/history/", "/checklist/", "/export/", "/settings/"]


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("production")
    address, server = start_demo(folder)
    yield address
    stop_server(server)


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_static_files_are_hashed_compressed_and_cached_for_ever(production: str) -> None:
    page = urllib.request.urlopen(f"{production}/accounts/login/").read().decode()
    css = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith("/static/css/app."))
    assert css != "/static/css/app.css"  # a content hash in the name
    request = urllib.request.Request(production + css, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "br"  # WhiteNoise wrote .br files too
        assert "immutable" in response.headers["Cache-Control"]
        assert int(response.headers["Cache-Control"].split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600


def test_every_page_keeps_the_policy_and_the_origin(browser: Browser, production: str) -> None:
    context = browser.new_context()
    watch(context, production)
    page = context.new_page()
    log_in(page, production)
    for url in PAGES:
        page.goto(production + url)
        page.wait_for_load_state("networkidle")
        if url.startswith("/?"):
            page.locator("svg.plot").first.hover()
        assert_no_trouble(page)
    page.goto(production + "/export/")
    page.locator(".visibility input[value=hide]").first.check()
    page.wait_for_load_state("networkidle")
    assert_no_trouble(page)
    context.close()


def test_the_dashboard_is_light_on_the_first_visit_and_lighter_on_the_next(
    browser: Browser, production: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, production)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    transferred: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))

    cdp.send("Network.clearBrowserCache")  # logged in, but nothing cached yet
    page.goto(production + "/")
    page.locator("svg.plot").first.wait_for()
    page.wait_for_load_state("networkidle")
    first = sum(transferred)

    transferred.clear()
    page.goto(production + "/")
    page.locator("svg.plot").first.wait_for()
    page.wait_for_load_state("networkidle")
    repeat = sum(transferred)
    print(f"\ndashboard transfer: first visit {first / 1024:.0f} kB, repeat visit {repeat / 1024:.0f} kB")
    assert first <= 64 * 1024  # about 30 KiB: the charts are in the page, no chart library
    assert repeat <= 50 * 1024
    context.close()
