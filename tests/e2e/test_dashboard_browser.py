"""The demo dashboard in a real Chromium: four charts drawn, the range swapped in place,
no console error, no CSP violation, nothing fetched from another origin, fits a phone."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from ..helpers import WATCH_PRINT, assert_no_trouble, log_in

CHARTS = ["fig-together", "fig-heatmap", "fig-cooccurrence", "fig-wellbeing"]


def chart(figure: str) -> str:
    return f'div[data-figure="{figure}"]'


def months_drawn(page: Page, figure: str = "fig-together") -> int:
    """How many months plotly.js was given for the chart now in the page."""
    months: int = page.evaluate(f"document.querySelector('{chart(figure)}').data[0].x.length")
    return months


def bars_drawn(page: Page) -> int:
    return page.locator(f"{chart('fig-together')} .barlayer .point").count()


def wait_for_charts(page: Page, figures: list[str] = CHARTS) -> None:
    """Until each chart is drawn. A chart is drawn as it nears the view: scroll to each."""
    for figure in figures:
        page.locator(chart(figure)).scroll_into_view_if_needed()
        page.wait_for_selector(f"{chart(figure)}[data-drawn] svg.main-svg", state="attached")


@pytest.fixture
def demo(page: Page, live_server: LiveServer) -> Page:
    """The page, logged in as the demo user, on the dashboard."""
    call_command("seed_demo", stdout=StringIO())
    log_in(page, live_server, User.objects.get(username="demo"))
    page.goto("/")
    return page


# The demo's last twelve months are the calm ones after the job change: no two triggers
# turned up together, so the co-occurrence matrix is a sentence there. All four charts
# are drawn over the whole demo.
RECENT_CHARTS = ["fig-together", "fig-heatmap", "fig-wellbeing"]


def test_demo_dashboard_draws_every_chart_it_has(demo):
    wait_for_charts(demo, RECENT_CHARTS)
    containers = demo.locator("div[data-figure]")
    assert containers.count() == 3
    for n in range(3):
        assert containers.nth(n).locator("svg").count() >= 1
    assert demo.get_by_text(
        "No two triggers have turned up in the same check-in in this period."
    ).is_visible()
    # The last twelve months, with the month the demo missed left as a gap.
    assert months_drawn(demo) == 12
    assert None in demo.evaluate(f"document.querySelector('{chart('fig-together')}').data[0].y")
    assert bars_drawn(demo) > 0
    assert_no_trouble(demo)


def test_demo_dashboard_over_all_its_months_draws_all_four_charts(demo):
    demo.goto("/?range=all")
    wait_for_charts(demo)
    containers = demo.locator("div[data-figure]")
    assert containers.count() == 4
    for n in range(4):
        assert containers.nth(n).locator("svg").count() >= 1
    assert_no_trouble(demo)


def test_switching_the_range_updates_the_charts_without_a_full_page_load(demo, live_server):
    wait_for_charts(demo, RECENT_CHARTS)
    before = bars_drawn(demo)
    ticks_before = demo.locator(f"{chart('fig-together')} .xtick").all_text_contents()
    demo.evaluate("window.marker = 'same page'")
    demo.get_by_role("link", name="All").click()
    demo.wait_for_url(f"{live_server.url}/?range=all")
    # The demo's first check-in was 36 months ago: 37 months up to this one.
    demo.wait_for_function(
        f"() => document.querySelector('{chart('fig-together')}')?.data?.[0]?.x.length === 37"
    )
    wait_for_charts(demo)
    assert demo.evaluate("window.marker") == "same page"
    assert bars_drawn(demo) > before
    assert demo.locator(f"{chart('fig-together')} .xtick").all_text_contents() != ticks_before
    assert months_drawn(demo, "fig-wellbeing") == 37
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


@pytest.mark.parametrize("figure", CHARTS)
def test_hovering_over_a_chart_shows_its_label_and_breaks_no_policy(demo, figure):
    demo.goto("/?range=all")
    wait_for_charts(demo)
    area = demo.locator(f"{chart(figure)} .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    labels = 0
    # Along the foot of the plot, where every bar starts, from left to right.
    for step in range(1, 20):
        demo.mouse.move(box["x"] + box["width"] * step / 20, box["y"] + box["height"] * 0.97)
        demo.wait_for_timeout(60)
        labels += demo.locator(f"{chart(figure)} .hoverlayer .hovertext").count()
    demo.wait_for_timeout(200)  # the last label's text is laid out a moment later
    assert labels > 0
    assert_no_trouble(demo)


@pytest.mark.parametrize("range_key", ["12m", "all"])
def test_dashboard_fits_a_phone_without_sideways_scrolling(demo, range_key):
    demo.set_viewport_size({"width": 390, "height": 844})
    demo.goto(f"/?range={range_key}")
    wait_for_charts(demo, RECENT_CHARTS)
    demo.wait_for_timeout(300)  # plotly.js redraws to the new width
    widths = demo.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1] == 390, widths
    assert_no_trouble(demo)


# Drawn when needed -------------------------------------------------------------------

# The charts whose figures plotly.js has drawn so far, in the order it drew them.
DRAWN = "() => performance.getEntriesByName('chart drawn').map((mark) => mark.detail)"


def settle(page) -> None:
    """Until the page has drawn whatever it draws without being scrolled."""
    page.wait_for_selector(f"{chart('fig-together')}[data-drawn]", state="attached")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # a few frames, for any other chart it would draw


def test_the_page_is_ready_before_any_chart_is_drawn(demo):
    demo.goto("/?range=all")
    settle(demo)
    ready, first = demo.evaluate(
        """() => [performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
                  performance.getEntriesByName("chart drawn")[0].startTime]"""
    )
    assert ready < first


def test_the_chart_in_view_is_drawn_before_the_ones_above_it(demo):
    demo.set_viewport_size({"width": 1200, "height": 500})
    demo.goto("/?range=all#chart-wellbeing-heading")
    wait_for_charts(demo, ["fig-wellbeing"])
    assert demo.evaluate(DRAWN)[0] == "fig-wellbeing"
    assert_no_trouble(demo)


def test_a_chart_far_below_the_view_is_drawn_once_scrolled_near(demo):
    demo.set_viewport_size({"width": 1200, "height": 500})
    demo.goto("/?range=all")
    settle(demo)
    assert "fig-wellbeing" not in demo.evaluate(DRAWN)
    assert demo.locator(f"{chart('fig-wellbeing')} svg").count() == 0
    demo.locator(chart("fig-cooccurrence")).scroll_into_view_if_needed()
    demo.wait_for_selector(f"{chart('fig-wellbeing')}[data-drawn] svg.main-svg", state="attached")
    assert sorted(demo.evaluate(DRAWN)) == sorted(CHARTS)
    assert_no_trouble(demo)


def test_printing_draws_every_chart_first(demo):
    demo.set_viewport_size({"width": 1200, "height": 500})
    demo.add_init_script(WATCH_PRINT)
    demo.goto("/?range=all")
    settle(demo)
    assert "fig-wellbeing" not in demo.evaluate(DRAWN)
    demo.pdf()  # as the browser's print and "Save as PDF" do: beforeprint, print, afterprint
    assert demo.evaluate("window.drawnWhenPrinted") == [True] * 4
    assert_no_trouble(demo)


def test_a_new_colour_scheme_redraws_the_charts_in_its_colours(demo):
    demo.goto("/?range=all")
    settle(demo)
    tick = f"document.querySelector('{chart('fig-together')} .ytick text')"
    light = demo.evaluate(f"getComputedStyle({tick}).fill")
    demo.emulate_media(color_scheme="dark")
    demo.wait_for_function(f"(light) => getComputedStyle({tick}).fill !== light", arg=light)
    # A chart drawn afterwards takes the new colours too.
    wait_for_charts(demo, ["fig-wellbeing"])
    label = f"document.querySelector('{chart('fig-wellbeing')} .ytick text')"
    assert demo.evaluate(f"getComputedStyle({label}).fill") == demo.evaluate(f"getComputedStyle({tick}).fill")
    assert_no_trouble(demo)


def test_back_to_a_range_from_another_page_shows_the_whole_dashboard(demo, live_server):
    wait_for_charts(demo, RECENT_CHARTS)
    demo.get_by_role("link", name="All").click()
    demo.wait_for_url(f"{live_server.url}/?range=all")
    wait_for_charts(demo)
    demo.get_by_role("link", name="History").click()
    demo.wait_for_url(f"{live_server.url}/history/")
    demo.go_back()
    demo.wait_for_url(f"{live_server.url}/?range=all")
    # The same URL answers htmx with the #charts fragment: the browser must not reuse that.
    assert demo.get_by_role("heading", name="Dashboard", level=1).is_visible()
    assert demo.get_by_role("link", name="History").is_visible()
    wait_for_charts(demo)
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
  return [...document.querySelectorAll("div[data-figure]")].map((chart) => {
    const c = place(chart), s = place(chart.closest("section"));
    const svg = chart.querySelector("svg.main-svg");
    return {
      figure: chart.dataset.figure,
      inside: c.top >= s.top && c.bottom <= s.bottom && c.left >= s.left && c.right <= s.right,
      below_header: c.top >= header.bottom,
      drawn_inside: !!svg && place(svg).top >= c.top - 1 && place(svg).bottom <= c.bottom + 1,
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
          document.querySelector('div[data-figure="fig-together"]')?.data?.[0]?.x.length === months""",
        arg=[RANGE_LABELS[key], months],
    )
    wait_for_charts(page, CHARTS if key == "all" else RECENT_CHARTS)


