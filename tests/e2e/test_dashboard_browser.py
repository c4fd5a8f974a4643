"""The dashboard in a real Chromium: its charts drawn with the page, the range swapped in
place, missed months marked, read on a touch screen, in the dark and on paper; no console
error, no CSP violation, nothing fetched from another origin, fits a phone."""

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from assessments.models import LEVEL_COLOURS, Level, this_month

from ..factories import make_checkin, make_trigger, make_user
from ..helpers import ago, assert_no_trouble, log_in, watch

# The charts: two SVG plots, the heatmap's table and the pairs' list, all in the page's HTML.
TOGETHER = "section:has(#chart-together-heading) svg.plot"
WELLBEING = "section:has(#chart-wellbeing-heading) svg.plot"
HEATMAP = "table.heatmap"
PAIRS = "ol.pairs"
CHARTS = [TOGETHER, HEATMAP, PAIRS, WELLBEING]
# The demo's last twelve months are the calm ones after the job change: no two triggers
# turned up together, so the pairs are a sentence there.
RECENT_CHARTS = [TOGETHER, HEATMAP, WELLBEING]


def months_drawn(page, chart: str = TOGETHER) -> int:
    """How many periods the chart now in the page has: a column each, with its hover text."""
    return page.locator(f"{chart} rect.hit").count()


def bars_drawn(page) -> int:
    return page.locator(f"{TOGETHER} rect:is(.l1, .l2, .l3)").count()


def wait_for_charts(page, charts=CHARTS) -> None:
    for chart in charts:
        page.locator(chart).first.wait_for()


@pytest.fixture
def demo(page: Page, live_server: LiveServer) -> Page:
    """The page, logged in as the demo user, on the dashboard."""
    call_command("seed_demo", stdout=StringIO())
    log_in(page, live_server, User.objects.get(username="demo"))
    page.goto("/")
    return page


def test_demo_dashboard_draws_every_chart_it_has(demo):
    wait_for_charts(demo, RECENT_CHARTS)
    for chart in RECENT_CHARTS:
        assert demo.locator(chart).first.is_visible()
    assert demo.get_by_text(
        "No two triggers have turned up in the same check-in in this period."
    ).is_visible()
    # The last twelve months, with the month the demo missed marked as missed.
    assert months_drawn(demo) == 12
    assert demo.locator(f"{TOGETHER} rect.missed").count() == 1
    assert bars_drawn(demo) == 0  # calm months: nothing turning up, each a zero on the axis
    assert demo.locator(f"{TOGETHER} rect.zero").count() == 10
    assert_no_trouble(demo)


def test_demo_dashboard_over_all_its_months_draws_all_four_charts(demo):
    demo.goto("/?range=all")
    wait_for_charts(demo)
    for chart in CHARTS:
        assert demo.locator(chart).first.is_visible()
    assert bars_drawn(demo) > 0
    assert_no_trouble(demo)


def test_switching_the_range_updates_the_charts_without_a_full_page_load(demo, live_server):
    wait_for_charts(demo, RECENT_CHARTS)
    ticks_before = demo.locator(f"{TOGETHER} text.x").all_text_contents()
    demo.evaluate("window.marker = 'same page'")
    demo.get_by_role("link", name="All").click()
    demo.wait_for_url(f"{live_server.url}/?range=all")
    # The demo's first check-in was 36 months ago: 37 months up to this one.
    demo.wait_for_function(f"() => document.querySelectorAll('{TOGETHER} rect.hit').length === 37")
    wait_for_charts(demo)
    assert demo.evaluate("window.marker") == "same page"
    assert bars_drawn(demo) > 0
    assert demo.locator(f"{TOGETHER} text.x").all_text_contents() != ticks_before
    assert months_drawn(demo, WELLBEING) == 37
    assert demo.get_by_role("link", name="All").get_attribute("aria-current") == "true"
    assert demo.get_by_role("link", name="Last 12 months").get_attribute("aria-current") is None
    assert_no_trouble(demo)


