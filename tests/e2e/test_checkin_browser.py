"""The check-in and the checklist in a real browser, with JavaScript on and off.

Things are found by the words a person sees on the page (labels, roles, names). With
JavaScript on, every test also checks that the page logged no console error, hit no
Content-Security-Policy violation and sent no request to another origin.
"""

import re
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from playwright.sync_api import Dialog, Locator, Page, Request, Route, expect
from pytest_django.live_server_helper import LiveServer

from assessments.models import CheckIn, Rating, Trigger, previous_month, this_month

from ..factories import PASSWORD, make_checkin, make_trigger, make_user
from ..helpers import assert_no_trouble, assert_same_document, log_in, set_marker, snapshot

# Chromium logs every 4xx response as a console error, the intended 422 refusal included.
REFUSAL_LOGGED = "Failed to load resource: the server responded with a status of 422"


def month_path(month) -> str:
    return f"/check-in/{month:%Y-%m}/"


def open_with_its_clock(page: Page, live_server: LiveServer, user) -> None:
    """This month's check-in of `user`, in a page whose timers the test moves (page.clock):
    a pause or a backoff is skipped, not waited out."""
    log_in(page, live_server, user)
    page.clock.install()
    page.goto(month_path(this_month()))


def level_groups(page: Page) -> Locator:
    """Every fieldset on the check-in page that holds the four level radios."""
    return page.get_by_role("group").filter(has=page.get_by_role("radio", name="Not present", exact=True))


def trigger_group(page: Page, trigger: Trigger) -> Locator:
    return page.get_by_role("group", name=trigger.title, exact=True)


def level(page: Page, trigger: Trigger, label: str) -> Locator:
    return trigger_group(page, trigger).get_by_role("radio", name=label, exact=True)


def score(page: Page, label: str, value: int) -> Locator:
    return page.get_by_role("group", name=label, exact=True).get_by_role("radio", name=str(value), exact=True)


def summary(page: Page) -> Locator:
    return page.get_by_text(
        re.compile(r"^(\d+ triggers? turning up together|No triggers turning up|Nothing rated yet)$")
    )


def is_autosave_of(trigger: Trigger, *, with_note: bool = False):
    """Whether a response answers an autosave of `trigger` (with a non-empty note)."""

    def matches(response) -> bool:
        request = response.request
        if not is_autosave(request):
            return False
        if with_note:
            return is_note_post(request, trigger)
        return f"level_{trigger.pk}" in parse_qs(request.post_data or "")

    return matches


def is_autosave(request) -> bool:
    """Whether a request is the page saving an answer by itself (not the form's submit)."""
    return (
        request.method == "POST"
        and request.resource_type == "fetch"
        and request.url.split("?")[0].endswith(month_path(this_month()))
    )


def autosaves(page: Page) -> list[dict[str, list[str]]]:
    """Every autosave the page sends from now on, in order, as its form data."""
    sent: list[dict[str, list[str]]] = []

    def record(request: Request) -> None:
        if is_autosave(request):
            sent.append(parse_qs(request.post_data or "", keep_blank_values=True))

    page.on("request", record)
    return sent


def is_note_post(request, trigger: Trigger) -> bool:
    """Whether a request sends a non-empty note for `trigger`."""
    return bool(parse_qs(request.post_data or "").get(f"note_{trigger.pk}", [""])[0])


def ratings(user, month) -> dict[int, int]:
    return dict(
        Rating.objects.filter(checkin__user=user, checkin__month=month).values_list("trigger_id", "level")
    )


@pytest.fixture
def watched(page: Page) -> Page:
    """The JavaScript-on page, which the e2e conftest watches for console errors, CSP
    violations and requests to other origins; tests call `assert_clean(page)` at the end."""
    return page


def assert_clean(page: Page, allowed_console: tuple[str, ...] = ()) -> None:
    assert_no_trouble(page, allowed_console=allowed_console)


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
    expect(summary(page)).to_have_text("Nothing rated yet")
    # Screen readers announce a live region's new text, not a replaced element.
    summary(page).evaluate("element => { element.__sameElement = true; }")

    set_marker(page)
    answers = [(first, "Clear", 2), (second, "Strong", 3), (third, "Clear", 2)]
    for count, (trigger, label, _) in enumerate(answers, start=1):
        level(page, trigger, label).check()
        expect(trigger_group(page, trigger).get_by_role("status")).to_have_text("Saved")
        together = "1 trigger turning up together" if count == 1 else f"{count} triggers turning up together"
        expect(summary(page)).to_have_text(together)
    expect(page.get_by_text("3 triggers turning up together")).to_be_visible()
    assert summary(page).evaluate("element => element.__sameElement") is True

    wellbeing = page.get_by_role("group", name="Wellbeing", exact=True)
    wellbeing.get_by_role("radio", name="4", exact=True).check()
    expect(wellbeing.get_by_role("status")).to_have_text("Saved")

    # One request for the whole note, sent after the typing stops.
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    note = trigger_group(page, second).get_by_role("textbox", name="Note")
    with page.expect_response(is_autosave_of(second, with_note=True)) as response:
        note.press_sequentially("Reorg announced with no reasons given", delay=20)
    assert response.value.ok
    expect(trigger_group(page, second).get_by_role("status")).to_have_text("Saved")
    assert len([r for r in requests if r.method == "POST" and is_note_post(r, second)]) == 1
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


