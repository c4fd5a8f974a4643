"""Settings: the thresholds the dashboard counts with, and the person's jobs.

Every change is tried as an htmx request (answered with its fragment) and as a plain form
post (answered with a redirect back to the settings page).
"""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from assessments.models import Job, UserSettings, this_month

from .factories import make_checkin, make_trigger
from .helpers import HTMX, FormPost, Response, Row, assert_fragment, client_for, visible_text

pytestmark = pytest.mark.django_db

DEFAULTS = {"turn_up_level": 2, "together_count": 3, "sustained_months": 2, "tenure_years": 3}
END_BEFORE_START = "The end date can’t be before the start date."


class Post(FormPost):
    def __call__(self, url: str, data: dict | None = None, *, part: str | None = None) -> Response:
        """Send, and given the `part` of the page it changes, check it succeeded."""
        response = self.send(url, data)
        if part:
            self.assert_done(response, fragment=part, page=reverse("settings"))
        return response


@pytest.fixture(params=["htmx", "plain"])
def post(request, owner_client) -> Post:
    return Post(owner_client, htmx=request.param == "htmx")


def stored(user) -> dict:
    return {name: getattr(UserSettings.of(user), name) for name in DEFAULTS}


def jobs(user) -> list[Row]:
    return list(Job.objects.filter(user=user).order_by("pk").values())


def page_text(client) -> str:
    return visible_text(client.get(reverse("settings")).text)


def job_data(**changes) -> dict:
    return {"employer": "Duo", "role": "Engineer", "start": "2023-03-01", "end": "", **changes}


@pytest.fixture
def job(owner):
    return Job.objects.create(user=owner, employer="Signal & Co", role="Analyst", start=date(2019, 5, 1))


# Thresholds ------------------------------------------------------------------------


def test_settings_page_shows_the_thresholds_with_their_defaults(owner_client):
    response = owner_client.get(reverse("settings"))
    assert response.status_code == 200
    page = response.text
    assert "<h1>Settings</h1>" in page
    for label in ("A trigger turns up at", "Together means at least", "Sustained means together for"):
        assert label in page
    assert '<option value="2" selected>Clear</option>' in page
    assert re.search(r'name="together_count" value="3"', page)
    assert re.search(r'name="tenure_years" value="3"', page)


def test_saving_thresholds_stores_them(post, owner):
    data = {"turn_up_level": 3, "together_count": 5, "sustained_months": 4, "tenure_years": 7}
    response = post(reverse("settings"), data, part="thresholds")
    assert stored(owner) == data
    if post.htmx:
        assert "Thresholds saved." in response.text


def test_saving_thresholds_leaves_other_users_settings_alone(owner_client, other):
    owner_client.post(reverse("settings"), {**DEFAULTS, "together_count": 9})
    assert stored(other) == DEFAULTS


def test_saved_thresholds_change_what_the_dashboard_counts(owner_client, owner):
    a, b, c = (make_trigger(owner, title) for title in ("Alpha", "Bravo", "Charlie"))
    make_checkin(owner, this_month(), {a: 3, b: 2, c: 2})
    page = owner_client.get(reverse("dashboard")).text
    assert "3 triggers turning up together" in page
    assert "3 triggers are turning up together." in page

    response = owner_client.post(reverse("settings"), {**DEFAULTS, "turn_up_level": 3})
    assert response.status_code == 302
    page = owner_client.get(reverse("dashboard")).text
    assert "1 trigger turning up together" in page
    assert 'role="alert"' not in page

    owner_client.post(reverse("settings"), {**DEFAULTS, "turn_up_level": 3, "together_count": 1})
    page = owner_client.get(reverse("dashboard")).text
    box = re.search(r'<div class="alert" role="alert">.*?</div>', page, re.S)
    assert box, "no together alert with a together count of 1"
    assert "<li>Alpha</li>" in box.group(0)
    assert "Bravo" not in box.group(0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"together_count": 0}, "Ensure this value is greater than or equal to 1."),
        ({"together_count": 99}, "Ensure this value is less than or equal to 50."),
        ({"turn_up_level": 0}, "Select a valid choice."),
        ({"turn_up_level": 4}, "Select a valid choice."),
        ({"tenure_years": "x"}, "Enter a whole number."),
        ({"sustained_months": 0}, "Ensure this value is greater than or equal to 1."),
        ({"sustained_months": 25}, "Ensure this value is less than or equal to 24."),
        ({"together_count": ""}, "This field is required."),
    ],
)
def test_bad_thresholds_are_refused_with_a_message_and_change_nothing(post, owner, changes, message):
    UserSettings.objects.filter(user=owner).update(turn_up_level=3, together_count=4, sustained_months=5)
    before = stored(owner)
    # Every other field is changed too: none of it may be saved.
    data = {"turn_up_level": 1, "together_count": 7, "sustained_months": 9, "tenure_years": 9, **changes}
    response = post(reverse("settings"), data)
    assert response.status_code == post.refused
    assert message in unescape(response.text)
    assert stored(owner) == before
    if post.htmx:
        assert_fragment(response, "thresholds")
    else:
        assert "<html" in response.text


# Jobs ------------------------------------------------------------------------------


def test_settings_page_lists_only_the_users_own_jobs(owner_client, owner, other, job):
    Job.objects.create(user=other, employer="Their employer", start=date(2020, 1, 1))
    text = page_text(owner_client)
    assert "Analyst at Signal & Co" in text
    assert "1 May 2019 – now" in text
    assert "Their employer" not in text


