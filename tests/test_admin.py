"""The admin manages accounts only: whoever runs the server never reads what anyone wrote.

Every URL the admin answers is tried by a superuser, with every object of the owner's
filled in; so is every URL the admin would have if a model of the app were registered.
"""

from contextlib import suppress

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from assessments import throttle
from assessments.models import Attempt, CheckIn, Job, Rating, Trigger

from .factories import PASSWORD
from .helpers import SECRETS, as_user

APP_MODELS = list(apps.get_app_config("assessments").get_models())


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", password=PASSWORD)


@pytest.fixture
def operator_client(operator):
    return as_user(operator)


def admin_patterns(resolver=None, inside=False):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_patterns(pattern, inside or pattern.namespace == "admin")
        elif isinstance(pattern, URLPattern) and pattern.name and inside:
            yield pattern


def owners_objects(world) -> list:
    owner = world["owner"]
    return [
        owner,
        world["trigger"],
        world["job"],
        owner.checkins.get(),
        Rating.objects.get(checkin__user=owner),
        owner.app_settings,
    ]


def admin_urls(world) -> list[str]:
    """Every named admin URL, reversed with every value that fits it."""
    ids = [obj.pk for obj in owners_objects(world)]
    values = {
        "object_id": ids,
        "id": ids,
        "app_label": [config.label for config in apps.get_app_configs()],
        "content_type_id": [ct.pk for ct in ContentType.objects.all()],
    }
    urls = set()
    for pattern in admin_patterns():
        names = list(pattern.pattern.regex.groupindex)
        combinations: list[dict[str, object]] = [{}]
        for name in names:
            combinations = [dict(c, **{name: value}) for c in combinations for value in values[name]]
        for kwargs in combinations:
            with suppress(NoReverseMatch):  # e.g. an app the admin has no page for
                urls.add(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return sorted(urls)


def app_model_urls(world) -> list[str]:
    """The admin URLs each of the app's models would have if it were registered."""
    urls = ["/admin/assessments/"]
    for obj in owners_objects(world)[1:]:
        base = f"/admin/assessments/{obj._meta.model_name}/"
        urls += [base, f"{base}add/", f"{base}{obj.pk}/", f"{base}{obj.pk}/change/"]
        urls += [f"{base}{obj.pk}/history/", f"{base}{obj.pk}/delete/"]
        urls.append(f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/")
    return urls


def autocomplete_urls() -> list[str]:
    """The admin's search behind every relation of the app's models."""
    return [
        f"/admin/autocomplete/?app_label=assessments&model_name={model._meta.model_name}"
        f"&field_name={field.name}&term=Owner"
        for model in APP_MODELS
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete
    ]


def assert_nothing_personal(response, url: str) -> None:
    body = response.content.decode(errors="replace") + response.headers.get("Location", "")
    for secret in SECRETS + ("Secret theme",):
        assert secret not in body, (url, secret)


def test_the_walk_finds_the_account_pages(world):
    urls = admin_urls(world)
    owner = world["owner"].pk
    assert {"/admin/", "/admin/auth/user/", f"/admin/auth/user/{owner}/change/"} <= set(urls)
    assert f"/admin/auth/user/{owner}/delete/" in urls


def test_no_admin_page_shows_anything_anyone_wrote(world, operator_client):
    for url in admin_urls(world):
        response = operator_client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        assert_nothing_personal(response, url)


def test_the_admin_has_no_page_for_any_of_the_apps_models(world, operator_client):
    for url in app_model_urls(world):
        response = operator_client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert_nothing_personal(response, url)


def test_the_admins_search_finds_accounts_at_most(world, operator_client):
    urls = autocomplete_urls()
    assert len(urls) >= 5
    for url in urls:
        response = operator_client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        assert_nothing_personal(response, url)


def test_the_admin_index_lists_users_and_nothing_else(operator_client):
    response = operator_client.get("/admin/")
    assert response.status_code == 200
    models = [model["object_name"] for app in response.context["app_list"] for model in app["models"]]
    assert models == ["User"]


def test_the_admin_lists_accounts(world, operator_client):
    response = operator_client.get("/admin/auth/user/")
    assert response.status_code == 200
    assert "owner" in response.text and "other" in response.text


def test_deleting_an_account_in_the_admin_names_the_account_but_nothing_in_it(world, operator_client):
    owner = world["owner"]
    single = operator_client.get(f"/admin/auth/user/{owner.pk}/delete/")
    bulk = operator_client.post(
        "/admin/auth/user/", {"action": "delete_selected", "_selected_action": [owner.pk]}
    )
    for response in (single, bulk):
        assert response.status_code == 200
        assert "owner, with everything they wrote in careerapp" in response.text
        assert_nothing_personal(response, response.request["PATH_INFO"])
        for model in APP_MODELS:
            assert f"{str(model._meta.verbose_name_plural).capitalize()}:" not in response.text


def test_an_account_deleted_in_the_admin_takes_everything_with_it(world, operator_client):
    owner = world["owner"]
    response = operator_client.post(f"/admin/auth/user/{owner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert not Trigger.objects.filter(user=owner.pk).exists()
    assert not CheckIn.objects.filter(user=owner.pk).exists()
    assert not Rating.objects.filter(checkin__user=owner.pk).exists()
    assert not Job.objects.filter(user=owner.pk).exists()


# The admin's log-in -----------------------------------------------------------------


def admin_log_in(client: Client, username: str, password: str):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
    )


def app_log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_the_admin_logs_an_operator_in(operator):
    client = Client()
    response = admin_log_in(client, "operator", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_repeated_admin_failures_refuse_even_the_right_password_for_a_while(operator):
    client = Client()
    for _ in range(throttle.LIMIT):
        response = admin_log_in(client, "operator", "wrong")
        assert "Please enter the correct username and password" in response.text
    response = admin_log_in(client, "operator", PASSWORD)
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    assert "_auth_user_id" not in client.session


def test_admin_and_app_log_in_share_one_count_of_failures(operator):
    client = Client()
    for _ in range(throttle.LIMIT - 2):
        admin_log_in(client, "operator", "wrong")
    for _ in range(2):
        app_log_in(client, "operator", "wrong")
    assert app_log_in(client, "operator", PASSWORD).status_code == 429
    assert "Too many failed attempts." in admin_log_in(client, "operator", PASSWORD).text


def test_a_successful_admin_log_in_clears_earlier_failures(operator):
    for _ in range(throttle.LIMIT - 1):
        admin_log_in(Client(), "operator", "wrong")
    assert admin_log_in(Client(), "operator", PASSWORD).status_code == 302
    for _ in range(throttle.LIMIT):
        assert "Please enter the correct" in admin_log_in(Client(), "operator", "wrong").text
    assert "Too many failed attempts." in admin_log_in(Client(), "operator", PASSWORD).text


def test_the_right_password_without_staff_status_is_refused_but_not_counted_as_a_guess(owner):
    client = Client()
    for _ in range(throttle.LIMIT + 1):
        response = admin_log_in(client, "owner", PASSWORD)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    assert Attempt.objects.count() == 0
    assert app_log_in(client, "owner", PASSWORD).status_code == 302


def test_the_admin_log_in_gives_a_device_cookie_and_honours_it(operator):
    browser = Client()
    response = admin_log_in(browser, "operator", PASSWORD)
    assert response.cookies[throttle.DEVICE_COOKIE]["httponly"] is True
    browser.post("/admin/logout/")
    for _ in range(throttle.LIMIT):
        admin_log_in(Client(), "operator", "wrong")  # someone else, on the same address
    assert "Too many failed attempts." in admin_log_in(Client(), "operator", PASSWORD).text
    assert admin_log_in(browser, "operator", PASSWORD).status_code == 302
    assert browser.session["_auth_user_id"] == str(operator.pk)


def test_a_refused_admin_log_in_gives_no_device_cookie(owner):
    response = admin_log_in(Client(), "owner", PASSWORD)  # the right password, but no staff status
    assert throttle.DEVICE_COOKIE not in response.cookies
