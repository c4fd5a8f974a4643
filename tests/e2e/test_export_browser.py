"""The 1:1 export in a real Chromium: hiding a trigger takes it out of the live preview
and out of the Markdown download; the printable page shows the handout; "Copy Markdown"
copies; a link for the manager opens logged out until it is revoked or expires; the page
fits a phone. No console error, no CSP violation, nothing fetched from another origin."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from assessments.models import SharedLink

from ..factories import PASSWORD, make_checkin, make_trigger, make_user
from ..helpers import ago, assert_no_trouble, log_in, watch

SHOWN = ["Meetings swallow every afternoon", "Roadmap keeps slipping"]
TO_HIDE = "Nobody reviews my code"
PRIVATE = "Quietly distrusts the new manager"


@pytest.fixture
def export_page(page: Page, live_server: LiveServer) -> Page:
    """Logged in with three months of check-ins, on /export/."""
    user = make_user("sam", default_checklist=False)
    meetings, roadmap = (make_trigger(user, title, theme="Team") for title in SHOWN)
    review = make_trigger(user, TO_HIDE, theme="Team")
    secret = make_trigger(user, PRIVATE, theme="Manager", private=True)
    for months, levels in {2: (3, 1, 2, 3), 1: (2, 2, 3, 2), 0: (3, 2, 3, 3)}.items():
        ratings = dict(zip((meetings, roadmap, review, secret), levels, strict=True))
        make_checkin(user, ago(months), ratings, wellbeing=3, talking_points="Ask about the reorg")
    log_in(page, live_server, user)
    page.goto("/export/")
    return page


# Chromium logs every 4xx response as a console error, the intended 422 refusal included.
REFUSAL_LOGGED = "Failed to load resource: the server responded with a status of 422"


def trigger_row(page: Page, title: str) -> Locator:
    """A trigger's Show / Theme only / Hide."""
    return page.get_by_role("radiogroup", name=title, exact=True)


def hide(page: Page, title: str) -> None:
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


def test_the_printable_page_opens_in_a_new_tab_and_shows_only_what_is_shared(export_page):
    page = export_page
    hide(page, TO_HIDE)
    expect(page.locator("#preview")).not_to_contain_text(TO_HIDE)
    with page.context.expect_page() as info:
        page.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_load_state()
    expect(printable.get_by_role("heading", level=1)).to_contain_text("Career check-in:")
    article = printable.locator("article.printable")
    for title in SHOWN:
        expect(article).to_contain_text(title)
    expect(article).not_to_contain_text(TO_HIDE)
    expect(article).not_to_contain_text(PRIVATE)
    # The table's rows are the shared triggers only, with the scores under them.
    rows = printable.locator("table.handout-heatmap tbody th").all_text_contents()
    assert rows == [*SHOWN, "Wellbeing", "Job satisfaction", "Energy", "Weekly hours"]
    button = printable.get_by_role("button", name="Print or save as PDF")
    expect(button).to_be_visible()
    printable.emulate_media(media="print")
    expect(button).to_be_hidden()
    assert_no_trouble(page)  # the printable tab is in the same context


def test_without_javascript_the_printable_page_has_no_print_button_that_does_nothing(
    js_off_page, live_server
):
    user = make_user("lee", default_checklist=False)
    make_checkin(user, ago(0), {make_trigger(user, SHOWN[0]): 2})
    login(js_off_page, "lee")
    js_off_page.goto("/export/")
    with js_off_page.context.expect_page() as info:
        js_off_page.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_load_state()
    expect(printable.locator("table.handout-heatmap")).to_contain_text(SHOWN[0])
    expect(printable.get_by_role("button", name="Print or save as PDF")).to_have_count(0)


