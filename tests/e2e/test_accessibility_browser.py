"""Every page in a real Chromium, checked by axe-core, in light and dark, on a laptop and a
phone: zero violations of any impact.

axe can't see everything WCAG 2.2 AA asks. It doesn't measure a control's boundary against
what is around it (1.4.11), so the sweep measures that too: every field, answer button,
button and range link, and the focus ring, at 3:1 or more. And it checks that no chart
(`role="img"`, whose content a screen reader skips) holds anything the keyboard can reach.
"""

import inspect
from collections import Counter
from collections.abc import Callable
from io import StringIO
from typing import Any, cast

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page

from assessments import exports, mail, sharing
from assessments.models import CheckIn, Job, Trigger, UserSettings, add_months, this_month

from ..factories import make_user
from ..helpers import client_for

SCHEMES = ("light", "dark")
WIDTHS = (1280, 390)

AXE = Axe()
# axe's default rules, and its experimental ones that test a WCAG success criterion.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {
        rule: {"enabled": True}
        for rule in (
            "css-orientation-lock",
            "focus-order-semantics",
            "label-content-name-mismatch",
            "p-as-heading",
            "table-fake-caption",
            "td-has-header",
        )
    },
}
# Dark mode changes colours and nothing else (static/css/app.css sets only its colour
# properties), so in dark the sweep runs axe's rules that look at colour: the rest would
# find what they found in light.
COLOUR_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
}

# What axe leaves out, measured in the page. A control's boundary is its border, or its fill
# where that stands out more, against the first opaque background behind it. Native radios
# and checkboxes are drawn by the browser, disabled buttons are exempt (WCAG 1.4.11).
BEYOND_AXE = """
() => {
  const CONTROLS = [
    "input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file])",
    "textarea", "select", "button:not(:disabled):not(.link)", ".button", ".button-like",
    ".scale label", ".levels label", ".ranges a",
  ].join(", ");
  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const opaque = (colour) => { const c = channels(colour); return c.length === 3 || c[3] === 1; };
  const luminance = ([r, g, b]) => {
    const linear = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(channels(a)), luminance(channels(b))].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const behind = (element) => {
    for (let e = element.parentElement; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (opaque(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const problems = [];
  for (const element of document.querySelectorAll(CONTROLS)) {
    const style = getComputedStyle(element);
    if (!element.getClientRects().length || style.visibility === "hidden") continue;
    const around = behind(element);
    const border = parseFloat(style.borderTopWidth) > 0 ? ratio(style.borderTopColor, around) : 0;
    const fill = opaque(style.backgroundColor) ? ratio(style.backgroundColor, around) : 0;
    if (Math.max(border, fill) < 3) {
      const seen = `border ${border.toFixed(2)}:1, fill ${fill.toFixed(2)}:1`;
      problems.push(`boundary under 3:1 (${seen}): ${element.outerHTML.slice(0, 100)}`);
    }
  }
  const probe = document.createElement("div");
  document.body.append(probe);
  for (const name of ["--bg", "--card"]) {
    probe.style.cssText = `color: var(--focus); background: var(${name})`;
    const seen = ratio(getComputedStyle(probe).color, getComputedStyle(probe).backgroundColor);
    if (seen < 3) problems.push(`focus ring ${seen.toFixed(2)}:1 on ${name}`);
  }
  probe.remove();
  for (const chart of document.querySelectorAll("[role=img]")) {
    for (const element of chart.querySelectorAll(FOCUSABLE)) {
      if (element.tabIndex >= 0) problems.push(`focusable in a chart: ${element.outerHTML.slice(0, 100)}`);
    }
  }
  return problems;
}
"""


def cookie_for(user, live_server) -> dict:
    return {"name": "sessionid", "value": client_for(user).cookies["sessionid"].value, "url": live_server.url}


