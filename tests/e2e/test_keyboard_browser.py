"""The keyboard alone, in a real Chromium: a whole check-in with the focus always in sight;
the focus kept in place, and the result said, when htmx swaps the checklist or the charts;
the first field with an error focused after a refused submit, with JavaScript and without.
"""

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from assessments.models import CheckIn, Trigger, add_months, this_month

from ..factories import make_checkin, make_trigger, make_user
from ..helpers import assert_no_trouble, log_in
from .test_checkin_browser import REFUSAL_LOGGED, level, month_path, ratings, summary, trigger_group

# Where the focus is, whether it can be seen, and whether the sticky bar covers any of it.
# A radio's focus ring is drawn on its answer button (the <label> around it).
FOCUS = """
() => {
  const element = document.activeElement;
  const ring = element.type === "radio" ? element.closest("label") : element;
  const box = ring.getBoundingClientRect();
  const style = getComputedStyle(ring);
  const outline = parseFloat(style.outlineWidth) + Math.max(0, parseFloat(style.outlineOffset));
  const bar = document.querySelector(".summary-bar").getBoundingClientRect();
  const top = box.top - outline, bottom = box.bottom + outline;
  return {
    what: `${element.tagName.toLowerCase()} ${element.name || element.id || element.textContent.trim()}`,
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    // Chromium scrolls a text field only as far as its caret: its foot may stay below.
    inView: box.top >= 0 && box.top < innerHeight - 16,
    underBar: top < bar.bottom && bottom > bar.top,
  };
}
"""


class Keyboard:
    """Presses keys as a person would and counts them, checking the focus after each one."""

    def __init__(self, page: Page):
        self.page = page
        self.presses = 0
        self.typed = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1
            self.check_focus(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)
        self.check_focus(f"typing {text!r}")

    def check_focus(self, after: str) -> None:
        focus = self.page.evaluate(FOCUS)
        if focus["what"] == "main main":
            return  # the skip link's target: a landmark to start from, not a control
        assert focus["ring"], f"after {after}, no focus ring on {focus['what']}"
        assert focus["inView"], f"after {after}, {focus['what']} is out of view"
        assert not focus["underBar"], f"after {after}, the summary bar covers {focus['what']}"


def choose(keys: Keyboard, value: int) -> None:
    """In a radio group just tabbed into, nothing chosen yet: the first with Space, the
    next ones with the arrow keys (an arrow moves to the next radio and chooses it)."""
    if value == 0:
        keys.press("Space")
    else:
        keys.press("ArrowRight", value)