def assert_dashboard_over(page, key: str, months: int) -> None:
    assert page.get_by_role("heading", name="Dashboard", level=1).is_visible()
    for other, label in RANGE_LABELS.items():
        current = page.get_by_role("link", name=label, exact=True).get_attribute("aria-current")
        assert current == ("true" if other == key else None), (label, current)
    assert months_drawn(page) == months
    assert months_drawn(page, "fig-wellbeing") == months
    places = page.evaluate(CHART_PLACES)
    assert len(places) == (4 if key == "all" else 3)
    for place in places:
        assert place["inside"] and place["below_header"] and place["drawn_inside"], place


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

    # Back goes to the server again, which asks to log in: no copy of the dashboard shows.
    demo.go_back()
    demo.wait_for_url(f"{live_server.url}/accounts/login/?next=/")
    assert demo.get_by_role("heading", name="Dashboard").count() == 0
    assert demo.evaluate("sessionStorage.length + localStorage.length") == 0
    assert_no_trouble(demo)


# Nothing leaves the app's origin ----------------------------------------------------

# Every address an element could send the person to, or fetch from, as [tag, origin].
# A data: URL (plotly.js draws a heatmap as an inline image) is in the page itself.
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
    assert page.locator(".modebar").count() == 0
    # A chart is an image to assistive technology: nothing in it to follow, press or focus.
    assert page.locator("div[data-figure] :is(a, button, input, [tabindex])").count() == 0