def submit_empty(page, button: str) -> None:
    """Send a form with nothing filled in, past the browser's own checks, as an older
    browser would."""
    page.evaluate("document.querySelectorAll('form').forEach((form) => { form.noValidate = true; })")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def people(live_server, settings):
    """The demo account, with something in every part of every page, and a new account."""
    settings.EMAIL_HOST = "smtp.example.org"  # the forgotten-password pages exist
    call_command("seed_demo", stdout=StringIO())
    demo = get_user_model().objects.get(username="demo")
    demo.email = "demo@example.org"
    demo.save()
    UserSettings.of(demo).new_calendar_token()
    newcomer = make_user("newcomer", email="new@example.org", verified=True)
    triggers = Trigger.objects.filter(user=demo, retired__isnull=True).order_by("position")
    triggers.reverse()[0].retire()  # the checklist shows its Retired section
    for _ in range(6):  # more changes than the checklist shows: a link to all of them
        triggers[0].toggle_private()
    # Links for the manager: the export page lists them, one opened; one is opened logged out.
    choices = exports.saved_choices(demo, list(Trigger.objects.filter(user=demo)))
    choices["start"] = add_months(choices["end"], -5)
    links = [sharing.create(user=demo, export=exports.build(demo, choices), days=days) for days in (14, 1)]
    sharing.record_opening(links[0][0])
    return {
        "demo": demo,
        "newcomer": newcomer,
        "trigger": triggers.first(),
        "alone_in_theme": Trigger.objects.get(user=demo, theme="Manager"),
        "job": Job.objects.filter(user=demo).first(),
        "cookies": {user.username: cookie_for(user, live_server) for user in (demo, newcomer)},
        "shared": f"/shared/{links[0][1]}/",
    }