def login(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def choose(page: Page, title: str, choice: str) -> None:
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
    counts = preview.get_by_role("row", name="Team (theme only)").get_by_role("cell")
    expect(counts).to_have_text(["1", "2", "2"])  # oldest month first
    for title in SHOWN:
        expect(preview).not_to_contain_text(title)
    assert page.evaluate("window.marker") == "same page"
    assert_no_trouble(page, allowed_console=(REFUSAL_LOGGED,))


# The preview and its Markdown ----------------------------------------------------------------


def test_the_preview_reads_as_the_handout_and_copy_markdown_copies_the_download(export_page):
    page = export_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="What changed")).to_be_visible()
    expect(preview.get_by_role("row", name=SHOWN[0])).to_be_visible()
    # Rendered, not Markdown source: no asterisks or hashes on show.
    rendered = preview.locator(".handout").inner_text()
    assert "**" not in rendered and "# Career" not in rendered
    expect(preview.get_by_role("textbox", name="Markdown")).to_be_hidden()  # one click away

    preview.get_by_role("button", name="Copy Markdown").click()
    expect(preview.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Markdown").click()
    assert copied == Path(info.value.path()).read_text(encoding="utf-8")
    assert_no_trouble(page)


def test_where_the_clipboard_cant_be_written_copy_markdown_selects_the_text(export_page):
    page = export_page
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    preview = page.locator("#preview")
    preview.get_by_role("button", name="Copy Markdown").click()
    source = preview.get_by_role("textbox", name="Markdown")
    expect(source).to_be_visible()
    expect(source).to_be_focused()
    start, end, length = source.evaluate("(t) => [t.selectionStart, t.selectionEnd, t.value.length]")
    assert start == 0 and end == length > 100
    expect(preview.get_by_role("status").filter(has_text="Selected: press Ctrl+C")).to_be_visible()
    assert_no_trouble(page)


@pytest.mark.parametrize("width", [390, 360])
def test_the_export_page_fits_a_phone_with_each_triggers_choices_under_it(export_page, live_server, width):
    page = export_page
    make_links(page, 2)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/export/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    group = trigger_row(page, SHOWN[0])
    title = group.locator(".title").bounding_box()
    assert title
    for choice in ("Show", "Theme only", "Hide"):
        box = group.get_by_label(choice, exact=True).bounding_box()
        assert box
        assert box["y"] > title["y"] + title["height"] - 1  # under the title, not beside it
        assert box["x"] + box["width"] <= width
    # The month fields look like the app's other fields.
    border = page.get_by_label("From", exact=True).evaluate("(e) => getComputedStyle(e).borderTopColor")
    assert border == page.get_by_label("The link works for").evaluate(
        "(e) => getComputedStyle(e).borderTopColor"
    )
    assert_no_trouble(page)


# A link for the manager ------------------------------------------------------------------------


def make_links(page, count: int) -> None:
    for _ in range(count):
        page.get_by_role("button", name="Create a link for my manager").click()
        page.wait_for_load_state()


def facts(locator) -> str:
    """What the handout says, its letters and hidden words included, in the document's order."""
    return " ".join(locator.locator(".handout").text_content().split())


def test_a_link_for_the_manager_opens_logged_out_until_it_is_revoked(export_page, browser, live_server):
    page = export_page
    hide(page, TO_HIDE)
    expect(page.locator("#preview")).not_to_contain_text(TO_HIDE)
    preview = facts(page.locator("#preview"))
    page.get_by_label("The link works for").select_option("7 days")
    page.get_by_role("button", name="Create a link for my manager").click()
    address = page.get_by_role("textbox", name="The new link’s address").input_value()
    assert f"{live_server.url}/shared/" in address
    assert facts(page.locator("#preview")) == preview  # the same choices, after the redirect

    manager = browser.new_context()  # no cookie of the owner's
    watch(manager, live_server.url)
    shared = manager.new_page()
    response = shared.goto(address)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert facts(shared.locator("article")) == preview
    expect(shared.locator("article")).not_to_contain_text(TO_HIDE)
    expect(shared.locator("article")).not_to_contain_text(PRIVATE)
    assert_no_trouble(shared)

    page.reload()
    links = page.get_by_role("region", name="A link for your manager")
    expect(links).not_to_contain_text(address)  # shown once
    expect(links).to_contain_text("Opened 1 time")
    links.get_by_role("button", name="Revoke", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("revoked. It no longer opens.")
    expect(links.get_by_role("button", name="Revoke")).to_have_count(0)

    assert shared.goto(address).status == 404
    expect(shared.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(shared.locator("body")).not_to_contain_text(SHOWN[0])
    manager.close()
    assert_no_trouble(page)


def test_an_expired_link_is_not_found(export_page, browser):
    page = export_page
    page.get_by_role("button", name="Create a link for my manager").click()
    address = page.get_by_role("textbox", name="The new link’s address").input_value()
    manager = browser.new_context()
    shared = manager.new_page()
    assert shared.goto(address).status == 200
    past = timezone.now() - timedelta(minutes=1)
    SharedLink.objects.update(created=past - timedelta(days=14), expires=past)
    assert shared.goto(address).status == 404
    expect(shared.locator("body")).not_to_contain_text(SHOWN[0])
    page.reload()
    expect(page.get_by_role("region", name="A link for your manager")).to_contain_text("No live links.")
    manager.close()


def test_the_shared_page_works_without_javascript(export_page, browser):
    page = export_page
    page.get_by_role("button", name="Create a link for my manager").click()
    address = page.get_by_role("textbox", name="The new link’s address").input_value()
    manager = browser.new_context(java_script_enabled=False)
    shared = manager.new_page()
    shared.goto(address)
    expect(shared.get_by_role("row", name=SHOWN[0])).to_be_visible()
    expect(shared.get_by_role("heading", name="What changed")).to_be_visible()
    expect(shared.get_by_role("button", name="Print or save as PDF")).to_have_count(0)
    manager.close()