def test_adding_a_job(post, owner):
    response = post(reverse("job_add"), job_data(), part="jobs")
    (added,) = jobs(owner)
    assert (added["employer"], added["role"], added["start"], added["end"]) == (
        "Duo",
        "Engineer",
        date(2023, 3, 1),
        None,
    )
    if post.htmx:
        assert "Engineer at Duo" in response.text
        assert "Added Engineer at Duo." in response.text


def test_adding_a_job_that_ended(post, owner):
    post(reverse("job_add"), job_data(end="2024-06-30"), part="jobs")
    assert jobs(owner)[0]["end"] == date(2024, 6, 30)


def test_adding_a_job_that_ends_before_it_starts_is_refused(post, owner, job):
    before = jobs(owner)
    response = post(reverse("job_add"), job_data(start="2023-03-01", end="2023-02-28"))
    assert response.status_code == post.refused
    assert END_BEFORE_START in response.text
    assert jobs(owner) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"employer": ""}, "This field is required."),
        ({"start": ""}, "This field is required."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"end": "2023-02-30"}, "Enter a valid date."),
    ],
)
def test_adding_a_job_with_bad_data_is_refused(post, owner, changes, message):
    response = post(reverse("job_add"), job_data(**changes))
    assert response.status_code == post.refused
    assert message in response.text
    assert jobs(owner) == []


def test_editing_a_job_shows_its_form_in_place(owner_client, job):
    url = reverse("job_edit", args=[job.pk])
    fragment = owner_client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert_fragment(fragment, "jobs")
    for response in (fragment, owner_client.get(url)):
        assert f'action="{url}"' in response.text
        assert 'value="Signal &amp; Co"' in response.text
        assert 'value="2019-05-01"' in response.text
    assert "<html" in owner_client.get(url).text


def test_editing_a_job_saves_it(post, owner, job):
    response = post(
        reverse("job_edit", args=[job.pk]),
        job_data(employer="Signal & Co", role="Lead", start="2019-05-01", end="2023-02-28"),
        part="jobs",
    )
    job.refresh_from_db()
    assert (job.role, job.end) == ("Lead", date(2023, 2, 28))
    if post.htmx:
        assert "Saved Lead at Signal &amp; Co." in response.text


def test_editing_a_job_to_end_before_it_starts_is_refused_and_changes_nothing(post, owner, job):
    before = jobs(owner)
    response = post(
        reverse("job_edit", args=[job.pk]), job_data(role="Lead", start="2019-05-01", end="2019-04-30")
    )
    assert response.status_code == post.refused
    assert END_BEFORE_START in response.text
    assert jobs(owner) == before


def test_removing_a_job(post, owner, job):
    keep = Job.objects.create(user=owner, employer="Duo", start=date(2023, 3, 1))
    response = post(reverse("job_delete", args=[job.pk]), part="jobs")
    assert [row["id"] for row in jobs(owner)] == [keep.pk]
    if post.htmx:
        assert "Removed Analyst at Signal &amp; Co." in response.text
        assert "Duo" in response.text


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_another_users_job_is_a_404_and_stays_as_it_was(other_client, owner, job, headers):
    before = jobs(owner)
    edit, delete = reverse("job_edit", args=[job.pk]), reverse("job_delete", args=[job.pk])
    assert other_client.get(edit, **headers).status_code == 404
    assert other_client.post(edit, job_data(employer="Hijacked"), **headers).status_code == 404
    assert other_client.post(delete, **headers).status_code == 404
    assert jobs(owner) == before


def test_a_job_that_does_not_exist_is_a_404(owner_client):
    assert owner_client.get(reverse("job_edit", args=[99999])).status_code == 404
    assert owner_client.post(reverse("job_delete", args=[99999])).status_code == 404


@pytest.mark.parametrize("name", ["job_add", "job_delete"])
def test_post_only_job_endpoints_refuse_get_with_405(owner_client, owner, job, name):
    url = reverse(name) if name == "job_add" else reverse(name, args=[job.pk])
    assert owner_client.get(url).status_code == 405
    assert owner_client.get(url, **HTMX).status_code == 405
    assert Job.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_settings_page_refuses_other_methods(owner_client, method):
    assert getattr(owner_client, method)(reverse("settings")).status_code == 405


# Who may change it -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(client, owner, job):
    before_jobs, before_settings = jobs(owner), stored(owner)
    requests = [
        ("get", reverse("settings")),
        ("post", reverse("settings")),
        ("post", reverse("job_add")),
        ("get", reverse("job_edit", args=[job.pk])),
        ("post", reverse("job_edit", args=[job.pk])),
        ("post", reverse("job_delete", args=[job.pk])),
    ]
    for method, url in requests:
        response = getattr(client, method)(url, {**DEFAULTS, "together_count": 9, **job_data()})
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(f"{reverse('login')}?next="), (method, url)
    assert jobs(owner) == before_jobs
    assert stored(owner) == before_settings


def test_posts_without_a_csrf_token_are_refused(owner, job):
    client = client_for(owner, enforce_csrf_checks=True)
    before_jobs, before_settings = jobs(owner), stored(owner)
    assert client.post(reverse("settings"), {**DEFAULTS, "together_count": 9}).status_code == 403
    assert client.post(reverse("job_add"), job_data()).status_code == 403
    assert client.post(reverse("job_delete", args=[job.pk]), **HTMX).status_code == 403
    assert jobs(owner) == before_jobs
    assert stored(owner) == before_settings