def pages(people, settings) -> list[tuple[str, Any, Callable[[Page], Any]]]:
    """(name, who is logged in, how to get there) for every page and state worth checking.
    A visit that yields leaves the page to axe at its yield, and then tidies up."""
    demo, newcomer = people["demo"], people["newcomer"]
    month = this_month()
    past = add_months(month, -5)
    reset = f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(demo.pk))}/"
    reset_token = default_token_generator.make_token(demo)

    def goto(path):
        def visit(page):
            page.goto(path)

        return visit

    def refused(path, button):
        def visit(page):
            page.goto(path)
            submit_empty(page, button)

        return visit

    def signup_closed(page):
        settings.SIGNUP_OPEN = False
        page.goto("/signup/")
        settings.SIGNUP_OPEN = True

    def landing_with_demo(page):
        settings.DEMO = True
        page.goto("/")
        settings.DEMO = False

    def checkin_copied(page):
        """This month's check-in done in one press: the done state, after the copy."""
        CheckIn.objects.filter(user=demo, month=month).delete()
        page.goto(f"/check-in/{month:%Y-%m}/")
        page.get_by_role("button", name="Copy last month's answers").click()
        page.get_by_role("heading", name=f"Check-in for {month:%B} done").wait_for()
        yield
        CheckIn.objects.filter(user=demo, month=month).delete()

    def checkin_intro_closed(page):
        page.goto(f"/check-in/{month:%Y-%m}/")
        page.get_by_role("button", name="Hide this introduction").click()
        yield
        UserSettings.objects.filter(user=demo).update(checkin_intro=True)

    def new_password(page):
        page.goto(f"{reset}{reset_token}/")

    def new_password_refused(page):
        new_password(page)
        submit_empty(page, "Set new password")

    def verify_email(page):
        page.goto(f"/email/verify/{mail.make_token(demo, demo.email)}/")

    def checkin_refused(page):
        # The whole form posted, as it is without JavaScript, and refused by the server.
        page.goto(f"/check-in/{month:%Y-%m}/")
        page.get_by_label("Typical weekly hours").fill("500")
        with page.expect_navigation():
            page.evaluate("document.querySelector('form.checkin').submit()")

    def answer_again(page):
        """A past month's first trigger answered again: returns its fieldset."""
        page.goto(f"/check-in/{past:%Y-%m}/")
        group = page.locator("fieldset.trigger").first
        label = "Clear" if group.get_by_label("Faint", exact=True).is_checked() else "Faint"
        group.get_by_label(label, exact=True).check()
        return group

    def checkin_saved(page):
        answer_again(page).get_by_role("status").get_by_text("Saved").wait_for()

    def checkin_not_saved(page):
        page.route(
            "**/check-in/**",
            lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
        )
        group = answer_again(page)
        group.get_by_text("Not saved — retrying").wait_for()
        yield
        page.unroute("**/check-in/**")
        group.get_by_role("status").get_by_text("Saved").wait_for()

    def checklist_refused(page):
        page.goto("/checklist/")
        page.evaluate("document.querySelector('form.add').noValidate = true")
        page.get_by_role("button", name="Add trigger").click()
        page.locator("[aria-invalid=true]").first.wait_for()

    def export_refused(page):
        start, alone = add_months(month, -2), people["alone_in_theme"]
        page.goto(f"/export/?start={start:%Y-%m}&end={month:%Y-%m}&t_{alone.pk}=theme")

    def link_made(page):
        page.goto("/export/")
        page.get_by_role("button", name="Create a link for my manager").click()
        page.get_by_role("textbox", name="The new link’s address").wait_for()

    def links_opened(page):
        page.goto("/export/")
        page.get_by_text("When it was opened", exact=True).click()

    def printable(page):
        page.goto("/export/")
        with page.context.expect_page() as opened:
            page.get_by_role("button", name="Printable page").click()
        opened.value.wait_for_load_state("domcontentloaded")
        yield opened.value
        opened.value.close()

    last_year = add_months(month, -12).year  # a whole year of the demo's check-ins

    def year_choices(page):
        page.goto(f"/year/{last_year}/")
        page.get_by_text("Triggers on this page").click()

    def settings_refused(page):
        page.goto("/settings/")
        jobs = page.get_by_role("region", name="Jobs")
        page.evaluate("document.querySelectorAll('form').forEach((form) => { form.noValidate = true; })")
        jobs.get_by_role("button", name="Add job").click()
        jobs.locator("[aria-invalid=true]").first.wait_for()

    return [
        ("landing", None, goto("/")),
        ("landing, demo offered", None, landing_with_demo),
        ("log-in refused", None, refused("/accounts/login/", "Log in")),
        ("sign-up", None, goto("/signup/")),
        ("sign-up refused", None, refused("/signup/", "Sign up")),
        ("sign-up closed", None, signup_closed),
        ("forgot password", None, goto("/accounts/password/reset/")),
        ("forgot password refused", None, refused("/accounts/password/reset/", "Send the link")),
        ("reset link sent", None, goto("/accounts/password/reset/sent/")),
        ("new password", None, new_password),
        ("new password refused", None, new_password_refused),
        ("reset link broken", None, goto(f"{reset}not-a-token/")),
        ("password reset done", None, goto("/accounts/password/reset/done/")),
        ("verify email, logged out", None, verify_email),
        ("verify link broken", None, goto("/email/verify/broken/")),
        ("not found", None, goto("/no-such-page/")),
        ("shared link, logged out", None, goto(people["shared"])),
        ("dashboard", demo, goto("/")),
        ("dashboard, 3 years", demo, goto("/?range=3y")),
        ("dashboard, all", demo, goto("/?range=all")),
        ("check-in, this month", demo, goto(f"/check-in/{month:%Y-%m}/")),
        ("check-in, past month", demo, goto(f"/check-in/{past:%Y-%m}/")),
        ("check-in, an answer saved", demo, checkin_saved),
        ("check-in, a save failed", demo, checkin_not_saved),
        ("check-in refused (no autosave)", demo, checkin_refused),
        ("check-in, future month", demo, goto(f"/check-in/{add_months(month, 1):%Y-%m}/")),
        ("check-in, done after copying last month", demo, checkin_copied),
        ("check-in, introduction closed", demo, checkin_intro_closed),
        ("history, with missed months", demo, goto("/history/")),
        ("search notes", demo, goto("/search/")),
        ("search notes, found", demo, goto("/search/?q=again")),
        ("search notes, refused", demo, goto("/search/?q=+")),
        ("checklist", demo, goto("/checklist/")),
        ("checklist, editing a trigger", demo, goto(f"/checklist/{people['trigger'].pk}/edit/")),
        ("checklist, add refused", demo, checklist_refused),
        ("checklist, all its changes", demo, goto("/checklist/changes/")),
        ("export", demo, goto("/export/")),
        ("export, Theme only refused", demo, export_refused),
        ("export, its links' openings shown", demo, links_opened),
        ("export, a link just made", demo, link_made),
        ("export, printable page", demo, printable),
        ("what goes with your satisfaction", demo, goto("/insights/")),
        ("year in review", demo, goto(f"/year/{last_year}/")),
        ("year in review, choosing its triggers", demo, year_choices),
        (
            "year in review, Theme only refused",
            demo,
            goto(f"/year/{last_year}/?t_{people['alone_in_theme'].pk}=theme"),
        ),
        ("settings", demo, goto("/settings/")),
        ("settings, editing a job", demo, goto(f"/settings/jobs/{people['job'].pk}/edit/")),
        ("settings, job refused", demo, settings_refused),
        ("change password", demo, goto("/accounts/password/")),
        ("change password refused", demo, refused("/accounts/password/", "Change password")),
        ("password changed", demo, goto("/accounts/password/done/")),
        ("delete account", demo, goto("/settings/delete-account/")),
        ("delete account refused", demo, refused("/settings/delete-account/", "Delete my account")),
        ("verify email, logged in", demo, verify_email),
        ("dashboard, no check-ins yet", newcomer, goto("/")),
        ("check-in, first ever, with its introduction", newcomer, goto(f"/check-in/{month:%Y-%m}/")),
        ("history, empty", newcomer, goto("/history/")),
        ("search notes, nothing found", newcomer, goto("/search/?q=again")),
        ("what goes with your satisfaction, nothing rated", newcomer, goto("/insights/")),
        ("year in review, no check-ins", newcomer, goto(f"/year/{month.year}/")),
        ("settings, address verified", newcomer, goto("/settings/")),
    ]