def test_the_range_in_the_url_survives_a_reload(demo, live_server):
    demo.get_by_role("link", name="3 years").click()
    demo.wait_for_url(f"{live_server.url}/?range=3y")
    demo.reload()
    wait_for_charts(demo, RECENT_CHARTS)
    assert months_drawn(demo) == 36
    assert demo.get_by_role("heading", name="Dashboard", level=1).is_visible()
    assert_no_trouble(demo)


@pytest.mark.parametrize("chart", [TOGETHER, WELLBEING])
def test_hovering_over_a_chart_shows_what_each_month_holds(demo, chart):
    demo.goto("/?range=all")
    plot = demo.locator(chart)
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    said = []
    for step in range(1, 20):  # along the middle of the plot, from left to right
        demo.mouse.move(box["x"] + box["width"] * step / 20, box["y"] + box["height"] / 2)
        said.append(demo.evaluate("[...document.querySelectorAll(':hover')].pop().textContent"))
    months = [text for text in said if text]
    assert len(months) >= 15
    assert all(text[:3] in "JanFebMarAprMayJunJulAugSepOctNovDec" for text in months)
    # The column under the pointer is lit, so the reader sees which month the words are of.
    lit = demo.evaluate("getComputedStyle([...document.querySelectorAll(':hover')].pop()).fill")
    assert lit != "rgba(0, 0, 0, 0)"
    assert_no_trouble(demo)


@pytest.mark.parametrize("range_key", ["12m", "all"])
def test_dashboard_fits_a_phone_without_sideways_scrolling(demo, range_key):
    demo.set_viewport_size({"width": 390, "height": 844})
    demo.goto(f"/?range={range_key}")
    wait_for_charts(demo, RECENT_CHARTS)
    widths = demo.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] == 390, widths
    # Under the bars as many month labels as fit, side by side, none over another.
    labels = [b for b in (t.bounding_box() for t in demo.locator(f"{TOGETHER} text.x").all()) if b]
    assert len(labels) >= 3
    assert all(a["x"] + a["width"] < b["x"] for a, b in zip(labels, labels[1:], strict=False))
    assert_no_trouble(demo)


# A first check-in, a second, a missed month -----------------------------------------


@pytest.fixture
def newcomer(page: Page, live_server: LiveServer, db: None) -> Any:
    user: Any = make_user("newcomer", default_checklist=False)
    user.triggers_made = [make_trigger(user, title) for title in ("Alpha", "Bravo", "Charlie")]
    log_in(page, live_server, user)
    return user


def label_box(page, chart: str, label: str) -> dict:
    (box,) = [t.bounding_box() for t in page.locator(f"{chart} text.x").all() if t.text_content() == label]
    return box


def test_after_a_first_check_in_the_bar_chart_shows_a_whole_year_and_a_bar_a_month_wide(page, newcomer):
    alpha, bravo, _ = newcomer.triggers_made
    make_checkin(newcomer, this_month(), {alpha: 3, bravo: 2}, wellbeing=4)
    page.goto("/")
    plot = page.locator(TOGETHER).bounding_box()
    assert months_drawn(page) == 12
    month = plot["width"] / 12
    bars = [b.bounding_box() for b in page.locator(f"{TOGETHER} rect:is(.l2, .l3)").all()]
    assert len(bars) == 2  # Clear under Strong, in this month's column
    for bar in bars:
        assert 0.5 * month < bar["width"] <= month
        assert bar["height"] > 20
        assert bar["x"] > plot["x"] + 11 * month
    # Months read as months, under their own column, every one on a laptop.
    for n in (1, 0):
        box = label_box(page, TOGETHER, f"{ago(n):%b %Y}")
        middle = plot["x"] + (11.5 - n) * month
        assert abs(box["x"] + box["width"] / 2 - middle) < 2
    assert page.locator(f"{TOGETHER} text.x").all_text_contents()[0] == f"{ago(11):%b %Y}"
    assert page.locator(f"{TOGETHER} rect.missed").count() == 0  # before the first check-in: not missed
    assert_no_trouble(page)