def test_a_whole_check_in_with_the_keyboard_alone_keeps_the_focus_in_sight(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 720})
    user = make_user("kit")
    triggers = list(Trigger.objects.filter(user=user, retired__isnull=True).order_by("position"))
    make_checkin(user, add_months(this_month(), -1), {triggers[0]: 1})  # "Last time" beside each
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    keys = Keyboard(page)
    scores = {"Wellbeing": 4, "Job satisfaction": 3, "Energy": 2}
    levels = [(0, 1, 2, 3)[n % 4] for n in range(len(triggers))]
    turning_up = sum(value >= 2 for value in levels)

    keys.press("Tab")  # "Skip to content"
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keys.press("Enter")
    keys.press("Tab")  # the previous month's link
    # A new account's introduction, open, then the offer to copy the month before.
    for stop in (
        page.locator("#intro > summary"),
        page.get_by_role("link", name="choose another level"),
        page.get_by_role("button", name="Hide this introduction"),
        page.get_by_role("button", name="Copy last month's answers"),
    ):
        keys.press("Tab")
        expect(stop).to_be_focused()
    for name, value in scores.items():
        keys.press("Tab")
        expect(page.get_by_role("group", name=name, exact=True).get_by_role("radio").first).to_be_focused()
        keys.press("ArrowRight", value - 1)
    for n, (trigger, value) in enumerate(zip(triggers, levels, strict=True)):
        keys.press("Tab")
        expect(level(page, trigger, "Not present")).to_be_focused()
        choose(keys, value)
        keys.press("Tab")
        expect(trigger_group(page, trigger).get_by_role("textbox", name="Note")).to_be_focused()
        if n == 2:
            keys.type("Blame after the outage")
            # The summary follows the answers as they are saved.
            expect(summary(page)).to_have_text("1 trigger turning up together")
    keys.press("Tab")
    expect(page.get_by_label("Typical weekly hours")).to_be_focused()
    keys.type("42")
    keys.press("Tab")
    keys.type("Tired in March")
    keys.press("Tab")
    keys.type("Ask about the team's plans")
    answering = keys.presses

    # Back up to the first answer, as someone looking over their answers would.
    first_answer = page.get_by_role("group", name="Wellbeing", exact=True).get_by_role("radio", checked=True)
    while not first_answer.evaluate("radio => radio === document.activeElement"):
        keys.press("Shift+Tab")
        assert keys.presses < 2 * answering, "Shift+Tab never got back to the first answer"
    print(
        f"\nA whole check-in by keyboard: {answering} key presses to move and answer, "
        f"{keys.typed} characters typed; {keys.presses - answering} Shift+Tab back to the top."
    )

    for trigger in triggers:
        expect(trigger_group(page, trigger).get_by_role("status")).to_have_text("Saved")
    for name in scores:
        expect(page.get_by_role("group", name=name, exact=True).get_by_role("status")).to_have_text("Saved")
    expect(page.locator(".field").get_by_role("status")).to_have_text(["Saved"] * 3)
    expect(summary(page)).to_have_text(f"{turning_up} triggers turning up together")

    checkin = CheckIn.objects.get(user=user, month=this_month())
    assert (checkin.wellbeing, checkin.satisfaction, checkin.energy) == (4, 3, 2)
    assert (checkin.hours, checkin.notes, checkin.talking_points) == (
        42,
        "Tired in March",
        "Ask about the team's plans",
    )
    assert ratings(user, this_month()) == {t.pk: value for t, value in zip(triggers, levels, strict=True)}
    assert checkin.ratings.get(trigger=triggers[2]).note == "Blame after the outage"
    assert_no_trouble(page)


# The checklist and the charts: focus in place, the result said -------------------------


def announced(page: Page):
    """The page's polite live region for what a swap did."""
    return page.locator("main > .visually-hidden[role=status]")


def row(page: Page, trigger: Trigger):
    return page.locator(f"#t{trigger.pk}")


