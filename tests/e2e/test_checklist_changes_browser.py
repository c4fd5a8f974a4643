"""The checklist's Changes list in a real Chromium: a trigger reworded shows up there at
once, with its date and both wordings, swapped in by htmx or on the page a plain form
returns to."""

from playwright.sync_api import Page, expect

from ..factories import make_trigger, make_user
from ..helpers import assert_no_trouble, assert_same_document, log_in, set_marker


def reword(page: Page, old: str, new: str) -> None:
    row = page.locator("ol.triggers > li").filter(has_text=old)
    row.get_by_role("link", name="Edit").click()
    editing = page.locator("ol.triggers form.edit")
    editing.get_by_label("Title").fill(new)
    editing.get_by_role("button", name="Save").click()


def test_rewording_a_trigger_lists_the_change_with_both_wordings(page, live_server):
    user = make_user("lou", default_checklist=False)
    make_trigger(user, "Too many meetings")
    log_in(page, live_server, user)
    page.goto("/checklist/")
    set_marker(page)
    changes = page.get_by_role("region", name="Changes")
    expect(changes.get_by_role("listitem")).to_have_text(["17 Jun 2025 Added “Too many meetings”"])

    reword(page, "Too many meetings", "Meetings eat every afternoon")

    expect(changes.get_by_role("listitem")).to_have_text(
        [
            "17 Jun 2025 Reworded “Too many meetings” to “Meetings eat every afternoon”",
            "17 Jun 2025 Added “Too many meetings”",
        ]
    )
    assert changes.locator("time").first.get_attribute("datetime") == "2025-06-17"
    assert_same_document(page)  # swapped in by htmx
    assert_no_trouble(page)


def test_without_javascript_the_change_is_listed_on_the_page_it_returns_to(js_off_page, live_server):
    page = js_off_page
    user = make_user("lou", default_checklist=False)
    make_trigger(user, "Too many meetings")
    log_in(page, live_server, user)
    page.goto("/checklist/")
    reword(page, "Too many meetings", "Meetings eat every afternoon")
    expect(page.get_by_role("region", name="Changes").get_by_role("listitem").first).to_have_text(
        "17 Jun 2025 Reworded “Too many meetings” to “Meetings eat every afternoon”"
    )
    assert page.url.endswith("/checklist/")
    assert_no_trouble(page)