def test_after_a_second_check_in_each_month_has_its_bar_and_label(page, newcomer):
    alpha, bravo, charlie = newcomer.triggers_made
    make_checkin(newcomer, ago(1), {alpha: 2})
    make_checkin(newcomer, this_month(), {alpha: 3, bravo: 3, charlie: 3})
    page.goto("/")
    bars = sorted(
        (b.bounding_box() for b in page.locator(f"{TOGETHER} rect:is(.l2, .l3)").all()), key=lambda b: b["x"]
    )
    assert len(bars) == 2
    assert bars[1]["height"] == pytest.approx(3 * bars[0]["height"], rel=0.02)
    for n, bar in zip((1, 0), bars, strict=True):
        box = label_box(page, TOGETHER, f"{ago(n):%b %Y}")
        assert bar["x"] < box["x"] + box["width"] / 2 < bar["x"] + bar["width"]
    assert page.get_by_text("together: 3").is_visible()
    assert_no_trouble(page)


def test_a_missed_month_is_marked_in_the_bar_chart_and_the_heatmap_unlike_a_zero(page, newcomer):
    alpha, bravo, _ = newcomer.triggers_made
    make_checkin(newcomer, ago(2), {alpha: 1, bravo: 0})  # checked in: nothing turning up
    make_checkin(newcomer, this_month(), {alpha: 3})  # last month missed
    page.goto("/")
    plot = page.locator(TOGETHER).bounding_box()
    month = plot["width"] / 12
    (missed,) = [m.bounding_box() for m in page.locator(f"{TOGETHER} rect.missed").all()]
    assert missed["x"] == pytest.approx(plot["x"] + 10 * month, abs=1)
    assert missed["height"] > 150  # a hatched band the height of the plot
    assert (
        page.locator(f"{TOGETHER} rect.missed").evaluate("r => getComputedStyle(r).fill") == 'url("#hatch")'
    )
    (zero,) = [z.bounding_box() for z in page.locator(f"{TOGETHER} rect.zero").all()]
    assert zero["x"] == pytest.approx(plot["x"] + 9.15 * month, abs=1)  # two months ago: a 0
    assert zero["height"] < 5
    # The heatmap's column for the missed month: hatched, and "No check-in" to a screen reader.
    cells = page.locator(f"{HEATMAP} td.missed")
    assert cells.count() == 2  # a row per rated trigger
    background = cells.first.evaluate("c => getComputedStyle(c).backgroundImage")
    assert background.startswith("repeating-linear-gradient")
    assert cells.first.text_content() == "No check-in"
    not_present = page.locator(f"{HEATMAP} td.l0")
    assert not_present.count() == 1 and not_present.text_content() == "Not present"
    assert_no_trouble(page)


def test_the_pair_list_draws_each_pair_once_with_bars_from_zero(page, newcomer):
    alpha, bravo, charlie = newcomer.triggers_made
    for n in range(10):  # Alpha and Bravo ten times; Charlie with them six
        make_checkin(newcomer, ago(n), {alpha: 3, bravo: 3, **({charlie: 2} if n < 6 else {})})
    page.goto("/")
    items = page.locator(f"{PAIRS} li")
    assert items.all_text_contents() == [
        "Alpha + Bravo: 10 months",
        "Alpha + Charlie: 6 months",
        "Bravo + Charlie: 6 months",
    ]
    widths = [item.locator("rect").bounding_box()["width"] for item in items.all()]
    full = items.first.locator("svg").bounding_box()["width"]
    assert widths[0] == pytest.approx(full, abs=1)
    assert widths[1] == pytest.approx(0.6 * full, abs=1)  # seen six times: never drawn like none
    assert_no_trouble(page)


