"""The printed 1:1 handout, as Chromium's "Save as PDF" makes it: one page for six months with
the default choices on A4 and Letter, a second page only for long notes, nothing printed
under 8 pt, and levels that differ in black and white."""

from io import BytesIO
from itertools import pairwise

import pytest
from pypdf import PdfReader

from assessments.models import Level, Rating, Trigger, add_months, this_month
from tests.factories import PASSWORD, make_checkin, make_user

MONTHS = 6
POINTS = {
    5: "Ask about the roadmap for next quarter, and who decides what the platform team works on.",
    3: "The reorg: what changes for our team, and when will we hear about the new manager?",
    0: "Promotion: what would the next step need from me this year?\nTraining budget for the spring.",
}
NOTES = [
    "Values talk at the all-hands, the opposite in the roadmap review.",
    "Quarter planning was all about the dashboard numbers again.",
    "Promotion conversation pushed to next cycle, again.",
]
LONG_NOTE = (
    "The planning meeting ran for three hours and ended without a decision; the same question "
    "came back the week after, and the week after that, while the work waited. "
) * 5


def ago(months: int):
    return add_months(this_month(), -months)


@pytest.fixture
def person(db):
    """The default checklist rated for a year (the six months shared and the six before them,
    to compare with), every level turning up, talking points in three months and a short note
    in three, as the demo's busier year looks."""
    user = make_user("casey")
    triggers = list(Trigger.objects.filter(user=user).order_by("position"))
    for months in range(2 * MONTHS):
        levels = {t: (position + months // 2 + months % 3) % 4 for position, t in enumerate(triggers)}
        checkin = make_checkin(
            user,
            ago(months),
            levels,
            wellbeing=3,
            satisfaction=2 + months % 3,
            energy=3,
            hours=44 + months,
            talking_points=POINTS.get(months, ""),
            notes="Private: updating my CV.",
        )
        if months in (0, 2, 4):
            rating = checkin.ratings.filter(level=Level.STRONG, trigger__private=False)[0]
            rating.note = NOTES[months // 2]
            rating.save()
    return user


def printed(page, live_server, *, notes: bool = False, paper: str = "A4") -> PdfReader:
    """The printable page for the last six months with the default choices (notes ticked if
    asked), saved as PDF the way the browser's print dialog does."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto("/export/")
    page.get_by_label("From", exact=True).fill(f"{ago(MONTHS - 1):%Y-%m}")
    page.get_by_label("To", exact=True).fill(f"{ago(0):%Y-%m}")
    if notes:
        page.get_by_label("Notes on shown triggers").check()
    with page.context.expect_page() as info:
        page.get_by_role("button", name="Printable page").click()
    printable = info.value
    printable.wait_for_load_state()
    page.printable = printable
    return PdfReader(BytesIO(printable.pdf(format=paper)))


def text_of(pdf: PdfReader, number: int) -> str:
    return " ".join(pdf.pages[number].extract_text().split())


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_six_months_with_the_default_choices_print_on_one_page(page, live_server, person, paper):
    pdf = printed(page, live_server, paper=paper)
    assert len(pdf.pages) == 1
    text = text_of(pdf, 0)
    assert f"Career check-in: {ago(MONTHS - 1):%B %Y} – {ago(0):%B %Y}" in text
    # In order: talking points, what changed, the table, its key.
    order = [text.index(words) for words in ("Talking points", "What changed", "Month by month", "Not rated")]
    assert order == sorted(order)
    assert "No room to grow" in text
    assert "Lack of trust in the managerial relationship" not in text  # private: hidden
    assert "Values talk at the all-hands" not in text  # notes are not a default choice
    assert "Private: updating my CV." not in text


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_six_months_with_a_few_short_notes_still_print_on_one_page(page, live_server, person, paper):
    pdf = printed(page, live_server, notes=True, paper=paper)
    assert len(pdf.pages) == 1
    for note in NOTES:
        assert note in text_of(pdf, 0)


def test_a_month_with_long_notes_takes_a_second_page(page, live_server, person):
    Rating.objects.filter(checkin__month=ago(0), level=Level.STRONG).update(note=LONG_NOTE)
    pdf = printed(page, live_server, notes=True)
    assert len(pdf.pages) == 2
    assert "Month by month" in text_of(pdf, 0)
    assert "while the work waited" in text_of(pdf, 1)


def test_nothing_in_the_printed_handout_is_smaller_than_8_points(page, live_server, person):
    printed(page, live_server, notes=True)
    printable = page.printable
    printable.emulate_media(media="print")
    smallest = printable.evaluate(
        """() => {
          const sizes = [];
          const walker = document.createTreeWalker(document.querySelector(".handout"), NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const element = walker.currentNode.parentElement;
            if (!walker.currentNode.textContent.trim() || !element.getClientRects().length) continue;
            if (element.closest(".visually-hidden")) continue;
            sizes.push(parseFloat(getComputedStyle(element).fontSize));
          }
          return Math.min(...sizes);
        }"""
    )
    assert smallest >= 8 * 96 / 72  # 8 pt in CSS pixels


def test_the_four_levels_differ_in_black_and_white_and_each_carries_its_letter(page, live_server, person):
    printed(page, live_server)
    printable = page.printable
    printable.emulate_media(media="print")
    cells = printable.evaluate(
        """() => [0, 1, 2, 3].map((level) => {
          const cell = document.querySelector(`table.handout-heatmap td.lv-${level}`);
          const [r, g, b] = getComputedStyle(cell).backgroundColor.match(/\\d+/g).map(Number);
          const linear = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
          const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
          return [cell.querySelector("[aria-hidden]").textContent, 116 * Math.cbrt(luminance) - 16];
        })"""
    )
    assert [letter for letter, _ in cells] == ["–", "F", "C", "S"]
    lightness = [value for _, value in cells]
    # Darker as the level rises, each step plain to see in grey (CIE lightness, 0–100).
    assert all(before - after >= 15 for before, after in pairwise(lightness))