def report(found: list[tuple[str, dict]]) -> str:
    lines = []
    for where, violation in found:
        lines.append(f"\n{where}: {violation['id']} ({violation['impact']}) — {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {', '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:160]}")
            lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def check(page: Page, scheme: str) -> dict:
    """axe's findings on the page as it is now, in `scheme`."""
    options = AXE_OPTIONS if scheme == "light" else COLOUR_OPTIONS
    results: dict = page.evaluate("(options) => axe.run(document, options)", options)
    return results


# Each width is a test of its own, so that they can run at the same time (pytest-xdist). A
# width's every page is loaded once and checked in light, then in dark: the colour scheme
# changes in place, as it does when the system's changes (the stylesheet follows it).
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_has_no_accessibility_violation_in_light_and_dark_on_a_laptop_and_a_phone(
    browser, live_server, people, settings, width
):
    visits = pages(people, settings)
    found: list[tuple[str, dict]] = []
    beyond: list[str] = []
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.add_init_script(AXE.axe_script)  # in every page, before its own scripts
    page = context.new_page()
    page.set_default_timeout(10_000)
    logged_in = None
    for name, user, visit in visits:
        if user != logged_in:
            context.clear_cookies()
            if user:
                context.add_cookies([people["cookies"][user.username]])
            logged_in = user
        page.emulate_media(color_scheme=SCHEMES[0])
        steps = visit(page)
        shown = page
        if inspect.isgenerator(steps):  # it yields the page to check, or None for this one
            shown = cast(Page | None, next(steps, None)) or page
        for scheme in SCHEMES:
            shown.emulate_media(color_scheme=scheme)
            assert shown.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
            shown.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
            where = f"{name} [{scheme}, {width}px]"
            found += [(where, v) for v in check(shown, scheme)["violations"]]
            beyond += [f"{where}: {problem}" for problem in shown.evaluate(BEYOND_AXE)]
        if inspect.isgenerator(steps):
            next(steps, None)
    context.close()

    nodes: Counter[tuple[str, str]] = Counter()
    for where, violation in found:
        nodes[violation["id"], where.split(" [")[0]] += len(violation["nodes"])
    summary = "\n".join(f"  {rule} on {name}: {n}" for (rule, name), n in sorted(nodes.items()))
    assert not found and not beyond, (
        f"axe found (rule on page: elements, over both schemes):\n{summary}\n{report(found)}\n\n"
        + "Beyond axe:\n"
        + "\n".join(beyond)
    )