# On a touch screen, in the dark, on paper ----------------------------------------------


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A 390 px touch screen, logged in as the demo user."""
    call_command("seed_demo", stdout=StringIO())
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    watch(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, User.objects.get(username="demo"))
    yield page
    context.close()


def swipe(page, x: float, y: float, up: bool) -> None:
    """A finger put down at (x, y) and moved up (or down) by 200 px."""
    touch = page.context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x, "y": y + (-20 if up else 20) * step}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)


@pytest.mark.parametrize("chart", [TOGETHER, HEATMAP, WELLBEING])
def test_a_finger_swiping_over_a_chart_scrolls_the_page_on_a_phone(phone, chart):
    phone.goto("/?range=all")
    element = phone.locator(chart)
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, max(min(box["y"] + box["height"] / 2, 600), 250)
    before = phone.evaluate("scrollY")
    # Up, to read on; down where the page has no more below (the last chart).
    up = phone.evaluate("scrollY + innerHeight < document.documentElement.scrollHeight - 200")
    swipe(phone, x, y, up)
    moved = phone.evaluate("scrollY") - before
    assert (moved if up else -moved) >= 150, moved
    # Nothing on the page speaks of a mouse's double-click, which a finger can't do.
    assert "double-click" not in phone.locator("body").inner_text().lower()
    assert_no_trouble(phone)


def test_the_heatmap_on_a_phone_opens_at_the_latest_months_and_keeps_the_names_in_view(phone):
    phone.goto("/?range=all")
    frame = phone.locator(".heat-wrap")
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box["x"] + box["width"] <= 390
    latest = phone.locator(f"{HEATMAP} thead th").last.bounding_box()
    assert latest["x"] + latest["width"] <= box["x"] + box["width"] + 1  # the latest month shows
    name = phone.locator(f"{HEATMAP} tbody th").first.bounding_box()
    assert name["x"] >= box["x"] - 1  # and the triggers' names beside it
    assert_no_trouble(phone)


def rgb(colour: str) -> str:
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


def test_the_charts_take_the_levels_colours_of_the_screens_scheme(demo):
    demo.goto("/?range=all")
    strong = f"{TOGETHER} rect.l3"
    assert demo.locator(strong).first.evaluate("r => getComputedStyle(r).fill") == rgb(
        LEVEL_COLOURS["light"][Level.STRONG]
    )
    demo.emulate_media(color_scheme="dark")
    assert demo.locator(strong).first.evaluate("r => getComputedStyle(r).fill") == rgb(
        LEVEL_COLOURS["dark"][Level.STRONG]
    )
    cell = demo.locator(f"{HEATMAP} td.l3").first
    assert cell.evaluate("c => getComputedStyle(c, '::before').backgroundColor") == rgb(
        LEVEL_COLOURS["dark"][Level.STRONG]
    )
    assert_no_trouble(demo)


def test_the_charts_show_without_javascript(js_off_page, live_server):
    call_command("seed_demo", stdout=StringIO())
    log_in(js_off_page, live_server, User.objects.get(username="demo"))
    js_off_page.goto("/?range=all")
    for chart in CHARTS:
        assert js_off_page.locator(chart).first.is_visible()
    assert js_off_page.locator(f"{TOGETHER} rect:is(.l2, .l3)").count() > 0


def test_on_paper_every_chart_shows_whole_in_its_colours(demo):
    demo.goto("/?range=all")
    demo.emulate_media(media="print")
    frame = demo.locator(".heat-wrap")
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")  # every month, none scrolled away
    first_month = demo.locator(f"{HEATMAP} thead th").nth(1).bounding_box()
    assert first_month["x"] >= frame.bounding_box()["x"]
    assert (
        demo.locator(f"{HEATMAP} td.l3").first.evaluate("c => getComputedStyle(c).printColorAdjust")
        == "exact"
    )
    for chart in (TOGETHER, WELLBEING):
        assert demo.locator(chart).first.is_visible()
    demo.pdf()  # prints without trouble
    assert_no_trouble(demo)


# Back and Forward, and what the tab keeps ------------------------------------------

RANGE_LABELS = {"12m": "Last 12 months", "all": "All"}

# Where each chart lies, in page coordinates, next to its own section and the header.
CHART_PLACES = """
() => {
  const place = (element) => {
    const box = element.getBoundingClientRect();
    return {top: box.top + scrollY, bottom: box.bottom + scrollY, left: box.left, right: box.right};
  };
  const header = place(document.querySelector("header.top"));
  return [...document.querySelectorAll("svg.plot, .heat-wrap, section > ol.pairs")].map((chart) => {
    const c = place(chart), s = place(chart.closest("section"));
    return {
      chart: chart.getAttribute("class"),
      inside: c.top >= s.top && c.bottom <= s.bottom && c.left >= s.left - 1 && c.right <= s.right + 1,
      below_header: c.top >= header.bottom,
    };
  });
}
"""


def wait_for_range(page, live_server, key: str, months: int) -> None:
    """Until the page on show is the dashboard over this range, whether swapped or loaded."""
    page.wait_for_url(f"{live_server.url}/" + ("" if key == "12m" else f"?range={key}"))
    page.wait_for_function(
        """([label, months]) =>
          document.querySelector(".ranges [aria-current]")?.textContent.trim() === label &&
          document.querySelectorAll('section:has(#chart-together-heading) rect.hit').length === months""",
        arg=[RANGE_LABELS[key], months],
    )
    wait_for_charts(page, CHARTS if key == "all" else RECENT_CHARTS)


def assert_dashboard_over(page, key: str, months: int) -> None:
    assert page.get_by_role("heading", name="Dashboard", level=1).is_visible()
    for other, label in RANGE_LABELS.items():
        current = page.get_by_role("link", name=label, exact=True).get_attribute("aria-current")
        assert current == ("true" if other == key else None), (label, current)
    assert months_drawn(page) == months
    assert months_drawn(page, WELLBEING) == months
    places = page.evaluate(CHART_PLACES)
    assert len(places) == (4 if key == "all" else 3)
    for place in places:
        assert place["inside"] and place["below_header"], place


def assert_the_tab_keeps_no_page(page) -> None:
    """htmx keeps no snapshot of any page: the tab's storage holds at most the address on show."""
    stored = page.evaluate("Object.entries(sessionStorage)")
    address = page.evaluate("location.pathname + location.search")
    assert stored in ([], [["htmx-current-path-for-history", address]]), stored
    assert page.evaluate("localStorage.length") == 0


