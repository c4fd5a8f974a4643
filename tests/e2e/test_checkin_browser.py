"""The check-in and the checklist in a real browser, with JavaScript on and off.

Things are found by the names PRODUCT.md promises ("Words the UI uses"). With
JavaScript on, every test also checks that the page logged no console error, hit no
Content-Security-Policy violation and sent no request to another origin.
"""

import re
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect

from assessments.models import CheckIn, Rating, Trigger, previous_month, this_month

from ..factories import PASSWORD, make_checkin, make_trigger, make_user

# Runs in every page before its own scripts, through the DevTools protocol (not as an
# inline script, so the CSP under test does not block it).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCsp(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                     + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""

# Chromium logs every 4xx response as a console error, the intended 422 refusal included.
REFUSAL_LOGGED = "Failed to load resource: the server responded with a status of 422"


def month_path(month) -> str:
    return f"/check-in/{month:%Y-%m}/"


def level_groups(page: Page):
    """Every fieldset on the check-in page that holds the four level radios."""
    return page.get_by_role("group").filter(has=page.get_by_role("radio", name="Not present", exact=True))


def trigger_group(page: Page, trigger: Trigger):
    return page.get_by_role("group", name=trigger.title, exact=True)


def level(page: Page, trigger: Trigger, label: str):
    return trigger_group(page, trigger).get_by_role("radio", name=label, exact=True)


def score(page: Page, label: str, value: int):
    return page.get_by_role("group", name=label, exact=True).get_by_role("radio", name=str(value), exact=True)


def summary(page: Page):
    return page.get_by_text(re.compile(r"^(\d+ triggers? turning up together|No triggers turning up)$"))


def is_autosave_of(trigger: Trigger, *, with_note: bool = False):
    """Whether a response answers an autosave of `trigger` (with a non-empty note)."""

    def matches(response) -> bool:
        request = response.request
        if request.method != "POST" or request.headers.get("hx-request") != "true":
            return False
        if with_note:
            return is_note_post(request, trigger)
        return f"level_{trigger.pk}" in parse_qs(request.post_data or "")

    return matches


def is_note_post(request, trigger: Trigger) -> bool:
    """Whether a request sends a non-empty note for `trigger`."""
    return bool(parse_qs(request.post_data or "").get(f"note_{trigger.pk}", [""])[0])


def set_marker(page: Page) -> None:
    """A value that survives only as long as the page is not loaded again."""
    page.evaluate("window.__sameDocument = 'still here'")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") == "still here", "the page was loaded again"


