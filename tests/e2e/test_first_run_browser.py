"""A first visit and a monthly habit, as a person meets them in a real Chromium: the landing
page, a new account's first check-in on a phone, "Copy last month's answers" by keyboard,
and the same without JavaScript.
"""

import re
import time
from datetime import date

from playwright.sync_api import Locator, Page, Request, Route, expect

from assessments.models import CheckIn, Rating, Trigger, UserSettings, add_months, previous_month, this_month

from ..factories import PASSWORD, make_checkin, make_user
from ..helpers import assert_no_trouble, log_in
from .test_checkin_browser import (
    is_autosave,
    level,
    month_path,
    ratings,
    score,
    summary,
    trigger_group,
    wait_until,
)
from .test_keyboard_browser import Keyboard

COPY = "Copy last month's answers"


def progress(page: Page) -> Locator:
    return page.get_by_text(re.compile(r"^\d+ of \d+ answered$"))


def done_heading(page: Page, month: date | None = None) -> Locator:
    return page.get_by_role("heading", name=f"Check-in for {(month or this_month()):%B} done")


def intro(page: Page) -> Locator:
    return page.locator("details#intro")


def is_open(details: Locator) -> bool:
    return details.evaluate("details => details.open")


def assert_fits(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at {width}px"


def last_month_done(user, level_of=lambda n: n % 4) -> CheckIn:
    """Last month with every question answered, and notes everywhere."""
    triggers = Trigger.objects.filter(user=user, retired__isnull=True)
    checkin = make_checkin(
        user,
        previous_month(this_month()),
        {t: level_of(n) for n, t in enumerate(triggers)},
        wellbeing=4,
        satisfaction=3,
        energy=2,
        hours=44,
        notes="Last month's private note",
    )
    checkin.ratings.update(note="What happened then")
    return checkin


# The landing page ----------------------------------------------------------------------


def test_a_visitor_finds_the_landing_page_and_its_ways_in(page, live_server):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notice early when a job is turning bad")
    expect(page.get_by_text("No single trigger is a reason to leave.")).to_be_visible()
    for width in (390, 360):
        assert_fits(page, width)

    page.get_by_role("link", name="Sign up", exact=True).click()
    expect(page).to_have_url(live_server.url + "/signup/")
    page.go_back()
    page.get_by_role("link", name="Log in", exact=True).click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    assert_no_trouble(page)


# A first check-in on a phone -------------------------------------------------------------


def test_a_new_accounts_first_check_in_on_a_phone_explains_itself_counts_up_and_ends_done(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.get_by_role("link", name="Sign up", exact=True).click()
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(live_server.url + month_path(this_month()))
    user = UserSettings.objects.get(user__username="robin").user

    # The introduction, open, says what a trigger is and what the levels mean.
    assert is_open(intro(page))
    expect(intro(page).get_by_text("plainly there")).to_be_visible()
    expect(intro(page)).to_contain_text("A trigger turns up when it is Clear or stronger")
    expect(summary(page)).to_have_text("Nothing rated yet")
    expect(progress(page)).to_have_text("0 of 14 answered")
    expect(page.get_by_role("button", name="Save check-in")).to_be_hidden()  # every answer saves itself
    expect(page.get_by_role("button", name=COPY)).to_have_count(0)  # nothing earlier to copy
    for width in (390, 360):
        assert_fits(page, width)
    page.set_viewport_size({"width": 390, "height": 844})

    # Hidden, it stays hidden, and stays within reach.
    page.get_by_role("button", name="Hide this introduction").click()
    expect(intro(page).get_by_text("plainly there")).to_be_hidden()
    expect(page.locator("#intro > summary")).to_be_focused()
    wait_until(page, lambda: not UserSettings.objects.get(user=user).checkin_intro)
    page.reload()
    assert not is_open(intro(page))
    expect(page.get_by_text("How the check-in works")).to_be_visible()

    # The progress follows what the server confirmed, and only that.
    held: list[Route] = []
    page.route(
        "**/check-in/**",
        lambda route: held.append(route) if is_autosave(route.request) else route.continue_(),
    )
    score(page, "Wellbeing", 4).check()
    wait_until(page, lambda: len(held) == 1)
    expect(page.get_by_role("group", name="Wellbeing", exact=True).get_by_role("status")).to_have_text(
        "Saving…"
    )
    expect(progress(page)).to_have_text("0 of 14 answered")
    held[0].continue_()
    page.unroute("**/check-in/**")
    expect(progress(page)).to_have_text("1 of 14 answered")
    expect(summary(page)).to_have_text("Nothing rated yet")

    answered = 1
    for name in ("Job satisfaction", "Energy"):
        score(page, name, 3).check()
        answered += 1
        expect(progress(page)).to_have_text(f"{answered} of 14 answered")
    triggers = list(Trigger.objects.filter(user=user).order_by("position"))
    for n, trigger in enumerate(triggers):
        expect(done_heading(page)).to_have_count(0)
        choice = level(page, trigger, ("Not present", "Faint", "Clear", "Strong")[n % 4])
        choice.check()
        answered += 1
        expect(trigger_group(page, trigger).get_by_role("status")).to_have_text("Saved")
        expect(progress(page)).to_have_text(f"{answered} of 14 answered")

    # Done: said, with the way on, and the month before offered; the focus stays put.
    expect(done_heading(page)).to_be_visible()
    expect(choice).to_be_focused()
    expect(page.locator("#done[role=status]")).to_contain_text("Check-in for")
    expect(page.get_by_role("link", name="See your trends")).to_have_attribute("href", "/")
    before = previous_month(this_month())
    expect(page.get_by_role("link", name=f"Fill in {before:%B} too")).to_have_attribute(
        "href", month_path(before)
    )
    expect(summary(page)).to_have_text("5 triggers turning up together")
    assert_fits(page, 360)

    page.reload()
    expect(done_heading(page)).to_be_visible()
    expect(progress(page)).to_have_text("14 of 14 answered")
    assert page.evaluate("localStorage.length") == 0
    assert_no_trouble(page)


# Copy last month --------------------------------------------------------------------------


def test_copying_last_month_with_the_keyboard_alone(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 720})
    user = make_user("kai")
    UserSettings.objects.filter(user=user).update(checkin_intro=False)  # a returning person
    last = last_month_done(user)
    log_in(page, live_server, user)
    keys = Keyboard(page)

    started = time.monotonic()
    page.goto(month_path(this_month()))
    copy = page.get_by_role("button", name=COPY)
    keys.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    keys.press("Enter")
    while not copy.evaluate("button => button === document.activeElement"):
        keys.press("Tab")
        assert keys.presses < 10, "the copy button is far down the page"
    keys.press("Enter")
    onward = page.get_by_role("link", name="See your trends")
    expect(onward).to_be_focused()
    keys.check_focus("the copy")
    expect(progress(page)).to_have_text("14 of 14 answered")
    expect(page.get_by_text(f"Copied 14 answers from {last.month:%B %Y}.")).to_be_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.presses += 1
    expect(page).to_have_url(live_server.url + "/")
    seconds = time.monotonic() - started
    print(
        f"\nA keyboard-only check-in that copies last month: {keys.presses} key presses, "
        f"{seconds:.1f} s from opening the check-in to the dashboard."
    )

    assert ratings(user, this_month()) == ratings(user, last.month)
    checkin = CheckIn.objects.get(user=user, month=this_month())
    assert (checkin.wellbeing, checkin.satisfaction, checkin.energy) == (4, 3, 2)
    assert (checkin.hours, checkin.notes) == (None, "")
    assert set(checkin.ratings.values_list("note", flat=True)) == {""}
    assert keys.presses <= 8
    assert_no_trouble(page)


def test_copying_waits_for_answers_still_saving_and_answers_changed_meanwhile_go_after_it(page, live_server):
    user = make_user("ola")
    last_month_done(user, level_of=lambda n: 1)
    first, second = Trigger.objects.filter(user=user).order_by("position")[:2]
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    posts: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url.split("/")[-2])

    page.on("request", record)
    held: list[Route] = []
    page.route("**/copy/", lambda route: held.append(route))

    # An answer in its pause before saving: the copy goes only once it is saved.
    level(page, first, "Strong").check()
    page.get_by_role("button", name=COPY).click()
    wait_until(page, lambda: len(held) == 1)
    assert ratings(user, this_month()) == {first.pk: 3}
    expect(page.get_by_text("Copying…")).to_be_visible()

    # Changed while the copy is out: sent after it, and not overwritten by it.
    level(page, second, "Clear").check()
    page.wait_for_timeout(800)  # past the pause before a level saves
    assert posts == [f"{this_month():%Y-%m}", "copy"]
    held[0].continue_()
    page.unroute("**/copy/")

    expect(trigger_group(page, second).get_by_role("status")).to_have_text("Saved")
    expect(level(page, second, "Clear")).to_be_checked()
    expect(level(page, first, "Strong")).to_be_checked()
    expect(progress(page)).to_have_text("14 of 14 answered")
    assert posts == [f"{this_month():%Y-%m}", "copy", f"{this_month():%Y-%m}"]
    stored = ratings(user, this_month())
    assert (stored.pop(first.pk), stored.pop(second.pk)) == (3, 2)
    assert set(stored.values()) == {1}
    for trigger in Trigger.objects.filter(user=user):
        expect(trigger_group(page, trigger).get_by_role("status")).to_have_text("Saved")
    assert_no_trouble(page)