def test_back_and_forward_after_switching_the_range_show_each_range_drawn_in_place(demo, live_server):
    wait_for_range(demo, live_server, "12m", 12)
    demo.get_by_role("link", name="All").click()
    wait_for_range(demo, live_server, "all", 37)
    assert_dashboard_over(demo, "all", 37)
    assert_the_tab_keeps_no_page(demo)

    demo.go_back()
    wait_for_range(demo, live_server, "12m", 12)
    assert_dashboard_over(demo, "12m", 12)
    assert_the_tab_keeps_no_page(demo)
    assert_no_trouble(demo)

    demo.go_forward()
    wait_for_range(demo, live_server, "all", 37)
    assert_dashboard_over(demo, "all", 37)
    assert_the_tab_keeps_no_page(demo)
    assert_no_trouble(demo)


def test_logging_out_leaves_nothing_of_the_person_in_the_browser(demo, live_server):
    wait_for_range(demo, live_server, "12m", 12)
    demo.get_by_role("link", name="All").click()
    wait_for_range(demo, live_server, "all", 37)
    demo.go_back()
    wait_for_range(demo, live_server, "12m", 12)
    assert_the_tab_keeps_no_page(demo)
    # Whatever a script might ever keep for the person, log-out must take it away.
    demo.evaluate("sessionStorage.setItem('kept', 'Lack of trust'); localStorage.setItem('kept', 'notes')")

    demo.get_by_role("button", name="Log out").click()
    demo.wait_for_url(f"{live_server.url}/accounts/login/")
    assert demo.evaluate("sessionStorage.length") == 0
    assert demo.evaluate("localStorage.length") == 0

    # Back goes to the server again, which shows a visitor the landing page: no copy of the
    # dashboard shows.
    demo.go_back()
    demo.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/(\?.*)?$"))
    expect(demo.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    assert demo.get_by_role("heading", name="Dashboard").count() == 0
    assert demo.evaluate("sessionStorage.length + localStorage.length") == 0
    assert_no_trouble(demo)


# Nothing leaves the app's origin ----------------------------------------------------

# Every address an element could send the person to, or fetch from, as [tag, origin].
# A data: URL is in the page itself.
ADDRESSES = """
() => {
  const found = [];
  const add = (element, ...names) => {
    const value = names.map((name) => element.getAttribute(name)).find(Boolean);
    if (value && !value.startsWith("data:")) {
      found.push([element.tagName, new URL(value, document.baseURI).origin]);
    }
  };
  document.querySelectorAll("a").forEach((a) => add(a, "href", "xlink:href"));
  document.querySelectorAll("form[action]").forEach((form) => add(form, "action"));
  document.querySelectorAll("[formaction]").forEach((button) => add(button, "formaction"));
  document.querySelectorAll("iframe, img, script, link, image, use").forEach((element) =>
    add(element, "src", "href", "xlink:href"));
  return found;
}
"""


def assert_nothing_points_elsewhere(page) -> None:
    origin = page.evaluate("location.origin")
    addresses = page.evaluate(ADDRESSES)
    assert len(addresses) > 5, "the walk found almost no address"
    assert [a for a in addresses if a[1] != origin] == []
    # A chart is an image to assistive technology: nothing in it to follow, press or focus.
    assert page.locator("svg.plot :is(a, button, input, [tabindex])").count() == 0


def poke_every_chart(page) -> None:
    """Hover over each chart and click it, as someone curious would."""
    for area in page.locator("svg.plot, table.heatmap, table.handout-heatmap").all():
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        for step in range(1, 10):
            page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] * 0.9)
            page.wait_for_timeout(30)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.dblclick(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)