def active_list(page: Page) -> Locator:
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


def test_a_click_saves_at_once_and_arrow_keys_save_where_they_stop(watched, live_server):
    page = watched
    user = make_user("max")
    trigger = Trigger.objects.filter(user=user)[0]
    open_with_its_clock(page, live_server, user)
    page.clock.pause_at(page.evaluate("Date.now()") + 1)  # no pause ends by itself now
    sent = autosaves(page)

    level(page, trigger, "Faint").click()
    expect(status(page, trigger)).to_have_text("Saved")
    level(page, trigger, "Faint").press("ArrowRight")
    expect(level(page, trigger, "Clear")).to_be_checked()
    page.wait_for_timeout(200)  # time for a save to go out, were it not waiting for the pause
    expect(status(page, trigger)).to_have_text("Saving…")
    page.clock.fast_forward(500)
    expect(status(page, trigger)).to_have_text("Saved")
    assert [post[f"level_{trigger.pk}"] for post in sent] == [["1"], ["2"]]
    assert ratings(user, this_month()) == {trigger.pk: 2}
    assert_clean(page)


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
    # Stepping through the levels saves once, where the arrows stop.
    sent = autosaves(page)
    page.keyboard.press("Space")
    expect(level(page, second, "Not present")).to_be_checked()
    for label in ("Faint", "Clear"):
        page.keyboard.press("ArrowRight")
        expect(level(page, second, label)).to_be_checked()
    expect(trigger_group(page, second).get_by_role("status")).to_have_text("Saved")
    expect(summary(page)).to_have_text("1 trigger turning up together")
    page.wait_for_timeout(800)  # longer than the pause before a level saves: nothing more goes out
    assert [post[f"level_{second.pk}"] for post in sent] == [["2"]]

    assert ratings(user, this_month()) == {second.pk: 2}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_clean(page)


# 6 ---------------------------------------------------------------------------


def test_impossible_weekly_hours_get_a_message_beside_the_field_and_change_nothing(watched, live_server):
    page = watched
    user = make_user("jo")
    trigger = Trigger.objects.filter(user=user)[0]
    make_checkin(user, this_month(), {trigger: 1}, hours=40)
    before = snapshot()
    open_with_its_clock(page, live_server, user)

    hours = page.get_by_label("Typical weekly hours")
    expect(hours).to_have_value("40")
    sent = autosaves(page)
    hours.fill("-3")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        hours.press("Tab")
    assert response.value.status == 422

    field = page.locator(".field", has=hours)
    status = field.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"greater than or equal to 0|at least 0|negative", re.I))
    expect(status).not_to_contain_text("Saved")
    expect(page.get_by_text("Saved", exact=True)).to_have_count(0)
    # A refusal is final: retrying the same value would only be refused again.
    page.clock.fast_forward(30_000)  # past any retry
    page.wait_for_timeout(200)  # time for a retry to show up, were there one
    assert [post["hours"] for post in sent] == [["-3"]]
    expect(status).not_to_contain_text("Saved")
    assert snapshot() == before
    assert_clean(page, allowed_console=(REFUSAL_LOGGED,))


# 7 Saving that never lies ------------------------------------------------------------

# What Chromium logs for the failures these tests cause on purpose.
SERVER_ERROR_LOGGED = "the server responded with a status of 500"
ABORT_LOGGED = "net::ERR_FAILED"
OFFLINE_LOGGED = "net::ERR_INTERNET_DISCONNECTED"
NOT_SAVED = "Not saved — retrying"


def dismissed_dialogs(page: Page) -> list[str]:
    """The type of every dialog the page opens from now on, each dismissed (Cancel)."""
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def status(page: Page, trigger: Trigger) -> Locator:
    return trigger_group(page, trigger).get_by_role("status")


def fail_autosaves(page: Page, fail) -> None:
    """Answer every autosave with `fail(route)` until `page.unroute("**/check-in/**")`."""
    page.route(
        "**/check-in/**", lambda route: fail(route) if is_autosave(route.request) else route.continue_()
    )