def test_a_copy_that_leaves_questions_open_takes_the_focus_to_the_first_of_them(page, live_server):
    user = make_user("ivo")
    make_checkin(
        user, add_months(this_month(), -2), {Trigger.objects.filter(user=user).last(): 2}, wellbeing=3
    )
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    page.get_by_role("button", name=COPY).focus()
    page.keyboard.press("Enter")
    expect(progress(page)).to_have_text("2 of 14 answered")
    expect(score(page, "Job satisfaction", 1)).to_be_focused()
    expect(page.get_by_role("button", name=COPY)).to_be_hidden()
    expect(done_heading(page)).to_have_count(0)
    assert_no_trouble(page)


# Without JavaScript ------------------------------------------------------------------------


def test_without_javascript_the_introduction_hides_and_last_month_copies_with_a_post(
    js_off_page, live_server
):
    page = js_off_page
    user = make_user("uma")
    last = last_month_done(user)
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    assert is_open(intro(page))
    with page.expect_navigation():
        page.get_by_role("button", name="Hide this introduction").click()
    assert not is_open(intro(page))
    expect(page.get_by_role("button", name="Save check-in")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name=COPY).click()
    expect(page).to_have_url(re.compile(rf"{month_path(this_month())}#done$"))
    expect(page.get_by_text(f"Copied 14 answers from {last.month:%B %Y}.")).to_be_visible()
    expect(done_heading(page)).to_be_visible()
    expect(progress(page)).to_have_text("14 of 14 answered")
    expect(page.get_by_role("button", name=COPY)).to_have_count(0)
    assert ratings(user, this_month()) == ratings(user, last.month)
    assert not Rating.objects.filter(checkin__month=this_month()).exclude(note="").exists()


