"""What goes with your satisfaction and the year in review, on the demo, in a real Chromium:
drawn without breaking the Content-Security-Policy, fitting a phone, and the year printed
the way the browser's "Save as PDF" does: at most two A4 pages, nothing private on them."""

from io import BytesIO, StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import CheckIn, Rating, Trigger

from ..helpers import assert_no_trouble, log_in

TRUST = "Lack of trust in the managerial relationship"  # private in the default checklist


@pytest.fixture
def demo(page, live_server):
    """The page, logged in as the demo user (watched for trouble by the `page` fixture)."""
    call_command("seed_demo", stdout=StringIO())
    page.user = get_user_model().objects.get(username="demo")
    log_in(page, live_server, page.user)
    return page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def busiest_year(user) -> int:
    """The demo's year with the most check-ins, then the most triggers turning up."""
    years = (
        CheckIn.objects.filter(user=user)
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(n=Count("pk", distinct=True), up=Count("ratings", filter=Q(ratings__level__gte=2)))
        .order_by("-n", "-up")
    )
    return years[0]["year"]


def demo_years(user) -> list[int]:
    return [day.year for day in CheckIn.objects.filter(user=user).dates("month", "year")]


# What goes with your satisfaction ------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_the_demos_insights_are_drawn_without_breaking_the_policy_and_fit_the_screen(demo, width):
    demo.set_viewport_size({"width": width, "height": 900})
    demo.goto("/")
    demo.get_by_role("link", name="What goes with your satisfaction").click()
    expect(demo.get_by_role("heading", name="What goes with your satisfaction", level=1)).to_be_visible()
    same = demo.get_by_role("region", name="In the same month")
    expect(same.get_by_role("row", name="No room to grow Job satisfaction")).to_be_visible()
    expect(demo.get_by_text("This shows what went together, not what caused what.")).to_be_visible()
    # The private trigger is on its owner's own page.
    expect(same.get_by_role("row", name=f"{TRUST} Wellbeing")).to_be_visible()
    assert fits(demo)
    assert_no_trouble(demo)


# The year in review --------------------------------------------------------------------


def test_the_year_in_review_opens_from_the_dashboard_and_the_export_page(demo):
    latest = demo_years(demo.user)[-1]
    demo.goto("/")
    demo.get_by_role("link", name=f"{latest} in review").click()
    expect(demo.get_by_role("heading", name=f"{latest} in review", level=1)).to_be_visible()
    demo.goto("/export/")
    demo.get_by_role("link", name="Year in review").click()
    expect(demo.get_by_role("heading", name=f"{latest} in review", level=1)).to_be_visible()
    assert_no_trouble(demo)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_busiest_year_is_drawn_without_breaking_the_policy_and_fits_the_screen(demo, width):
    year = busiest_year(demo.user)
    demo.set_viewport_size({"width": width, "height": 900})
    demo.goto(f"/year/{year}/")
    checked_in = CheckIn.objects.filter(user=demo.user, month__year=year).count()
    expect(demo.get_by_text(f"Checked in {checked_in} of 12 months.")).to_be_visible()
    expect(demo.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    expect(demo.get_by_role("heading", name="What rose and what resolved")).to_be_visible()
    for section in demo.locator("article section").all():
        expect(section).not_to_contain_text(TRUST)  # private: hidden unless chosen
    assert fits(demo)
    assert_no_trouble(demo)


def test_choosing_to_show_a_private_trigger_puts_it_on_the_page_and_other_years_keep_it(demo):
    year = busiest_year(demo.user)
    demo.goto(f"/year/{year}/")
    top = demo.get_by_role("region", name="Turned up most")
    expect(top).not_to_contain_text(TRUST)
    demo.get_by_text("Triggers on this page").click()
    demo.get_by_role("radiogroup", name=TRUST).get_by_label("Show").check()
    demo.get_by_role("button", name="Show the year with these choices").click()
    expect(top).to_contain_text(TRUST)
    everyone = Trigger.objects.filter(user=demo.user).count()
    expect(
        demo.get_by_text(f"Triggers on this page: {everyone} shown, 0 theme only, 0 hidden")
    ).to_be_visible()
    demo.get_by_role("navigation", name="Years").get_by_role("link", name=str(year - 1)).click()
    expect(demo.get_by_role("heading", name=f"{year - 1} in review", level=1)).to_be_visible()
    expect(demo.get_by_text("0 hidden")).to_be_visible()
    assert_no_trouble(demo)


def printed(page, path: str, paper: str = "A4") -> PdfReader:
    page.goto(path)
    return PdfReader(BytesIO(page.pdf(format=paper)))


def test_every_demo_year_prints_on_at_most_two_a4_pages_with_nothing_private(demo):
    user = demo.user
    CheckIn.objects.filter(user=user).update(notes="Private: updating my CV.")
    notes = set(Rating.objects.filter(checkin__user=user).exclude(note="").values_list("note", flat=True))
    assert notes, "the demo has notes on its ratings"
    busiest = busiest_year(user)
    checked_in = CheckIn.objects.filter(user=user, month__year=busiest).count()
    for year in demo_years(user):
        pdf = printed(demo, f"/year/{year}/")
        assert len(pdf.pages) <= 2, (year, len(pdf.pages))
        text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
        assert f"{year} in review" in text
        assert "Print or save as PDF" not in text and "Triggers on this page" not in text
        assert "updating my CV" not in text
        assert TRUST not in text
        for note in notes:
            assert note not in text
        if year == busiest:
            for words in (
                f"Checked in {checked_in} of 12 months.",
                "Turned up most",
                "Came together most",
                "Talking points",
            ):
                assert words in text
    assert_no_trouble(demo)


def test_the_busiest_year_prints_on_at_most_two_letter_pages_too(demo):
    assert len(printed(demo, f"/year/{busiest_year(demo.user)}/", paper="Letter").pages) <= 2
