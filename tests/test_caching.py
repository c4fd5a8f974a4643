"""What a browser or a proxy may keep of the person: nothing.

Every response the app makes says no-store; log-out and account deletion tell the browser
to empty its cache and storage for the app. Static files keep their long caching.
"""

import pytest
from django.urls import reverse

from assessments.models import this_month

from .factories import PASSWORD
from .helpers import HTMX, as_user, patterns, url_for
from .test_export import form_data

CLEAR_SITE_DATA = '"cache", "storage"'


def assert_not_kept(response) -> None:
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.headers.get("Cache-Control")


@pytest.mark.parametrize("pattern", patterns())
def test_no_page_the_owner_can_open_may_be_stored(world, pattern):
    response = as_user(world["owner"]).get(url_for(pattern, world))
    assert_not_kept(response)


@pytest.mark.parametrize("pattern", patterns())
def test_no_answer_to_a_post_may_be_stored(world, pattern):
    response = as_user(world["owner"]).post(url_for(pattern, world))
    assert_not_kept(response)


def test_the_dashboard_and_its_htmx_charts_may_not_be_stored(world):
    client = as_user(world["owner"])
    page = client.get(reverse("dashboard"), {"range": "all"})
    charts = client.get(reverse("dashboard"), {"range": "all"}, **HTMX)
    assert "Owner secret trigger" in page.text and "<html" not in charts.text
    assert_not_kept(page)
    assert_not_kept(charts)


@pytest.mark.parametrize("fmt", ["markdown", "csv", "print"])
def test_no_export_download_may_be_stored(world, fmt):
    owner = world["owner"]
    data = form_data(owner, this_month(), this_month(), {world["trigger"]: "show"})
    response = as_user(owner).post(reverse("export_download", args=[fmt]), data)
    assert response.status_code == 200
    assert "Owner secret trigger" in response.content.decode("utf-8-sig")
    assert_not_kept(response)


def test_the_backup_download_may_not_be_stored(world):
    response = as_user(world["owner"]).get(reverse("backup"))
    assert response.status_code == 200
    assert "Owner secret note" in response.content.decode()
    assert_not_kept(response)


def test_the_calendar_feed_may_not_be_stored(world):
    response = as_user(None).get(reverse("calendar", args=[world["token"]]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert_not_kept(response)


@pytest.mark.django_db
def test_the_log_in_page_and_a_refused_log_in_may_not_be_stored(client, owner):
    assert_not_kept(client.get(reverse("login")))
    assert_not_kept(client.post(reverse("login"), {"username": "owner", "password": "wrong"}))


def test_static_files_are_cached_as_before(client, db):
    response = client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_logging_out_empties_the_browsers_cache_and_storage_but_keeps_its_cookies(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA
    assert "cookies" not in response["Clear-Site-Data"]


@pytest.mark.django_db
def test_logging_in_or_a_refused_log_out_clears_nothing(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert "Clear-Site-Data" not in response
    refused = client.get(reverse("logout"))
    assert refused.status_code == 405
    assert "Clear-Site-Data" not in refused


def test_deleting_the_account_empties_the_browsers_cache_and_storage(owner_client):
    response = owner_client.post(reverse("account_delete"), {"confirm": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA


def test_logging_out_of_the_admin_empties_the_browsers_cache_and_storage(owner_client):
    response = owner_client.post("/admin/logout/")
    assert response.status_code == 302
    assert response.url == reverse("admin:login")
    assert response["Clear-Site-Data"] == CLEAR_SITE_DATA
    assert "_auth_user_id" not in owner_client.session


@pytest.mark.parametrize("name", ["dashboard", "checklist", "trigger_edit", "job_edit"])
def test_pages_that_answer_htmx_with_a_part_tell_caches_the_two_answers_apart(world, name):
    pk = {"trigger_edit": world["trigger"].pk, "job_edit": world["job"].pk}.get(name)
    url = reverse(name, args=[pk] if pk else [])
    client = as_user(world["owner"])
    page, part = client.get(url), client.get(url, **HTMX)
    assert "<html" in page.text and "<html" not in part.text
    for response in (page, part):
        assert "hx-request" in response.headers.get("Vary", "").lower(), response.headers.get("Vary")