def poke_every_chart(page) -> None:
    """Hover over each chart and click it, as someone curious would."""
    for chart in page.locator("div[data-figure]").all():
        area = chart.locator(".nsewdrag").first
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
    printable.wait_for_selector("table.heatmap")
    assert_nothing_points_elsewhere(printable)
    assert_no_trouble(demo)  # in the printable page's tab too: it is of the same context


def test_a_chart_does_not_zoom_or_pan_by_drag_scroll_or_double_click(demo):
    demo.goto("/?range=all")
    wait_for_charts(demo)
    figure = chart("fig-together")
    layout = f"document.querySelector('{figure}')._fullLayout"
    ranges = f"[{layout}.xaxis.range, {layout}.yaxis.range]"
    before = demo.evaluate(ranges)
    area = demo.locator(f"{figure} .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    demo.mouse.move(x, y)
    demo.mouse.down()
    demo.mouse.move(x + box["width"] * 0.4, y + box["height"] * 0.4, steps=8)
    demo.mouse.up()
    demo.wait_for_timeout(300)
    assert demo.evaluate(ranges) == before, "zoomed by a drag"
    scrolled = demo.evaluate("scrollY")
    demo.mouse.wheel(0, 200)
    demo.wait_for_timeout(300)
    assert demo.evaluate(ranges) == before, "zoomed by the wheel"
    assert demo.evaluate("scrollY") > scrolled, "the wheel scrolls the page instead"
    assert demo.evaluate(f"{layout}.dragmode") is False
    context = f"document.querySelector('{figure}')._context"
    assert demo.evaluate(f"[{context}.doubleClick, {context}.scrollZoom]") == [False, False]
    assert_no_trouble(demo)


def test_a_finger_on_a_chart_scrolls_the_page_on_a_phone(demo):
    demo.set_viewport_size({"width": 390, "height": 844})
    demo.goto("/?range=all")
    wait_for_charts(demo)
    area = demo.locator(f"{chart('fig-heatmap')} .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    before = demo.evaluate("scrollY")
    # A finger put down on the chart and moved up by 200 px.
    touch = demo.context.new_cdp_session(demo)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x, "y": y - 20 * step}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    demo.wait_for_timeout(300)
    assert demo.evaluate("scrollY") >= before + 150
    assert_no_trouble(demo)
