"""Refused forms, as the server sends them back: every message is linked to its field, and
the first field to fix takes the focus. (The browser sweep with axe-core is in
tests/e2e/test_accessibility_browser.py.)
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Job, Trigger, this_month

from .helpers import HTMX, Headers, client_for


class Page(HTMLParser):
    """The ids in a page, and its elements that point at ids or take the focus."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, dict] = {}
        self.described: list[dict] = []
        self.autofocus: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{name: value or "" for name, value in attrs}}
        if "id" in element:
            self.ids[element["id"]] = element
        if "aria-describedby" in element:
            self.described.append(element)
        if "autofocus" in element:
            self.autofocus.append(element)


def assert_linked_and_focused(html: str, field: str, message: str) -> Page:
    """Every aria-describedby names elements in the page; the one element with autofocus is
    `field`, marked invalid, and described by an element holding `message`."""
    page = Page(html)
    for element in page.described:
        missing = [ref for ref in element["aria-describedby"].split() if ref not in page.ids]
        assert not missing, f"{element} points at {missing}, which the page doesn't have"
    assert [e.get("name") for e in page.autofocus] == [field], page.autofocus
    [focused] = page.autofocus
    assert focused["aria-invalid"] == "true"
    described = focused.get("aria-describedby", "")
    assert any(message in text_of(html, ref) for ref in described.split()), (described, message)
    return page


def text_of(html: str, element_id: str) -> str:
    """The text right after the element with `element_id` opens, up to the next tag's end."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</", start)]


REFUSED_FORMS = {
    # name: (url, data, the field to fix first, its message)
    "sign-up": ("signup", {"username": "", "password1": "x"}, "username", "This field is required."),
    "log-in": ("login", {"username": "", "password": "x"}, "username", "This field is required."),
    "add a trigger": ("trigger_add", {"title": ""}, "title", "This field is required."),
    "thresholds": (
        "settings",
        {"turn_up_level": "2", "together_count": "0", "sustained_months": "2", "tenure_years": "3"},
        "together_count",
        "greater than or equal to 1",
    ),
    "add a job": ("job_add", {"employer": "", "start": "2024-01-01"}, "employer", "This field is required."),
    "email": ("email", {"email": "not an address"}, "email", "Enter a valid email address."),
    "delete account": (
        "account_delete",
        {"confirm": "", "password": ""},
        "confirm",
        "This field is required.",
    ),
    "change password": (
        "password_change",
        {"old_password": "", "new_password1": "a", "new_password2": "b"},
        "old_password",
        "This field is required.",
    ),
}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", REFUSED_FORMS)
def test_a_refused_form_links_each_message_to_its_field_and_focuses_the_first(owner, name, headers):
    url, data, field, message = REFUSED_FORMS[name]
    client = Client() if url in ("signup", "login") else client_for(owner)
    response = client.post(reverse(url), data, **headers)
    assert response.status_code in (400, 422)
    page = assert_linked_and_focused(response.text, field, message)
    if name in ("sign-up", "email"):
        # Its help text and its error, as Django names them.
        focused = page.autofocus[0]
        assert focused["aria-describedby"] == f"{focused['id']}_helptext {focused['id']}_error"


def test_a_refused_trigger_edit_focuses_its_title(owner_client, owner):
    trigger = Trigger.objects.filter(user=owner)[0]
    url = reverse("trigger_edit", args=[trigger.pk])
    for headers in (Headers(), HTMX):
        response = owner_client.post(url, {"title": " "}, **headers)
        assert response.status_code in (400, 422)
        page = assert_linked_and_focused(response.text, "title", "This field is required.")
        assert page.autofocus[0]["id"] == "edit_title"


def test_a_refused_job_edit_focuses_the_date_to_fix(owner_client, owner):
    job = Job.objects.create(user=owner, employer="Duo", start="2024-01-01")
    data = {"employer": "Duo", "start": "2024-01-01", "end": "2023-01-01"}
    response = owner_client.post(reverse("job_edit", args=[job.pk]), data)
    assert response.status_code == 400
    assert_linked_and_focused(response.text, "end", "The end date can’t be before the start date.")


def test_a_refused_export_period_focuses_the_month_to_fix(owner_client):
    response = owner_client.get(reverse("export"), {"start": "soon", "end": f"{this_month():%Y-%m}"})
    assert response.status_code == 400
    assert_linked_and_focused(response.text, "start", "Enter")


def test_a_check_in_refused_without_javascript_focuses_the_hours(owner_client, owner):
    response = owner_client.post(reverse("checkin", args=[this_month()]), {"hours": "500", "wellbeing": "3"})
    assert response.status_code == 400
    assert_linked_and_focused(response.text, "hours", "Ensure this value is less than or equal to 100.")


def test_a_check_in_note_without_a_level_focuses_that_triggers_levels(owner_client, owner):
    first, second = Trigger.objects.filter(user=owner).order_by("position")[:2]
    data = {f"level_{first.pk}": "2", f"note_{second.pk}": "Something happened"}
    response = owner_client.post(reverse("checkin", args=[this_month()]), data)
    assert response.status_code == 400
    message = f"Choose a level for “{second.title}”"
    page = assert_linked_and_focused(response.text, f"level_{second.pk}", message)
    assert page.autofocus[0]["value"] == "0"  # the first of its levels
    assert "Something happened" in response.text  # what was typed is still there


def test_a_check_in_page_without_errors_takes_no_focus(owner_client):
    response = owner_client.get(reverse("checkin", args=[this_month()]))
    page = Page(response.text)
    assert page.autofocus == []
    assert not [e for e in page.described if any(r not in page.ids for r in e["aria-describedby"].split())]
