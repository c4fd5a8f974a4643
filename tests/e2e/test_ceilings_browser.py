"""An account at every ceiling in a real Chromium: its dashboard from 1970 drawn by the year
without trouble, and a checklist that fills up saying so where its form was."""

import pytest

from assessments.dashboard import HEATMAP_TRIGGERS, PAIR_TRIGGERS
from assessments.models import FIRST_MONTH, MAX_ACTIVE_TRIGGERS, Trigger, this_month

from ..factories import make_user
from ..helpers import assert_no_trouble, fill_to_the_ceilings, log_in
from .test_dashboard_browser import CHARTS, HEATMAP, PAIRS, TOGETHER, months_drawn, wait_for_charts

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dashboard_from_1970_at_every_ceiling_is_drawn_by_the_year(page, live_server):
    user = make_user("ceiling", default_checklist=False)
    fill_to_the_ceilings(user)
    log_in(page, live_server, user)
    page.goto("/?range=all")
    wait_for_charts(page, CHARTS)
    years = this_month().year - FIRST_MONTH.year + 1
    assert months_drawn(page) == years
    assert page.locator(f"{HEATMAP} tbody tr").count() == HEATMAP_TRIGGERS
    assert page.locator(f"{PAIRS} li").count() == PAIR_TRIGGERS * (PAIR_TRIGGERS - 1) // 2
    assert page.locator(f"{TOGETHER} rect.l3").count() > 0
    # Fifty triggers turning up: the axis counts in round steps, not one tick for each.
    assert page.locator(f"{TOGETHER} text.y").all_text_contents() == ["0", "10", "20", "30", "40", "50"]
    assert page.get_by_role("heading", name="Each trigger, year by year").is_visible()
    assert page.get_by_text("one year at a time").is_visible()
    assert page.get_by_text("more turned up too").is_visible()
    assert_no_trouble(page)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width


def test_adding_the_last_trigger_a_checklist_holds_puts_a_sentence_where_the_form_was(page, live_server):
    user = make_user("owner")
    Trigger.objects.bulk_create(
        Trigger(user=user, title=f"Extra {n}", position=20 + n) for n in range(MAX_ACTIVE_TRIGGERS - 12)
    )
    log_in(page, live_server, user)
    page.goto("/checklist/")
    page.get_by_label("Title").fill("The last one")
    page.get_by_role("button", name="Add trigger").click()
    page.get_by_text(
        f"Your checklist has {MAX_ACTIVE_TRIGGERS} active triggers, the most it holds."
    ).wait_for()
    assert page.get_by_role("button", name="Add trigger").count() == 0
    assert page.get_by_text("The last one", exact=True).is_visible()  # in the list, beside its change
    assert page.evaluate("document.activeElement !== document.body")
    assert_no_trouble(page)