def wait_until(page: Page, condition, timeout_ms: int = 5000) -> None:
    """Let the page run (and its requests arrive) until `condition()` holds."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    assert condition()


def answer_500(route) -> None:
    route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>")


def test_a_failed_save_says_not_saved_retries_and_keeps_the_last_answer_chosen(watched, live_server):
    page = watched
    user = make_user("rue")
    trigger = Trigger.objects.filter(user=user)[0]
    open_with_its_clock(page, live_server, user)
    summary(page).evaluate("element => { element.__sameElement = true; }")
    sent = autosaves(page)

    held: list[Route] = []
    fail_autosaves(page, lambda route: answer_500(route) if held else held.append(route))
    level(page, trigger, "Faint").check()
    expect(status(page, trigger)).to_have_text("Saving…")
    wait_until(page, lambda: held)
    answer_500(held[0])
    expect(trigger_group(page, trigger).get_by_role("alert")).to_have_text(NOT_SAVED)
    expect(status(page, trigger)).to_have_text(NOT_SAVED)
    # Retried by itself, without anyone touching the page.
    page.clock.fast_forward(1000)
    wait_until(page, lambda: len(sent) >= 2)

    # Changed twice more during the outage: still not saved, and nothing stored.
    for label in ("Clear", "Strong"):
        level(page, trigger, label).check()
        expect(status(page, trigger)).to_have_text(NOT_SAVED)
    assert ratings(user, this_month()) == {}
    expect(summary(page)).to_have_text("Nothing rated yet")

    page.unroute("**/check-in/**")
    page.clock.fast_forward(30_000)  # the longest a retry waits
    expect(status(page, trigger)).to_have_text("Saved")
    expect(summary(page)).to_have_text("1 trigger turning up together")
    assert summary(page).evaluate("element => element.__sameElement") is True
    assert ratings(user, this_month()) == {trigger.pk: 3}
    # Once the newest value went out, no older one followed it.
    levels_sent = [post[f"level_{trigger.pk}"][0] for post in sent]
    assert levels_sent[0] == "1"
    assert set(levels_sent[levels_sent.index("3") :]) == {"3"}

    page.reload()
    expect(level(page, trigger, "Strong")).to_be_checked()
    assert_clean(page, allowed_console=(SERVER_ERROR_LOGGED,))


def test_an_answer_changed_while_its_save_is_out_is_saved_only_when_the_newer_value_is(watched, live_server):
    page = watched
    user = make_user("cal")
    trigger = Trigger.objects.filter(user=user)[0]
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    held = []
    page.route("**/check-in/**", lambda r: held.append(r) if is_autosave(r.request) else r.continue_())

    with page.expect_request(is_autosave):
        level(page, trigger, "Faint").check()
    expect(status(page, trigger)).to_have_text("Saving…")
    level(page, trigger, "Clear").check()
    page.wait_for_timeout(800)  # past the pause: a second request now would race the first
    assert len(held) == 1

    with page.expect_request(is_autosave) as second:
        held[0].continue_()
    assert parse_qs(second.value.post_data)[f"level_{trigger.pk}"] == ["2"]
    expect(status(page, trigger)).to_have_text("Saving…")  # the server has "Faint", the page shows "Clear"
    assert ratings(user, this_month()) == {trigger.pk: 1}

    wait_until(page, lambda: len(held) == 2)
    held[1].continue_()
    expect(status(page, trigger)).to_have_text("Saved")
    assert ratings(user, this_month()) == {trigger.pk: 2}
    assert_clean(page)


def test_leaving_with_an_unsaved_answer_asks_first_and_nothing_that_showed_saved_is_lost(
    watched, live_server
):
    page = watched
    user = make_user("dee")
    first, second = Trigger.objects.filter(user=user)[:2]
    open_with_its_clock(page, live_server, user)
    set_marker(page)

    level(page, first, "Strong").check()
    expect(status(page, first)).to_have_text("Saved")

    fail_autosaves(page, lambda route: route.abort())
    level(page, second, "Clear").check()
    score(page, "Wellbeing", 2).check()
    expect(status(page, second)).to_have_text(NOT_SAVED)
    wellbeing = page.get_by_role("group", name="Wellbeing", exact=True)
    expect(wellbeing.get_by_role("status")).to_have_text(NOT_SAVED)

    # Leaving now would lose them: the browser asks, and staying keeps the page.
    dialogs = dismissed_dialogs(page)
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert_same_document(page)

    sent = autosaves(page)
    page.unroute("**/check-in/**")
    page.clock.fast_forward(30_000)  # the longest a retry waits
    expect(status(page, second)).to_have_text("Saved")
    expect(wellbeing.get_by_role("status")).to_have_text("Saved")
    # In the order they were made.
    assert [next(iter(post)) for post in sent] == [f"level_{second.pk}", "wellbeing"]

    # Everything is saved: leaving asks nothing.
    with page.expect_navigation():
        page.get_by_role("link", name="History", exact=True).click()
    assert dialogs == ["beforeunload"]
    page.goto(month_path(this_month()))
    expect(level(page, first, "Strong")).to_be_checked()
    expect(level(page, second, "Clear")).to_be_checked()
    expect(score(page, "Wellbeing", 2)).to_be_checked()
    assert ratings(user, this_month()) == {first.pk: 3, second.pk: 2}
    assert CheckIn.objects.get(user=user).wellbeing == 2
    assert_clean(page, allowed_console=(ABORT_LOGGED,))


def test_a_note_typed_offline_is_saved_when_the_connection_is_back(watched, live_server):
    page = watched
    user = make_user("eli")
    trigger = Trigger.objects.filter(user=user)[0]
    make_checkin(user, this_month(), {trigger: 2})
    open_with_its_clock(page, live_server, user)

    page.context.set_offline(True)
    note = trigger_group(page, trigger).get_by_role("textbox", name="Note")
    note.press_sequentially("Written on the train", delay=20)
    expect(status(page, trigger)).to_have_text(NOT_SAVED)
    assert Rating.objects.get(trigger=trigger).note == ""

    dialogs = dismissed_dialogs(page)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()

    # Back online, it is saved at once, not at the next retry: the page's clock stands still.
    page.clock.pause_at(page.evaluate("Date.now()") + 1)
    page.context.set_offline(False)
    expect(status(page, trigger)).to_have_text("Saved")
    rating = Rating.objects.get(trigger=trigger)
    assert (rating.level, rating.note) == (2, "Written on the train")
    assert_clean(page, allowed_console=(OFFLINE_LOGGED,))


def test_a_note_without_a_level_is_refused_in_place_once_then_saved_with_its_level(watched, live_server):
    page = watched
    user = make_user("fay")
    trigger = Trigger.objects.filter(user=user)[0]
    open_with_its_clock(page, live_server, user)
    sent = autosaves(page)

    note = trigger_group(page, trigger).get_by_role("textbox", name="Note")
    note.fill("Nobody explained the reorg")
    expect(status(page, trigger)).to_have_text(
        f"Choose a level for “{trigger.title}” and its note is saved with it."
    )
    expect(trigger_group(page, trigger).get_by_role("alert")).to_have_count(0)
    page.clock.fast_forward(30_000)  # past any retry
    page.wait_for_timeout(200)  # time for a retry to show up, were there one
    assert len(sent) == 1
    expect(status(page, trigger)).not_to_contain_text("Saved")
    assert not Rating.objects.exists()

    level(page, trigger, "Faint").check()
    expect(status(page, trigger)).to_have_text("Saved")
    assert len(sent) == 2
    rating = Rating.objects.get(trigger=trigger)
    assert (rating.level, rating.note) == (1, "Nobody explained the reorg")
    assert_clean(page, allowed_console=(REFUSAL_LOGGED,))


def test_answers_that_failed_because_the_session_ended_are_saved_after_logging_in_again(watched, live_server):
    page = watched
    user = make_user("gus")
    trigger = Trigger.objects.filter(user=user)[0]
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))

    Session.objects.all().delete()  # the session ended: saves are sent to the log-in page
    level(page, trigger, "Strong").check()
    expect(status(page, trigger)).to_have_text(NOT_SAVED)
    assert ratings(user, this_month()) == {}

    # Logging in again in another tab gives a new CSRF token; the retries use it.
    other = page.context.new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Username").fill("gus")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("button", name="Log out")).to_be_visible()
    other.close()

    expect(status(page, trigger)).to_have_text("Saved", timeout=15_000)
    assert ratings(user, this_month()) == {trigger.pk: 3}
    assert_clean(page)


def test_with_javascript_enter_in_a_field_saves_the_answer_first_then_confirms_the_check_in(
    watched, live_server
):
    page = watched
    user = make_user("hal")
    log_in(page, live_server, user)
    page.goto(month_path(this_month()))
    dialogs = dismissed_dialogs(page)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))

    hours = page.get_by_label("Typical weekly hours")
    hours.fill("47")
    with page.expect_navigation():
        hours.press("Enter")

    expect(page.get_by_text(f"Check-in for {this_month():%B %Y} saved.")).to_be_visible()
    expect(page.get_by_label("Typical weekly hours")).to_have_value("47")
    posts = [r.resource_type for r in requests if r.method == "POST"]
    assert posts == ["fetch", "document"]  # the autosave landed before the form's post
    assert dialogs == []
    assert CheckIn.objects.get(user=user).hours == 47
    assert_clean(page)