def log_in(page: Page, live_server, user) -> None:
    """Give the browser a session for `user` (the login form is tested on its own)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def ratings(user, month) -> dict[int, int]:
    return dict(
        Rating.objects.filter(checkin__user=user, checkin__month=month).values_list("trigger_id", "level")
    )


def snapshot() -> tuple[list, list]:
    return list(CheckIn.objects.order_by("pk").values()), list(Rating.objects.order_by("pk").values())


@pytest.fixture
def watched(page: Page, live_server):
    """The JavaScript-on page, recording CSP violations and requests to other origins.

    Tests call `assert_clean(page)` at the end; the lists live on the page object.
    """
    page.csp_violations = []
    page.foreign_requests = []
    page.expose_function("__reportCsp", lambda text: page.csp_violations.append(text))
    page.add_init_script(CSP_WATCH)
    origin = live_server.url.rstrip("/") + "/"

    def check_origin(request):
        if not request.url.startswith((origin, "data:")):
            page.foreign_requests.append(request.url)

    page.context.on("request", check_origin)
    return page


def assert_clean(page: Page, allowed_console: tuple[str, ...] = ()) -> None:
    errors = [e for e in page.console_errors if not any(a in e for a in allowed_console)]
    assert errors == []
    assert page.csp_violations == []
    assert page.foreign_requests == []


# 1 ---------------------------------------------------------------------------


def test_a_new_account_checks_in_and_every_answer_saves_itself_as_it_changes(watched, live_server):
    page = watched
    page.goto("/signup/")
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(live_server.url + month_path(this_month()))
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Dashboard", "Check in", "History", "Checklist", "Settings"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    user = get_user_model().objects.get(username="robin")
    first, second, third = Trigger.objects.filter(user=user)[:3]
    expect(summary(page)).to_have_text("No triggers turning up")

    set_marker(page)
    answers = [(first, "Clear", 2), (second, "Strong", 3), (third, "Clear", 2)]
    for count, (trigger, label, _) in enumerate(answers, start=1):
        level(page, trigger, label).check()
        expect(trigger_group(page, trigger).get_by_role("status")).to_have_text("Saved")
        together = "1 trigger turning up together" if count == 1 else f"{count} triggers turning up together"
        expect(summary(page)).to_have_text(together)
    expect(page.get_by_text("3 triggers turning up together")).to_be_visible()

    wellbeing = page.get_by_role("group", name="Wellbeing", exact=True)
    wellbeing.get_by_role("radio", name="4", exact=True).check()
    expect(wellbeing.get_by_role("status")).to_have_text("Saved")

    # One request for the whole note, sent after the typing stops.
    note_posts = []
    page.on("request", lambda r: r.method == "POST" and is_note_post(r, second) and note_posts.append(r))
    note = trigger_group(page, second).get_by_role("textbox", name="Note")
    with page.expect_response(is_autosave_of(second, with_note=True)) as response:
        note.press_sequentially("Reorg announced with no reasons given", delay=20)
    assert response.value.ok
    expect(trigger_group(page, second).get_by_role("status")).to_have_text("Saved")
    assert len(note_posts) == 1
    assert_same_document(page)

    page.reload()
    for trigger, label, _ in answers:
        expect(level(page, trigger, label)).to_be_checked()
    expect(score(page, "Wellbeing", 4)).to_be_checked()
    expect(trigger_group(page, second).get_by_role("textbox", name="Note")).to_have_value(
        "Reorg announced with no reasons given"
    )
    expect(summary(page)).to_have_text("3 triggers turning up together")

    checkin = CheckIn.objects.get(user=user, month=this_month())
    assert checkin.wellbeing == 4
    assert ratings(user, this_month()) == {t.pk: value for t, _, value in answers}
    assert Rating.objects.get(checkin=checkin, trigger=second).note == "Reorg announced with no reasons given"
    assert_clean(page)


# 2 ---------------------------------------------------------------------------


def test_without_javascript_the_check_in_saves_on_submit(js_off_page, live_server):
    page = js_off_page
    user = make_user("sam")
    first, second, third = Trigger.objects.filter(user=user)[:3]

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Check in", exact=True).click()
    expect(page).to_have_url(live_server.url + month_path(this_month()))

    level(page, first, "Strong").check()
    level(page, second, "Clear").check()
    level(page, third, "Strong").check()
    expect(page.get_by_text("3 triggers turning up together")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()

    expect(summary(page)).to_have_text("3 triggers turning up together")
    expect(level(page, first, "Strong")).to_be_checked()
    expect(level(page, second, "Clear")).to_be_checked()
    expect(level(page, third, "Strong")).to_be_checked()
    assert ratings(user, this_month()) == {first.pk: 3, second.pk: 2, third.pk: 3}


# 3 ---------------------------------------------------------------------------


def test_a_retired_trigger_leaves_new_check_ins_but_keeps_its_past_answers(watched, live_server):
    page = watched
    user = make_user("kim")
    trigger = make_trigger(user, "Roadmap changes every week")
    last_month = previous_month(this_month())
    make_checkin(user, last_month, {trigger: 2})
    log_in(page, live_server, user)

    page.goto("/checklist/")
    set_marker(page)
    item = page.get_by_role("listitem").filter(has=page.get_by_text(trigger.title, exact=True))
    item.get_by_role("button", name="Retire").click()

    retired_list = page.get_by_role("heading", name=re.compile(r"^Retired\b")).locator(
        "xpath=following-sibling::ul[1]"
    )
    retired_item = retired_list.get_by_role("listitem").filter(
        has=page.get_by_text(trigger.title, exact=True)
    )
    expect(retired_item).to_be_visible()
    expect(retired_item.get_by_role("button", name="Restore")).to_be_visible()
    expect(page.get_by_role("button", name="Retire", exact=True)).to_have_count(
        Trigger.objects.filter(user=user, retired__isnull=True).count()
    )
    assert_same_document(page)
    trigger.refresh_from_db()
    assert trigger.retired is not None

    page.goto(month_path(this_month()))
    expect(level_groups(page).first).to_be_visible()
    expect(trigger_group(page, trigger)).to_have_count(0)

    page.goto(month_path(last_month))
    expect(trigger_group(page, trigger)).to_be_visible()
    expect(level(page, trigger, "Clear")).to_be_checked()
    assert_clean(page)


# 4 ---------------------------------------------------------------------------


def active_list(page: Page):
    return page.get_by_role("heading", name=re.compile(r"^Active\b")).locator(
        "xpath=following-sibling::ol[1]"
    )


def active_titles(page: Page) -> list[str]:
    return active_list(page).locator("li strong").all_inner_texts()


def test_the_checklist_adds_edits_and_moves_a_trigger_in_place(watched, live_server):
    page = watched
    user = make_user("lee")
    log_in(page, live_server, user)
    page.goto("/checklist/")
    set_marker(page)

    page.get_by_label("Title").fill("Too many meetings")
    page.get_by_role("button", name="Add trigger").click()
    new = (
        active_list(page)
        .get_by_role("listitem")
        .filter(has=page.get_by_text("Too many meetings", exact=True))
    )
    expect(new).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("")
    trigger = Trigger.objects.get(user=user, title="Too many meetings")

    new.get_by_role("link", name="Edit").click()
    editing = active_list(page).locator(f"#t{trigger.pk}")
    expect(editing.get_by_label("Title")).to_have_value("Too many meetings")
    editing.get_by_label("Title").fill("Too many pointless meetings")
    editing.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Too many pointless meetings", exact=True)).to_be_visible()
    expect(page.get_by_text("Too many meetings", exact=True)).to_have_count(0)

    before = active_titles(page)
    assert before[-1] == "Too many pointless meetings"
    renamed = (
        active_list(page)
        .get_by_role("listitem")
        .filter(has=page.get_by_text("Too many pointless meetings", exact=True))
    )
    renamed.get_by_role("button", name="Move up").click()
    expected = [*before[:-2], before[-1], before[-2]]
    expect(active_list(page).locator("li strong")).to_have_text(expected)
    assert_same_document(page)

    active = Trigger.objects.filter(user=user, retired__isnull=True).order_by("position", "id")
    assert list(active.values_list("title", flat=True)) == expected
    assert_clean(page)


def test_without_javascript_the_checklist_adds_a_trigger(js_off_page, live_server):
    page = js_off_page
    user = make_user("noor")
    log_in(page, live_server, user)
    page.goto("/checklist/")
    page.get_by_label("Title").fill("No budget for training")
    with page.expect_navigation():
        page.get_by_role("button", name="Add trigger").click()
    expect(page).to_have_url(live_server.url + "/checklist/")
    expect(active_list(page).get_by_text("No budget for training", exact=True)).to_be_visible()
    assert Trigger.objects.filter(user=user, title="No budget for training", retired__isnull=True).exists()


# 5 ---------------------------------------------------------------------------


def test_on_a_phone_the_check_in_fits_and_works_with_the_keyboard_alone(watched, live_server):
    page = watched
    page.set_viewport_size({"width": 390, "height": 844})
    user = make_user("ash")
    first, second = Trigger.objects.filter(user=user)[:2]
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    expect(trigger_group(page, second)).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Tab from the first trigger's note lands on the second trigger's levels.
    trigger_group(page, first).get_by_role("textbox", name="Note").focus()
    page.keyboard.press("Tab")
    expect(level(page, second, "Not present")).to_be_focused()
    with page.expect_response(is_autosave_of(second)):
        page.keyboard.press("Space")
    expect(level(page, second, "Not present")).to_be_checked()
    for label in ("Faint", "Clear"):
        with page.expect_response(is_autosave_of(second)):
            page.keyboard.press("ArrowRight")
        expect(level(page, second, label)).to_be_checked()
    expect(trigger_group(page, second).get_by_role("status")).to_have_text("Saved")
    expect(summary(page)).to_have_text("1 trigger turning up together")

    assert ratings(user, this_month()) == {second.pk: 2}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_clean(page)


# 6 ---------------------------------------------------------------------------


def test_impossible_weekly_hours_get_a_message_beside_the_field_and_change_nothing(watched, live_server):
    page = watched
    user = make_user("jo")
    trigger = Trigger.objects.filter(user=user).first()
    make_checkin(user, this_month(), {trigger: 1}, hours=40)
    before = snapshot()
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))

    hours = page.get_by_label("Typical weekly hours")
    expect(hours).to_have_value("40")
    hours.fill("-3")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        hours.press("Tab")
    assert 400 <= response.value.status < 500

    field = page.locator(".field", has=hours)
    status = field.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"greater than or equal to 0|at least 0|negative", re.I))
    expect(status).not_to_contain_text("Saved")
    expect(page.get_by_text("Saved", exact=True)).to_have_count(0)
    assert snapshot() == before
    assert_clean(page, allowed_console=(REFUSAL_LOGGED,))