def test_editing_moving_retiring_and_deleting_a_trigger_keeps_the_focus_and_says_what_happened(
    page, live_server
):
    user = make_user("lou")
    first, second, third = Trigger.objects.filter(user=user).order_by("position")[:3]
    spare = make_trigger(user, "Spare trigger")  # the last, never rated
    log_in(page, live_server, user)
    page.goto("/checklist/")

    # Move up: the same button in the row's new place; at the top it is disabled, so "Move down".
    row(page, third).get_by_role("button", name="Move up").focus()
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text("Moved up")
    expect(row(page, third).get_by_role("button", name="Move up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row(page, third).get_by_role("button", name="Move down")).to_be_focused()
    expect(page.locator("ol.triggers > li").first).to_have_id(f"t{third.pk}")

    # Edit puts the focus in the title; Save returns it to the row's Edit link.
    row(page, second).get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    title = row(page, second).get_by_label("Title")
    expect(title).to_be_focused()
    title.fill("Teammates who don't help each other")
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text("Saved")
    expect(row(page, second).get_by_role("link", name="Edit")).to_be_focused()
    expect(row(page, second)).to_contain_text("Teammates who don't help each other")

    # Cancel too.
    page.keyboard.press("Enter")
    expect(row(page, second).get_by_label("Title")).to_be_focused()
    row(page, second).get_by_role("link", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(row(page, second).get_by_role("link", name="Edit")).to_be_focused()

    # Retire: the row leaves the list, the focus goes to the next row.
    after_first = page.locator(f"#t{first.pk} + li")
    next_id = after_first.get_attribute("id")
    row(page, first).get_by_role("button", name="Retire").focus()
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text("Retired")
    expect(page.locator(f"#{next_id}").get_by_role("link", name="Edit")).to_be_focused()

    # Restore: the focus follows the row back into the list.
    row(page, first).get_by_role("button", name="Restore").focus()
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text("Restored")
    expect(row(page, first).get_by_role("link", name="Edit")).to_be_focused()

    # Delete: the focus goes to the next row (the restored one, now the last).
    row(page, spare).get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text("Deleted")
    expect(row(page, first).get_by_role("link", name="Edit")).to_be_focused()
    # Delete the last row: the focus goes to the row before it.
    spare = make_trigger(user, "Another spare")
    page.reload()
    before = page.locator(f"ol.triggers > li:has(+ #t{spare.pk})").get_attribute("id")
    row(page, spare).get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{before}").get_by_role("link", name="Edit")).to_be_focused()
    assert not Trigger.objects.filter(pk=spare.pk).exists()

    assert_no_trouble(page)


def test_a_refused_edit_puts_the_focus_on_the_field_with_its_linked_message(page, live_server):
    user = make_user("max")
    trigger = Trigger.objects.filter(user=user)[0]
    log_in(page, live_server, user)
    page.goto(f"/checklist/{trigger.pk}/edit/")
    title = row(page, trigger).get_by_label("Title")
    title.fill("")
    page.evaluate("document.querySelector('form.edit').noValidate = true")
    row(page, trigger).get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")

    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("This field is required"))
    expect(announced(page)).to_have_text("")  # nothing claims it was saved
    assert_no_trouble(page, allowed_console=(REFUSAL_LOGGED,))


def test_switching_the_dashboard_range_keeps_the_focus_on_the_link_and_says_the_range(page, live_server):
    call_command("seed_demo", stdout=StringIO())
    demo = get_user_model().objects.get(username="demo")
    log_in(page, live_server, demo)
    page.goto("/")
    periods = page.get_by_role("navigation", name="Period")
    for name, said in [
        ("3 years", "Showing the last 3 years"),
        ("All", "Showing all months"),
        ("Last 12 months", "Showing the last 12 months"),
    ]:
        periods.get_by_role("link", name=name).focus()
        page.keyboard.press("Enter")
        expect(announced(page)).to_have_text(said)
        link = page.get_by_role("navigation", name="Period").get_by_role("link", name=name)
        expect(link).to_have_attribute("aria-current", "true")
        expect(link).to_be_focused()


# Without JavaScript ----------------------------------------------------------------


def test_without_javascript_impossible_hours_come_back_focused_with_the_message_linked(
    js_off_page, live_server
):
    page = js_off_page
    user = make_user("ira")
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    page.get_by_label("Typical weekly hours").fill("500")
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()

    hours = page.get_by_label("Typical weekly hours")
    expect(hours).to_be_focused()
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_accessible_description("Ensure this value is less than or equal to 100.")
    assert not CheckIn.objects.filter(user=user).exists()


def test_without_javascript_a_note_without_a_level_focuses_that_triggers_levels(js_off_page, live_server):
    page = js_off_page
    user = make_user("ada")
    trigger = Trigger.objects.filter(user=user).order_by("position")[2]
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    trigger_group(page, trigger).get_by_role("textbox", name="Note").fill("A rough week")
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()

    first_level = level(page, trigger, "Not present")
    expect(first_level).to_be_focused()
    expect(first_level).to_have_accessible_description(
        re.compile(f"Choose a level for “{re.escape(trigger.title)}”")
    )
    expect(trigger_group(page, trigger).get_by_role("textbox", name="Note")).to_have_value("A rough week")


def test_an_autosave_refusal_marks_the_field_invalid_with_its_message_until_it_is_fixed(page, live_server):
    user = make_user("eli")
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    hours = page.get_by_label("Typical weekly hours")
    hours.fill("500")
    hours.press("Tab")
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_accessible_description("Ensure this value is less than or equal to 100.")

    hours.fill("40")
    hours.press("Tab")
    expect(page.locator(".field", has=hours).get_by_role("status")).to_have_text("Saved")
    expect(hours).not_to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_accessible_description("")
    assert CheckIn.objects.get(user=user).hours == 40
    assert_no_trouble(page, allowed_console=(REFUSAL_LOGGED,))