def test_nothing_on_the_dashboard_links_or_sends_to_another_origin(demo):
    demo.goto("/?range=all")
    wait_for_charts(demo)
    assert_nothing_points_elsewhere(demo)
    poke_every_chart(demo)
    assert_nothing_points_elsewhere(demo)
    assert_no_trouble(demo)


def test_nothing_on_the_printable_page_links_or_sends_to_another_origin(demo):
    demo.goto("/export/")
    assert_nothing_points_elsewhere(demo)
    with demo.context.expect_page() as info:
        demo.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_selector("table.handout-heatmap")
    assert_nothing_points_elsewhere(printable)
    poke_every_chart(printable)
    assert_nothing_points_elsewhere(printable)
    assert_no_trouble(demo)  # in the printable page's tab too: it is of the same context


def test_a_chart_does_not_zoom_or_pan_by_drag_scroll_or_double_click(demo):
    demo.goto("/?range=all")
    plot = demo.locator(TOGETHER)
    plot.scroll_into_view_if_needed()
    drawn = plot.evaluate("p => p.outerHTML")
    box = plot.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    demo.mouse.move(x, y)
    demo.mouse.down()
    demo.mouse.move(x + box["width"] * 0.4, y + box["height"] * 0.4, steps=8)
    demo.mouse.up()
    demo.mouse.dblclick(x, y)
    demo.wait_for_timeout(300)
    assert plot.evaluate("p => p.outerHTML") == drawn, "changed by a drag or a double-click"
    scrolled = demo.evaluate("scrollY")
    demo.mouse.wheel(0, 200)
    demo.wait_for_timeout(300)
    assert plot.evaluate("p => p.outerHTML") == drawn, "zoomed by the wheel"
    assert demo.evaluate("scrollY") > scrolled, "the wheel scrolls the page instead"
    assert_no_trouble(demo)
