"""Search notes in a real browser: from History, with JavaScript on and off, to the month."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Level, Rating

from ..factories import make_checkin, make_trigger
from ..helpers import ago, assert_no_trouble, log_in


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_a_word_searched_for_from_history_leads_to_its_months_note(
    request, live_server, owner, other, javascript
):
    page = request.getfixturevalue("page" if javascript else "js_off_page")
    trigger = make_trigger(owner, "Overtime expected")
    checkin = make_checkin(owner, ago(4), notes="Wieder Überstunden, und keiner fragt.")
    Rating.objects.create(checkin=checkin, trigger=trigger, level=Level.CLEAR, note="ÜBERSTUNDEN im Team")
    make_checkin(owner, ago(1), talking_points="Nothing about it this month.")
    make_checkin(other, ago(2), notes="Their überstunden")
    log_in(page, live_server, owner)

    page.goto("/history/")
    page.get_by_role("searchbox", name="Search notes").fill("überstunden")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/search/\?q=%C3%BCberstunden$"))
    expect(page.get_by_text("“überstunden” is in 2 notes from 1 month.")).to_be_visible()
    month = f"{ago(4):%B %Y}"
    expect(page.get_by_role("heading", level=2)).to_have_text([month])
    expect(page.locator("mark")).to_have_text(["ÜBERSTUNDEN", "Überstunden"])
    expect(page.get_by_text("Their")).to_have_count(0)

    page.get_by_role("region", name=month).get_by_role("link", name="Private note").click()
    expect(page).to_have_url(re.compile(rf"/check-in/{ago(4):%Y-%m}/#notes$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check-in for {month}")
    expect(page.get_by_label("Private notes")).to_have_value("Wieder Überstunden, und keiner fragt.")
    expect(page.get_by_label("Private notes")).to_be_in_viewport()
    if javascript:
        assert_no_trouble(page)


def test_a_search_refused_says_why_and_a_search_with_nothing_found_says_so(page, live_server, owner):
    make_checkin(owner, ago(1), notes="calm month")
    log_in(page, live_server, owner)
    page.goto("/search/")
    box = page.get_by_role("searchbox", name="Search notes")
    box.fill("   ")
    box.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Type a word or phrase to search for, not only spaces.")
    expect(box).to_have_attribute("aria-invalid", "true")
    box.fill("mutiny")
    box.press("Enter")
    expect(page.get_by_text("No notes match “mutiny”.")).to_be_visible()
    # Chromium logs the 400 answer to the refused search as a console error.
    assert_no_trouble(page, allowed_console=("status of 400",))