# Every page that changed, on a phone ---------------------------------------------------


def test_no_page_scrolls_sideways_on_a_360_or_390_pixel_phone(page, live_server):
    user = make_user("pia")
    make_checkin(user, add_months(this_month(), -3), {Trigger.objects.filter(user=user).first(): 3}, hours=45)
    paths = [month_path(this_month()), "/history/", "/checklist/", "/"]
    for width in (360, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.context.clear_cookies()
        page.goto("/")
        assert_fits(page, width)
        log_in(page, live_server, user)
        for path in paths:
            page.goto(path)  # at this width from the start: charts are drawn to fit it
            page.wait_for_load_state("load")
            assert_fits(page, width)
    # The history's missed months lead to filling them in.
    page.goto("/history/")
    missed = add_months(this_month(), -1)
    page.get_by_role("link", name=f"Fill in {missed:%B}").click()
    expect(page).to_have_url(live_server.url + month_path(missed))
    assert_no_trouble(page)


def test_on_a_laptop_the_history_shows_every_column_without_scrolling_sideways(page, live_server):
    user = make_user("noa")
    trigger = Trigger.objects.filter(user=user).first()
    make_checkin(user, this_month(), {trigger: 2}, wellbeing=3, satisfaction=3, energy=3, hours=40)
    make_checkin(user, add_months(this_month(), -9), {trigger: 3}, energy=2, hours=55)  # backfilled
    log_in(page, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/history/")
    expect(page.get_by_role("row", name=re.compile("Backfilled"))).to_contain_text("55")
    frame = page.locator(".table-wrap")
    assert frame.evaluate("frame => frame.scrollWidth <= frame.clientWidth"), "the history scrolls sideways"
    expect(page.get_by_role("columnheader", name="Weekly hours")).to_be_in_viewport()
    assert_no_trouble(page)


# Where each answer sits, for every group on the page: its buttons' boxes and its card's.
LAYOUT = """
() => [...document.querySelectorAll("fieldset")].map((group) => {
  const box = (element) => element.getBoundingClientRect();
  const card = box(group);
  const legend = box(group.querySelector("legend"));
  const answers = [...group.querySelectorAll(".scale label, .levels label")];
  return {
    name: group.querySelector("legend").textContent.slice(0, 40),
    tops: answers.map((label) => Math.round(box(label).top)),
    lefts: answers.map((label) => box(label).left),
    words: answers.map((label) => label.textContent.trim()),
    legendInside: legend.top >= card.top + 1 && legend.left >= card.left && legend.right <= card.right,
  };
})
"""


def test_on_a_phone_the_scores_and_levels_keep_one_row_in_order_and_titles_stay_in_their_card(
    page, live_server
):
    user = make_user("lin")
    long_title = "Decisions about my own project are made in meetings I am not invited to, " * 2
    Trigger.objects.create(user=user, title=long_title.strip(), position=99)
    log_in(page, live_server, user)
    for width in (390, 360):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(month_path(this_month()))
        groups = page.evaluate(LAYOUT)
        assert len(groups) == 3 + 12
        for group in groups:
            assert len(set(group["tops"])) == 1, f"{group['name']} wraps at {width}px: {group['tops']}"
            assert group["lefts"] == sorted(group["lefts"]), group["name"]
            assert group["legendInside"], f"{group['name']}… straddles its card at {width}px"
        assert groups[0]["words"] == ["1", "2", "3", "4", "5"]
        assert groups[-1]["words"] == ["Not present", "Faint", "Clear", "Strong"]
        assert_fits(page, width)
    assert_no_trouble(page)
