"""The 1:1 export in a real Chromium: hiding a trigger takes it out of the live preview
and out of the Markdown download; the printable page draws its chart. No console error,
no CSP violation, nothing fetched from another origin."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from assessments.models import add_months, this_month
from tests.factories import PASSWORD, make_checkin, make_trigger, make_user

from .conftest import WATCH_PRINT

# Installed in every page of the context before any of its scripts run.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(
    [event.violatedDirective, event.blockedURI, event.sample, event.sourceFile, event.lineNumber].join(" ")
  );
});
"""

SHOWN = ["Meetings swallow every afternoon", "Roadmap keeps slipping"]
TO_HIDE = "Nobody reviews my code"
PRIVATE = "Quietly distrusts the new manager"


def ago(months: int):
    return add_months(this_month(), -months)


@pytest.fixture
def export_page(page, live_server):
    """Logged in with three months of check-ins, on /export/, watching for trouble."""
    user = make_user("sam", default_checklist=False)
    meetings, roadmap = (make_trigger(user, title, theme="Team") for title in SHOWN)
    review = make_trigger(user, TO_HIDE, theme="Team")
    secret = make_trigger(user, PRIVATE, theme="Manager", private=True)
    for months, levels in {2: (3, 1, 2, 3), 1: (2, 2, 3, 2), 0: (3, 2, 3, 3)}.items():
        ratings = dict(zip((meetings, roadmap, review, secret), levels, strict=True))
        make_checkin(user, ago(months), ratings, wellbeing=3, talking_points="Ask about the reorg")

    context = page.context
    origin = urlsplit(live_server.url)
    page.foreign_requests = []
    page.all_console_errors = []

    def watch(request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != origin.netloc:
            page.foreign_requests.append(request.url)

    context.on("request", watch)
    context.on("console", lambda m: m.type == "error" and page.all_console_errors.append(m.text))
    context.add_init_script(WATCH_CSP)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto("/export/")
    return page


# Chromium logs every 4xx response as a console error, the intended 422 refusal included.
REFUSAL_LOGGED = "Failed to load resource: the server responded with a status of 422"


def assert_no_trouble(*pages, allowed_console=()) -> None:
    for page in pages:
        assert page.evaluate("window.cspViolations") == []
    first = pages[0]
    for errors in (first.console_errors, first.all_console_errors):
        assert [e for e in errors if not e.startswith(allowed_console)] == []
    assert first.foreign_requests == []


def trigger_row(page, title: str):
    return page.locator("table.visibility tbody tr").filter(has=page.get_by_role("rowheader", name=title))


def hide(page, title: str) -> None:
    trigger_row(page, title).get_by_label("Hide", exact=True).check()


def test_a_hidden_trigger_vanishes_from_the_preview_and_stays_out_of_the_markdown(export_page):
    page = export_page
    preview = page.locator("#preview")
    for title in [*SHOWN, TO_HIDE]:
        expect(preview).to_contain_text(title)
    expect(preview).not_to_contain_text(PRIVATE)  # private triggers start hidden
    expect(trigger_row(page, PRIVATE).get_by_label("Hide", exact=True)).to_be_checked()
    page.evaluate("window.marker = 'same page'")

    hide(page, TO_HIDE)
    expect(preview).not_to_contain_text(TO_HIDE)
    for title in SHOWN:
        expect(preview).to_contain_text(title)
    assert page.evaluate("window.marker") == "same page"  # swapped in place, no reload

    with page.expect_download() as info:
        page.get_by_role("button", name="Download Markdown").click()
    download = info.value
    assert download.suggested_filename == f"career-check-in-{ago(2):%Y-%m}-to-{ago(0):%Y-%m}.md"
    markdown = Path(download.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Career check-in:")
    for title in SHOWN:
        assert title in markdown
    assert TO_HIDE not in markdown
    assert PRIVATE not in markdown
    assert "Ask about the reorg" in markdown
    assert_no_trouble(page)


def test_the_printable_page_opens_in_a_new_tab_and_draws_only_what_is_shared(export_page):
    page = export_page
    hide(page, TO_HIDE)
    expect(page.locator("#preview")).not_to_contain_text(TO_HIDE)
    with page.context.expect_page() as info:
        page.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_load_state()
    printable.wait_for_selector("div[data-figure] svg", state="attached")
    assert printable.locator("div[data-figure] svg").count() >= 1
    expect(printable.get_by_role("heading", level=1)).to_contain_text("Career check-in:")
    article = printable.locator("article.printable")
    for title in SHOWN:
        expect(article).to_contain_text(title)
    expect(article).not_to_contain_text(TO_HIDE)
    expect(article).not_to_contain_text(PRIVATE)
    # The chart's rows are the shared triggers only.
    ticks = printable.locator("div[data-figure] .ytick").all_text_contents()
    assert sorted(ticks) == sorted(SHOWN)
    printable.emulate_media(media="print")
    expect(printable.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    assert_no_trouble(page, printable)


def test_the_printable_page_draws_its_chart_before_it_prints(export_page, browser, live_server):
    # A window too short to come near the chart, which is drawn only when the page prints.
    state = export_page.context.storage_state()
    context = browser.new_context(
        base_url=live_server.url, storage_state=state, viewport={"width": 800, "height": 100}
    )
    context.add_init_script(WATCH_PRINT)
    page = context.new_page()
    page.goto("/export/")
    with context.expect_page() as info:
        page.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_load_state("networkidle")
    printable.wait_for_timeout(300)  # a few frames, for a chart it would draw
    assert printable.locator("div[data-figure] svg").count() == 0
    printable.pdf()
    assert printable.evaluate("window.drawnWhenPrinted") == [True]
    context.close()


def choose(page, title: str, choice: str) -> None:
    trigger_row(page, title).get_by_label(choice, exact=True).check()


def test_theme_only_on_a_trigger_alone_in_its_theme_is_refused_until_the_choice_is_fixed(export_page):
    page = export_page
    preview = page.locator("#preview")
    expect(trigger_row(page, PRIVATE)).to_contain_text("Manager")  # the theme it would count under
    expect(preview).to_contain_text(SHOWN[0])

    with page.expect_response(lambda response: "/export/?" in response.url) as refused:
        choose(page, PRIVATE, "Theme only")
    assert refused.value.status == 422
    refusal = preview.get_by_role("alert")
    expect(refusal).to_contain_text("only one “Manager” trigger is on Theme only")
    expect(refusal).to_contain_text("Choose Show or Hide for it")
    expect(preview).not_to_contain_text(PRIVATE)
    expect(preview).not_to_contain_text(SHOWN[0])  # nothing to share until it is fixed
    page.evaluate("window.marker = 'same page'")

    choose(page, PRIVATE, "Hide")
    expect(refusal).to_have_count(0)
    expect(preview).to_contain_text(SHOWN[0])

    # Two Team triggers on Theme only: a count, without their titles or levels.
    choose(page, SHOWN[0], "Theme only")
    choose(page, SHOWN[1], "Theme only")
    expect(preview).to_contain_text("- 2 Team triggers turning up")
    for title in SHOWN:
        expect(preview).not_to_contain_text(title)
    assert page.evaluate("window.marker") == "same page"
    assert_no_trouble(page, allowed_console=(REFUSAL_LOGGED,))
